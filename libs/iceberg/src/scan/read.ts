// Executes a scan plan: an async stream of Arrow record batches in the plan's projected schema,
// file by file in plan order, plus `scanToTable` for callers that want everything at once and
// `scanTable` that plans and reads in one call. Each scan runs in an `iceberg.scan` span and ends
// with one log line carrying the table, snapshot, files planned/skipped, bytes fetched and rows
// returned — the numbers that show whether pushdown and column projection did their job.

import { SpanStatusCode, trace } from '@opentelemetry/api';
import { type RecordBatch, Table } from 'apache-arrow';
import { icebergToArrowSchema } from '../arrow/arrow-schema.ts';
import { boundExpressionToString } from '../expressions/bound.ts';
import type { FileIO } from '../io/file-io.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { newReadContext } from './file-projection.ts';
import { planScan, type ScanOptions, type ScanPlan } from './plan.ts';
import { readTask } from './read-task.ts';

export interface ScanLogger {
  info(fields: Record<string, unknown>, message: string): void;
}

export interface ScanReadOptions {
  readonly logger?: ScanLogger;
  /** Stop after this many rows. */
  readonly limit?: number;
  /**
   * Files fetched and decoded at once (default 4). Above 1, the next files' rows are read while
   * earlier ones are consumed, which hides storage latency at the cost of holding their rows.
   */
  readonly concurrency?: number;
  /** Receives the totals when the stream ends (also on early exit). */
  readonly onFinish?: (result: ScanResult) => void;
}

export interface ScanResult {
  readonly rows: number;
  readonly filesRead: number;
  readonly bytesRead: number;
  readonly requests: number;
  readonly durationMs: number;
}

const tracer = trace.getTracer('floe.iceberg');
const DEFAULT_CONCURRENCY = 4;

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

/** The plan's rows as record batches (see header). */
export async function* scanBatches(
  plan: ScanPlan,
  io: FileIO,
  options: ScanReadOptions = {},
): AsyncGenerator<RecordBatch> {
  const span = tracer.startSpan('iceberg.scan', {
    attributes: {
      'floe.table': plan.table,
      'floe.snapshot_id': plan.snapshot?.snapshotId.toString() ?? '',
      'floe.scan.filter': plan.filter.kind === 'true' ? '' : boundExpressionToString(plan.filter),
      'floe.scan.columns': plan.projectedSchema.fields.length,
      'floe.scan.manifests_total': plan.stats.manifestsTotal,
      'floe.scan.manifests_skipped': plan.stats.manifestsSkipped,
      'floe.scan.files_total': plan.stats.filesTotal,
      'floe.scan.files_skipped': plan.stats.filesSkipped,
      'floe.scan.delete_files': plan.stats.deleteFiles,
    },
  });
  const started = Date.now();
  const context = newReadContext(io);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let rows = 0;
  let filesRead = 0;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  // Tasks read ahead of the consumer, oldest first; the stream yields them in plan order.
  const ahead: Promise<RecordBatch[]>[] = [];
  let next = 0;
  const fill = () => {
    while (ahead.length < concurrency && next < plan.tasks.length) {
      const reading = collect(readTask(plan, plan.tasks[next++]!, context));
      // Rejections are rethrown when the stream reaches the task; don't report them early.
      reading.catch(() => undefined);
      ahead.push(reading);
    }
  };
  try {
    fill();
    while (ahead.length > 0 && rows < limit) {
      const batches = await ahead.shift()!;
      filesRead++;
      for (const batch of batches) {
        const room = limit - rows;
        const out = batch.numRows > room ? batch.slice(0, room) : batch;
        rows += out.numRows;
        yield out;
        if (rows >= limit) break;
      }
      if (rows < limit) fill();
    }
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    const result: ScanResult = {
      rows,
      filesRead,
      bytesRead: context.counter.bytes,
      requests: context.counter.requests,
      durationMs: Date.now() - started,
    };
    span.setAttributes({
      'floe.scan.files_read': filesRead,
      'floe.scan.bytes_read': result.bytesRead,
      'floe.scan.requests': result.requests,
      'floe.rows': rows,
    });
    span.end();
    options.logger?.info(
      {
        table: plan.table,
        snapshotId: plan.snapshot?.snapshotId.toString(),
        filesPlanned: plan.tasks.length,
        filesSkipped: plan.stats.filesSkipped,
        manifestsSkipped: plan.stats.manifestsSkipped,
        deleteFiles: plan.stats.deleteFiles,
        filesRead,
        bytesRead: result.bytesRead,
        rows,
        durationMs: result.durationMs,
      },
      'iceberg scan finished',
    );
    options.onFinish?.(result);
  }
}

/** Every batch of the scan collected into one table (empty tables keep the projected schema). */
export async function scanToTable(plan: ScanPlan, io: FileIO, options: ScanReadOptions = {}): Promise<Table> {
  const batches: RecordBatch[] = [];
  for await (const batch of scanBatches(plan, io, options)) batches.push(batch);
  return batches.length === 0 ? new Table(icebergToArrowSchema(plan.projectedSchema)) : new Table(batches);
}

/** Plans and reads in one call. */
export async function scanTable(
  metadata: TableMetadata,
  io: FileIO,
  options: ScanOptions & ScanReadOptions = {},
): Promise<{ plan: ScanPlan; table: Table }> {
  const plan = await planScan(metadata, io, options);
  return { plan, table: await scanToTable(plan, io, options) };
}
