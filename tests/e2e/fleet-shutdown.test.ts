// Issue 6 acceptance, graceful shutdown: two real writer processes work through 80 paced jobs;
// one gets SIGTERM in the middle of the run. It must exit 0 within its shutdown deadline (plus
// process start-up slack), log that it stopped, and lose nothing: the jobs it held either
// finished or were released and re-delivered, and every job's rows land exactly once.
import type { WriteHandle } from '@floe/producer-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFleet,
  describeFailures,
  type Fleet,
  jobBatch,
  settle,
  sleep,
  tableReport,
} from './support/fleet.ts';

const JOBS = 80;
const ROWS = 20;
const SHUTDOWN_DEADLINE_MS = 10_000;

let fleet: Fleet | undefined;

afterAll(async () => {
  await fleet?.close();
}, 60_000);

describe('graceful shutdown during a busy run', () => {
  it('SIGTERM loses nothing and the process exits within the deadline', async () => {
    fleet = createFleet('shutdown', { concurrency: 4, shutdownDeadlineMs: SHUTDOWN_DEADLINE_MS });
    const [leaving, staying] = await fleet.startWorkers(2);
    if (leaving === undefined || staying === undefined) throw new Error('two workers expected');
    const producer = fleet.producer();
    const handles: { job: number; handle: WriteHandle }[] = [];
    let sigtermAt = 0;
    let backlogAtSigterm = 0;

    for (let job = 0; job < JOBS; job++) {
      const handle = await producer.write(`${fleet.namespace}.shutdown`, jobBatch(job, ROWS), {
        create: { partitionSpec: [] },
        idempotencyKey: `${fleet.run}-job-${job}`,
      });
      handles.push({ job, handle });
      if (job === 30) {
        const counts = await producer.queue.getJobCounts('wait', 'active');
        backlogAtSigterm = (counts['wait'] ?? 0) + (counts['active'] ?? 0);
        sigtermAt = Date.now();
        leaving.child.kill('SIGTERM');
      }
      await sleep(100);
    }

    // The SIGTERM hit a busy fleet: jobs were queued or running, and this worker had been committing.
    expect(backlogAtSigterm).toBeGreaterThan(0);
    const exit = await leaving.exited;
    expect(exit.code).toBe(0);
    expect(exit.signal).toBeNull();
    // The deadline bounds the drain; start-up of the exit path and closing connections get 5 s.
    expect(exit.atMs - sigtermAt).toBeLessThan(SHUTDOWN_DEADLINE_MS + 5000);
    expect(leaving.output()).toContain('writer worker stopped');
    expect(leaving.output()).toContain('job committed');
    expect(leaving.output()).toMatch(/"signal":"SIGTERM"[^\n]*"msg":"shutting down"/);

    const outcomes = await settle(handles, 150_000);
    expect(describeFailures(outcomes)).toBe('');
    const report = await tableReport(`${fleet.namespace}.shutdown`, ROWS);
    expect(report.wrongJobs).toEqual([]);
    expect(report.jobsPresent).toBe(JOBS);
    expect(report.rows).toBe(JOBS * ROWS);
    expect(report.distinctIds).toBe(JOBS * ROWS);
    expect(staying.isAlive()).toBe(true);
  }, 240_000);
});
