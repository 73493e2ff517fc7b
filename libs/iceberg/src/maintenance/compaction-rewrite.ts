// Rewrites one compaction group: reads each input data file through the scan reader (which drops
// the rows its position and equality deletes remove), and writes the surviving rows into new
// Parquet files of the target size in the same partition. Memory stays bounded: without a sort
// order, batches stream from reader to writer a few files at a time; with one, the group (at most
// `maxGroupBytes` of input) is held, ordered by the table's sort order, and written.
//
// Sorting: fields whose transform preserves order (identity, year/month/day/hour, truncate) are
// sorted by their source column, which also orders the transformed values; other transforms
// (bucket, void) and nested source columns cannot be ordered that way and are skipped.

import type { RecordBatch, Vector } from 'apache-arrow';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { newReadContext } from '../scan/file-projection.ts';
import type { ScanPlan, ScanTask } from '../scan/plan.ts';
import { readTask } from '../scan/read-task.ts';
import type { SortOrder, TableMetadata } from '../spec/partition-types.ts';
import { RollingDataFileWriter } from '../write/data-file-writer.ts';
import { takeRows } from '../write/take-rows.ts';
import type { CompactionGroup } from './compaction-plan.ts';

export interface RewriteGroupInput {
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  readonly scan: ScanPlan;
  readonly group: CompactionGroup;
  readonly targetFileSizeBytes: number;
}

export interface RewrittenGroup {
  readonly files: readonly DataFile[];
  readonly rows: bigint;
}

/** Rewrites a group; on failure, deletes whatever it wrote and rethrows. */
export type GroupRewriter = (input: RewriteGroupInput) => Promise<RewrittenGroup>;

/**
 * Input files read at once, without a sort: as many as fit in `READ_AHEAD_BYTES` of Parquet, at
 * least 1 and at most `READ_AHEAD_FILES`. A busy table's inputs are thousands of files of a few
 * KiB, where each read is one S3 round trip: reading 8 at a time made a 2,000-file compaction
 * take over a minute. Bytes bound memory (decoded batches are a small multiple of the file).
 */
const READ_AHEAD_FILES = 64;
const READ_AHEAD_BYTES = 16 * 1024 * 1024;

/** The next slice of `tasks` from `start` to read at once (see READ_AHEAD_*). */
export function readAheadEnd(tasks: readonly ScanTask[], start: number): number {
  let bytes = 0;
  let end = start;
  while (end < tasks.length && end - start < READ_AHEAD_FILES) {
    bytes += Number((tasks[end] as ScanTask).file.fileSizeInBytes);
    if (end > start && bytes > READ_AHEAD_BYTES) break;
    end += 1;
  }
  return end;
}

async function collect(batches: AsyncGenerator<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

const ORDER_PRESERVING = /^(identity|year|month|day|hour|truncate\[\d+\])$/;

export const rewriteGroup: GroupRewriter = async ({ io, metadata, scan, group, targetFileSizeBytes }) => {
  const order = metadata.sortOrders.find((o) => o.orderId === metadata.defaultSortOrderId);
  const sorted = order !== undefined && sortColumns(order, scan).length > 0;
  const context = newReadContext(io);
  let writer: RollingDataFileWriter | undefined;
  const open = (batch: RecordBatch) =>
    new RollingDataFileWriter({
      io,
      tableLocation: metadata.location,
      schema: scan.schema,
      arrowSchema: batch.schema,
      properties: { ...metadata.properties, 'write.target-file-size-bytes': String(targetFileSizeBytes) },
      ...(group.partitionPath === '' && group.partition.length === 0
        ? {}
        : { partition: { tuple: group.partition, path: group.partitionPath } }),
    });
  let rows = 0n;
  const held: RecordBatch[] = [];
  try {
    // Small inputs are fetched many at a time (S3 latency dominates), written in plan order.
    for (let start = 0; start < group.tasks.length; ) {
      const end = readAheadEnd(group.tasks, start);
      const read = await Promise.all(
        group.tasks.slice(start, end).map((task) => collect(readTask(scan, task, context))),
      );
      start = end;
      for (const batch of read.flat()) {
        if (batch.numRows === 0) continue;
        rows += BigInt(batch.numRows);
        if (sorted) held.push(batch);
        else {
          writer ??= open(batch);
          await writer.write(batch);
        }
      }
    }
    if (sorted && held.length > 0) {
      writer = open(held[0] as RecordBatch);
      await writer.writeBatches(sortBatches(held, sortColumns(order as SortOrder, scan)));
    }
    return { files: writer === undefined ? [] : await writer.close(), rows };
  } catch (error) {
    await writer?.abort().catch(() => undefined);
    throw error;
  }
};

interface SortColumn {
  readonly name: string;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

function sortColumns(order: SortOrder, scan: ScanPlan): SortColumn[] {
  const columns: SortColumn[] = [];
  for (const field of order.fields) {
    if (!ORDER_PRESERVING.test(field.transform)) continue;
    const source = scan.schema.fields.find((f) => f.id === field.sourceId);
    if (source === undefined) continue;
    columns.push({
      name: source.name,
      descending: field.direction === 'desc',
      nullsFirst: field.nullOrder === 'nulls-first',
    });
  }
  return columns;
}

function compareValues(a: unknown, b: unknown): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
    return a.length - b.length;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // numbers, bigints (mixed is fine for <) and strings (code-unit order, as Iceberg compares UTF-8)
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/**
 * The rows of `batches` ordered by `columns`, as batches: each output batch is a run of rows
 * taken from one input batch (Arrow JS cannot concatenate batches), in sorted order.
 */
export function sortBatches(batches: readonly RecordBatch[], columns: readonly SortColumn[]): RecordBatch[] {
  const vectors: Vector[][] = batches.map((batch) => columns.map((c) => batch.getChild(c.name) as Vector));
  const rows: { batch: number; row: number }[] = [];
  batches.forEach((batch, b) => {
    for (let r = 0; r < batch.numRows; r++) rows.push({ batch: b, row: r });
  });
  rows.sort((x, y) => {
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as SortColumn;
      const a = vectors[x.batch]?.[c]?.get(x.row) ?? null;
      const b = vectors[y.batch]?.[c]?.get(y.row) ?? null;
      if (a === null || b === null) {
        if (a === b) continue;
        return (a === null) === column.nullsFirst ? -1 : 1;
      }
      const cmp = compareValues(a, b);
      if (cmp !== 0) return column.descending ? -cmp : cmp;
    }
    return x.batch - y.batch || x.row - y.row;
  });
  const out: RecordBatch[] = [];
  let start = 0;
  while (start < rows.length) {
    const source = (rows[start] as { batch: number }).batch;
    let end = start;
    while (end < rows.length && (rows[end] as { batch: number }).batch === source) end++;
    const indices = Int32Array.from(rows.slice(start, end), (r) => r.row);
    out.push(takeRows(batches[source] as RecordBatch, indices));
    start = end;
  }
  return out;
}
