import { describe, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { DataFile, DataFileContent } from '../manifest/data-file.ts';
import type { ManifestFile } from '../manifest/manifest-file.ts';
import { writeManifestList } from '../manifest/manifest-list.ts';
import { ManifestWriter } from '../manifest/manifest-writer.ts';
import { applyUpdates } from '../metadata/builder.ts';
import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';
import { newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { unreachableFiles } from './unreachable-files.ts';

const base = newTableMetadata(false);
const schema = base.schemas[0] as NonNullable<(typeof base.schemas)[0]>;
const spec = base.partitionSpecs[0] as NonNullable<(typeof base.partitionSpecs)[0]>;

function file(name: string, content: DataFileContent, size: bigint): DataFile {
  return {
    content,
    filePath: `mem://t/data/${name}.parquet`,
    fileFormat: 'parquet',
    partition: [],
    recordCount: 1n,
    fileSizeInBytes: size,
  };
}

async function manifest(
  io: MemoryFileIO,
  name: string,
  snapshotId: bigint,
  content: 'data' | 'deletes',
  files: DataFile[],
): Promise<ManifestFile> {
  const writer = new ManifestWriter({
    path: `mem://t/metadata/${name}.avro`,
    spec,
    schema,
    snapshotId,
    content,
  });
  for (const f of files) writer.add(f);
  const written = writer.finish();
  await io.write(written.manifestFile.manifestPath, written.bytes);
  return written.manifestFile;
}

async function snapshot(
  io: MemoryFileIO,
  snapshotId: bigint,
  parent: bigint | undefined,
  manifests: ManifestFile[],
): Promise<{ snapshot: Snapshot; manifests: readonly ManifestFile[] }> {
  const list = writeManifestList({
    snapshotId,
    parentSnapshotId: parent,
    sequenceNumber: snapshotId,
    manifests,
  });
  const manifestList = `mem://t/metadata/snap-${snapshotId}.avro`;
  await io.write(manifestList, list.bytes);
  const snap: Snapshot = {
    snapshotId,
    ...(parent === undefined ? {} : { parentSnapshotId: parent }),
    sequenceNumber: snapshotId,
    timestampMs: 1000n * snapshotId,
    manifestList,
    summary: { operation: 'append' },
  };
  // The list's copies carry the sequence numbers it assigned; later snapshots reuse those.
  return { snapshot: snap, manifests: list.manifests };
}

/** S1 reads data `a` and position deletes `p`; S2 (current) drops the delete manifest and adds `b`. */
async function fixture() {
  const io = new MemoryFileIO();
  const data1 = await manifest(io, 'm-data-1', 1n, 'data', [file('a', 'data', 100n)]);
  const deletes1 = await manifest(io, 'm-del-1', 1n, 'deletes', [file('p', 'position-deletes', 7n)]);
  const { snapshot: s1, manifests: assigned } = await snapshot(io, 1n, undefined, [data1, deletes1]);
  const data2 = await manifest(io, 'm-data-2', 2n, 'data', [file('b', 'data', 50n)]);
  const { snapshot: s2 } = await snapshot(io, 2n, 1n, [data2, assigned[0] as ManifestFile]);
  const before: TableMetadata = applyUpdates(base, [
    { action: 'add-snapshot', snapshot: s1 },
    { action: 'add-snapshot', snapshot: s2 },
    { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId: 2n, type: 'branch' } },
    {
      action: 'set-statistics',
      statistics: {
        snapshotId: 1n,
        statisticsPath: 'mem://t/metadata/s1.stats',
        fileSizeInBytes: 3n,
        fileFooterSizeInBytes: 1n,
        blobMetadata: [],
      },
    },
  ]);
  const after = applyUpdates(before, [{ action: 'remove-snapshots', snapshotIds: [1n] }]);
  return { io, before, after, s1, deletes1 };
}

describe('unreachableFiles', () => {
  it('finds delete files, their manifest and statistics files that only expired snapshots reach', async () => {
    const { io, before, after, s1, deletes1 } = await fixture();
    const files = await unreachableFiles(io, before, after, [s1], 2);
    expect(files).toEqual({
      manifestLists: [s1.manifestList],
      manifests: [deletes1.manifestPath],
      dataFiles: [],
      deleteFiles: ['mem://t/data/p.parquet'],
      statisticsFiles: ['mem://t/metadata/s1.stats'],
      knownBytes: deletes1.manifestLength + 7n + 3n,
    });
  });

  it('skips expired metadata that is already gone (a rerun after a crash)', async () => {
    const { io, before, after, s1 } = await fixture();
    await io.delete(s1.manifestList);
    const files = await unreachableFiles(io, before, after, [s1], 2);
    expect(files.manifestLists).toEqual([s1.manifestList]);
    expect(files.manifests).toEqual([]);
    expect(files.deleteFiles).toEqual([]);
  });

  it('refuses to decide when a retained manifest list cannot be read', async () => {
    const { io, before, after, s1 } = await fixture();
    const retained = after.snapshots[0] as Snapshot;
    await io.delete(retained.manifestList);
    await expect(unreachableFiles(io, before, after, [s1], 2)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('passes on storage errors other than not-found', async () => {
    const { io, before, after, s1 } = await fixture();
    const read = io.read.bind(io);
    io.read = async (location: string) => {
      if (location === s1.manifestList) throw new IcebergError('storage-auth', 'access denied by the store');
      return read(location);
    };
    await expect(unreachableFiles(io, before, after, [s1], 2)).rejects.toThrow('access denied by the store');
  });

  it('returns nothing when no snapshot expired', async () => {
    const { io, before } = await fixture();
    expect(await unreachableFiles(io, before, before, [], 2)).toMatchObject({
      manifestLists: [],
      knownBytes: 0n,
    });
  });
});
