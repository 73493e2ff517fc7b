// The pending-write-job guard of expiry against a real BullMQ write queue in the stack's Redis:
// it keeps snapshots from where the oldest unfinished job's marker search starts (enqueue minus
// the shared clock-skew margin), however long ago that was, and ignores other tables' jobs and
// finished ones.
import { randomUUID } from 'node:crypto';
import { EXACTLY_ONCE_WINDOW_MS, MARKER_CLOCK_SKEW_MS, WRITE_JOB_NAME } from '@floe/jobs';
import { loadStackEnv } from '@floe/test-support';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { pendingWriteJobs } from './pending-write-jobs.ts';

const stack = loadStackEnv();
const queue = new Queue(`pending-it-${randomUUID().slice(0, 8)}`, {
  connection: { url: stack.redisUrl },
  prefix: 'floe-test',
});
const table = { namespace: ['bronze'], name: 'events' };

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
});

function payload(name: string, enqueuedAtMs: number) {
  return { table: { namespace: ['bronze'], name }, enqueuedAt: new Date(enqueuedAtMs).toISOString() };
}

describe('pendingWriteJobs', () => {
  it('keeps snapshots from the marker search start of the oldest unfinished job of the table', async () => {
    const now = Date.now();
    // Older than the exactly-once window and still unfinished (a long queue outage): still protected.
    const oldest = now - EXACTLY_ONCE_WINDOW_MS - 3_600_000;
    await queue.add(WRITE_JOB_NAME, payload('events', now - 5_000), { jobId: `a-${randomUUID()}` });
    await queue.add(WRITE_JOB_NAME, payload('events', oldest), { jobId: `b-${randomUUID()}`, delay: 60_000 });
    await queue.add(WRITE_JOB_NAME, payload('other', now - 10 * EXACTLY_ONCE_WINDOW_MS), {
      jobId: `c-${randomUUID()}`,
    });
    const pending = await pendingWriteJobs(queue, table);
    expect(pending).toEqual({ count: 2, retainSinceMs: oldest - MARKER_CLOCK_SKEW_MS });
  });

  it('protects nothing when the table has no unfinished job', async () => {
    expect(await pendingWriteJobs(queue, { namespace: ['bronze'], name: 'quiet' })).toEqual({
      count: 0,
      retainSinceMs: undefined,
    });
  });
});
