import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { commitWithRebase } from './commit.ts';
import { InMemoryCatalog, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import { fastAppend } from './table-actions.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

it('emits one span and one log line per commit with table, snapshot, rows, files, bytes, attempts', async () => {
  const catalog = new InMemoryCatalog(newTableMetadata());
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    info: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
  };
  const outcome = await commitWithRebase({
    committer: catalog,
    identifier: { namespace: ['db'], name: 't' },
    io: new MemoryFileIO(),
    base: await catalog.loadTable({ namespace: ['db'], name: 't' }),
    logger,
    change: fastAppend([
      {
        specId: 0,
        file: {
          content: 'data',
          filePath: 'mem://t/data/a.parquet',
          fileFormat: 'parquet',
          partition: ['eu'],
          recordCount: 12n,
          fileSizeInBytes: 3456n,
        },
      },
    ]),
  });
  const snapshotId = outcome.snapshot.snapshotId.toString();
  expect(lines).toEqual([
    {
      message: 'committed snapshot',
      fields: expect.objectContaining({
        table: 'db.t',
        snapshotId,
        attempts: 1,
        addedRecords: '12',
        addedFiles: '1',
        addedBytes: '3456',
        durationMs: expect.any(Number),
      }),
    },
  ]);
  const [span] = exporter.getFinishedSpans();
  expect(span?.name).toBe('iceberg.commit');
  expect(span?.attributes).toMatchObject({
    'floe.table': 'db.t',
    'floe.snapshot_id': snapshotId,
    'floe.commit.attempts': 1,
    'floe.rows_added': 12,
    'floe.files_added': 1,
    'floe.bytes_added': 3456,
  });
});
