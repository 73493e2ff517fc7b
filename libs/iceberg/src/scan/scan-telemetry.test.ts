import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import { planScan } from './plan.ts';
import { scanToTable } from './read.ts';
import { buildTable } from './scan-fixtures.test-helper.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

it('emits one span per scan with table, snapshot, files planned/skipped, bytes and rows', async () => {
  const { io, metadata } = await buildTable();
  exporter.reset();
  const plan = await planScan(metadata, io, { filter: "region = 'us'", columns: ['id'], tableName: 'db.t' });
  const table = await scanToTable(plan, io);
  expect(table.numRows).toBe(3);
  const spans = exporter.getFinishedSpans().filter((s) => s.name === 'iceberg.scan');
  expect(spans).toHaveLength(1);
  expect(spans[0]!.attributes).toMatchObject({
    'floe.table': 'db.t',
    'floe.snapshot_id': String(metadata.currentSnapshotId),
    'floe.scan.filter': "region = 'us'",
    'floe.scan.files_total': 7,
    'floe.scan.files_skipped': 5,
    'floe.scan.files_read': 2,
    'floe.rows': 3,
  });
  expect(spans[0]!.attributes['floe.scan.bytes_read']).toBeGreaterThan(0);
});

it('marks the span failed when a data file cannot be read', async () => {
  const { io, metadata } = await buildTable();
  const plan = await planScan(metadata, io, { tableName: 'db.t' });
  await io.delete(plan.tasks[0]!.file.filePath);
  exporter.reset();
  const error = await scanToTable(plan, io).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(IcebergError);
  expect((error as IcebergError).message).toContain(plan.tasks[0]!.file.filePath);
  const [span] = exporter.getFinishedSpans().filter((s) => s.name === 'iceberg.scan');
  expect(span?.status.code).toBe(2);
});

it('surfaces a storage error while fetching column chunks as that error, retryable', async () => {
  const { io, metadata } = await buildTable();
  const plan = await planScan(metadata, io, { tableName: 'db.t' });
  const target = plan.tasks[0]!.file.filePath;
  const flaky = Object.assign(Object.create(io) as typeof io, {
    readRange: async (location: string, offset: number, length: number) => {
      // The footer sits at the end of the file; the first column chunk starts right after "PAR1".
      if (location === target && offset === 4) {
        throw new IcebergError('io', `connection reset reading ${location}`, { context: { file: location } });
      }
      return io.readRange(location, offset, length);
    },
  });
  const error = await scanToTable(plan, flaky).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(IcebergError);
  expect((error as IcebergError).message).toBe(`connection reset reading ${target}`);
  expect((error as IcebergError).retryable).toBe(true);
  // The wasm decoder is still usable afterwards.
  expect((await scanToTable(plan, io)).numRows).toBe(9);
});
