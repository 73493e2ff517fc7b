// The maintenance job contract, version 1: one action on one table, scheduled by the
// maintenance worker's job schedulers or enqueued on demand (`floe maintenance run`).
// A job names its target in one of three ways:
//   - `table`: one table — the unit of work, run under that table's lock;
//   - `tables` / `namespaces` / `allTables`: a fan-out job (what a schedule enqueues at each tick): the worker
//     lists the targets at that moment (so tables created later are included) and enqueues one
//     per-table job for each, with the same action, dry-run flag and policy;
//   - none, for `staging`, which works on the staging prefix rather than a table.
// `policy` values are explicit overrides: they beat the table's Apache Polaris policy, which
// beats the table properties `history.expire.*`, which beat the floe.yaml
// `maintenance.retention` defaults. The report says which of them decided each setting, and
// names the Polaris policy when one with `enable: false` made the worker skip the run.
import { z } from 'zod';
import { tableIdentifier } from './write-job.ts';

export const MAINTENANCE_JOB_VERSION = 1;

export const maintenanceAction = z.enum(['expire', 'orphans', 'staging', 'compact', 'rewrite-manifests']);

export const maintenancePolicy = z.strictObject({
  maxSnapshotAgeMs: z.number().int().positive().optional(),
  minSnapshotsToKeep: z.number().int().positive().optional(),
  /** expire: keep at most this many snapshots of each branch (never fewer than the minimum to keep) */
  maxSnapshots: z.number().int().positive().optional(),
  maxRefAgeMs: z.number().int().positive().optional(),
  orphanOlderThanMs: z.number().int().positive().optional(),
  stagingRetentionMs: z.number().int().positive().optional(),
  /** compact: size of the files written (default: the table's write.target-file-size-bytes) */
  targetFileSizeBytes: z.number().int().positive().optional(),
  /** compact: files below this are rewritten (default 75 % of the target) */
  minFileSizeBytes: z.number().int().positive().optional(),
  /** compact: a partition's small files are rewritten once it has this many (default 5) */
  minInputFiles: z.number().int().positive().optional(),
  /** rewrite-manifests: size of the manifests written (default commit.manifest.target-size-bytes) */
  targetManifestSizeBytes: z.number().int().positive().optional(),
});

const namespaceLevels = z.array(z.string().min(1).max(255)).min(1);

export const maintenanceJob = z
  .strictObject({
    version: z.literal(MAINTENANCE_JOB_VERSION),
    action: maintenanceAction,
    /** the one table of an expire/orphans run; absent for `staging` and for fan-out jobs */
    table: tableIdentifier.optional(),
    /** fan-out: one per-table job for each of these tables */
    tables: z.array(tableIdentifier).min(1).optional(),
    /** fan-out: one per-table job for each table these namespaces hold when the job runs */
    namespaces: z.array(namespaceLevels).min(1).optional(),
    /** fan-out: one per-table job for every table of every namespace (floe's default schedules) */
    allTables: z.literal(true).optional(),
    /** the floe.yaml schedule that enqueued this job (absent for on-demand runs) */
    schedule: z.string().min(1).optional(),
    dryRun: z.boolean().default(false),
    policy: maintenancePolicy.default({}),
  })
  .superRefine((job, ctx) => {
    const targets = (['table', 'tables', 'namespaces', 'allTables'] as const).filter(
      (key) => job[key] !== undefined,
    );
    if (job.action === 'staging') {
      for (const key of targets) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'must be absent for action staging (it cleans the staging prefix, not a table)',
        });
      }
    } else if (targets.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [targets[1] ?? 'table'],
        message:
          targets.length === 0
            ? `action ${job.action} needs a table (or tables / namespaces for a fan-out job)`
            : `give only one of table, tables, namespaces, allTables (got ${targets.join(', ')})`,
      });
    }
  });

/** Who decided a setting of a run, strongest first: the job, Polaris, the table, floe.yaml. */
export const settingSource = z.enum(['run', 'polaris-policy', 'table-property', 'floe.yaml']);

export const reportedSetting = z.strictObject({
  value: z.union([z.number(), z.string(), z.boolean()]),
  source: settingSource,
  /** `run.<option>`, `policy <name>`, the table property key or the floe.yaml key */
  from: z.string(),
});

export const skippedByPolicy = z.strictObject({
  /** the Polaris policy's name */
  policy: z.string(),
  /** e.g. `system.orphan-file-removal` */
  policyType: z.string(),
  reason: z.string(),
});

export const maintenanceReport = z.strictObject({
  action: maintenanceAction,
  /** `namespace.table`; absent for staging and fan-out runs */
  table: z.string().optional(),
  dryRun: z.boolean(),
  snapshotsExpired: z.number().int().nonnegative(),
  /** snapshots the policy would have expired but kept because unfinished write jobs may need their markers */
  snapshotsRetainedForPendingJobs: z.number().int().nonnegative().default(0),
  filesDeleted: z.number().int().nonnegative(),
  bytesDeleted: z.number().int().nonnegative(),
  /** files the run tried and failed to delete (a later run or the orphan cleanup retries them) */
  failedDeletes: z.number().int().nonnegative().default(0),
  /** with dryRun, the files that a real run would delete (compact: rewrite) */
  files: z.array(z.string()).default([]),
  /** compact and rewrite-manifests: what the run rewrote (absent for other actions) */
  rewrite: z
    .strictObject({
      /** the snapshot committed; absent when nothing was (dry run, nothing to do) */
      snapshotId: z.string().optional(),
      /** compaction groups (partitions) rewritten, or manifests written */
      groups: z.number().int().nonnegative(),
      filesRewritten: z.number().int().nonnegative(),
      filesAdded: z.number().int().nonnegative(),
      deleteFilesRetired: z.number().int().nonnegative(),
      bytesRewritten: z.number().int().nonnegative(),
      /** compact: commit attempts (more than 1: appends landed meanwhile and it rebased) */
      commitAttempts: z.number().int().nonnegative().optional(),
      /** compact: time spent reading and rewriting the inputs (the rest is planning and committing) */
      rewriteMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /** ids of the per-table jobs a fan-out run enqueued */
  enqueuedJobs: z.array(z.string()).optional(),
  durationMs: z.number().nonnegative(),
  /** when the work done while holding the table lock started and finished */
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  /** `<hostname>:<pid>` of the process that ran it */
  worker: z.string().min(1),
  /** the settings the run applied (`maxSnapshotAgeMs`, `olderThanMs`, `enabled`, …) and who decided each */
  settings: z.record(z.string(), reportedSetting).optional(),
  /** set when a disabled Polaris policy stopped the run: nothing was planned or deleted */
  skipped: skippedByPolicy.optional(),
});

export type MaintenanceAction = z.output<typeof maintenanceAction>;
export type MaintenanceJob = z.output<typeof maintenanceJob>;
export type MaintenanceJobInput = z.input<typeof maintenanceJob>;
export type MaintenancePolicy = z.output<typeof maintenancePolicy>;
export type MaintenanceReport = z.output<typeof maintenanceReport>;
export type SettingSource = z.output<typeof settingSource>;
export type ReportedSetting = z.output<typeof reportedSetting>;
export type SkippedByPolicy = z.output<typeof skippedByPolicy>;
