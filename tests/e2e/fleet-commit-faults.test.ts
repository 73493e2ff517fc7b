// Commit safety through the fleet (issue 12): one real writer process (apps/writer-worker,
// started once) commits through the commit-fault proxy in front of the REST catalog; jobs are
// handed over by the producer SDK. For every fault — the late landing (504 while the catalog is
// still applying the commit; the reload misses it, attempt 2 meets 409, the reload finds it), a
// connection cut after the answer, a 2xx with a broken body, a timeout with and without the
// commit landing, a 409 refusal — a job committed alone and a group of jobs committed in one
// snapshot (queued behind a commit the proxy keeps in flight, so they share the next one) end
// exactly once: every
// job's result names the snapshot whose `floe.job-ids` holds it, every file any snapshot
// references exists, PyIceberg counts each job's rows once, DuckDB reads the same totals.
import { RestCatalog, tableMetadataOf } from '@floe/catalog';
import { type CommittedTable, fileIOFor, schemaToJson } from '@floe/iceberg';
import type { WriteResult } from '@floe/jobs';
import {
  type CommitFault,
  type CommitFaultProxy,
  commitFaults,
  loadStackEnv,
  stackS3Properties,
  startCommitFaultProxy,
} from '@floe/test-support';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet, type Fleet, jobBatch } from './support/fleet.ts';
import { missingReferencedFiles, readBack } from './support/table-integrity.ts';

const stack = loadStackEnv();
const ROWS = 20;
const GROUP = 3;
/** The job whose commit keeps the table busy while the group queues up. */
const BLOCKER = 9;
const RESULT_TIMEOUT_MS = 120_000;
const direct = new RestCatalog({ uri: stack.catalogUri });
let proxy: CommitFaultProxy;
let fleet: Fleet;
let queue: Queue;

beforeAll(async () => {
  proxy = await startCommitFaultProxy(stack.catalogUri);
  fleet = createFleet('commit_faults', {
    catalogUri: proxy.url,
    // Short enough for the `hold` faults; the breaker never opens in this file.
    catalogTimeoutMs: 3_000,
    catalogMaxAttempts: 2,
    breakerThreshold: 1_000,
    concurrency: GROUP + 1,
    commitLingerMs: 2_000,
  });
  queue = new Queue(fleet.queueName, { connection: { url: stack.redisUrl }, prefix: 'floe-fleet' });
  await direct.createNamespace(fleet.namespace);
  await fleet.startWorker();
}, 120_000);

afterAll(async () => {
  await fleet?.close();
  await queue?.close();
  await proxy?.close();
  await direct.close();
}, 90_000);

async function createTable(name: string): Promise<void> {
  await direct.createTable(
    { namespace: [fleet.namespace], name },
    {
      schema: {
        ...schemaToJson({
          schemaId: 0,
          identifierFieldIds: [],
          fields: [
            { id: 1, name: 'id', required: true, type: { kind: 'long' } },
            { id: 2, name: 'job', required: false, type: { kind: 'int' } },
            { id: 3, name: 'label', required: false, type: { kind: 'string' } },
          ],
        }),
      },
      properties: { 'commit.retry.min-wait-ms': '50', 'commit.retry.max-wait-ms': '500' },
    },
  );
}

interface JobOutcome {
  readonly job: number;
  readonly jobId: string;
  readonly result: WriteResult;
}

async function write(table: string, jobs: readonly number[]): Promise<JobOutcome[]> {
  const producer = fleet.producer();
  const handles = [];
  for (const job of jobs) {
    const jobId = `${fleet.run}-${table}-${job}`;
    handles.push({
      job,
      jobId,
      handle: await producer.write(`${fleet.namespace}.${table}`, jobBatch(job, ROWS), {
        idempotencyKey: jobId,
      }),
    });
  }
  return Promise.all(
    handles.map(async ({ job, jobId, handle }) => ({
      job,
      jobId,
      result: await handle.result(RESULT_TIMEOUT_MS),
    })),
  );
}

/**
 * One job alone with `fault` on its commit; then a blocker job whose commit the proxy keeps in
 * flight until GROUP more jobs are taken by the worker, so that those queue up behind it and
 * share the next commit, which gets `fault`.
 */
async function runScenario(table: string, fault: CommitFault): Promise<JobOutcome[]> {
  await createTable(table);
  const single = proxy.arm(fault, `${fleet.namespace}.${table}`);
  const alone = await write(table, [0]);
  await single;

  let release = () => {};
  const blockerCommit = proxy.arm(
    commitFaults.pause(new Promise<void>((resolve) => (release = resolve))),
    `${fleet.namespace}.${table}`,
  );
  const grouped = proxy.arm(fault, `${fleet.namespace}.${table}`);
  const blocker = write(table, [BLOCKER]);
  await until(() => proxy.commits.some((c) => c.table.endsWith(`/${table}`) && c.fault === 'pause'));
  const group = write(
    table,
    Array.from({ length: GROUP }, (_, i) => i + 1),
  );
  await until(async () => (await queue.getActiveCount()) === GROUP + 1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  release();
  await blockerCommit;
  const outcomes = [...alone, ...(await blocker), ...(await group)];
  await grouped;
  return outcomes.sort((a, b) => a.job - b.job);
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** The table after the scenario, judged by storage, PyIceberg and DuckDB; results checked against it. */
async function expectExactlyOnce(table: string, outcomes: readonly JobOutcome[]): Promise<void> {
  const loaded = await direct.loadTable({ namespace: [fleet.namespace], name: table });
  const committed: CommittedTable = {
    metadata: tableMetadataOf(loaded),
    metadataLocation: loaded.metadataLocation,
  };
  const snapshots = committed.metadata.snapshots;
  // One snapshot for the single job, one for the blocker, one for the whole group.
  expect(snapshots.map((s) => s.summary['floe.job-ids']?.split(',').length)).toEqual([1, 1, GROUP]);
  for (const { jobId, result } of outcomes) {
    const holder = snapshots.find((s) => s.snapshotId.toString() === result.snapshotId);
    expect(holder?.summary['floe.job-ids']?.split(',')).toContain(jobId);
    expect(result).toMatchObject({ alreadyCommitted: false, addedRows: ROWS });
  }
  const alone = outcomes.filter((o) => o.job === 0 || o.job === BLOCKER);
  const group = outcomes.filter((o) => o.job !== 0 && o.job !== BLOCKER);
  expect(alone.map((o) => o.result.coalescedJobs)).toEqual([1, 1]);
  expect(new Set(group.map((o) => o.result.snapshotId)).size).toBe(1);
  expect(group.every((o) => o.result.coalescedJobs === GROUP)).toBe(true);

  const io = fileIOFor(committed.metadata.location, stackS3Properties(stack));
  expect(await missingReferencedFiles(io, committed)).toEqual([]);
  const read = await readBack(`${fleet.namespace}.${table}`, loaded.metadataLocation as string);
  expect(read.pyiceberg).toEqual(outcomes.map((o) => [o.job, ROWS]));
  expect(read.duckdb).toEqual({ rows: outcomes.length * ROWS, distinctIds: outcomes.length * ROWS });
}

/** The commits the proxy saw for `table`, without the blocker's. */
function commitsTo(table: string): [string, number | undefined][] {
  return proxy.commits
    .filter((c) => c.table.endsWith(`/${table}`) && c.fault !== 'pause')
    .map((c) => [c.fault, c.upstreamStatus]);
}

describe('the writer fleet under commit faults, alone and in a group', () => {
  it('late landing: the 504-ed attempt lands before attempt 2, which meets 409; every job is committed once with it', async () => {
    const outcomes = await runScenario('late', commitFaults.late504());
    expect(commitsTo('late')).toEqual([
      ['late-504', 200],
      ['relayed', 409],
      ['late-504', 200],
      ['relayed', 409],
    ]);
    await expectExactlyOnce('late', outcomes);
  });

  it('connection cut after the catalog answered', async () => {
    const outcomes = await runScenario('cut', commitFaults.cut());
    expect(commitsTo('cut')).toEqual([
      ['cut', 200],
      ['cut', 200],
    ]);
    await expectExactlyOnce('cut', outcomes);
  });

  it('a 2xx with a broken body', async () => {
    const outcomes = await runScenario('broken', commitFaults.broken2xx());
    expect(commitsTo('broken')).toEqual([
      ['broken-2xx', 200],
      ['broken-2xx', 200],
    ]);
    await expectExactlyOnce('broken', outcomes);
  });

  it('a timeout while the commit lands', async () => {
    const outcomes = await runScenario('timeout_landed', commitFaults.hold(true));
    expect(commitsTo('timeout_landed')).toEqual([
      ['hold', 200],
      ['hold', 200],
    ]);
    await expectExactlyOnce('timeout_landed', outcomes);
  });

  it('a timeout of a commit that never reached the catalog', async () => {
    const outcomes = await runScenario('timeout_lost', commitFaults.hold(false));
    expect(commitsTo('timeout_lost')).toEqual([
      ['hold', undefined],
      ['relayed', 200],
      ['hold', undefined],
      ['relayed', 200],
    ]);
    await expectExactlyOnce('timeout_lost', outcomes);
  });

  it('a definite 409 refusal', async () => {
    const outcomes = await runScenario('refused', commitFaults.refuse(409));
    expect(commitsTo('refused')).toEqual([
      ['refuse', undefined],
      ['relayed', 200],
      ['refuse', undefined],
      ['relayed', 200],
    ]);
    await expectExactlyOnce('refused', outcomes);
  });

  it('a definite 400 refusal fails the job at once with the catalog message and deletes what it wrote', async () => {
    await createTable('invalid');
    const armed = proxy.arm(commitFaults.refuse(400), `${fleet.namespace}.invalid`);
    const jobId = `${fleet.run}-invalid-0`;
    const handle = await fleet
      .producer()
      .write(`${fleet.namespace}.invalid`, jobBatch(0, ROWS), { idempotencyKey: jobId });
    const error = await handle.result(RESULT_TIMEOUT_MS).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'FloeWriteError',
      message: expect.stringContaining('commit refused (injected 400)'),
    });
    expect((await armed).upstreamStatus).toBeUndefined();
    expect(commitsTo('invalid')).toEqual([['refuse', undefined]]);
    const loaded = await direct.loadTable({ namespace: [fleet.namespace], name: 'invalid' });
    const metadata = tableMetadataOf(loaded);
    expect(metadata.snapshots).toHaveLength(0);
    // Nothing the job wrote survives: no data file, no manifest, no manifest list.
    const io = fileIOFor(metadata.location, stackS3Properties(stack));
    const left: string[] = [];
    for await (const info of io.list(`${metadata.location}/`)) {
      if (!info.location.endsWith('.metadata.json')) left.push(info.location);
    }
    expect(left).toEqual([]);
  });
});
