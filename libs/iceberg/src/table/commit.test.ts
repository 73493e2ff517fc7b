import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { currentSnapshot, findSnapshotWithProperty } from '../metadata/snapshot-queries.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { type CommitOutcome, commitWithRebase } from './commit.ts';
import { backoffMs, commitRetryPolicy, DEFAULT_COMMIT_RETRY } from './commit-retry-policy.ts';
import { InMemoryCatalog, memDataFile, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import type { SnapshotChange } from './snapshot-producer.ts';
import { fastAppend, overwrite, replacePartitions } from './table-actions.ts';

const identifier = { namespace: ['db'], name: 't' };

const dataFile = memDataFile;

async function commit(
  catalog: InMemoryCatalog,
  io: MemoryFileIO,
  change: SnapshotChange,
  extra: Partial<Parameters<typeof commitWithRebase>[0]> = {},
): Promise<CommitOutcome> {
  return commitWithRebase({
    committer: catalog,
    identifier,
    io,
    base: await catalog.loadTable(identifier),
    change,
    sleep: async () => undefined,
    ...extra,
  });
}

async function liveFiles(io: MemoryFileIO, metadata: TableMetadata): Promise<string[]> {
  const snapshot = currentSnapshot(metadata);
  if (!snapshot) return [];
  const list = readManifestList(await io.read(snapshot.manifestList));
  const files: string[] = [];
  for (const manifest of list.manifests) {
    const contents = readManifest(await io.read(manifest.manifestPath), manifest);
    for (const entry of contents.entries) if (entry.status !== 'deleted') files.push(entry.file.filePath);
  }
  return files.sort();
}

async function metadataFiles(io: MemoryFileIO): Promise<string[]> {
  const found: string[] = [];
  for await (const info of io.list('mem://t/metadata/')) found.push(info.location);
  return found.sort();
}

describe('commitWithRebase', () => {
  it('appends a snapshot with summary totals and the commit marker', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    const outcome = await commit(
      catalog,
      io,
      fastAppend([dataFile('a', 'eu', 10n), dataFile('b', 'us', 5n)], {
        summaryProperties: { 'floe.job-ids': 'job-1' },
      }),
    );
    expect(outcome).toMatchObject({ status: 'committed', attempts: 1, conflicts: 0 });
    const snapshot = currentSnapshot(catalog.metadata);
    expect(snapshot?.snapshotId).toBe(outcome.snapshot.snapshotId);
    expect(snapshot?.sequenceNumber).toBe(1n);
    expect(snapshot?.summary).toMatchObject({
      operation: 'append',
      'added-data-files': '2',
      'added-records': '15',
      'total-records': '15',
      'total-data-files': '2',
      'changed-partition-count': '2',
      'floe.job-ids': 'job-1',
    });
    expect(await liveFiles(io, catalog.metadata)).toEqual([
      'mem://t/data/a.parquet',
      'mem://t/data/b.parquet',
    ]);
    // Only the winning attempt's manifest and manifest list remain.
    expect(await metadataFiles(io)).toHaveLength(2);
  });

  it('rebases on a concurrent commit without rewriting the added manifest', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    let raced = false;
    catalog.beforeCommit = async () => {
      if (raced) return;
      raced = true;
      catalog.beforeCommit = undefined;
      await commit(catalog, io, fastAppend([dataFile('other', 'eu', 3n)]));
    };
    const writes: string[] = [];
    const originalWrite = io.write.bind(io);
    io.write = async (location, source) => {
      writes.push(location);
      return originalWrite(location, source);
    };
    const outcome = await commit(catalog, io, fastAppend([dataFile('mine', 'us', 7n)]));
    expect(outcome).toMatchObject({ status: 'committed', attempts: 2, conflicts: 1 });
    // One manifest for our files (written once), two manifest lists (one per attempt), plus the
    // concurrent writer's manifest and list.
    const ourManifests = writes.filter((w) => /-m\d+\.avro$/.test(w));
    expect(ourManifests).toHaveLength(2);
    expect(writes.filter((w) => w.includes(`snap-${outcome.snapshot.snapshotId}-`))).toHaveLength(2);
    expect(await liveFiles(io, catalog.metadata)).toEqual([
      'mem://t/data/mine.parquet',
      'mem://t/data/other.parquet',
    ]);
    expect(currentSnapshot(catalog.metadata)?.summary['total-records']).toBe('10');
    // The losing attempt's manifest list was cleaned up.
    expect(
      (await metadataFiles(io)).filter((f) => f.includes(`snap-${outcome.snapshot.snapshotId}-1-`)),
    ).toEqual([]);
  });

  it('gives up after commit.retry.num-retries conflicts with a retryable error', async () => {
    const metadata = newTableMetadata();
    const catalog = new InMemoryCatalog({
      ...metadata,
      properties: { ...metadata.properties, 'commit.retry.num-retries': '2' },
    });
    const io = new MemoryFileIO();
    let nested = false;
    const ours: string[] = [];
    const originalWrite = io.write.bind(io);
    io.write = async (location, source) => {
      if (!nested) ours.push(location);
      return originalWrite(location, source);
    };
    catalog.beforeCommit = async () => {
      const hook = catalog.beforeCommit;
      catalog.beforeCommit = undefined;
      nested = true;
      await commit(catalog, io, fastAppend([dataFile(`x${catalog.commits}`, 'eu', 1n)]));
      nested = false;
      catalog.beforeCommit = hook;
    };
    await expect(commit(catalog, io, fastAppend([dataFile('mine', 'us', 1n)]))).rejects.toMatchObject({
      kind: 'commit-conflict',
      retryable: true,
      message: expect.stringContaining('lost 3 optimistic-concurrency races in 3 attempts'),
    });
    // Every metadata file our failed commit wrote (1 manifest + 3 manifest lists) is gone.
    expect(ours).toHaveLength(4);
    const remaining = await metadataFiles(io);
    expect(ours.filter((f) => remaining.includes(f))).toEqual([]);
  });

  it('after an unknown outcome, finds its own snapshot and does not commit twice', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    catalog.unknownOutcome.set(1, 'applied');
    const outcome = await commit(catalog, io, fastAppend([dataFile('a', 'eu', 4n)]));
    expect(outcome.status).toBe('committed');
    expect(catalog.commits).toBe(1);
    expect(catalog.metadata.snapshots).toHaveLength(1);
    expect(await liveFiles(io, catalog.metadata)).toEqual(['mem://t/data/a.parquet']);
  });

  it('after an unknown outcome that did not land, commits again exactly once', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    catalog.unknownOutcome.set(1, 'lost');
    const outcome = await commit(catalog, io, fastAppend([dataFile('a', 'eu', 4n)]));
    expect(outcome).toMatchObject({ status: 'committed', attempts: 2 });
    expect(catalog.metadata.snapshots).toHaveLength(1);
  });

  it('returns the marked snapshot instead of committing again', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    const marker = { 'floe.job-ids': 'job-42' };
    const alreadyCommitted = (base: { metadata: TableMetadata }) =>
      findSnapshotWithProperty(base.metadata, 'floe.job-ids', (v) => v.split(',').includes('job-42'));
    const first = await commit(
      catalog,
      io,
      fastAppend([dataFile('a', 'eu', 1n)], { summaryProperties: marker }),
      {
        alreadyCommitted,
      },
    );
    const second = await commit(
      catalog,
      io,
      fastAppend([dataFile('a2', 'eu', 1n)], { summaryProperties: marker }),
      {
        alreadyCommitted,
      },
    );
    expect(second.status).toBe('already-committed');
    expect(second.snapshot.snapshotId).toBe(first.snapshot.snapshotId);
    expect(catalog.metadata.snapshots).toHaveLength(1);
  });

  it('replaces exactly the partitions the new files belong to', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    await commit(
      catalog,
      io,
      fastAppend([dataFile('eu1', 'eu', 2n), dataFile('us1', 'us', 3n), dataFile('n1', null, 1n)]),
    );
    const outcome = await commit(catalog, io, replacePartitions([dataFile('eu2', 'eu', 9n)]));
    expect(await liveFiles(io, catalog.metadata)).toEqual([
      'mem://t/data/eu2.parquet',
      'mem://t/data/n1.parquet',
      'mem://t/data/us1.parquet',
    ]);
    expect(outcome.snapshot.summary).toMatchObject({
      operation: 'overwrite',
      'deleted-data-files': '1',
      'deleted-records': '2',
      'total-records': '13',
    });
  });

  it('overwrites the whole table, or only the files a selector picks', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    await commit(catalog, io, fastAppend([dataFile('a', 'eu', 2n), dataFile('b', 'us', 3n)]));
    await commit(
      catalog,
      io,
      overwrite([dataFile('c', 'us', 1n)], (file) => file.partition[0] === 'us'),
    );
    expect(await liveFiles(io, catalog.metadata)).toEqual([
      'mem://t/data/a.parquet',
      'mem://t/data/c.parquet',
    ]);
    await commit(catalog, io, overwrite([dataFile('d', 'eu', 4n)]));
    expect(await liveFiles(io, catalog.metadata)).toEqual(['mem://t/data/d.parquet']);
    expect(currentSnapshot(catalog.metadata)?.summary['total-records']).toBe('4');
  });

  it('rethrows other errors and removes what the commit wrote', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    catalog.beforeCommit = () => {
      throw new Error('catalog credentials rejected');
    };
    await expect(commit(catalog, io, fastAppend([dataFile('a', 'eu', 1n)]))).rejects.toThrow(
      'catalog credentials rejected',
    );
    expect(await metadataFiles(io)).toEqual([]);
  });
});

describe('commit retry policy', () => {
  it('reads the commit.retry.* table properties with defaults', () => {
    expect(commitRetryPolicy({})).toEqual(DEFAULT_COMMIT_RETRY);
    expect(
      commitRetryPolicy({
        'commit.retry.num-retries': '9',
        'commit.retry.min-wait-ms': 'x',
        'commit.retry.max-wait-ms': '-1',
      }),
    ).toMatchObject({ numRetries: 9, minWaitMs: 100, maxWaitMs: 60_000 });
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { ...DEFAULT_COMMIT_RETRY, minWaitMs: 100, maxWaitMs: 1000 };
    expect(backoffMs(policy, 1, () => 1)).toBe(100);
    expect(backoffMs(policy, 3, () => 1)).toBe(400);
    expect(backoffMs(policy, 10, () => 1)).toBe(1000);
    expect(backoffMs(policy, 10, () => 0)).toBe(100);
  });
});
