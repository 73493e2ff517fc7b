// Commit safety at the library level (issue 12): the commit driver of @floe/iceberg commits
// through the real REST catalog behind the commit-fault proxy, one table per fault. Whatever the
// network does to the commit request — a 504 while the catalog is still applying it (the late
// landing: the reload misses it, attempt 2 meets 409, the reload finds it), a connection cut
// after the catalog answered, a 2xx with a broken body, a timeout with or without the commit
// landing, a refusal — the table ends with the rows exactly once, every file any snapshot
// references exists, PyIceberg and DuckDB read it, and the outcome names the snapshot that holds
// the change. A definite refusal (400) fails and leaves nothing of the commit behind. Snapshot
// expiry commits through the same driver: a late-landing expiry removes what it planned, once.
import { randomUUID } from 'node:crypto';
import { catalogCommitter, RestCatalog, tableMetadataOf } from '@floe/catalog';
import {
  type CommitOutcome,
  type CommittedTable,
  commitWithRebase,
  expireSnapshots,
  fastAppend,
  fileIOFor,
  findSnapshotWithProperty,
  schemaToJson,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import {
  type CommitFault,
  type CommitFaultProxy,
  type CommitRecord,
  commitFaults,
  loadStackEnv,
  stackS3Properties,
  startCommitFaultProxy,
} from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingReferencedFiles, readBack } from './support/table-integrity.ts';

const stack = loadStackEnv();
const run = randomUUID().slice(0, 8);
const namespace = `commit_faults_${run}`;
const ROWS = 50;
const s3Properties = stackS3Properties(stack);
const direct = new RestCatalog({ uri: stack.catalogUri });
let proxy: CommitFaultProxy;
let throughProxy: RestCatalog;

beforeAll(async () => {
  proxy = await startCommitFaultProxy(stack.catalogUri);
  // A short request timeout (the `hold` faults) and a breaker that never opens in this file.
  throughProxy = new RestCatalog({
    uri: proxy.url,
    retry: { timeoutMs: 2_000, maxAttempts: 2, breaker: { threshold: 1_000 } },
  });
  await direct.createNamespace(namespace);
});

afterAll(async () => {
  await throughProxy?.close();
  await direct.close();
  await proxy?.close();
});

async function createTable(name: string): Promise<CommittedTable> {
  const created = await direct.createTable(
    { namespace: [namespace], name },
    {
      schema: {
        ...schemaToJson({
          schemaId: 0,
          identifierFieldIds: [],
          fields: [
            { id: 1, name: 'id', required: true, type: { kind: 'long' } },
            { id: 2, name: 'job', required: false, type: { kind: 'int' } },
          ],
        }),
      },
      properties: { 'commit.retry.min-wait-ms': '50', 'commit.retry.max-wait-ms': '200' },
    },
  );
  return { metadata: tableMetadataOf(created), metadataLocation: created.metadataLocation };
}

interface Committed {
  readonly outcome: CommitOutcome;
  /** What the proxy did with the faulted commit (undefined: no fault armed). */
  readonly record: CommitRecord | undefined;
  readonly jobId: string;
}

/** Writes ROWS rows of job `job` into a new table and commits them with `fault` armed. */
async function commitWithFault(name: string, job: number, fault: CommitFault): Promise<Committed> {
  await createTable(name);
  return append(name, job, fault);
}

/** Writes ROWS rows of job `job` and commits them through the proxy (`fault` armed, if given). */
async function append(name: string, job: number, fault?: CommitFault): Promise<Committed> {
  const loaded = await direct.loadTable({ namespace: [namespace], name });
  const base: CommittedTable = {
    metadata: tableMetadataOf(loaded),
    metadataLocation: loaded.metadataLocation,
  };
  const io = fileIOFor(base.metadata.location, s3Properties);
  const batch = new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(job * ROWS + i))),
    job: arrow.makeVector(Int32Array.from({ length: ROWS }, () => job)),
  }).batches[0] as arrow.RecordBatch;
  const schema = base.metadata.schemas[0];
  const spec = base.metadata.partitionSpecs[0];
  if (schema === undefined || spec === undefined) throw new Error(`table ${name} has no schema or spec`);
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: base.metadata.location,
    schema,
    spec,
    arrowSchema: batch.schema,
  });
  const jobId = `${name}-job-${job}`;
  const armed = fault === undefined ? undefined : proxy.arm(fault, `${namespace}.${name}`);
  const outcome = await commitWithRebase({
    committer: catalogCommitter(throughProxy),
    identifier: { namespace: [namespace], name },
    io,
    base,
    change: fastAppend(
      files.map((file) => ({ file, specId: spec.specId })),
      { summaryProperties: { 'floe.job-ids': jobId } },
    ),
    alreadyCommitted: (table) =>
      findSnapshotWithProperty(table.metadata, 'floe.job-ids', (v) => v.split(',').includes(jobId)),
  });
  const record = armed === undefined ? undefined : await armed;
  return { outcome, record, jobId };
}

/** The table as the catalog holds it, judged by storage, PyIceberg and DuckDB. */
async function expectExactlyOnce(name: string, job: number, committed: Committed): Promise<void> {
  const loaded = await direct.loadTable({ namespace: [namespace], name });
  const table: CommittedTable = {
    metadata: tableMetadataOf(loaded),
    metadataLocation: loaded.metadataLocation,
  };
  expect(table.metadata.snapshots).toHaveLength(1);
  const holder = findSnapshotWithProperty(table.metadata, 'floe.job-ids', (v) => v === committed.jobId);
  expect(committed.outcome.snapshot.snapshotId).toBe(holder?.snapshotId);
  expect(committed.outcome.snapshot.manifestList).toBe(holder?.manifestList);
  const io = fileIOFor(table.metadata.location, s3Properties);
  expect(await missingReferencedFiles(io, table)).toEqual([]);
  const read = await readBack(`${namespace}.${name}`, loaded.metadataLocation as string);
  expect(read.pyiceberg).toEqual([[job, ROWS]]);
  expect(read.duckdb).toEqual({ rows: ROWS, distinctIds: ROWS });
}

describe('a commit whose outcome the network makes unclear', () => {
  it('late landing: 504 while the catalog applies it, the reload misses it, attempt 2 meets 409, the reload finds it — committed with attempt 1, its files kept', async () => {
    const committed = await commitWithFault('late', 1, commitFaults.late504());
    expect(committed.outcome).toMatchObject({
      status: 'committed',
      attempts: 2,
      conflicts: 1,
      unknownOutcomes: 1,
    });
    // Attempt 1 landed (late), attempt 2 was refused because of it.
    expect(
      proxy.commits.filter((c) => c.table.endsWith('/late')).map((c) => [c.fault, c.upstreamStatus]),
    ).toEqual([
      ['late-504', 200],
      ['relayed', 409],
    ]);
    expect(committed.outcome.snapshot.manifestList).toMatch(/\/snap-\d+-1-[0-9a-f-]+\.avro$/);
    await expectExactlyOnce('late', 1, committed);
  });

  it('connection cut after the catalog answered: the reload finds the commit', async () => {
    const committed = await commitWithFault('cut', 2, commitFaults.cut());
    expect(committed.record?.upstreamStatus).toBe(200);
    expect(committed.outcome).toMatchObject({ status: 'committed', attempts: 1, unknownOutcomes: 1 });
    await expectExactlyOnce('cut', 2, committed);
  });

  it('a 2xx with a broken body is unknown, not a failure: the reload finds the commit', async () => {
    const committed = await commitWithFault('broken', 3, commitFaults.broken2xx());
    expect(committed.record?.upstreamStatus).toBe(200);
    expect(committed.outcome).toMatchObject({ status: 'committed', attempts: 1, unknownOutcomes: 1 });
    await expectExactlyOnce('broken', 3, committed);
  });

  it('a timeout while the commit lands: the reload finds it', async () => {
    const committed = await commitWithFault('timeout_landed', 4, commitFaults.hold(true));
    expect(committed.record?.upstreamStatus).toBe(200);
    expect(committed.outcome).toMatchObject({ status: 'committed', attempts: 1, unknownOutcomes: 1 });
    await expectExactlyOnce('timeout_landed', 4, committed);
  });

  it('a timeout of a commit that never arrived: the reload misses it, attempt 2 commits once', async () => {
    const committed = await commitWithFault('timeout_lost', 5, commitFaults.hold(false));
    expect(committed.record?.upstreamStatus).toBeUndefined();
    expect(committed.outcome).toMatchObject({ status: 'committed', attempts: 2, unknownOutcomes: 1 });
    await expectExactlyOnce('timeout_lost', 5, committed);
  });

  it('a definite 409 refusal rebases and commits once', async () => {
    const committed = await commitWithFault('refused', 6, commitFaults.refuse(409));
    expect(committed.outcome).toMatchObject({ status: 'committed', attempts: 2, conflicts: 1 });
    await expectExactlyOnce('refused', 6, committed);
  });

  it('a definite 400 refusal fails with the catalog message and leaves none of its metadata files', async () => {
    const error = await commitWithFault('invalid', 7, commitFaults.refuse(400)).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'bad-request',
      message: expect.stringContaining('commit refused (injected 400)'),
    });
    const loaded = await direct.loadTable({ namespace: [namespace], name: 'invalid' });
    const metadata = tableMetadataOf(loaded);
    expect(metadata.snapshots).toHaveLength(0);
    const io = fileIOFor(metadata.location, s3Properties);
    const left: string[] = [];
    for await (const info of io.list(`${metadata.location}/metadata/`)) {
      if (info.location.endsWith('.avro')) left.push(info.location);
    }
    expect(left).toEqual([]);
  });
});

describe('snapshot expiry through the commit driver', () => {
  it('late landing: the 504-ed expiry lands before attempt 2; the expired snapshots go, nothing live is deleted', async () => {
    await createTable('expiry');
    const snapshots: bigint[] = [];
    for (const job of [1, 2, 3]) snapshots.push((await append('expiry', job)).outcome.snapshot.snapshotId);
    const loaded = await direct.loadTable({ namespace: [namespace], name: 'expiry' });
    const io = fileIOFor(tableMetadataOf(loaded).location, s3Properties);
    const armed = proxy.arm(commitFaults.late504(), `${namespace}.expiry`);
    const report = await expireSnapshots({
      committer: catalogCommitter(throughProxy),
      identifier: { namespace: [namespace], name: 'expiry' },
      io,
      policy: { snapshotIds: snapshots.slice(0, 2), olderThanMs: 0n },
    });
    expect((await armed).upstreamStatus).toBe(200);
    expect(report.expiredSnapshotIds).toEqual(snapshots.slice(0, 2));
    expect(report.attempts).toBe(2);
    expect(report.failedDeletes).toEqual([]);
    for (const list of report.files.manifestLists) expect(await io.exists(list)).toBe(false);

    const after = await direct.loadTable({ namespace: [namespace], name: 'expiry' });
    const table: CommittedTable = {
      metadata: tableMetadataOf(after),
      metadataLocation: after.metadataLocation,
    };
    expect(table.metadata.snapshots.map((s) => s.snapshotId)).toEqual([snapshots[2]]);
    expect(await missingReferencedFiles(io, table)).toEqual([]);
    const read = await readBack(`${namespace}.expiry`, after.metadataLocation as string);
    expect(read.pyiceberg).toEqual([
      [1, ROWS],
      [2, ROWS],
      [3, ROWS],
    ]);
    expect(read.duckdb).toEqual({ rows: 3 * ROWS, distinctIds: 3 * ROWS });
  });
});
