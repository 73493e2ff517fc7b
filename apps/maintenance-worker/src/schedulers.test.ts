import type { ScheduleConfig } from '@floe/config';
import { maintenanceJob } from '@floe/jobs';
import { describe, expect, it } from 'vitest';
import { scheduledJob } from './schedulers.ts';

const base: ScheduleConfig = { name: 's', cron: '0 3 * * *', tz: 'UTC', action: 'expire' };

describe('scheduledJob', () => {
  it('enqueues a per-table job for one table and a fan-out job for several', () => {
    expect(scheduledJob({ ...base, tables: ['a.b.events'] })).toMatchObject({
      table: { namespace: ['a', 'b'], name: 'events' },
      schedule: 's',
    });
    expect(scheduledJob({ ...base, tables: ['a.x', 'a.y'] }).tables).toEqual([
      { namespace: ['a'], name: 'x' },
      { namespace: ['a'], name: 'y' },
    ]);
    expect(scheduledJob({ ...base, action: 'orphans', namespaces: ['a.b', 'c'] }).namespaces).toEqual([
      ['a', 'b'],
      ['c'],
    ]);
  });

  it('produces jobs the v1 contract accepts', () => {
    for (const schedule of [
      { ...base, tables: ['a.t'] },
      { ...base, tables: ['a.t', 'a.u'] },
      { ...base, namespaces: ['a'] },
      { name: 'sweep', every_ms: 60_000, tz: 'UTC', action: 'staging' } as ScheduleConfig,
    ]) {
      expect(maintenanceJob.safeParse(scheduledJob(schedule)).success).toBe(true);
    }
  });
});
