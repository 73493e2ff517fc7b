// Layer 3 of the writers: the fanout partitioned writer. For each incoming batch the partition
// tuple of every row is computed once (the table's spec applied through spec/partition.ts), rows
// are grouped by partition with a counting sort over dense tuple codes, and each partition's rows
// are gathered into ONE contiguous batch (take-rows.ts); a batch that lies wholly in one partition
// passes through untouched. Grouping consecutive runs instead turns a hash transform such as
// bucket[16] into one slice per row, and the encoder pays per slice. Batches are buffered per
// partition and handed to that partition's rolling writer when its buffer passes `flushBytes`, or
// when all buffers together pass `maxBufferedBytes` (the largest goes first). At most
// `maxOpenFiles` partitions keep a Parquet file open, and open files together hold at most
// `maxUnflushedBytes` of rows not yet encoded into a finished row group; past either limit the
// least recently used file is closed, which bounds wasm memory for tables with many partitions.
// `close` finishes a few partitions concurrently so uploads overlap encoding.

import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Schema as ArrowSchema, Data, RecordBatch } from 'apache-arrow';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import {
  type BoundPartitionField,
  type BoundPartitionSpec,
  bindPartitionSpec,
  type PartitionTuple,
  partitionKey,
  partitionPath,
  partitionTuple,
} from '../spec/partition.ts';
import type { PartitionSpec } from '../spec/partition-types.ts';
import type { IndexedField } from '../spec/schema.ts';
import { applyTransform } from '../spec/transforms.ts';
import type { PrimitiveType, Schema } from '../spec/types.ts';
import { bytesToUuid, type PrimitiveValue } from '../spec/values.ts';
import { slotReader } from './arrow-leaf-values.ts';
import { transformColumn } from './column-transforms.ts';
import { RollingDataFileWriter } from './data-file-writer.ts';
import { defaultEncodeThreads } from './encode-threads.ts';
import { writeDataFilesInParallel } from './parallel-data-file-writer.ts';
import { arrowByteSize } from './parquet-file-writer.ts';
import { takeRows } from './take-rows.ts';

export interface PartitionedWriterOptions {
  readonly io: FileIO;
  readonly tableLocation: string;
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly arrowSchema: ArrowSchema;
  readonly properties?: Readonly<Record<string, string>>;
  /** Per-partition buffer size that triggers a flush to its file. Default 8 MiB. */
  readonly flushBytes?: number;
  /** All partition buffers together. Default 128 MiB. */
  readonly maxBufferedBytes?: number;
  /** Partitions with an open Parquet file at once. Default 128. */
  readonly maxOpenFiles?: number;
  /**
   * Arrow bytes handed to open files but not yet encoded into a finished row group, over all
   * open files; past it the least recently used files are closed. Default 512 MiB.
   */
  readonly maxUnflushedBytes?: number;
  /**
   * Unpartitioned tables only: files encoded at once on the shared encode threads when the input
   * is large (see parallel-data-file-writer.ts). Default: one per core; 1 encodes on this thread.
   */
  readonly encodeThreads?: number;
  /** Expected Arrow bytes of a streamed input (sizes the parallel chunks). */
  readonly expectedBytes?: number;
}

interface PartitionState {
  readonly tuple: PartitionTuple;
  readonly writer: RollingDataFileWriter;
  buffer: RecordBatch[];
  bufferedBytes: number;
  lastUsed: number;
  /** Being written or closed right now (never picked to be closed for room). */
  busy: boolean;
}

const MiB = 1024 * 1024;
/** Partitions finished concurrently by `close` (uploads overlap encoding; wasm stays bounded). */
const CLOSE_CONCURRENCY = 8;

export class PartitionedDataWriter {
  readonly #options: PartitionedWriterOptions;
  readonly #bound: BoundPartitionSpec;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #flushBytes: number;
  readonly #maxBuffered: number;
  readonly #maxOpen: number;
  readonly #maxUnflushed: number;
  #buffered = 0;
  #clock = 0;

  constructor(options: PartitionedWriterOptions) {
    this.#options = options;
    this.#bound = bindPartitionSpec(options.spec, options.schema);
    this.#flushBytes = options.flushBytes ?? 8 * MiB;
    this.#maxBuffered = options.maxBufferedBytes ?? 128 * MiB;
    this.#maxOpen = options.maxOpenFiles ?? 128;
    this.#maxUnflushed = options.maxUnflushedBytes ?? 512 * MiB;
  }

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    for (const { key, tuple, rows } of this.#groups(batch)) {
      const state = this.#partition(key, tuple);
      const part = rows === undefined ? batch : takeRows(batch, rows);
      const bytes = arrowByteSize(part);
      state.buffer.push(part);
      state.bufferedBytes += bytes;
      this.#buffered += bytes;
      if (state.bufferedBytes >= this.#flushBytes) await this.#flush(state);
    }
    while (this.#buffered > this.#maxBuffered) {
      const largest = [...this.#partitions.values()].reduce((a, b) =>
        b.bufferedBytes > a.bufferedBytes ? b : a,
      );
      await this.#flush(largest);
    }
  }

  /**
   * Flushes every buffer, closes every file, and returns all data files with their partitions.
   * A few partitions are finished at once so one file's upload overlaps the next one's encoding.
   */
  async close(): Promise<DataFile[]> {
    const states = [...this.#partitions.values()];
    const files: DataFile[][] = new Array(states.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      while (next < states.length && failure === undefined) {
        const index = next++;
        const state = states[index] as PartitionState;
        try {
          await this.#flush(state);
          state.busy = true;
          files[index] = await state.writer.close();
        } catch (error) {
          failure ??= { error };
        } finally {
          state.busy = false;
        }
      }
    };
    // Every worker stops before the failure is reported, so `abort` never races a running flush.
    await Promise.all(Array.from({ length: Math.min(CLOSE_CONCURRENCY, states.length) }, worker));
    if (failure !== undefined) throw failure.error;
    return files.flat();
  }

  /** Deletes every file written so far (the job failed; nothing will reference them). */
  async abort(): Promise<void> {
    for (const state of this.#partitions.values()) {
      state.buffer = [];
      await state.writer.abort().catch(() => undefined);
    }
  }

  #partition(key: string, tuple: PartitionTuple): PartitionState {
    let state = this.#partitions.get(key);
    if (!state) {
      state = {
        tuple,
        writer: new RollingDataFileWriter({
          io: this.#options.io,
          tableLocation: this.#options.tableLocation,
          schema: this.#options.schema,
          arrowSchema: this.#options.arrowSchema,
          properties: this.#options.properties ?? {},
          partition: { tuple, path: partitionPath(this.#bound, tuple) },
        }),
        buffer: [],
        bufferedBytes: 0,
        lastUsed: 0,
        busy: false,
      };
      this.#partitions.set(key, state);
    }
    return state;
  }

  async #flush(state: PartitionState): Promise<void> {
    if (state.buffer.length === 0) return;
    if (!state.writer.hasOpenFile) await this.#makeRoomForFile();
    const batches = state.buffer;
    this.#buffered -= state.bufferedBytes;
    state.buffer = [];
    state.bufferedBytes = 0;
    state.lastUsed = ++this.#clock;
    state.busy = true;
    try {
      await state.writer.writeBatches(batches);
    } finally {
      state.busy = false;
    }
    await this.#boundUnflushed();
  }

  async #makeRoomForFile(): Promise<void> {
    const open = this.#openIdle();
    if (open.length === 0 || open.length + this.#busyCount() < this.#maxOpen) return;
    const leastRecent = open.reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
    await leastRecent.writer.closeCurrentFile();
  }

  /** Closes least recently used files while open files hold too much not-yet-encoded data. */
  async #boundUnflushed(): Promise<void> {
    for (;;) {
      let unflushed = 0;
      for (const state of this.#partitions.values()) unflushed += state.writer.unflushedBytes;
      const open = this.#openIdle();
      if (unflushed <= this.#maxUnflushed || open.length === 0) return;
      const leastRecent = open.reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
      await leastRecent.writer.closeCurrentFile();
    }
  }

  #openIdle(): PartitionState[] {
    return [...this.#partitions.values()].filter((state) => state.writer.hasOpenFile && !state.busy);
  }

  #busyCount(): number {
    let busy = 0;
    for (const state of this.#partitions.values()) if (state.busy && state.writer.hasOpenFile) busy++;
    return busy;
  }

  /**
   * The rows of each partition present in the batch, in row order: `rows` is undefined when the
   * whole batch is one partition. Each field's transformed values get dense per-batch codes, the
   * codes of all fields combine into one dense tuple code per row, and a counting sort groups the
   * row indexes, so no per-row key string or tuple array is built.
   */
  #groups(batch: RecordBatch): { key: string; tuple: PartitionTuple; rows: Int32Array | undefined }[] {
    const rowCount = batch.numRows;
    const fieldValues: (PrimitiveValue | null)[][] = [];
    let codes = new Int32Array(rowCount);
    let distinct = 1;
    for (const field of this.#bound.fields) {
      const values = this.#transformedColumn(batch, field);
      fieldValues.push(values);
      const fieldCodes = new Int32Array(rowCount);
      const seen = new Map<unknown, number>();
      for (let row = 0; row < rowCount; row++) {
        const value = values[row] as PrimitiveValue | null;
        const mapKey = value instanceof Uint8Array ? `x${Buffer.from(value).toString('hex')}` : value;
        let code = seen.get(mapKey);
        if (code === undefined) {
          code = seen.size;
          seen.set(mapKey, code);
        }
        fieldCodes[row] = code;
      }
      // Combine with the codes so far (≤ rowCount² < 2^53) and re-densify.
      const width = seen.size;
      const combined = new Map<number, number>();
      const next = new Int32Array(rowCount);
      for (let row = 0; row < rowCount; row++) {
        const wide = (codes[row] as number) * width + (fieldCodes[row] as number);
        let code = combined.get(wide);
        if (code === undefined) {
          code = combined.size;
          combined.set(wide, code);
        }
        next[row] = code;
      }
      codes = next;
      distinct = combined.size;
    }
    const firstRow = new Int32Array(distinct).fill(-1);
    const counts = new Int32Array(distinct);
    for (let row = 0; row < rowCount; row++) {
      const code = codes[row] as number;
      if (counts[code] === 0) firstRow[code] = row;
      counts[code] = (counts[code] as number) + 1;
    }
    const tupleOf = (code: number): PartitionTuple =>
      fieldValues.map((values) => values[firstRow[code] as number] ?? null);
    if (distinct === 1) {
      const tuple = tupleOf(0);
      return [{ key: partitionKey(tuple), tuple, rows: undefined }];
    }
    const starts = new Int32Array(distinct + 1);
    for (let code = 0; code < distinct; code++)
      starts[code + 1] = (starts[code] as number) + (counts[code] as number);
    const fill = starts.slice(0, distinct);
    const order = new Int32Array(rowCount);
    for (let row = 0; row < rowCount; row++) {
      const code = codes[row] as number;
      order[fill[code] as number] = row;
      fill[code] = (fill[code] as number) + 1;
    }
    const groups: { key: string; tuple: PartitionTuple; rows: Int32Array | undefined }[] = [];
    for (let code = 0; code < distinct; code++) {
      const tuple = tupleOf(code);
      groups.push({
        key: partitionKey(tuple),
        tuple,
        rows: order.subarray(starts[code] as number, starts[code + 1] as number),
      });
    }
    return groups;
  }

  /** One partition field's value for every row of the batch. */
  #transformedColumn(batch: RecordBatch, field: BoundPartitionField): (PrimitiveValue | null)[] {
    const { data, read } = sourceReader(batch, field.source);
    const { transform, source } = field;
    const general = (row: number): PrimitiveValue | null => {
      try {
        return applyTransform(transform, source.field.type, read(row));
      } catch (error) {
        // Re-run the failing row through partitionTuple for its user-facing error (column named).
        partitionTuple(this.#bound, (s) => (s === source ? read(row) : null));
        throw error;
      }
    };
    return transformColumn(field, data, batch.numRows, general);
  }
}

/** Writes a stream of batches into partitioned data files. */
export interface WriteLogger {
  info(fields: Record<string, unknown>, message: string): void;
}

/**
 * Writes a stream of batches into partitioned data files. Emits one `iceberg.write_data_files`
 * span and, given a logger, one log line (location, rows, files, bytes, duration).
 */
export async function writePartitionedDataFiles(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: PartitionedWriterOptions & { readonly logger?: WriteLogger },
): Promise<DataFile[]> {
  return writeTracer.startActiveSpan('iceberg.write_data_files', async (span) => {
    const started = Date.now();
    span.setAttribute('floe.table_location', options.tableLocation);
    const writer = new PartitionedDataWriter(options);
    const threads = options.encodeThreads ?? defaultEncodeThreads();
    try {
      let files: DataFile[];
      if (options.spec.fields.length === 0 && threads > 1) {
        files = await writeDataFilesInParallel(batches, {
          io: options.io,
          tableLocation: options.tableLocation,
          schema: options.schema,
          arrowSchema: options.arrowSchema,
          properties: options.properties ?? {},
          threads,
          ...(options.expectedBytes === undefined ? {} : { expectedBytes: options.expectedBytes }),
        });
      } else {
        for await (const batch of batches) await writer.write(batch);
        files = await writer.close();
      }
      const facts = {
        tableLocation: options.tableLocation,
        rows: Number(files.reduce((sum, f) => sum + f.recordCount, 0n)),
        files: files.length,
        bytes: Number(files.reduce((sum, f) => sum + f.fileSizeInBytes, 0n)),
        durationMs: Date.now() - started,
      };
      span.setAttributes({
        'floe.rows': facts.rows,
        'floe.files': facts.files,
        'floe.bytes': facts.bytes,
        'floe.duration_ms': facts.durationMs,
      });
      options.logger?.info(facts, 'wrote data files');
      return files;
    } catch (error) {
      await writer.abort();
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

const writeTracer = trace.getTracer('floe.iceberg');

/**
 * Reads a (possibly nested-in-structs) source column of the batch; null under a null parent.
 * `data` is the column itself when no parent struct has nulls (the raw fast paths need that).
 */
function sourceReader(
  batch: RecordBatch,
  source: IndexedField,
): { data: Data | undefined; read: (row: number) => unknown } {
  const chain: Data[] = [];
  let data: Data = batch.data as unknown as Data;
  let fields = batch.schema.fields;
  for (const segment of source.segments) {
    const index = fields.findIndex((field) => field.name === segment);
    const child = data.children[index];
    if (index < 0 || !child) {
      throw new IcebergError(
        'schema-mismatch',
        `partition source column '${source.path}' is missing from the batch`,
        { context: { column: source.path } },
      );
    }
    data = child;
    chain.push(child);
    fields = (fields[index]?.type.children ?? []) as typeof fields;
  }
  const type = source.field.type as PrimitiveType;
  const value = slotReader(data, type, source.path);
  const parents = chain.slice(0, -1);
  const read = (row: number): unknown => {
    for (const link of chain) if (!link.getValid(row)) return null;
    const raw = value(row);
    return type.kind === 'uuid' && raw instanceof Uint8Array ? bytesToUuid(raw) : raw;
  };
  return { data: parents.every((parent) => parent.nullCount === 0) ? data : undefined, read };
}
