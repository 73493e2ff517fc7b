import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from './errors.ts';
import { type CatalogLogger, observeOperation, TRACER_NAME } from './telemetry.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
const logger: CatalogLogger = {
  debug: (obj, msg) => lines.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
  info: (obj, msg) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
  warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  error: (obj, msg) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
};
const facts = {
  operation: 'loadTable',
  catalogUri: 'http://cat',
  namespace: 'bronze',
  table: 'bronze.events',
};

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});
beforeEach(() => {
  exporter.reset();
  lines.length = 0;
});

describe('observeOperation', () => {
  it('writes one span and one info line with operation, URI, table, status, attempts and duration', async () => {
    const result = await observeOperation(logger, facts, async (record) => {
      record.attempts = 2;
      record.status = 200;
      return 42;
    });
    expect(result).toBe(42);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('catalog.loadTable');
    expect(span?.instrumentationScope.name).toBe(TRACER_NAME);
    expect(span?.attributes).toMatchObject({
      'floe.catalog.operation': 'loadTable',
      'floe.catalog.uri': 'http://cat',
      'floe.catalog.namespace': 'bronze',
      'floe.catalog.table': 'bronze.events',
      'floe.catalog.attempts': 2,
      'http.response.status_code': 200,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toBe('catalog loadTable ok');
    expect(lines[0]?.obj).toMatchObject({ operation: 'loadTable', status: 200, attempts: 2 });
    expect(typeof lines[0]?.obj['durationMs']).toBe('number');
  });

  it('marks the span as failed and logs expected client errors at info, the rest at warn', async () => {
    const missing = new CatalogError('no-such-table', 'gone', { context: { status: 404 } });
    await expect(observeOperation(logger, facts, () => Promise.reject(missing))).rejects.toBe(missing);
    const outage = new CatalogError('service-unavailable', 'down', { context: { status: 503 } });
    await expect(
      observeOperation(logger, { operation: 'listNamespaces', catalogUri: 'u' }, () =>
        Promise.reject(outage),
      ),
    ).rejects.toBe(outage);
    await expect(observeOperation(undefined, facts, () => Promise.reject(new Error('bug')))).rejects.toThrow(
      'bug',
    );

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.attributes['floe.catalog.error_kind'])).toEqual([
      'no-such-table',
      'service-unavailable',
      'unexpected',
    ]);
    expect(spans[0]?.status).toMatchObject({ code: 2, message: 'gone' });
    expect(spans[0]?.attributes['http.response.status_code']).toBe(404);
    expect(lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
      'info catalog loadTable failed',
      'warn catalog listNamespaces failed',
    ]);
    expect(lines[1]?.obj).toMatchObject({ errorKind: 'service-unavailable', status: 503, err: 'down' });
  });
});
