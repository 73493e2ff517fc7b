// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// `maintenance:` — how one maintenance-worker process behaves (`worker`: parallel jobs, BullMQ
// job lock, the per-table Redis lock, ops port), when it runs (BullMQ job schedulers, by cron or
// fixed interval) and which retention it applies. Actions: `expire` expires snapshots and deletes
// the files only they referenced, `orphans` deletes files no snapshot references, `staging`
// deletes stale staged batches of finished, failed or vanished write jobs. Defaults keep snapshots
// longer than the write queue's retry window, so the commit markers that make retries
// exactly-once outlive every retry.
import { z } from 'zod';
import { integer, listenHost } from './fields.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

const CRON_FIELD = /^[\d*,/?LW#A-Za-z-]+$/;

function isCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((field) => CRON_FIELD.test(field));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const SEGMENTS = /^[^.\s]+(\.[^.\s]+)*$/;

const tableIdentifier = z.string().refine((name) => SEGMENTS.test(name) && name.includes('.'), {
  message: 'is not a table identifier',
  params: { fix: 'write namespace.table, e.g. analytics.events (nested: a.b.table)' },
});

const namespaceIdentifier = z.string().refine((name) => SEGMENTS.test(name), {
  message: 'is not a namespace',
  params: { fix: 'write the namespace with dots between levels, e.g. analytics or a.b' },
});

export const ScheduleSchema = z
  .strictObject({
    /** Unique name; also the BullMQ job scheduler id. */
    name: z.string().refine((name) => /^[a-z0-9][a-z0-9_-]*$/.test(name), {
      message: 'is not a schedule name',
      params: { fix: 'use lowercase letters, digits, - and _, e.g. nightly-expire' },
    }),
    /** Cron pattern (5 or 6 fields), interpreted in `tz`. */
    cron: z
      .string()
      .refine(isCron, {
        message: 'is not a cron pattern',
        params: { fix: 'write 5 fields (minute hour day month weekday), e.g. "0 3 * * *"' },
      })
      .optional(),
    /** Fixed interval instead of cron. */
    every_ms: integer({ min: 1000 }).optional(),
    tz: z
      .string()
      .refine(isTimeZone, {
        message: 'is not an IANA time zone',
        params: { fix: 'write a zone such as UTC or Europe/Paris' },
      })
      .default('UTC'),
    tables: z.array(tableIdentifier).min(1).optional(),
    namespaces: z.array(namespaceIdentifier).min(1).optional(),
    /** Every table of every namespace, listed at each tick. */
    all_tables: z.literal(true).optional(),
    action: z.enum(['expire', 'orphans', 'staging', 'compact', 'rewrite-manifests']),
  })
  .superRefine((schedule, ctx) => {
    if ((schedule.cron === undefined) === (schedule.every_ms === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [schedule.cron === undefined ? 'cron' : 'every_ms'],
        message:
          schedule.cron === undefined ? 'is missing (and so is every_ms)' : 'is set together with cron',
        params: { fix: 'give exactly one of cron (e.g. "0 3 * * *") or every_ms' },
      });
    }
    const targets = (['tables', 'namespaces', 'all_tables'] as const).filter(
      (key) => schedule[key] !== undefined,
    );
    if (schedule.action === 'staging') {
      for (const key of targets) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'is set for action staging',
          params: { fix: 'staging cleans storage.staging, not tables: remove tables/namespaces/all_tables' },
        });
      }
    } else if (targets.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [targets[1] ?? 'tables'],
        message:
          targets.length === 0
            ? 'is missing (and so are namespaces and all_tables)'
            : `is set together with ${targets[0]}`,
        params: {
          fix: `give exactly one of tables, namespaces or all_tables: true for action ${schedule.action}`,
        },
      });
    }
  });

/** floe's default count cap of a branch's history (`maintenance.retention.max_snapshots`). */
export const DEFAULT_MAX_SNAPSHOTS = 500;

export const RetentionSchema = z.strictObject({
  /** Snapshots older than this are expired (the newest snapshot never is). */
  max_snapshot_age_ms: integer({ min: 60_000 }).default(5 * DAY_MS),
  /** Snapshots kept regardless of age. */
  min_snapshots_to_keep: integer({ min: 1 }).default(1),
  /**
   * At most this many snapshots of a branch are kept, however young: a table committing several
   * times a second would otherwise keep tens of thousands of snapshots within max_snapshot_age_ms,
   * and every commit and every reader pays for each. null: no cap (age alone decides).
   */
  max_snapshots: integer({ min: 1 }).nullable().default(DEFAULT_MAX_SNAPSHOTS),
  /** Branches/tags (other than main) older than this are removed; omit to keep them forever. */
  max_ref_age_ms: integer({ min: 60_000 }).optional(),
  /** Files unreferenced by every snapshot are deleted only once older than this. */
  orphan_older_than_ms: integer({ min: 60 * 60 * 1000 }).default(3 * DAY_MS),
  /** Staged batches older than this are deleted by the staging action. */
  staging_retention_ms: integer({ min: 60 * 60 * 1000 }).default(7 * DAY_MS),
});

export const MaintenanceWorkerSchema = z.strictObject({
  /** Maintenance jobs processed in parallel by one process (each on a different table). */
  concurrency: integer({ min: 1, max: 64 }).default(2),
  /** BullMQ job lock: a crashed worker's job is re-delivered once this expires. */
  lock_duration_ms: integer({ min: 1000 }).default(60_000),
  /** How often the worker looks for jobs whose lock expired (stalled) and re-delivers them. */
  stalled_interval_ms: integer({ min: 1000 }).default(30_000),
  /** TTL of the per-table Redis lock, renewed while a run lives; a crashed holder's lock frees after it. */
  table_lock_ttl_ms: integer({ min: 1000 }).default(60_000),
  /** How long a run waits for another process's run on the same table before it is retried later. */
  table_lock_wait_ms: integer({ min: 0 }).default(300_000),
  /** Port of /healthz, /readyz and /metrics; 0 picks a free port (logged at start). */
  metrics_port: integer({ min: 0, max: 65_535 }).default(9464),
  /** Interface of /healthz, /readyz and /metrics: loopback by default; 0.0.0.0 where probes come from outside (containers). */
  metrics_host: listenHost.default('127.0.0.1'),
});

export const MaintenanceSchema = z.strictObject({
  worker: MaintenanceWorkerSchema.prefault({}),
  schedules: z
    .array(ScheduleSchema)
    .default([])
    .superRefine((schedules, ctx) => {
      const seen = new Set<string>();
      schedules.forEach((schedule, index) => {
        if (seen.has(schedule.name)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'name'],
            message: `"${schedule.name}" is used by an earlier schedule`,
            params: { fix: 'give every schedule its own name' },
          });
        }
        seen.add(schedule.name);
      });
    }),
  retention: RetentionSchema.prefault({}),
  /**
   * floe's default schedules (see DEFAULT_SCHEDULES) keep busy tables healthy without any
   * `schedules`; a schedule of yours for the same action replaces the default one.
   */
  default_schedules: z.boolean().default(true),
});

const MINUTE_MS = 60 * 1000;

/**
 * What runs when floe.yaml says nothing: compaction and expiry every minute (a table with fewer
 * than `min-input-files` small files per partition costs one manifest read; a table with nothing
 * to expire costs one load and no commit), so a table taking several commits a second stays near
 * `max_snapshots`; a manifest rewrite every 6 hours on every table, orphan and staging cleanup daily. Tables opt out
 * of scheduled compact / rewrite-manifests runs with `floe.maintenance.<action>.enabled=false`.
 */
export const DEFAULT_SCHEDULES: readonly ScheduleConfig[] = [
  { name: 'floe-default-compact', every_ms: MINUTE_MS, tz: 'UTC', all_tables: true, action: 'compact' },
  {
    name: 'floe-default-rewrite-manifests',
    cron: '20 */6 * * *',
    tz: 'UTC',
    all_tables: true,
    action: 'rewrite-manifests',
  },
  { name: 'floe-default-expire', every_ms: MINUTE_MS, tz: 'UTC', all_tables: true, action: 'expire' },
  { name: 'floe-default-orphans', cron: '40 3 * * *', tz: 'UTC', all_tables: true, action: 'orphans' },
  { name: 'floe-default-staging', cron: '50 3 * * *', tz: 'UTC', action: 'staging' },
];

/** The schedules a maintenance worker registers: yours, plus the defaults for actions you did not schedule. */
export function effectiveSchedules(config: MaintenanceConfig): ScheduleConfig[] {
  if (!config.default_schedules) return [...config.schedules];
  const scheduled = new Set(config.schedules.map((s) => s.action));
  return [...config.schedules, ...DEFAULT_SCHEDULES.filter((d) => !scheduled.has(d.action))];
}

export type ScheduleConfig = z.output<typeof ScheduleSchema>;
export type RetentionConfig = z.output<typeof RetentionSchema>;
export type MaintenanceWorkerConfig = z.output<typeof MaintenanceWorkerSchema>;
export type MaintenanceConfig = z.output<typeof MaintenanceSchema>;
