// @floe/maintenance-worker: public entry point. The process itself starts from src/main.ts
// (`floe-maintenance`); these exports let tests and the CLI drive the worker in-process.
export { CommitRightOfWay, type RightOfWay } from './commit-right-of-way.ts';
export { fanOut, fanOutTargets, PER_TABLE_JOB_OPTIONS, perTableJobId } from './fan-out.ts';
export type { ActionOutcome, MaintenanceDeps, StagingArea } from './maintenance-deps.ts';
export { MaintenanceError, type MaintenanceErrorKind } from './maintenance-error.ts';
export {
  createMaintenanceMetrics,
  type MaintenanceMetrics,
  TABLE_HEALTH_GAUGES,
} from './maintenance-metrics.ts';
export { type PendingWriteJobs, pendingWriteJobs } from './pending-write-jobs.ts';
export {
  type MaintenanceRuntime,
  processMaintenanceJob,
  RUN_FINISHED_MESSAGE,
  RUN_SPAN_NAME,
  workerName,
} from './process-maintenance-job.ts';
export { registerSchedules, type ScheduleRegistration, scheduledJob } from './schedulers.ts';
export { acquireTableLock, type HeldTableLock, tableLockKey } from './table-lock.ts';
export { type MaintenanceWorker, startMaintenanceWorker } from './worker.ts';
