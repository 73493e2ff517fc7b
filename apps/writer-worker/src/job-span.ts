// The `floe.write_job` span: one per delivery of a write job, parented on the producer's trace
// (the W3C `traceparent` the job carries, DESIGN §4/§9) and made the active context while the job
// runs, so the catalog, data-file write and commit spans of the libraries nest under it and a
// trace shows a write from `producer.write()` to the committed snapshot. The payload is read
// defensively — a malformed job still gets its span (with outcome `failed`), since the contract
// check happens inside the work this wraps.

import { formatTable } from '@floe/iceberg';
import type { WriteResult } from '@floe/jobs';
import { FLOE_TRACER_NAME } from '@floe/telemetry';
import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type SpanContext,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { errorKind, isRetryable, type JobOutcome } from './classify-error.ts';

export const WRITE_JOB_SPAN_NAME = 'floe.write_job';

export interface JobSpanInfo {
  /** Dotted table name, or `unknown` when the payload does not name one. */
  readonly table: string;
  /** The job's idempotency key (the id its commit marker holds), else the queue's job id. */
  readonly jobId: string;
  /** BullMQ delivery attempt, 1-based. */
  readonly attempt: number;
  readonly traceparent?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function field(payload: unknown, key: string): unknown {
  return typeof payload === 'object' && payload !== null
    ? (payload as Record<string, unknown>)[key]
    : undefined;
}

/** What the span needs from a raw (not yet validated) job payload. */
export function jobSpanInfo(payload: unknown, queueJobId: string | undefined, attempt: number): JobSpanInfo {
  const table = field(payload, 'table');
  const namespace = field(table, 'namespace');
  const name = field(table, 'name');
  const key = field(payload, 'idempotencyKey');
  const traceparent = field(payload, 'traceparent');
  return {
    table:
      Array.isArray(namespace) &&
      namespace.every((level) => typeof level === 'string') &&
      typeof name === 'string'
        ? formatTable({ namespace, name })
        : 'unknown',
    jobId: typeof key === 'string' && key !== '' ? key : (queueJobId ?? 'unknown'),
    attempt,
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  };
}

/** The W3C traceparent as a remote span context, without a propagator (a process with no SDK). */
function spanContextOf(traceparent: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent);
  if (match === null || match[1] === 'ff') return undefined;
  const spanContext: SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: Number.parseInt(match[4] as string, 16) & 0x01,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * The producer's context: through the registered propagator (the SDK's W3C one, which also keeps
 * `tracestate` semantics), else parsed directly — the contract fixes the format to W3C, so the
 * link survives a process whose propagator is not configured.
 */
export function producerContext(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  const extracted = propagation.extract(ROOT_CONTEXT, { traceparent });
  const found = trace.getSpanContext(extracted);
  if (found !== undefined && isSpanContextValid(found)) return extracted;
  const parsed = spanContextOf(traceparent);
  return parsed === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parsed);
}

function resultAttributes(result: WriteResult): Attributes {
  return {
    'floe.job.outcome': result.alreadyCommitted ? 'already-committed' : 'committed',
    'floe.snapshot_id': result.snapshotId,
    'floe.rows': result.addedRows,
    'floe.files': result.addedFiles,
    'floe.bytes': result.addedBytes,
    'floe.commit.attempts': result.attempts,
    'floe.job.coalesced_jobs': result.coalescedJobs,
  };
}

/**
 * Runs one delivery of a write job inside a `floe.write_job` span whose parent is the job's
 * traceparent. The result sets the snapshot, rows, files, bytes and outcome; an error is recorded
 * with its kind and outcome `retry` or `failed` (from its retryable flag) and rethrown unchanged.
 */
export function traceWriteJob(info: JobSpanInfo, work: () => Promise<WriteResult>): Promise<WriteResult> {
  const tracer = trace.getTracer(FLOE_TRACER_NAME);
  const attributes: Attributes = {
    'floe.table': info.table,
    'floe.job.id': info.jobId,
    'floe.job.attempt': info.attempt,
  };
  const parent = producerContext(info.traceparent);
  const span = tracer.startSpan(WRITE_JOB_SPAN_NAME, { attributes }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      const result = await work();
      span.setAttributes(resultAttributes(result));
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (error) {
      const outcome: JobOutcome = isRetryable(error) ? 'retry' : 'failed';
      span.setAttributes({ 'floe.job.outcome': outcome, 'floe.job.error_kind': errorKind(error) });
      const exception = error instanceof Error ? error : new Error(String(error));
      span.recordException(exception);
      span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
      throw error;
    } finally {
      span.end();
    }
  });
}
