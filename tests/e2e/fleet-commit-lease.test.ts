// Issue 14, commits coordinated across processes, with REAL writer processes, Redis, the REST
// catalog and PyIceberg's read-back (every job's rows exactly once, distinct ids, one marker
// per job):
//   - 3 writers appending to one table hand their files to the holder of the table's commit
//     lease: jobs share snapshots across processes and optimistic-concurrency conflicts stay
//     near zero;
//   - a holder that takes hand-overs and never answers, then dies (here: the test process
//     holding the lease through the same CommitLease the writers use): every job still lands
//     exactly once (marker check + local commit), and the lease moves to a writer;
//   - kill -9 of the writer holding the lease mid-run: every job lands exactly once (its own
//     jobs come back through BullMQ's stalled-job path), and the lease moves to a survivor.
// The fleet uses a 2 s lease TTL and a 20 s answer timeout so the failure paths run in seconds.
import { CommitLease } from '@floe/writer-worker';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFleet,
  describeFailures,
  type Fleet,
  settle,
  sleep,
  tableReport,
  type WorkerProcess,
  writeJobs,
} from './support/fleet.ts';

const ROWS = 50;
const TTL_MS = 2000;
const fleet: Fleet = createFleet('lease', {
  concurrency: 4,
  commitLease: { ttlMs: TTL_MS, answerTimeoutMs: 20_000 },
});
const redis = new Redis(fleet.stack.redisUrl, { maxRetriesPerRequest: 3 });

beforeAll(async () => {
  await fleet.startWorkers(3);
}, 120_000);

afterAll(async () => {
  await fleet.close();
  redis.disconnect();
}, 90_000);

/** The writer's counter `name` (summed over its label sets; `labels` narrows them). */
async function counter(worker: WorkerProcess, name: string, labels = ''): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`);
  const text = await response.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !line.includes(labels)) continue;
    const rest = line.slice(name.length);
    if (rest.startsWith(' ') || rest.startsWith('{')) total += Number(rest.slice(rest.lastIndexOf(' ') + 1));
  }
  return total;
}

async function fleetCounter(name: string, labels = ''): Promise<number> {
  const live = fleet.workers.filter((w) => w.isAlive());
  const values = await Promise.all(live.map((w) => counter(w, name, labels)));
  return values.reduce((a, b) => a + b, 0);
}

/** The lease token a writer logged at start. */
function leaseToken(worker: WorkerProcess): string {
  const line = worker
    .output()
    .split('\n')
    .find((l) => l.includes('writer worker started')) as string;
  return (JSON.parse(line) as { commitLease: { holderId: string } }).commitLease.holderId;
}

/** Enqueues `count` jobs for `table` (at most 12 writes in flight). */
function writeTableJobs(table: string, count: number, key: string) {
  return writeJobs(fleet, count, {
    table: () => table,
    key: (job) => `${fleet.run}-${key}-${job}`,
    rows: ROWS,
    inFlight: 12,
  });
}

async function expectExactlyOnce(table: string, jobs: number, key: string): Promise<void> {
  const report = await tableReport(table, ROWS);
  expect(report.wrongJobs).toEqual([]);
  expect(report.jobsPresent).toBe(jobs);
  expect(report.rows).toBe(jobs * ROWS);
  expect(report.distinctIds).toBe(jobs * ROWS);
  const marked = report.jobIdsPerSnapshot.flat();
  expect(marked.sort()).toEqual(Array.from({ length: jobs }, (_, i) => `${fleet.run}-${key}-${i}`).sort());
}

describe('commit lease across writer processes', () => {
  it('3 writers on one table: hand-overs share snapshots, conflicts near zero, rows once', async () => {
    const JOBS = 90;
    const table = `${fleet.namespace}.shared`;
    const before = {
      conflicts: await fleetCounter('floe_writer_commit_conflicts_total'),
      attempts: await fleetCounter('floe_writer_commit_attempts_total'),
    };
    const handles = await writeTableJobs(table, JOBS, 'shared');
    const outcomes = await settle(handles, 120_000);
    expect(describeFailures(outcomes)).toBe('');

    const conflicts = (await fleetCounter('floe_writer_commit_conflicts_total')) - before.conflicts;
    const attempts = (await fleetCounter('floe_writer_commit_attempts_total')) - before.attempts;
    const sent = await fleetCounter('floe_writer_commit_handovers_total', 'direction="sent"');
    const taken = await fleetCounter('floe_writer_commit_handovers_total', 'direction="taken"');
    // Jobs of every writer went through the holder (the first job creates the table alone).
    expect(sent).toBeGreaterThan(0);
    expect(taken).toBe(sent);
    expect(conflicts).toBeLessThanOrEqual(1);
    const report = await tableReport(table, ROWS);
    expect(report.snapshots).toBeLessThan(JOBS / 2);
    expect(attempts).toBeGreaterThanOrEqual(report.snapshots);
    await expectExactlyOnce(table, JOBS, 'shared');
  }, 200_000);

  it('a holder that takes hand-overs and never answers: jobs land once, the lease moves on', async () => {
    const JOBS = 24;
    const table = `${fleet.namespace}.silent`;
    const silent = new CommitLease({
      redis,
      prefix: fleet.artifacts.queue.prefix,
      catalogScope: `${fleet.artifacts.catalog.uri} ${fleet.artifacts.catalog.warehouse ?? ''}`,
      ttlMs: TTL_MS,
      answerTimeoutMs: 20_000,
    });
    const acquisitionsBefore = await fleetCounter('floe_writer_commit_lease_acquisitions_total');
    const fallbacksBefore = await fleetCounter('floe_writer_commit_handover_fallbacks_total');
    // The silent holder: keeps the lease and swallows every hand-over for 8 s, then dies.
    expect((await silent.claimAndTake(table)).acquired).toBe(true);
    const swallowed: string[] = [];
    let holding = true;
    const holder = (async () => {
      const until = Date.now() + 8000;
      while (Date.now() < until) {
        const claim = await silent.claimAndTake(table);
        expect(claim.held).toBe(true);
        swallowed.push(...claim.taken.map((t) => t.id));
        await sleep(200);
      }
      holding = false;
    })();
    const handles = await writeTableJobs(table, JOBS, 'silent');
    await holder;
    expect(holding).toBe(false);
    // The first job created the table alone; the others were handed over and swallowed.
    expect(swallowed.length).toBeGreaterThan(0);
    const outcomes = await settle(handles, 150_000);
    expect(describeFailures(outcomes)).toBe('');
    await expectExactlyOnce(table, JOBS, 'silent');
    // Unanswered hand-overs were settled by their writers; a writer took the lease afterwards.
    expect(await fleetCounter('floe_writer_commit_handover_fallbacks_total')).toBeGreaterThanOrEqual(
      fallbacksBefore + swallowed.length,
    );
    const after = await writeTableJobs(table, 1, 'silent-after');
    expect(describeFailures(await settle(after, 60_000))).toBe('');
    expect(await fleetCounter('floe_writer_commit_lease_acquisitions_total')).toBeGreaterThan(
      acquisitionsBefore,
    );
  }, 240_000);

  it('kill -9 of the lease holder mid-run: jobs land once, the lease moves to a survivor', async () => {
    const JOBS = 80;
    const table = `${fleet.namespace}.killed`;
    let victim: WorkerProcess | undefined;
    const findHolder = async (): Promise<WorkerProcess | undefined> => {
      const keys = await redis.keys(`${fleet.artifacts.queue.prefix}:commit:*:${table}:lease`);
      const token = keys[0] === undefined ? null : await redis.get(keys[0]);
      return fleet.workers.find((w) => w.isAlive() && leaseToken(w) === token);
    };
    const handles = await writeTableJobs(table, JOBS, 'killed');
    // While the jobs run, the writer holding the table's lease dies without a word.
    for (let waited = 0; victim === undefined && waited < 30_000; waited += 50) {
      victim = await findHolder();
      if (victim === undefined) await sleep(50);
    }
    if (victim !== undefined) {
      victim.child.kill('SIGKILL');
      await victim.exited;
    }
    expect(victim).toBeDefined();
    const survivors = fleet.workers.filter((w) => w.isAlive());
    const acquisitionsBefore = await fleetCounter('floe_writer_commit_lease_acquisitions_total');
    const outcomes = await settle(handles, 170_000);
    expect(describeFailures(outcomes)).toBe('');
    await expectExactlyOnce(table, JOBS, 'killed');
    // The lease lapsed with its holder; survivors took it (now held by one of them, or released).
    const after = await writeTableJobs(table, 1, 'killed-after');
    expect(describeFailures(await settle(after, 60_000))).toBe('');
    const holderNow = await findHolder();
    expect(holderNow === undefined || survivors.includes(holderNow)).toBe(true);
    expect(await fleetCounter('floe_writer_commit_lease_acquisitions_total')).toBeGreaterThan(
      acquisitionsBefore,
    );
  }, 300_000);
});
