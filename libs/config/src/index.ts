// @floe/config: the floe.yaml schema, `${env:…}` interpolation and CompiledArtifacts — the one
// resolved configuration document every floe app (and the Python integration) reads.
// Curated exports only.
export {
  DEFAULT_ARTIFACTS_FILE,
  loadCompiledArtifacts,
  resolveCompiledArtifacts,
  secretValuesOf,
  serializeCompiledArtifacts,
  writeCompiledArtifacts,
} from './artifacts.ts';
export { type CatalogClientOverrides, restCatalogOptionsFrom, s3PropertiesFrom } from './client-options.ts';
export { type CompileOptions, compileConfig } from './compile.ts';
export type { Env } from './env-interpolation.ts';
export { ConfigError, type ConfigErrorKind, type ConfigIssue, formatIssue } from './errors.ts';
export { type AppConfigSource, compileAndResolve, loadAppArtifacts } from './load-app-artifacts.ts';
export { redactConfig } from './redact-config.ts';
export type { CatalogConfig } from './schema/catalog.ts';
export {
  ARTIFACTS_VERSION,
  type CompiledArtifacts,
  CompiledArtifactsSchema,
  type FloeConfig,
  FloeConfigSchema,
} from './schema/floe-config.ts';
export type {
  MaintenanceConfig,
  MaintenanceWorkerConfig,
  RetentionConfig,
  ScheduleConfig,
} from './schema/maintenance.ts';
export { DEFAULT_SCHEDULES, effectiveSchedules } from './schema/maintenance.ts';
export type { ObservabilityConfig } from './schema/observability.ts';
export type { QueueConfig } from './schema/queue.ts';
export type { StorageConfig } from './schema/storage.ts';
export type { WriterConfig } from './schema/writer.ts';
