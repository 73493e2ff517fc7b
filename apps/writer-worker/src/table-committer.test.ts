// Group commit against a real, minimal in-memory catalog (requirements checked and updates
// applied with @floe/iceberg's own builder — the semantics a REST catalog implements): jobs that
// arrive while a commit is in flight share the next snapshot, the group is bounded, jobs that
// change the schema or overwrite commit alone, re-delivered jobs leave the group, a second
// delivery of a job in the same process rides on the first (rows once), a failed commit fails
// every job, and linger waits for jobs still writing.
import {
  applyUpdates,
  type CatalogCommitter,
  type CommittedTable,
  checkRequirements,
  currentSnapshot,
  type DataFile,
  MemoryFileIO,
  type TableMetadata,
  type TableRequirement,
  type TableUpdate,
} from '@floe/iceberg';
import { describe, expect, it } from 'vitest';
import { type CommitRequest, commitGroup, JOB_IDS_PROPERTY } from './commit-group.ts';
import { TableCommitter } from './table-committer.ts';
import { newTable } from './table-metadata.test-helper.ts';

class CatalogFailure extends Error {
  readonly kind: string;
  readonly retryable: boolean;
  constructor(kind: string, message: string, retryable: boolean) {
    super(message);
    this.kind = kind;
    this.retryable = retryable;
  }
}

class MemoryCatalog implements CatalogCommitter {
  metadata: TableMetadata;
  commits = 0;
  inFlight = 0;
  maxInFlight = 0;
  beforeCommit: (() => Promise<void> | void) | undefined;
  constructor(metadata: TableMetadata) {
    this.metadata = metadata;
  }
  async loadTable(): Promise<CommittedTable> {
    return { metadata: this.metadata, metadataLocation: `mem://t/metadata/v${this.commits}.json` };
  }
  async commitTable(
    _identifier: unknown,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<CommittedTable> {
    this.commits++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await this.beforeCommit?.();
      const failures = checkRequirements(this.metadata, requirements);
      if (failures.length > 0) {
        throw new CatalogFailure('commit-conflict', failures.map((f) => f.reason).join('; '), true);
      }
      this.metadata = applyUpdates(this.metadata, updates);
      return { metadata: this.metadata, metadataLocation: `mem://t/metadata/v${this.commits}.json` };
    } finally {
      this.inFlight--;
    }
  }
  snapshots() {
    return this.metadata.snapshots;
  }
}

const io = new MemoryFileIO();
const identifier = { namespace: ['db'], name: 't' };

function dataFile(name: string, rows: number): DataFile {
  return {
    content: 'data',
    filePath: `mem://t/data/${name}.parquet`,
    fileFormat: 'parquet',
    partition: [],
    recordCount: BigInt(rows),
    fileSizeInBytes: BigInt(rows * 10),
  };
}

function request(catalog: MemoryCatalog, jobId: string, extra: Partial<CommitRequest> = {}): CommitRequest {
  return {
    jobId,
    identifier,
    mode: 'append',
    files: [{ file: dataFile(jobId, 10), specId: 0 }],
    snapshotProperties: {},
    io,
    base: { metadata: catalog.metadata, metadataLocation: 'mem://t/metadata/v0.json' },
    markerNotBeforeMs: 0n,
    ...extra,
  };
}

function committerFor(catalog: MemoryCatalog, maxJobsPerCommit = 32, lingerMs = 0, commitIntervalMs = 0) {
  const observed: number[] = [];
  const committer = new TableCommitter({
    committer: catalog,
    maxJobsPerCommit,
    lingerMs,
    commitIntervalMs,
    onCommit: (o) => observed.push(o.coalescedJobs),
  });
  return { committer, observed };
}

describe('TableCommitter', () => {
  it('commits jobs that arrive while a commit is in flight together in the next snapshot', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer, observed } = committerFor(catalog);
    const ids = ['j0', 'j1', 'j2', 'j3', 'j4'];
    const results = await Promise.all(ids.map((id) => committer.commit(request(catalog, id))));
    // j0 starts a commit at once; j1..j4 queue behind it and share one snapshot.
    expect(catalog.snapshots()).toHaveLength(2);
    expect(catalog.maxInFlight).toBe(1);
    expect(observed).toEqual([1, 4]);
    const grouped = results.slice(1);
    expect(new Set(grouped.map((r) => r.snapshot.snapshotId)).size).toBe(1);
    expect(grouped.every((r) => r.coalescedJobs === 4 && r.status === 'committed')).toBe(true);
    const head = currentSnapshot(catalog.metadata);
    expect(head?.summary[JOB_IDS_PROPERTY]).toBe('j1,j2,j3,j4');
    expect(head?.summary['added-records']).toBe('40');
    expect(head?.summary['added-data-files']).toBe('4');
  });

  it('bounds a group by maxJobsPerCommit', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer, observed } = committerFor(catalog, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => committer.commit(request(catalog, id))));
    expect(observed).toEqual([1, 2, 2, 1]);
    expect(catalog.snapshots().map((s) => s.summary[JOB_IDS_PROPERTY])).toEqual(['a', 'b,c', 'd,e', 'f']);
  });

  it('commits a schema change, an overwrite or different snapshot properties apart from the group', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer } = committerFor(catalog);
    const schemaChange = {
      updates: [{ action: 'set-properties', updates: { touched: 'yes' } }] as TableUpdate[],
      requirements: [],
    };
    await Promise.all([
      committer.commit(request(catalog, 'first')),
      committer.commit(request(catalog, 'a1')),
      committer.commit(request(catalog, 'evolve', { schemaChange })),
      committer.commit(request(catalog, 'a2')),
      committer.commit(request(catalog, 'over', { mode: 'overwrite' })),
      committer.commit(request(catalog, 'tagged', { snapshotProperties: { 'dagster.run-id': 'r1' } })),
      committer.commit(request(catalog, 'a3')),
    ]);
    const groups = catalog.snapshots().map((s) => s.summary[JOB_IDS_PROPERTY]);
    expect(groups).toEqual(['first', 'a1,a2,a3', 'evolve', 'over', 'tagged']);
    expect(catalog.metadata.properties.touched).toBe('yes');
    expect(catalog.snapshots()[4]?.summary['dagster.run-id']).toBe('r1');
  });

  it('drops jobs another delivery already committed from the group and commits the rest', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer } = committerFor(catalog);
    const blocker = committer.commit(request(catalog, 'blocker'));
    // While the blocker is in flight, 'dup' is committed by another worker (a stalled re-delivery).
    let raced = false;
    catalog.beforeCommit = async () => {
      if (raced) return;
      raced = true;
      const other = new TableCommitter({
        committer: { loadTable: () => catalog.loadTable(), commitTable: (...a) => catalog.commitTable(...a) },
        maxJobsPerCommit: 1,
        lingerMs: 0,
      });
      catalog.beforeCommit = undefined;
      await other.commit(request(catalog, 'dup'));
    };
    const group = Promise.all([
      committer.commit(request(catalog, 'x')),
      committer.commit(request(catalog, 'dup')),
      committer.commit(request(catalog, 'y')),
    ]);
    const [first, [x, dup, y]] = await Promise.all([blocker, group]);
    expect(first.status).toBe('committed');
    expect(dup.status).toBe('already-committed');
    expect(dup.snapshot.summary[JOB_IDS_PROPERTY]).toBe('dup');
    expect(x.status).toBe('committed');
    expect(y.snapshot.snapshotId).toBe(x.snapshot.snapshotId);
    expect(x.coalescedJobs).toBe(2);
    expect(currentSnapshot(catalog.metadata)?.summary[JOB_IDS_PROPERTY]).toBe('x,y');
    // Every job id appears in exactly one snapshot.
    const all = catalog.snapshots().flatMap((s) => (s.summary[JOB_IDS_PROPERTY] ?? '').split(','));
    expect(all.sort()).toEqual(['blocker', 'dup', 'x', 'y']);
  });

  it('puts one job twice into a group: its rows are committed once, the second delivery gets the same result and its files are deleted', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer } = committerFor(catalog);
    const blocker = committer.commit(request(catalog, 'blocker'));
    // Two deliveries of job 'twice' (a lapsed lock), each with its own freshly written file.
    const firstFile = dataFile('twice-delivery-1', 10);
    const secondFile = dataFile('twice-delivery-2', 10);
    for (const file of [firstFile, secondFile]) await io.write(file.filePath, new Uint8Array([1]));
    const [, first, second, other] = await Promise.all([
      blocker,
      committer.commit(request(catalog, 'twice', { files: [{ file: firstFile, specId: 0 }] })),
      committer.commit(request(catalog, 'twice', { files: [{ file: secondFile, specId: 0 }] })),
      committer.commit(request(catalog, 'other')),
    ]);
    const head = currentSnapshot(catalog.metadata);
    expect(head?.summary[JOB_IDS_PROPERTY]).toBe('twice,other');
    expect(head?.summary['added-records']).toBe('20');
    expect(head?.summary['added-data-files']).toBe('2');
    expect(second).toEqual(first);
    expect(first?.snapshot.snapshotId).toBe(head?.snapshotId);
    expect(other?.snapshot.snapshotId).toBe(head?.snapshotId);
    expect(await io.exists(firstFile.filePath)).toBe(true);
    expect(await io.exists(secondFile.filePath)).toBe(false);
  });

  it('settles a delivery that arrives while its job is in flight with the in-flight result', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer } = committerFor(catalog);
    const lateFile = dataFile('inflight-delivery-2', 10);
    await io.write(lateFile.filePath, new Uint8Array([1]));
    const first = committer.commit(request(catalog, 'inflight'));
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first commit is now in flight
    const second = committer.commit(request(catalog, 'inflight', { files: [{ file: lateFile, specId: 0 }] }));
    const [a, b] = await Promise.all([first, second]);
    expect(b).toEqual(a);
    expect(a.status).toBe('committed');
    expect(catalog.snapshots()).toHaveLength(1);
    expect(catalog.snapshots()[0]?.summary['added-records']).toBe('10');
    expect(await io.exists(lateFile.filePath)).toBe(false);
  });

  it('commitGroup given the same job twice commits its rows once', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const secondFile = dataFile('group-twice-2', 10);
    await io.write(secondFile.filePath, new Uint8Array([1]));
    const { settled } = await commitGroup(
      [request(catalog, 'g'), request(catalog, 'g', { files: [{ file: secondFile, specId: 0 }] })],
      { committer: catalog },
    );
    expect(catalog.snapshots()).toHaveLength(1);
    expect(catalog.snapshots()[0]?.summary['added-records']).toBe('10');
    expect(catalog.snapshots()[0]?.summary['added-data-files']).toBe('1');
    expect(settled[1]).toEqual(settled[0]);
    expect(settled[0]).toMatchObject({ ok: true });
    expect(await io.exists(secondFile.filePath)).toBe(false);
  });

  it('fails every job of a group with the commit error, and the queue keeps working', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer } = committerFor(catalog);
    const blocker = committer.commit(request(catalog, 'ok-1'));
    catalog.beforeCommit = () => {
      if (catalog.commits === 2)
        throw new CatalogFailure('catalog-unavailable', 'catalog is down (503)', true);
    };
    const failing = ['f1', 'f2'].map((id) => committer.commit(request(catalog, id)));
    await blocker;
    for (const outcome of await Promise.allSettled(failing)) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        message: 'catalog is down (503)',
        retryable: true,
      });
    }
    const later = await committer.commit(request(catalog, 'ok-2'));
    expect(later.status).toBe('committed');
    expect(catalog.snapshots().map((s) => s.summary[JOB_IDS_PROPERTY])).toEqual(['ok-1', 'ok-2']);
  });

  it('keeps the data files of jobs whose commit outcome stays unknown, and fails them retryably', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer } = committerFor(catalog);
    const file = dataFile('unknown-outcome', 10);
    await io.write(file.filePath, new Uint8Array([1]));
    catalog.beforeCommit = () => {
      throw new CatalogFailure('commit-state-unknown', 'gateway timeout (504)', true);
    };
    const error = await committer
      .commit(request(catalog, 'unknown', { files: [{ file, specId: 0 }] }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'commit-state-unknown',
      retryable: true,
      message: expect.stringContaining('nothing was deleted'),
    });
    expect(catalog.snapshots()).toHaveLength(0);
    expect(await io.exists(file.filePath)).toBe(true);
  });

  it('lingers for jobs still writing, up to lingerMs, and not at all when none are', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer } = committerFor(catalog, 32, 2_000);
    const slowWriter = committer.reserve('db.t');
    const fastWriter = committer.reserve('db.t');
    const fast = fastWriter.submit(request(catalog, 'fast'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(catalog.commits).toBe(0); // waiting for the slow writer
    const slow = slowWriter.submit(request(catalog, 'slow'));
    const [a, b] = await Promise.all([fast, slow]);
    expect(a.snapshot.snapshotId).toBe(b.snapshot.snapshotId);
    expect(catalog.snapshots().map((s) => s.summary[JOB_IDS_PROPERTY])).toEqual(['fast,slow']);

    // A released slot (its job failed before committing) stops the linger at once.
    const failed = committer.reserve('db.t');
    const started = Date.now();
    const alone = committer.reserve('db.t').submit(request(catalog, 'alone'));
    failed.release();
    await alone;
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('paces a busy table: a commit starts commitIntervalMs after the previous one, a full group at once', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const intervalMs = 1_000;
    const { committer, observed } = committerFor(catalog, 3, 0, intervalMs);
    const started = Date.now();
    // The first job of a quiet table commits at once; the two that queue behind it share the next
    // commit, which waits for the interval.
    const first = committer.commit(request(catalog, 'j0'));
    const queued = Promise.all(['j1', 'j2'].map((id) => committer.commit(request(catalog, id))));
    await first;
    expect(Date.now() - started).toBeLessThan(intervalMs);
    await queued;
    expect(Date.now() - started).toBeGreaterThanOrEqual(intervalMs);
    // Jobs share commits now: one that becomes ready waits for the interval, and the next joins it.
    const a = committer.commit(request(catalog, 'a'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(catalog.commits).toBe(2);
    const b = committer.commit(request(catalog, 'b'));
    const [resultA, resultB] = await Promise.all([a, b]);
    expect(resultA.snapshot.snapshotId).toBe(resultB.snapshot.snapshotId);
    // A group that is already full (maxJobsPerCommit 3) does not wait for the interval.
    const fullStarted = Date.now();
    await Promise.all(['c', 'd', 'e'].map((id) => committer.commit(request(catalog, id))));
    expect(Date.now() - fullStarted).toBeLessThan(intervalMs);
    expect(observed).toEqual([1, 2, 2, 3]);
    expect(catalog.snapshots().map((s) => s.summary[JOB_IDS_PROPERTY])).toEqual([
      'j0',
      'j1,j2',
      'a,b',
      'c,d,e',
    ]);
  });

  it('does not pace jobs that cannot share a commit (each with its own snapshot properties)', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const intervalMs = 1_000;
    const { committer } = committerFor(catalog, 32, 0, intervalMs);
    const started = Date.now();
    for (const run of ['r1', 'r2', 'r3']) {
      await committer.commit(request(catalog, run, { snapshotProperties: { 'dagster.run-id': run } }));
    }
    expect(Date.now() - started).toBeLessThan(intervalMs);
    expect(catalog.snapshots().map((s) => s.summary[JOB_IDS_PROPERTY])).toEqual(['r1', 'r2', 'r3']);
  });

  it('keeps the joined floe.job-ids within its length budget', async () => {
    const catalog = new MemoryCatalog(
      newTable({ 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '2' }),
    );
    const { committer } = committerFor(catalog, 1000);
    const long = (i: number) => `${String(i).padStart(3, '0')}-${'x'.repeat(196)}`;
    await Promise.all(Array.from({ length: 60 }, (_, i) => committer.commit(request(catalog, long(i)))));
    for (const snapshot of catalog.snapshots()) {
      expect((snapshot.summary[JOB_IDS_PROPERTY] ?? '').length).toBeLessThanOrEqual(8192);
    }
    expect(catalog.snapshots().length).toBeGreaterThan(2);
    expect(catalog.snapshots().length).toBeLessThan(60);
  });
});
