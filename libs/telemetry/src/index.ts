// @floe/telemetry: logging with redaction, OpenTelemetry tracing, Prometheus metrics and the
// ops HTTP server (/healthz, /readyz, /metrics). Curated exports only.
export { TelemetryError, type TelemetryErrorKind } from './errors.ts';
export {
  type CreateLoggerOptions,
  createLogger,
  type DestinationStream,
  type Logger,
  type LogLevel,
} from './logger.ts';
export {
  type CatalogCallSample,
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  type MetricsRegistry,
  type MetricsRegistryOptions,
  metricsHandler,
  registerCatalogMetrics,
} from './metrics.ts';
export { type OpsServer, type OpsServerOptions, type Readiness, startOpsServer } from './ops-server.ts';
export { redactSecretFields, SECRET_FIELD_NAMES, SECRET_HEADER_NAMES } from './redact-fields.ts';
export { REDACTED, redactSecrets } from './redact-secrets.ts';
export {
  FLOE_TRACER_NAME,
  type StartTelemetryOptions,
  startTelemetry,
  type TelemetryHandle,
  type TraceExporterKind,
  withSpan,
} from './tracing.ts';
