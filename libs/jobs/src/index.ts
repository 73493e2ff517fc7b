// @floe/jobs: the job contract between producers and the worker fleet — zod schemas for write
// and maintenance jobs and their results, queue names, the staging key layout, and JSON Schema
// export for producers in other languages.
export {
  catalogScopeOf,
  commitCoordinationBase,
  MAINTENANCE_RIGHT_OF_WAY_TTL_MS,
  maintenanceRightOfWayKey,
} from './commit-coordination.ts';
export {
  EXACTLY_ONCE_WINDOW_MS,
  JOB_IDS_PROPERTY,
  jobIdsInSummary,
  MARKER_CLOCK_SKEW_MS,
  markerSearchStartMs,
} from './exactly-once.ts';
export { type ExpressionJson, expressionJson } from './expression.ts';
export { exportedSchemas, renderJsonSchemas } from './json-schema.ts';
export {
  MAINTENANCE_JOB_VERSION,
  type MaintenanceAction,
  type MaintenanceJob,
  type MaintenanceJobInput,
  type MaintenancePolicy,
  type MaintenanceReport,
  maintenanceAction,
  maintenanceJob,
  maintenancePolicy,
  maintenanceReport,
  type ReportedSetting,
  reportedSetting,
  type SettingSource,
  type SkippedByPolicy,
  settingSource,
  skippedByPolicy,
} from './maintenance-job.ts';
export { JobContractError, parseMaintenanceJob, parseWriteJob, parseWriteResult } from './parse.ts';
export {
  DEFAULT_MAINTENANCE_QUEUE,
  DEFAULT_QUEUE_PREFIX,
  DEFAULT_WRITE_QUEUE,
  parseS3Uri,
  type StagingLocation,
  stagingKey,
  stagingUri,
  WRITE_JOB_NAME,
} from './queues.ts';
export { outsideStagingArea, stagingAreaUri } from './staging-area.ts';
export {
  idempotencyKey,
  type StagedBatch,
  type TableIdentifier,
  WRITE_JOB_VERSION,
  type WriteJob,
  type WriteJobInput,
  writeJob,
} from './write-job.ts';
export { type FailureReason, failureReason, type WriteResult, writeResult } from './write-result.ts';
