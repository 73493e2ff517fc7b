import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { Schema } from '../spec/types.ts';
import { writePartitionedDataFiles } from './partitioned-writer.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'region', required: false, type: { kind: 'string' } },
  ],
};

it('emits a span and a log line with rows, files, bytes and duration for each write', async () => {
  const table = new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from([1n, 2n, 3n, 4n])),
    region: arrow.vectorFromArray(['eu', 'us', 'eu', 'us'], new arrow.Utf8()),
  });
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const files = await writePartitionedDataFiles(table.batches, {
    io: new MemoryFileIO(),
    tableLocation: 'mem://t',
    schema,
    spec: { specId: 0, fields: [{ sourceId: 2, fieldId: 1000, name: 'region', transform: 'identity' }] },
    arrowSchema: table.schema,
    logger: { info: (fields, message) => lines.push({ fields, message }) },
  });
  const bytes = files.reduce((sum, f) => sum + Number(f.fileSizeInBytes), 0);
  expect(files).toHaveLength(2);
  expect(lines).toEqual([
    {
      message: 'wrote data files',
      fields: { tableLocation: 'mem://t', rows: 4, files: 2, bytes, durationMs: expect.any(Number) },
    },
  ]);
  const span = exporter.getFinishedSpans().find((s) => s.name === 'iceberg.write_data_files');
  expect(span?.attributes).toMatchObject({ 'floe.rows': 4, 'floe.files': 2, 'floe.bytes': bytes });
});

it('marks the span as failed when the write fails', async () => {
  exporter.reset();
  const table = new arrow.Table({ other: arrow.vectorFromArray([1, 2], new arrow.Int32()) });
  await expect(
    writePartitionedDataFiles(table.batches, {
      io: new MemoryFileIO(),
      tableLocation: 'mem://t',
      schema,
      spec: { specId: 0, fields: [{ sourceId: 2, fieldId: 1000, name: 'region', transform: 'identity' }] },
      arrowSchema: table.schema,
    }),
  ).rejects.toThrow();
  const span = exporter.getFinishedSpans().find((s) => s.name === 'iceberg.write_data_files');
  expect(span?.status.code).toBe(2);
});
