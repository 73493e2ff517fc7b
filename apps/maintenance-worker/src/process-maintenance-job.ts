// One delivery of a maintenance job, from raw payload to report. The payload is checked against
// the v1 contract (a malformed job fails at once with every bad field named); a fan-out job
// enqueues its per-table jobs; a table or staging run takes the target's Redis lock (waiting at
// most `table_lock_wait_ms`, else it fails retryably and BullMQ runs it later), does the work,
// and releases the lock. `startedAt`/`finishedAt` bracket exactly the work done under the lock,
// so for one table the intervals of all reports never overlap. Every run ends in the job's
// return value, one `maintenance run finished` log line with the same fields, the
// `floe.maintenance.run` span and the metrics; a run on a table also refreshes that table's
// health gauges.
import { hostname } from 'node:os';
import { formatTable, isCatalogError, type TableIdentifier } from '@floe/catalog';
import { type MaintenanceJob, type MaintenanceReport, parseMaintenanceJob } from '@floe/jobs';
import { withSpan } from '@floe/telemetry';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { fanOut } from './fan-out.ts';
import { type ActionOutcome, type MaintenanceDeps, NOTHING_DONE } from './maintenance-deps.ts';
import { kindOf, MaintenanceError, retryableFlag } from './maintenance-error.ts';
import type { MaintenanceMetrics } from './maintenance-metrics.ts';
import { recordTableHealth } from './record-table-health.ts';
import { runCompact } from './run-compact.ts';
import { runExpire } from './run-expire.ts';
import { runOrphans } from './run-orphans.ts';
import { runRewriteManifests } from './run-rewrite-manifests.ts';
import { runStaging } from './run-staging.ts';
import { acquireTableLock, tableLockKey } from './table-lock.ts';

export const RUN_FINISHED_MESSAGE = 'maintenance run finished';
export const RUN_SPAN_NAME = 'floe.maintenance.run';
/** Reports list at most this many files (the counts stay exact). */
export const MAX_REPORTED_FILES = 10_000;

export interface MaintenanceRuntime {
  readonly deps: MaintenanceDeps;
  /** The maintenance queue (fan-out jobs add their per-table jobs here). */
  readonly queue: Queue;
  readonly redis: Redis;
  /** `queue.prefix`: lock keys live next to the queues. */
  readonly prefix: string;
  readonly lockTtlMs: number;
  readonly lockWaitMs: number;
  readonly metrics: MaintenanceMetrics;
  /** `<hostname>:<pid>` */
  readonly worker: string;
}

export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

function targetOf(job: MaintenanceJob): string | undefined {
  return job.table === undefined ? undefined : formatTable(job.table);
}

/** A catalog "no such table/namespace" becomes a permanent, actionable failure. */
function explain(error: unknown, job: MaintenanceJob): unknown {
  if (isCatalogError(error) && (error.kind === 'no-such-table' || error.kind === 'no-such-namespace')) {
    const what = job.table === undefined ? 'a namespace of this job' : `table ${formatTable(job.table)}`;
    return new MaintenanceError(
      'invalid-target',
      `maintenance ${job.action} failed: ${what} does not exist in the catalog (${error.message}); ` +
        'check the name (`floe table list NS`) or remove it from maintenance.schedules',
      { action: job.action },
      error,
    );
  }
  return error;
}

async function runAction(job: MaintenanceJob, runtime: MaintenanceRuntime, assertHeld: () => void) {
  const table = job.table as TableIdentifier;
  switch (job.action) {
    case 'expire':
      return runExpire(job, table, runtime.deps, assertHeld);
    case 'orphans':
      return runOrphans(job, table, runtime.deps, assertHeld);
    case 'staging':
      return runStaging(job, runtime.deps, assertHeld);
    case 'compact':
      return runCompact(job, table, runtime.deps, assertHeld);
    case 'rewrite-manifests':
      return runRewriteManifests(job, table, runtime.deps, assertHeld);
  }
}

/** Takes the target's lock, runs the action, releases; returns the outcome and the locked interval. */
async function runLocked(job: MaintenanceJob, runtime: MaintenanceRuntime) {
  const target = job.table === undefined ? ['staging'] : [...job.table.namespace, job.table.name];
  const key = tableLockKey(runtime.prefix, target);
  const waitStarted = Date.now();
  const lock = await acquireTableLock({
    redis: runtime.redis,
    key,
    ttlMs: runtime.lockTtlMs,
    waitMs: runtime.lockWaitMs,
  }).catch((error: unknown) => {
    runtime.metrics.lockWait('timeout', Date.now() - waitStarted);
    throw error;
  });
  runtime.metrics.lockWait('acquired', lock.waitedMs);
  const startedAt = new Date();
  try {
    const outcome: ActionOutcome = await runAction(job, runtime, () => lock.assertHeld());
    return { outcome, startedAt, finishedAt: new Date() };
  } finally {
    await lock.release().catch((error: unknown) => {
      // The lock then expires after its TTL; the run itself is done.
      runtime.deps.logger.warn({ key, err: String(error) }, 'could not release the maintenance lock');
    });
  }
}

function reportOf(
  job: MaintenanceJob,
  runtime: MaintenanceRuntime,
  outcome: ActionOutcome,
  startedAt: Date,
  finishedAt: Date,
  enqueuedJobs?: string[],
): MaintenanceReport {
  const table = targetOf(job);
  return {
    action: job.action,
    ...(table === undefined ? {} : { table }),
    dryRun: job.dryRun,
    snapshotsExpired: outcome.snapshotsExpired,
    snapshotsRetainedForPendingJobs: outcome.snapshotsRetainedForPendingJobs,
    filesDeleted: outcome.filesDeleted,
    bytesDeleted: outcome.bytesDeleted,
    failedDeletes: outcome.failedDeletes,
    files: outcome.files.slice(0, MAX_REPORTED_FILES),
    ...(outcome.rewrite === undefined ? {} : { rewrite: outcome.rewrite }),
    ...(enqueuedJobs === undefined ? {} : { enqueuedJobs }),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    worker: runtime.worker,
  };
}

async function run(
  job: MaintenanceJob,
  jobId: string,
  runtime: MaintenanceRuntime,
): Promise<MaintenanceReport> {
  if (job.action !== 'staging' && job.table === undefined) {
    const startedAt = new Date();
    const ids = await fanOut(job, jobId, runtime.queue, runtime.deps.catalog);
    return reportOf(job, runtime, NOTHING_DONE, startedAt, new Date(), ids);
  }
  const { outcome, startedAt, finishedAt } = await runLocked(job, runtime);
  if (job.table !== undefined) await recordTableHealth(runtime.deps, runtime.metrics, job.table);
  return reportOf(job, runtime, outcome, startedAt, finishedAt);
}

/** Processes one delivery; throws (with `retryable`) when the run failed. */
export async function processMaintenanceJob(
  payload: unknown,
  jobId: string,
  attempt: number,
  runtime: MaintenanceRuntime,
): Promise<MaintenanceReport> {
  const received = Date.now();
  const logger = runtime.deps.logger;
  const action =
    typeof payload === 'object' && payload !== null ? String(Reflect.get(payload, 'action')) : '?';
  let job: MaintenanceJob | undefined;
  return withSpan(RUN_SPAN_NAME, { 'floe.job_id': jobId, 'floe.attempt': attempt }, async (span) => {
    try {
      job = parseMaintenanceJob(payload);
      const table = targetOf(job);
      span.setAttributes({
        'floe.maintenance.action': job.action,
        'floe.maintenance.dry_run': job.dryRun,
        ...(table === undefined ? {} : { 'floe.table': table }),
      });
      const report = await run(job, jobId, runtime);
      span.setAttributes({
        'floe.maintenance.snapshots_expired': report.snapshotsExpired,
        'floe.maintenance.files_deleted': report.filesDeleted,
        'floe.maintenance.bytes_deleted': report.bytesDeleted,
        'floe.maintenance.duration_ms': report.durationMs,
      });
      const { files, ...fields } = report;
      logger.info({ jobId, attempt, ...fields, files: files.slice(0, 100) }, RUN_FINISHED_MESSAGE);
      runtime.metrics.run({
        action: job.action,
        outcome: report.enqueuedJobs !== undefined ? 'fanned-out' : job.dryRun ? 'dry-run' : 'succeeded',
        durationMs: report.durationMs,
        snapshotsExpired: report.snapshotsExpired,
        filesDeleted: report.filesDeleted,
        bytesDeleted: report.bytesDeleted,
        filesRewritten: report.rewrite?.filesRewritten ?? 0,
        deleteFilesRetired: report.rewrite?.deleteFilesRetired ?? 0,
      });
      return report;
    } catch (caught) {
      const error = job === undefined ? caught : explain(caught, job);
      const retryable = retryableFlag(error);
      runtime.metrics.run({
        action: job?.action ?? action,
        outcome: retryable ? 'retry' : 'failed',
        durationMs: Date.now() - received,
      });
      logger.error(
        {
          jobId,
          attempt,
          action: job?.action ?? action,
          ...(job === undefined || targetOf(job) === undefined ? {} : { table: targetOf(job) }),
          kind: kindOf(error),
          retryable,
          err: error instanceof Error ? error.message : String(error),
        },
        retryable ? 'maintenance run failed; it will be retried' : 'maintenance run failed permanently',
      );
      throw error;
    }
  });
}
