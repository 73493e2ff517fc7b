import type { WriteResult } from '@floe/jobs';
import { FLOE_TRACER_NAME, startTelemetry, withSpan } from '@floe/telemetry';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { jobSpanInfo, traceWriteJob, WRITE_JOB_SPAN_NAME } from './job-span.ts';
import { WriterError } from './writer-error.ts';

// The real SDK setup a worker runs (W3C propagator, async-context manager), recording in memory.
const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({
  serviceName: 'writer-test',
  exporter: 'none',
  additionalExporter: exporter,
});
afterAll(() => telemetry.shutdown());
beforeEach(() => exporter.reset());

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PRODUCER_SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${PRODUCER_SPAN_ID}-01`;

const payload = {
  v: 1,
  table: { namespace: ['bronze'], name: 'events' },
  idempotencyKey: 'job-42',
  traceparent: TRACEPARENT,
};

const result: WriteResult = {
  table: 'bronze.events',
  snapshotId: '8765432109876543210',
  sequenceNumber: '7',
  operation: 'append',
  addedRows: 1000,
  addedFiles: 2,
  addedBytes: 34567,
  removedFiles: 0,
  deletedRows: 0,
  schemaId: 0,
  attempts: 1,
  coalescedJobs: 3,
  committedAt: '2026-01-01T00:00:00.000Z',
  alreadyCommitted: false,
};

function finished(name: string) {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (span === undefined) throw new Error(`no finished span ${name}`);
  return span;
}

describe('traceWriteJob', () => {
  it("parents the job span on the job's traceparent and nests the library spans under it", async () => {
    const returned = await traceWriteJob(jobSpanInfo(payload, 'bull-1', 2), () =>
      withSpan('iceberg.commit', {}, async () => result),
    );
    expect(returned).toBe(result);
    await telemetry.forceFlush();
    const job = finished(WRITE_JOB_SPAN_NAME);
    expect(job.instrumentationScope.name).toBe(FLOE_TRACER_NAME);
    expect(job.spanContext().traceId).toBe(TRACE_ID);
    expect(job.parentSpanContext?.traceId).toBe(TRACE_ID);
    expect(job.parentSpanContext?.spanId).toBe(PRODUCER_SPAN_ID);
    expect(job.parentSpanContext?.isRemote).toBe(true);
    const commit = finished('iceberg.commit');
    expect(commit.spanContext().traceId).toBe(TRACE_ID);
    expect(commit.parentSpanContext?.spanId).toBe(job.spanContext().spanId);
    expect(job.status.code).toBe(SpanStatusCode.OK);
    expect(job.attributes).toEqual({
      'floe.table': 'bronze.events',
      'floe.job.id': 'job-42',
      'floe.job.attempt': 2,
      'floe.job.outcome': 'committed',
      'floe.snapshot_id': '8765432109876543210',
      'floe.rows': 1000,
      'floe.files': 2,
      'floe.bytes': 34567,
      'floe.commit.attempts': 1,
      'floe.job.coalesced_jobs': 3,
    });
  });

  it('marks a job found by its marker as already-committed', async () => {
    await traceWriteJob(jobSpanInfo(payload, 'bull-1', 1), async () => ({
      ...result,
      alreadyCommitted: true,
    }));
    await telemetry.forceFlush();
    expect(finished(WRITE_JOB_SPAN_NAME).attributes['floe.job.outcome']).toBe('already-committed');
  });

  it('records a permanent failure with its kind and outcome failed, and rethrows the same error', async () => {
    const failure = new WriterError('table-missing', 'table bronze.events does not exist');
    await expect(
      traceWriteJob(jobSpanInfo(payload, 'bull-1', 1), async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await telemetry.forceFlush();
    const job = finished(WRITE_JOB_SPAN_NAME);
    expect(job.parentSpanContext?.traceId).toBe(TRACE_ID);
    expect(job.status).toEqual({ code: SpanStatusCode.ERROR, message: 'table bronze.events does not exist' });
    expect(job.attributes).toMatchObject({
      'floe.job.outcome': 'failed',
      'floe.job.error_kind': 'table-missing',
    });
    expect(job.events.find((event) => event.name === 'exception')).toBeDefined();
  });

  it('records an infrastructure error as outcome retry', async () => {
    await expect(
      traceWriteJob(jobSpanInfo(payload, 'bull-1', 1), async () => {
        throw new Error('ECONNRESET');
      }),
    ).rejects.toThrow('ECONNRESET');
    await telemetry.forceFlush();
    expect(finished(WRITE_JOB_SPAN_NAME).attributes['floe.job.outcome']).toBe('retry');
  });

  it('starts a new trace for a job without traceparent, and still spans a malformed payload', async () => {
    await traceWriteJob(
      jobSpanInfo({ table: { namespace: ['a'], name: 'b' } }, 'bull-7', 1),
      async () => result,
    );
    await expect(
      traceWriteJob(jobSpanInfo('not a job', 'bull-8', 1), async () => {
        throw new WriterError('table-missing', 'bad');
      }),
    ).rejects.toThrow('bad');
    await telemetry.forceFlush();
    const [first, second] = exporter.getFinishedSpans();
    expect(first?.parentSpanContext).toBeUndefined();
    expect(first?.attributes).toMatchObject({ 'floe.table': 'a.b', 'floe.job.id': 'bull-7' });
    expect(second?.parentSpanContext).toBeUndefined();
    expect(second?.attributes).toMatchObject({ 'floe.table': 'unknown', 'floe.job.id': 'bull-8' });
  });
});
