// One log line and one OpenTelemetry span per catalog operation, with the same facts in both:
// operation, catalog URI, namespace, table, HTTP status, attempts, duration and, on failure,
// the error kind. Successful operations log at debug (one line per call), failures at info or
// warn; `CatalogCallObserver` receives every HTTP exchange for metrics. The logger is a tiny structural interface (pino satisfies it) so this library
// does not depend on how an app sets up logging; spans go straight to @opentelemetry/api under
// the tracer name `floe.catalog`. Nothing here ever receives a secret: callers pass only
// identifiers and statuses.

import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { isCatalogError } from './errors.ts';

/** The subset of a pino logger the catalog uses. */
export interface CatalogLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const TRACER_NAME = 'floe.catalog';

/** One HTTP exchange with the catalog (or its token endpoint), for metrics. */
export interface CatalogCallObservation {
  /** The operation (`loadTable`, `getConfig`, `oauthToken`, …). */
  readonly operation: string;
  /** The HTTP status, or `error` when no answer came (network error, timeout). */
  readonly status: number | 'error';
  readonly durationMs: number;
}

/** Called once per HTTP exchange; apps count these in Prometheus (`floe_catalog_requests_total`). */
export type CatalogCallObserver = (observation: CatalogCallObservation) => void;

/** Mutable facts an operation fills in while it runs (the transport counts attempts). */
export interface OperationRecord {
  attempts: number;
  status: number | undefined;
}

export interface OperationFacts {
  readonly operation: string;
  readonly catalogUri: string;
  readonly namespace?: string;
  readonly table?: string;
}

export async function observeOperation<T>(
  logger: CatalogLogger | undefined,
  facts: OperationFacts,
  run: (record: OperationRecord) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(`catalog.${facts.operation}`, async (span: Span) => {
    const record: OperationRecord = { attempts: 0, status: undefined };
    const started = performance.now();
    span.setAttributes({
      'floe.catalog.operation': facts.operation,
      'floe.catalog.uri': facts.catalogUri,
      ...(facts.namespace === undefined ? {} : { 'floe.catalog.namespace': facts.namespace }),
      ...(facts.table === undefined ? {} : { 'floe.catalog.table': facts.table }),
    });
    try {
      const result = await run(record);
      const durationMs = Math.round(performance.now() - started);
      finishSpan(span, record, durationMs);
      span.setStatus({ code: SpanStatusCode.OK });
      logger?.debug({ ...facts, ...record, durationMs }, `catalog ${facts.operation} ok`);
      return result;
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      const kind = isCatalogError(error) ? error.kind : 'unexpected';
      const status = record.status ?? (isCatalogError(error) ? error.status : undefined);
      finishSpan(span, { ...record, status }, durationMs);
      span.setAttribute('floe.catalog.error_kind', kind);
      const message = error instanceof Error ? error.message : String(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      const fields = { ...facts, ...record, status, durationMs, errorKind: kind, err: message };
      // Expected outcomes (a missing table on an exists-style probe) are not worth a warning.
      if (isCatalogError(error) && !error.retryable && error.status !== undefined && error.status < 500) {
        logger?.info(fields, `catalog ${facts.operation} failed`);
      } else {
        logger?.warn(fields, `catalog ${facts.operation} failed`);
      }
      throw error;
    } finally {
      span.end();
    }
  });
}

function finishSpan(span: Span, record: OperationRecord, durationMs: number): void {
  span.setAttributes({
    'floe.catalog.attempts': record.attempts,
    'floe.catalog.duration_ms': durationMs,
    ...(record.status === undefined ? {} : { 'http.response.status_code': record.status }),
  });
}
