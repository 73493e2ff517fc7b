// A process with a tracer but no registered propagator (no NodeSDK): the job span must still join
// the producer's trace, read straight from the W3C traceparent the contract fixes.
import { propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { producerContext, traceWriteJob, WRITE_JOB_SPAN_NAME } from './job-span.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PRODUCER_SPAN_ID = '00f067aa0ba902b7';

beforeAll(() => {
  propagation.disable();
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

it("parents the job span on the traceparent's trace without a propagator", async () => {
  await expect(
    traceWriteJob(
      { table: 'db.t', jobId: 'job-1', attempt: 1, traceparent: `00-${TRACE_ID}-${PRODUCER_SPAN_ID}-01` },
      async () => {
        throw new Error('catalog unavailable');
      },
    ),
  ).rejects.toThrow('catalog unavailable');
  const [span] = exporter.getFinishedSpans();
  expect(span?.name).toBe(WRITE_JOB_SPAN_NAME);
  expect(span?.parentSpanContext?.traceId).toBe(TRACE_ID);
  expect(span?.parentSpanContext?.spanId).toBe(PRODUCER_SPAN_ID);
  expect(span?.spanContext().traceId).toBe(TRACE_ID);
  expect(span?.attributes).toMatchObject({ 'floe.job.outcome': 'retry', 'floe.job.attempt': 1 });
});

it('reads the sampled flag, and ignores an invalid (all-zero) or absent traceparent', () => {
  expect(trace.getSpanContext(producerContext(`00-${TRACE_ID}-${PRODUCER_SPAN_ID}-00`))).toMatchObject({
    traceId: TRACE_ID,
    spanId: PRODUCER_SPAN_ID,
    traceFlags: 0,
    isRemote: true,
  });
  expect(
    trace.getSpanContext(producerContext(`00-${'0'.repeat(32)}-${PRODUCER_SPAN_ID}-01`)),
  ).toBeUndefined();
  expect(trace.getSpanContext(producerContext(undefined))).toBeUndefined();
});
