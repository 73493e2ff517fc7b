// The pending-write-job guard of expiry against a real BullMQ write queue in the stack's Redis:
// it lists the marker ids of the table's unfinished jobs and of its failed ones within the
// exactly-once window, and (for v1 tables) where the oldest unfinished job's marker search starts
// (enqueue minus the shared clock-skew margin), however long ago that was; it ignores other
// tables' jobs and completed ones.
import { randomUUID } from 'node:crypto';
import { EXACTLY_ONCE_WINDOW_MS, MARKER_CLOCK_SKEW_MS, WRITE_JOB_NAME } from '@floe/jobs';
import { loadStackEnv } from '@floe/test-support';
import { Queue, Worker } from 'bullmq';
import { afterAll, describe, expect, it, vi } from 'vitest';
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

function payload(name: string, enqueuedAtMs: number, idempotencyKey?: string) {
  return {
    table: { namespace: ['bronze'], name },
    enqueuedAt: new Date(enqueuedAtMs).toISOString(),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}

describe('pendingWriteJobs', () => {
  it('keeps snapshots from the marker search start of the oldest unfinished job of the table', async () => {
    const now = Date.now();
    // Older than the exactly-once window and still unfinished (a long queue outage): still protected.
    const oldest = now - EXACTLY_ONCE_WINDOW_MS - 3_600_000;
    const a = `a-${randomUUID()}`;
    const b = `b-${randomUUID()}`;
    await queue.add(WRITE_JOB_NAME, payload('events', now - 5_000, a), { jobId: a });
    await queue.add(WRITE_JOB_NAME, payload('events', oldest), { jobId: b, delay: 60_000 });
    await queue.add(WRITE_JOB_NAME, payload('other', now - 10 * EXACTLY_ONCE_WINDOW_MS), {
      jobId: `c-${randomUUID()}`,
    });
    const pending = await pendingWriteJobs(queue, table);
    // Marker ids: the payload's idempotency key, else the BullMQ job id.
    expect(pending).toEqual({
      count: 2,
      retainSinceMs: oldest - MARKER_CLOCK_SKEW_MS,
      jobIds: new Set([a, b]),
    });
  });

  it("lists a failed job's id within the exactly-once window, but does not count it as unfinished", async () => {
    const failing = new Queue(`pending-failed-${randomUUID().slice(0, 8)}`, {
      connection: { url: stack.redisUrl },
      prefix: 'floe-test',
    });
    const id = `f-${randomUUID()}`;
    await failing.add(WRITE_JOB_NAME, payload('failing', Date.now(), id), { jobId: id });
    const worker = new Worker(
      failing.name,
      async () => {
        throw new Error('the catalog said no');
      },
      { connection: { url: stack.redisUrl }, prefix: 'floe-test' },
    );
    try {
      await vi.waitFor(async () => expect(await failing.getJobCountByTypes('failed')).toBe(1), {
        timeout: 20_000,
      });
      const target = { namespace: ['bronze'], name: 'failing' };
      expect(await pendingWriteJobs(failing, target)).toEqual({
        count: 0,
        retainSinceMs: undefined,
        jobIds: new Set([id]),
      });
      // A day and more later the failure is past the window: nothing left to protect.
      const later = await pendingWriteJobs(failing, target, Date.now() + EXACTLY_ONCE_WINDOW_MS + 60_000);
      expect(later.jobIds.size).toBe(0);
    } finally {
      await worker.close();
      await failing.obliterate({ force: true });
      await failing.close();
    }
  });

  it('protects nothing when the table has no unfinished job', async () => {
    expect(await pendingWriteJobs(queue, { namespace: ['bronze'], name: 'quiet' })).toEqual({
      count: 0,
      retainSinceMs: undefined,
      jobIds: new Set(),
    });
  });
});
