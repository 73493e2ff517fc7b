import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import type { TableRequirement, TableUpdate } from '../metadata/updates.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import type { CommittedTable } from '../table/catalog-committer.ts';
import { commitWithRebase } from '../table/commit.ts';
import {
  FakeCatalogError,
  InMemoryCatalog,
  newTableMetadata,
} from '../table/in-memory-catalog.test-helper.ts';
import type { SnapshotChange } from '../table/snapshot-producer.ts';
import { fastAppend, overwrite } from '../table/table-actions.ts';
import type { TableIdentifier } from '../table/table-identifier.ts';
import { type ExpireSnapshotsOptions, expireSnapshots } from './expire-snapshots.ts';

const identifier = { namespace: ['db'], name: 't' };

const dataPath = (name: string) => `mem://t/data/${name}.parquet`;

async function dataFile(
  io: MemoryFileIO,
  name: string,
  rows: bigint,
): Promise<{ file: DataFile; specId: number }> {
  // Real bytes, so a test can see the file disappear.
  await io.write(dataPath(name), new Uint8Array(Number(rows) * 10));
  return {
    specId: 0,
    file: {
      content: 'data',
      filePath: dataPath(name),
      fileFormat: 'parquet',
      partition: [],
      recordCount: rows,
      fileSizeInBytes: rows * 10n,
    },
  };
}

async function commit(catalog: InMemoryCatalog, io: MemoryFileIO, change: SnapshotChange): Promise<bigint> {
  const outcome = await commitWithRebase({
    committer: catalog,
    identifier,
    io,
    base: await catalog.loadTable(identifier),
    change,
    sleep: async () => undefined,
  });
  return outcome.snapshot.snapshotId;
}

/** Live data files of a snapshot, read through its manifest list: proves it still reads. */
async function liveFiles(io: MemoryFileIO, metadata: TableMetadata, snapshotId: bigint): Promise<string[]> {
  const snapshot = metadata.snapshots.find((s) => s.snapshotId === snapshotId);
  if (!snapshot) throw new Error(`no snapshot ${snapshotId}`);
  const files: string[] = [];
  for (const manifest of readManifestList(await io.read(snapshot.manifestList)).manifests) {
    for (const entry of readManifest(await io.read(manifest.manifestPath)).entries) {
      if (entry.status !== 'deleted') {
        expect(await io.exists(entry.file.filePath)).toBe(true);
        files.push(entry.file.filePath);
      }
    }
  }
  return files.sort();
}

/** S1 append a,b · S2 append c · S3 overwrite a → d · S4 append e (unpartitioned). */
async function historyWithOverwrite() {
  const catalog = new InMemoryCatalog(newTableMetadata(false));
  const io = new MemoryFileIO();
  const s1 = await commit(
    catalog,
    io,
    fastAppend([await dataFile(io, 'a', 1n), await dataFile(io, 'b', 2n)]),
  );
  const s2 = await commit(catalog, io, fastAppend([await dataFile(io, 'c', 3n)]));
  const s3 = await commit(
    catalog,
    io,
    overwrite([await dataFile(io, 'd', 4n)], (file) => file.filePath === dataPath('a')),
  );
  const s4 = await commit(catalog, io, fastAppend([await dataFile(io, 'e', 5n)]));
  return { catalog, io, ids: [s1, s2, s3, s4] as const };
}

function expire(
  catalog: InMemoryCatalog,
  io: MemoryFileIO,
  extra: Partial<ExpireSnapshotsOptions> = {},
): ReturnType<typeof expireSnapshots> {
  return expireSnapshots({ committer: catalog, identifier, io, sleep: async () => undefined, ...extra });
}

const snapshotOf = (metadata: TableMetadata, id: bigint) =>
  metadata.snapshots.find((s) => s.snapshotId === id);

describe('expireSnapshots', () => {
  it('keeps a file an overwrite deleted while an older retained snapshot still reads it', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    const [s1, s2, s3, s4] = ids;
    const s2List = snapshotOf(catalog.metadata, s2)?.manifestList as string;
    const report = await expire(catalog, io, { policy: { snapshotIds: [s2], olderThanMs: 0n } });
    expect(report.expiredSnapshotIds).toEqual([s2]);
    // S2's manifests are all still listed by S1 (a, b) or S3 (c): only its manifest list goes,
    // and `a` — deleted in S3's manifest — stays because S1 still has it live.
    expect(report.files).toMatchObject({
      manifestLists: [s2List],
      manifests: [],
      dataFiles: [],
      deleteFiles: [],
    });
    expect(await io.exists(s2List)).toBe(false);
    expect(await liveFiles(io, catalog.metadata, s1)).toEqual([dataPath('a'), dataPath('b')]);
    expect(await liveFiles(io, catalog.metadata, s3)).toEqual([dataPath('b'), dataPath('c'), dataPath('d')]);
    expect(await liveFiles(io, catalog.metadata, s4)).toHaveLength(4);
  });

  it('deletes the overwritten file and its manifest once no retained snapshot reads them', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    const [s1, s2, s3, s4] = ids;
    const before = catalog.metadata;
    const s1Manifests = readManifestList(
      await io.read(snapshotOf(before, s1)?.manifestList as string),
    ).manifests;
    // Manifest lists are not sized by metadata: their bytes are read from storage.
    let manifestListBytes = 0n;
    for (const id of [s1, s2]) {
      manifestListBytes += BigInt(await io.length(snapshotOf(before, id)?.manifestList as string));
    }
    const report = await expire(catalog, io, { policy: { snapshotIds: [s1, s2], olderThanMs: 0n } });
    expect(report.expiredSnapshotIds).toEqual([s1, s2]);
    expect(report.files.manifestLists).toEqual(
      [snapshotOf(before, s1)?.manifestList, snapshotOf(before, s2)?.manifestList].sort(),
    );
    expect(report.files.manifests).toEqual(s1Manifests.map((m) => m.manifestPath));
    expect(report.files.dataFiles).toEqual([dataPath('a')]);
    expect(report.filesDeleted).toBe(4);
    expect(manifestListBytes).toBeGreaterThan(0n);
    expect(report.bytesDeleted).toBe(10n + (s1Manifests[0]?.manifestLength ?? 0n) + manifestListBytes);
    expect(report.failedDeletes).toEqual([]);
    expect(await io.exists(dataPath('a'))).toBe(false);
    expect(catalog.metadata.snapshots.map((s) => s.snapshotId)).toEqual([s3, s4]);
    expect(await liveFiles(io, catalog.metadata, s3)).toEqual([dataPath('b'), dataPath('c'), dataPath('d')]);
    expect(await liveFiles(io, catalog.metadata, s4)).toEqual(['b', 'c', 'd', 'e'].map(dataPath));
  });

  it('lists in a dry run exactly what the real run then deletes, and changes nothing', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    const policy = { snapshotIds: [ids[0], ids[1], ids[2]], olderThanMs: 0n };
    const objects = io.locations().sort();
    const commits = catalog.commits;
    const dry = await expire(catalog, io, { policy, dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(catalog.commits).toBe(commits);
    expect(io.locations().sort()).toEqual(objects);
    expect(dry.files.dataFiles).toEqual([dataPath('a')]);
    const real = await expire(catalog, io, { policy });
    expect(real.files).toEqual(dry.files);
    expect(real.filesDeleted).toBe(dry.filesDeleted);
    expect(real.bytesDeleted).toBe(dry.bytesDeleted);
    const deleted = objects.filter((o) => !io.locations().includes(o));
    const listed = [
      ...dry.files.manifestLists,
      ...dry.files.manifests,
      ...dry.files.dataFiles,
      ...dry.files.deleteFiles,
    ];
    expect(deleted.sort()).toEqual(listed.sort());
  });

  it('keeps a tagged snapshot and everything it reads; removes an aged-out branch and its files', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    const [s1, s2, s3, s4] = ids;
    // Tag the first snapshot, and put a short-lived branch on S2.
    catalog.metadata = {
      ...catalog.metadata,
      refs: {
        ...catalog.metadata.refs,
        v1: { snapshotId: s1, type: 'tag' },
        scratch: { snapshotId: s2, type: 'branch', maxRefAgeMs: 0n },
      },
    };
    const now = (snapshotOf(catalog.metadata, s4)?.timestampMs ?? 0n) + 1_000n;
    const report = await expire(catalog, io, { policy: { nowMs: now, olderThanMs: now } });
    expect(report.removedRefs).toEqual(['scratch']);
    expect(report.expiredSnapshotIds).toEqual([s2, s3]);
    expect(Object.keys(catalog.metadata.refs).sort()).toEqual(['main', 'v1']);
    // `a` is still live in the tagged S1, so it stays.
    expect(report.files.dataFiles).toEqual([]);
    expect(await liveFiles(io, catalog.metadata, s1)).toEqual([dataPath('a'), dataPath('b')]);
    expect(await liveFiles(io, catalog.metadata, s4)).toEqual(['b', 'c', 'd', 'e'].map(dataPath));
  });

  it('keeps history.expire.min-snapshots-to-keep snapshots of main', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    catalog.metadata = {
      ...catalog.metadata,
      properties: { ...catalog.metadata.properties, 'history.expire.min-snapshots-to-keep': '3' },
    };
    const now = (snapshotOf(catalog.metadata, ids[3])?.timestampMs ?? 0n) + 1_000n;
    const report = await expire(catalog, io, { policy: { nowMs: now, olderThanMs: now } });
    expect(report.expiredSnapshotIds).toEqual([ids[0]]);
    expect(catalog.metadata.snapshots.map((s) => s.snapshotId)).toEqual([ids[1], ids[2], ids[3]]);
    // The caller overrides the property.
    const again = await expire(catalog, io, { policy: { nowMs: now, olderThanMs: now, retainLast: 1 } });
    expect(again.expiredSnapshotIds).toEqual([ids[1], ids[2]]);
    expect(await io.exists(dataPath('a'))).toBe(false);
  });

  it('commits nothing and reports nothing when no snapshot expires', async () => {
    const { catalog, io } = await historyWithOverwrite();
    const commits = catalog.commits;
    const report = await expire(catalog, io, { policy: { olderThanMs: 0n } });
    expect(catalog.commits).toBe(commits);
    expect(report).toMatchObject({
      expiredSnapshotIds: [],
      removedRefs: [],
      filesDeleted: 0,
      bytesDeleted: 0n,
    });
  });

  it('retains a snapshot appended concurrently with the expiry commit', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    let concurrent: bigint | undefined;
    catalog.beforeCommit = async () => {
      catalog.beforeCommit = undefined;
      // Reuses S4's manifests and adds one: none of them may be deleted.
      concurrent = await commit(catalog, io, fastAppend([await dataFile(io, 'f', 6n)]));
    };
    const report = await expire(catalog, io, {
      policy: { snapshotIds: [ids[0], ids[1], ids[2]], olderThanMs: 0n },
    });
    expect(report.attempts).toBe(1);
    expect(catalog.metadata.snapshots.map((s) => s.snapshotId)).toEqual([ids[3], concurrent]);
    expect(await liveFiles(io, catalog.metadata, concurrent as bigint)).toEqual(
      ['b', 'c', 'd', 'e', 'f'].map(dataPath),
    );
  });

  it('re-plans on the new metadata after a commit conflict', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    let rejected = 0;
    const original = catalog.commitTable.bind(catalog);
    catalog.commitTable = async (
      id: TableIdentifier,
      req: readonly TableRequirement[],
      upd: readonly TableUpdate[],
    ) => {
      if (rejected++ === 0) throw new FakeCatalogError('commit-conflict', 'table uuid changed');
      return original(id, req, upd);
    };
    const loads = catalog.loads;
    const report = await expire(catalog, io, { policy: { snapshotIds: [ids[0]], olderThanMs: 0n } });
    expect(report.attempts).toBe(2);
    expect(catalog.loads).toBe(loads + 2);
    expect(catalog.metadata.snapshots).toHaveLength(3);
  });

  it('gives up with a retryable error after commit.retry.num-retries conflicts', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    catalog.metadata = {
      ...catalog.metadata,
      properties: { ...catalog.metadata.properties, 'commit.retry.num-retries': '1' },
    };
    catalog.commitTable = async () => {
      throw new FakeCatalogError('commit-conflict', 'table uuid changed');
    };
    await expect(expire(catalog, io, { policy: { snapshotIds: [ids[0]] } })).rejects.toMatchObject({
      kind: 'commit-conflict',
      retryable: true,
      message: expect.stringMatching(/^expire snapshots commit to db\.t lost 2 optimistic-concurrency races/),
    });
  });

  it('treats an unknown commit outcome as committed when the snapshots are gone', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    catalog.unknownOutcome.set(catalog.commits + 1, 'applied');
    const report = await expire(catalog, io, { policy: { snapshotIds: [ids[0], ids[1]], olderThanMs: 0n } });
    expect(report.attempts).toBe(1);
    expect(report.files.dataFiles).toEqual([dataPath('a')]);
    expect(await io.exists(dataPath('a'))).toBe(false);
  });

  it('retries after an unknown outcome that did not land', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    catalog.unknownOutcome.set(catalog.commits + 1, 'lost');
    const report = await expire(catalog, io, { policy: { snapshotIds: [ids[0]], olderThanMs: 0n } });
    expect(report.attempts).toBe(2);
    expect(catalog.metadata.snapshots).toHaveLength(3);
  });

  it('rethrows other catalog errors without deleting anything', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    catalog.commitTable = async () => {
      throw new FakeCatalogError('forbidden', '403 not allowed to commit');
    };
    const objects = io.locations().length;
    await expect(expire(catalog, io, { policy: { snapshotIds: [ids[0]] } })).rejects.toThrow(
      '403 not allowed',
    );
    expect(io.locations()).toHaveLength(objects);
  });

  it('reports files whose delete failed instead of failing the run', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    const originalDelete = io.delete.bind(io);
    io.delete = async (location: string) => {
      if (location === dataPath('a')) throw new Error('access denied');
      return originalDelete(location);
    };
    const policy = { snapshotIds: [ids[0], ids[1]], olderThanMs: 0n };
    const dry = await expire(catalog, io, { policy, dryRun: true });
    const report = await expire(catalog, io, { policy });
    expect(report.failedDeletes).toEqual([{ location: dataPath('a'), message: 'access denied' }]);
    expect(report.filesDeleted).toBe(3);
    expect(await io.exists(dataPath('a'))).toBe(true);
    // a's 10 bytes were not freed.
    expect(report.bytesDeleted).toBe(dry.bytesDeleted - 10n);
  });

  it('deletes metadata files that left the log when delete-after-commit is enabled', async () => {
    const { catalog, io, ids } = await historyWithOverwrite();
    // A catalog that keeps a metadata log like a REST server does.
    const original = catalog.commitTable.bind(catalog);
    catalog.commitTable = async (id, req, upd): Promise<CommittedTable> => {
      const before = await catalog.loadTable(id);
      const committed = await original(id, req, upd);
      const log = [
        ...before.metadata.metadataLog,
        { metadataFile: before.metadataLocation as string, timestampMs: before.metadata.lastUpdatedMs },
      ].slice(-2);
      catalog.metadata = { ...committed.metadata, metadataLog: log };
      return { ...committed, metadata: catalog.metadata };
    };
    const old = ['mem://t/metadata/v0.json', 'mem://t/metadata/v1.json'];
    for (const file of old) await io.write(file, new Uint8Array([1]));
    catalog.metadata = {
      ...catalog.metadata,
      properties: {
        ...catalog.metadata.properties,
        'write.metadata.delete-after-commit.enabled': 'true',
        'write.metadata.previous-versions-max': '2',
      },
      metadataLog: old.map((metadataFile) => ({ metadataFile, timestampMs: 1n })),
    };
    const policy = { snapshotIds: [ids[0]], olderThanMs: 0n };
    const dry = await expire(catalog, io, { policy, dryRun: true });
    expect(dry.files.metadataFiles).toEqual(['mem://t/metadata/v0.json']);
    const real = await expire(catalog, io, { policy });
    expect(real.files.metadataFiles).toEqual(['mem://t/metadata/v0.json']);
    expect(await io.exists('mem://t/metadata/v0.json')).toBe(false);
    expect(await io.exists('mem://t/metadata/v1.json')).toBe(true);
  });
});
