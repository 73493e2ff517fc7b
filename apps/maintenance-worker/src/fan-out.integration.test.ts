// Fan-out against a real BullMQ queue in the stack's Redis: a scheduled tick does not add a
// second run for a table whose run of the same schedule is still waiting, so a worker that
// falls behind does not pile up one run per table per tick; on-demand runs are never merged.
import { randomUUID } from 'node:crypto';
import { parseMaintenanceJob } from '@floe/jobs';
import { loadStackEnv } from '@floe/test-support';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { fanOut } from './fan-out.ts';

const stack = loadStackEnv();
const queue = new Queue(`fanout-it-${randomUUID().slice(0, 8)}`, {
  connection: { url: stack.redisUrl },
  prefix: 'floe-test',
});
const catalog = {
  listNamespaces: async (parent?: unknown) => (parent === undefined ? [['bronze']] : []),
  listTables: async () => [
    { namespace: ['bronze'], name: 'events' },
    { namespace: ['bronze'], name: 'orders' },
  ],
};

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
});

describe('fanOut on a real queue', () => {
  it('skips tables whose scheduled run from an earlier tick is still waiting', async () => {
    const tick = (at: number) =>
      fanOut(
        parseMaintenanceJob({ version: 1, action: 'expire', allTables: true, schedule: 'every-minute' }),
        `repeat:every-minute:${at}`,
        queue,
        catalog,
      );
    await tick(1);
    await tick(2);
    await tick(3);
    const waiting = await queue.getJobs(['waiting']);
    expect(waiting.map((job) => job.id).sort()).toEqual([
      'repeat-every-minute-1.bronze.events',
      'repeat-every-minute-1.bronze.orders',
    ]);

    // Once the earlier run is gone, the next tick enqueues again.
    await queue.remove('repeat-every-minute-1.bronze.events');
    await tick(4);
    expect((await queue.getJobs(['waiting'])).map((job) => job.id).sort()).toEqual([
      'repeat-every-minute-1.bronze.orders',
      'repeat-every-minute-4.bronze.events',
    ]);
  });

  it('never merges on-demand runs', async () => {
    const onDemand = parseMaintenanceJob({
      version: 1,
      action: 'compact',
      tables: [{ namespace: ['bronze'], name: 'events' }],
    });
    await fanOut(onDemand, 'cli-a', queue, catalog);
    await fanOut(onDemand, 'cli-b', queue, catalog);
    const ids = (await queue.getJobs(['waiting'])).map((job) => job.id);
    expect(ids).toEqual(expect.arrayContaining(['cli-a.bronze.events', 'cli-b.bronze.events']));
  });
});
