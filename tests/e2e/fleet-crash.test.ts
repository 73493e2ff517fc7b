// Issue 6 acceptance, crash safety with real writer processes:
//   - at least 200 jobs (8 in flight until the last kill) while a random worker is kill -9'd at
//     random moments 5 times (a replacement started each time): after the fleet drains, every
//     job's rows appear once;
//   - a job whose commit landed but whose worker died before acknowledging it (held commit
//     response, then kill -9) is re-delivered after its lock expires and finds its marker:
//     `alreadyCommitted`, no second snapshot, rows once;
//   - a commit whose response is lost (connection cut after the catalog committed) is
//     resolved by reload-and-check (or a retry's marker check): rows once, one snapshot.
// The fleet config sets a 5 s lock, a 2 s stalled check and up to 5 stalls per job
// (writer.lock_duration_ms, stalled_interval_ms, max_stalled_count), so a killed worker's jobs
// come back within seconds and a job hit by two kills is still re-delivered.

import type { WriteHandle } from '@floe/producer-sdk';
import { type CommitFaultProxy, commitFaults, startCommitFaultProxy } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFleet,
  describeFailures,
  type Fleet,
  jobBatch,
  settle,
  sleep,
  tableReport,
  type WorkerProcess,
} from './support/fleet.ts';

const ROWS = 20;
const fleets: Fleet[] = [];
const proxies: CommitFaultProxy[] = [];

afterAll(async () => {
  await Promise.all(fleets.map((fleet) => fleet.close()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
}, 90_000);

function fleetFor(name: string, options: Parameters<typeof createFleet>[1] = {}): Fleet {
  const fleet = createFleet(name, options);
  fleets.push(fleet);
  return fleet;
}

describe('crash safety of the write fleet', () => {
  it('kill -9 of random workers 5 times during 200 jobs loses and doubles nothing', async () => {
    const MIN_JOBS = 200;
    const fleet = fleetFor('crash', { concurrency: 4 });
    await fleet.startWorkers(3);
    const producer = fleet.producer();
    const kills: { pid: number; atMs: number }[] = [];
    const started = Date.now();

    // The killer: 5 kills at random moments 2–6 s apart, each followed by a replacement.
    let killing = true;
    const killer = (async () => {
      for (let k = 0; k < 5; k++) {
        await sleep(2000 + Math.random() * 4000);
        const live = fleet.workers.filter((w) => w.isAlive());
        const victim = live[Math.floor(Math.random() * live.length)] as WorkerProcess;
        victim.child.kill('SIGKILL');
        await victim.exited;
        kills.push({ pid: victim.pid, atMs: Date.now() - started });
        await fleet.startWorker();
      }
    })().finally(() => {
      killing = false;
    });

    // The producer keeps 8 jobs in flight (write() → result) until the last kill and at least
    // 200 jobs, so every kill meets a busy fleet however fast it drains a fixed batch.
    const handles: { job: number; handle: WriteHandle }[] = [];
    const inFlight = new Set<Promise<void>>();
    for (let job = 0; job < MIN_JOBS || killing || job % 2 === 1; job++) {
      const task = producer
        .write(`${fleet.namespace}.${job % 2 === 0 ? 'crash_a' : 'crash_b'}`, jobBatch(job, ROWS), {
          create: { partitionSpec: [] },
          idempotencyKey: `${fleet.run}-job-${job}`,
        })
        .then(async (handle) => {
          handles.push({ job, handle });
          await handle.result(170_000).catch(() => undefined);
        });
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= 8) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const JOBS = handles.length;
    expect(JOBS).toBeGreaterThanOrEqual(MIN_JOBS);
    await killer;
    expect(kills).toHaveLength(5);
    expect(kills.every((kill) => kill.atMs > 0)).toBe(true);
    const killed = fleet.workers.filter((w) => !w.isAlive());
    expect(killed.length).toBeGreaterThanOrEqual(5);
    expect(await Promise.all(killed.map((w) => w.exited.then((e) => e.signal)))).toEqual(
      killed.map(() => 'SIGKILL'),
    );

    const outcomes = await settle(handles, 170_000);
    expect(describeFailures(outcomes)).toBe('');
    // The kills hit jobs in flight: BullMQ declared some stalled and re-delivered them.
    const finished = await Promise.all(handles.map(({ handle }) => producer.queue.getJob(handle.jobId)));
    expect(finished.filter((job) => (job?.stalledCounter ?? 0) > 0).length).toBeGreaterThan(0);
    for (const name of ['crash_a', 'crash_b']) {
      const report = await tableReport(`${fleet.namespace}.${name}`, ROWS);
      expect(report.wrongJobs).toEqual([]);
      expect(report.jobsPresent).toBe(JOBS / 2);
      expect(report.rows).toBe((JOBS / 2) * ROWS);
      expect(report.distinctIds).toBe((JOBS / 2) * ROWS);
      const marked = report.jobIdsPerSnapshot.flat();
      expect(new Set(marked).size).toBe(marked.length);
    }
  }, 300_000);

  it('a job re-delivered after its worker died past the commit finds its marker: no duplicate', async () => {
    const fleet = fleetFor('stall');
    const proxy = await startCommitFaultProxy(fleet.stack.catalogUri);
    proxies.push(proxy);
    const doomed = await fleet.startWorker({ catalogUri: proxy.url, concurrency: 1 });
    const held = proxy.arm(commitFaults.hold(true)).then((c) => c.upstreamStatus);
    const producer = fleet.producer();
    const table = `${fleet.namespace}.stalled`;
    const handle = await producer.write(table, jobBatch(1, ROWS), {
      create: { partitionSpec: [] },
      idempotencyKey: `${fleet.run}-stalled`,
    });
    // The catalog accepted the commit; the worker never hears it and dies holding the job.
    expect(await held).toBe(200);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // A healthy worker picks the job up once BullMQ declares it stalled (lock expiry).
    await fleet.startWorker();
    const result = (await handle.result(120_000)) as { alreadyCommitted?: boolean };
    expect(result.alreadyCommitted).toBe(true);
    // It came back through BullMQ's stalled-job path, not a failure retry.
    const redelivered = await producer.queue.getJob(handle.jobId);
    expect(redelivered?.stalledCounter).toBe(1);
    const report = await tableReport(table, ROWS);
    expect(report.rows).toBe(ROWS);
    expect(report.distinctIds).toBe(ROWS);
    expect(report.snapshots).toBe(1);
    expect(report.jobIdsPerSnapshot).toEqual([[`${fleet.run}-stalled`]]);
    expect(proxy.commits.filter((c) => c.fault === 'hold').length).toBe(1);
  }, 200_000);

  it('a commit whose response is lost is resolved without a duplicate', async () => {
    const fleet = fleetFor('lost');
    const proxy = await startCommitFaultProxy(fleet.stack.catalogUri);
    proxies.push(proxy);
    const worker = await fleet.startWorker({ catalogUri: proxy.url, concurrency: 1 });
    const dropped = proxy.arm(commitFaults.cut()).then((c) => c.upstreamStatus);
    const producer = fleet.producer();
    const table = `${fleet.namespace}.lost_response`;
    const handle = await producer.write(table, jobBatch(7, ROWS), {
      create: { partitionSpec: [] },
      idempotencyKey: `${fleet.run}-lost`,
    });
    expect(await dropped).toBe(200);
    await handle.result(90_000);
    const report = await tableReport(table, ROWS);
    expect(report.rows).toBe(ROWS);
    expect(report.distinctIds).toBe(ROWS);
    expect(report.snapshots).toBe(1);
    expect(report.jobIdsPerSnapshot).toEqual([[`${fleet.run}-lost`]]);
    expect(proxy.commits.filter((c) => c.fault === 'cut').length).toBe(1);
    expect(worker.isAlive()).toBe(true);
  }, 150_000);
});
