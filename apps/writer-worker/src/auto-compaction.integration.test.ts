// Compaction on demand against a real BullMQ maintenance queue in the stack's Redis: past the
// trigger the writer enqueues one `compact` job the maintenance worker accepts; while it waits,
// neither this process (interval) nor another (deduplication) adds a second one.
import { randomUUID } from 'node:crypto';
import type { TableMetadata } from '@floe/iceberg';
import { parseMaintenanceJob } from '@floe/jobs';
import { loadStackEnv } from '@floe/test-support';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoCompaction } from './auto-compaction.ts';
import { newTable } from './table-metadata.test-helper.ts';

const stack = loadStackEnv();
const queue = new Queue(`auto-compact-it-${randomUUID().slice(0, 8)}`, {
  connection: { url: stack.redisUrl },
  prefix: 'floe-test',
});
const table = { namespace: ['bronze'], name: 'events' };

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
});

/** A table whose main branch holds `commits` appends of `files` small files each. */
function tableWith(commits: number, files: number): TableMetadata {
  return newTable(
    {},
    Array.from({ length: commits }, () => ({
      'added-data-files': String(files),
      'added-files-size': String(files * 1300),
    })),
  );
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
}

describe('AutoCompaction on a real maintenance queue', () => {
  it('asks once past the trigger, with a job the maintenance contract accepts', async () => {
    let now = 0;
    const requested: string[] = [];
    const auto = new AutoCompaction({
      queue,
      triggerSmallFiles: 10,
      minIntervalMs: 10_000,
      now: () => now,
      onRequested: (name) => requested.push(name),
    });
    expect(auto.observe(table, tableWith(3, 3))).toBe(false);
    expect(auto.observe(table, tableWith(4, 3))).toBe(true);
    await settle();
    const [job, ...others] = await queue.getJobs(['waiting']);
    expect(others).toEqual([]);
    expect(job?.name).toBe('compact');
    expect(parseMaintenanceJob(job?.data)).toMatchObject({ action: 'compact', table });
    expect(requested).toEqual(['bronze.events']);

    // Within the interval this process does not ask again.
    expect(auto.observe(table, tableWith(8, 3))).toBe(false);
    // Another process (or this one later) asks while the job still waits: deduplicated.
    now = 60_000;
    const other = new AutoCompaction({ queue, triggerSmallFiles: 10, minIntervalMs: 10_000, now: () => now });
    expect(other.observe(table, tableWith(8, 3))).toBe(true);
    expect(auto.observe(table, tableWith(8, 3))).toBe(true);
    await settle();
    expect(await queue.getJobCountByTypes('waiting')).toBe(1);

    // Once that run is done, the next commit past the trigger asks again.
    await job?.remove();
    now = 120_000;
    expect(auto.observe(table, tableWith(9, 3))).toBe(true);
    await settle();
    expect(await queue.getJobCountByTypes('waiting')).toBe(1);
  });

  it('never asks when the trigger is 0, or the table property turns it off', async () => {
    const off = new AutoCompaction({ queue, triggerSmallFiles: 0, minIntervalMs: 1000 });
    expect(off.observe({ namespace: ['bronze'], name: 'quiet' }, tableWith(50, 10))).toBe(false);
    const on = new AutoCompaction({ queue, triggerSmallFiles: 10, minIntervalMs: 1000 });
    const optedOut = { ...tableWith(50, 10), properties: { 'floe.compaction.trigger-small-files': '0' } };
    expect(on.observe({ namespace: ['bronze'], name: 'opted-out' }, optedOut)).toBe(false);
  });
});
