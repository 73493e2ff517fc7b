import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetry, withSpan } from './tracing.ts';

const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({
  serviceName: 'floe-test',
  exporter: 'none',
  additionalExporter: exporter,
});
afterAll(() => telemetry.shutdown());

describe('withSpan', () => {
  it('records a successful span with its attributes and an OK status', async () => {
    exporter.reset();
    const result = await withSpan('catalog.loadTable', { 'floe.table': 'db.events' }, async () => 42);
    expect(result).toBe(42);
    await telemetry.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('catalog.loadTable');
    expect(span?.attributes['floe.table']).toBe('db.events');
    expect(span?.status.code).toBe(SpanStatusCode.OK);
  });

  it('records the exception and an ERROR status, then rethrows the same error', async () => {
    exporter.reset();
    const failure = new Error('commit conflict on db.events');
    await expect(
      withSpan('table.commit', {}, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await telemetry.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'commit conflict on db.events' });
    const exceptionEvent = span?.events.find((event) => event.name === 'exception');
    expect(exceptionEvent?.attributes?.['exception.message']).toBe('commit conflict on db.events');
  });

  it('nests spans: a span started inside another is its child', async () => {
    exporter.reset();
    await withSpan('job.process', {}, () => withSpan('table.write', {}, () => undefined));
    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(2);
    const parent = spans.find((span) => span.name === 'job.process');
    const child = spans.find((span) => span.name === 'table.write');
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
  });
});

describe('startTelemetry', () => {
  it('rejects the otlp exporter without an endpoint, naming the key to set', () => {
    expect(() => startTelemetry({ serviceName: 'x', exporter: 'otlp' })).toThrow(
      'observability.otel.endpoint is required when the exporter is otlp',
    );
  });

  it('starts nothing for exporter none and shuts down cleanly', async () => {
    const handle = startTelemetry({ serviceName: 'x', exporter: 'none' });
    await expect(handle.shutdown()).resolves.toBeUndefined();
  });
});
