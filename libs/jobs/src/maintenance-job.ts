// The maintenance job contract, version 1: one action on one table, scheduled by the
// maintenance worker's job schedulers or enqueued on demand (`floe maintenance run`).
import { z } from 'zod';
import { tableIdentifier } from './write-job.ts';

export const MAINTENANCE_JOB_VERSION = 1;

export const maintenancePolicy = z.strictObject({
  maxSnapshotAgeMs: z.number().int().positive().optional(),
  minSnapshotsToKeep: z.number().int().positive().optional(),
  maxRefAgeMs: z.number().int().positive().optional(),
  orphanOlderThanMs: z.number().int().positive().optional(),
  stagingRetentionMs: z.number().int().positive().optional(),
});

export const maintenanceJob = z.strictObject({
  version: z.literal(MAINTENANCE_JOB_VERSION),
  action: z.enum(['expire', 'orphans', 'staging']),
  /** absent for `staging`, which works on the staging prefix rather than a table */
  table: tableIdentifier.optional(),
  dryRun: z.boolean().default(false),
  policy: maintenancePolicy.default({}),
});

export const maintenanceReport = z.strictObject({
  action: z.enum(['expire', 'orphans', 'staging']),
  table: z.string().optional(),
  dryRun: z.boolean(),
  snapshotsExpired: z.number().int().nonnegative(),
  filesDeleted: z.number().int().nonnegative(),
  bytesDeleted: z.number().int().nonnegative(),
  /** with dryRun, the files that a real run would delete */
  files: z.array(z.string()).default([]),
  durationMs: z.number().nonnegative(),
});

export type MaintenanceJob = z.output<typeof maintenanceJob>;
export type MaintenanceReport = z.output<typeof maintenanceReport>;
