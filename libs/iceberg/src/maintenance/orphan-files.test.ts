import { describe, expect, it } from 'vitest';
import type { FileInfo } from '../io/file-io.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { writeManifestList } from '../manifest/manifest-list.ts';
import { ManifestWriter } from '../manifest/manifest-writer.ts';
import { applyUpdates } from '../metadata/builder.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { deleteOrphanFiles, planOrphanFiles, tableListingPrefix } from './orphan-files.ts';
import { normalizeLocation } from './referenced-files.ts';

const HOUR = 3_600_000;
const NOW = Date.now() + 10 * 24 * HOUR;

/** Memory storage whose listing reports the ages the test sets (default: 5 days old). */
class AgedFileIO extends MemoryFileIO {
  readonly ages = new Map<string, number | undefined>();
  override async *list(prefix: string): AsyncIterable<FileInfo> {
    for await (const info of super.list(prefix)) {
      const age = this.ages.has(info.location) ? this.ages.get(info.location) : 5 * 24 * HOUR;
      yield age === undefined
        ? { location: info.location, size: info.size }
        : { ...info, lastModifiedMs: NOW - age };
    }
  }
}

function dataFile(path: string): DataFile {
  return {
    content: 'data',
    filePath: path,
    fileFormat: 'parquet',
    partition: [],
    recordCount: 1n,
    fileSizeInBytes: 4n,
  };
}

/**
 * Table `mem://wh/t1` with one snapshot: its list, one manifest with a live file `a` and a
 * deleted entry for `gone`, the current metadata file, one metadata-log file, a version hint and
 * a statistics file. `t10` next door has a file of its own.
 */
async function fixture(): Promise<{ io: AgedFileIO; metadata: TableMetadata; metadataLocation: string }> {
  const io = new AgedFileIO();
  const base = applyUpdates(newTableMetadata(false), [{ action: 'set-location', location: 'mem://wh/t1' }]);
  const schema = base.schemas[0] as NonNullable<(typeof base.schemas)[0]>;
  const spec = base.partitionSpecs[0] as NonNullable<(typeof base.partitionSpecs)[0]>;
  const writer = new ManifestWriter({ path: 'mem://wh/t1/metadata/m1.avro', spec, schema, snapshotId: 1n });
  writer.add(dataFile('mem://wh/t1/data/a.parquet'));
  writer.delete({
    status: 'existing',
    snapshotId: 1n,
    sequenceNumber: 1n,
    fileSequenceNumber: 1n,
    file: dataFile('mem://wh/t1/data/gone.parquet'),
  });
  const manifest = writer.finish();
  await io.write(manifest.manifestFile.manifestPath, manifest.bytes);
  const list = writeManifestList({
    snapshotId: 1n,
    parentSnapshotId: undefined,
    sequenceNumber: 1n,
    manifests: [manifest.manifestFile],
  });
  await io.write('mem://wh/t1/metadata/snap-1.avro', list.bytes);
  const metadata = applyUpdates(
    base,
    [
      {
        action: 'add-snapshot',
        snapshot: {
          snapshotId: 1n,
          sequenceNumber: 1n,
          timestampMs: 1n,
          manifestList: 'mem://wh/t1/metadata/snap-1.avro',
          summary: { operation: 'append' },
        },
      },
      { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId: 1n, type: 'branch' } },
      {
        action: 'set-statistics',
        statistics: {
          snapshotId: 1n,
          statisticsPath: 'mem://wh/t1/metadata/s1.stats',
          fileSizeInBytes: 3n,
          fileFooterSizeInBytes: 1n,
          blobMetadata: [],
        },
      },
    ],
    { previousMetadataLocation: 'mem://wh/t1/metadata/00000-old.metadata.json' },
  );
  const bytes = new Uint8Array([1, 2, 3, 4]);
  for (const path of [
    'data/a.parquet',
    'data/gone.parquet',
    'data/orphan.parquet',
    'metadata/00000-old.metadata.json',
    'metadata/00001-new.metadata.json',
    'metadata/00002-never-committed.metadata.json',
    'metadata/version-hint.text',
    'metadata/s1.stats',
  ]) {
    await io.write(`mem://wh/t1/${path}`, bytes);
  }
  await io.write('mem://wh/t10/data/other-table.parquet', bytes);
  return { io, metadata, metadataLocation: 'mem://wh/t1/metadata/00001-new.metadata.json' };
}

describe('planOrphanFiles', () => {
  it('finds old unreferenced files and keeps everything the metadata references', async () => {
    const { io, metadata, metadataLocation } = await fixture();
    const plan = await planOrphanFiles({
      io,
      metadata,
      metadataLocation,
      nowMs: NOW,
      olderThanMs: 24 * HOUR,
    });
    expect(plan.prefix).toBe('mem://wh/t1/');
    expect(plan.orphans.map((f) => f.location)).toEqual([
      'mem://wh/t1/data/gone.parquet',
      'mem://wh/t1/data/orphan.parquet',
      'mem://wh/t1/metadata/00002-never-committed.metadata.json',
    ]);
    expect(plan.listedFiles).toBe(10);
    expect(plan.youngFilesKept).toBe(0);
  });

  it('never takes files younger than the threshold or of unknown age', async () => {
    const { io, metadata, metadataLocation } = await fixture();
    io.ages.set('mem://wh/t1/data/orphan.parquet', HOUR);
    io.ages.set('mem://wh/t1/data/gone.parquet', undefined);
    const plan = await planOrphanFiles({ io, metadata, metadataLocation, nowMs: NOW, olderThanMs: 2 * HOUR });
    expect(plan.orphans.map((f) => f.location)).toEqual([
      'mem://wh/t1/metadata/00002-never-committed.metadata.json',
    ]);
    expect(plan.youngFilesKept).toBe(2);
  });

  it('defaults to a 3-day threshold', async () => {
    const { io, metadata, metadataLocation } = await fixture();
    io.ages.set('mem://wh/t1/data/orphan.parquet', 71 * HOUR);
    io.ages.set('mem://wh/t1/data/gone.parquet', 73 * HOUR);
    const plan = await planOrphanFiles({ io, metadata, metadataLocation, nowMs: NOW });
    expect(plan.orphans.map((f) => f.location)).toContain('mem://wh/t1/data/gone.parquet');
    expect(plan.orphans.map((f) => f.location)).not.toContain('mem://wh/t1/data/orphan.parquet');
  });

  it('refuses to run when a referenced manifest cannot be read', async () => {
    const { io, metadata, metadataLocation } = await fixture();
    await io.delete('mem://wh/t1/metadata/m1.avro');
    await expect(planOrphanFiles({ io, metadata, metadataLocation, nowMs: NOW })).rejects.toThrow(
      'file not found: mem://wh/t1/metadata/m1.avro',
    );
  });

  it('rejects a negative threshold and a table location at a bucket root', async () => {
    const { io, metadata, metadataLocation } = await fixture();
    await expect(planOrphanFiles({ io, metadata, metadataLocation, olderThanMs: -1 })).rejects.toThrow(
      'olderThanMs must be a non-negative whole number of ms, got -1',
    );
    expect(() => tableListingPrefix('s3://warehouse/')).toThrow(
      "refusing to look for orphan files under 's3://warehouse/': a table location at a bucket or filesystem root",
    );
    expect(tableListingPrefix('s3://warehouse/ns/t1')).toBe('s3://warehouse/ns/t1/');
    expect(tableListingPrefix('/tmp/tables/t1/')).toBe('/tmp/tables/t1/');
  });
});

describe('deleteOrphanFiles', () => {
  it('deletes exactly what the dry run lists, and reports bytes', async () => {
    const { io, metadata, metadataLocation } = await fixture();
    const options = { io, metadata, metadataLocation, nowMs: NOW, olderThanMs: HOUR };
    const dry = await deleteOrphanFiles({ ...options, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, filesDeleted: 3, bytesDeleted: 12, failedDeletes: [] });
    expect(io.locations()).toHaveLength(11);
    const real = await deleteOrphanFiles(options);
    expect(real.orphans).toEqual(dry.orphans);
    expect(real).toMatchObject({ dryRun: false, filesDeleted: 3, bytesDeleted: 12, failedDeletes: [] });
    for (const orphan of dry.orphans) expect(io.locations()).not.toContain(orphan.location);
    expect(io.locations()).toContain('mem://wh/t10/data/other-table.parquet');
    expect(io.locations()).toContain('mem://wh/t1/data/a.parquet');
    expect((await deleteOrphanFiles(options)).filesDeleted).toBe(0);
  });

  it('deletes nothing when the beforeDelete hook refuses', async () => {
    const { io, metadata, metadataLocation } = await fixture();
    const beforeDelete = () => {
      throw new Error('lock lost');
    };
    await expect(
      deleteOrphanFiles({ io, metadata, metadataLocation, nowMs: NOW, olderThanMs: HOUR, beforeDelete }),
    ).rejects.toThrow('lock lost');
    expect(io.locations()).toHaveLength(11);
  });

  it('reports files it could not delete', async () => {
    const { io, metadata, metadataLocation } = await fixture();
    io.delete = async (location: string) => {
      throw new Error(`access denied deleting ${location}`);
    };
    const report = await deleteOrphanFiles({ io, metadata, metadataLocation, nowMs: NOW, olderThanMs: HOUR });
    expect(report.filesDeleted).toBe(0);
    expect(report.bytesDeleted).toBe(0);
    expect(report.failedDeletes[0]).toEqual({
      location: 'mem://wh/t1/data/gone.parquet',
      message: 'access denied deleting mem://wh/t1/data/gone.parquet',
    });
  });
});

describe('normalizeLocation', () => {
  it('reads s3a:// and s3n:// as s3:// and collapses repeated slashes', () => {
    expect(normalizeLocation('s3a://b/t//data/x.parquet')).toBe('s3://b/t/data/x.parquet');
    expect(normalizeLocation('S3N://b/t/x')).toBe('s3://b/t/x');
    expect(normalizeLocation('/local/path')).toBe('/local/path');
  });
});
