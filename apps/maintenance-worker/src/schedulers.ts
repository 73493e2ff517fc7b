// Job scheduler registration at start: one BullMQ job scheduler per `maintenance.schedules`
// entry, id = the schedule's name, upserted (cron + tz, or every_ms), so restarts and several
// pods starting with the same floe.yaml leave exactly one scheduler per schedule. Schedulers
// floe created (their template carries a `schedule` name) that floe.yaml no longer lists are
// removed. Each tick enqueues one job: a per-table job when the schedule names one table, a
// staging job, or a fan-out job (tables / namespaces) that the worker expands (fan-out.ts).
import type { ScheduleConfig } from '@floe/config';
import type { MaintenanceJobInput } from '@floe/jobs';
import type { Queue } from 'bullmq';
import { PER_TABLE_JOB_OPTIONS } from './fan-out.ts';

export interface ScheduleRegistration {
  readonly upserted: readonly string[];
  readonly removed: readonly string[];
}

/** `a.b.t` → `{ namespace: ['a', 'b'], name: 't' }` (floe.yaml's validated table names). */
function tableOf(dotted: string): { namespace: string[]; name: string } {
  const parts = dotted.split('.');
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1] as string };
}

/** The job a schedule enqueues at every tick. */
export function scheduledJob(schedule: ScheduleConfig): MaintenanceJobInput {
  const base = {
    version: 1 as const,
    action: schedule.action,
    schedule: schedule.name,
    dryRun: false,
    policy: {},
  };
  if (schedule.tables?.length === 1) return { ...base, table: tableOf(schedule.tables[0] as string) };
  if (schedule.tables !== undefined) return { ...base, tables: schedule.tables.map(tableOf) };
  if (schedule.all_tables === true) return { ...base, allTables: true };
  if (schedule.namespaces !== undefined) {
    return { ...base, namespaces: schedule.namespaces.map((ns) => ns.split('.')) };
  }
  return base;
}

function isFloeOwned(template: { data?: unknown } | undefined): boolean {
  const data = template?.data;
  return typeof data === 'object' && data !== null && typeof Reflect.get(data, 'schedule') === 'string';
}

export async function registerSchedules(
  queue: Queue,
  schedules: readonly ScheduleConfig[],
): Promise<ScheduleRegistration> {
  for (const schedule of schedules) {
    const repeat =
      schedule.cron !== undefined
        ? { pattern: schedule.cron, tz: schedule.tz }
        : { every: schedule.every_ms as number };
    await queue.upsertJobScheduler(schedule.name, repeat, {
      name: schedule.action,
      data: scheduledJob(schedule),
      opts: PER_TABLE_JOB_OPTIONS,
    });
  }
  const wanted = new Set(schedules.map((s) => s.name));
  const removed: string[] = [];
  for (const existing of await queue.getJobSchedulers(0, -1)) {
    const id = existing.id ?? existing.key;
    if (wanted.has(id) || !isFloeOwned(existing.template)) continue;
    if (await queue.removeJobScheduler(id)) removed.push(id);
  }
  return { upserted: schedules.map((s) => s.name), removed };
}
