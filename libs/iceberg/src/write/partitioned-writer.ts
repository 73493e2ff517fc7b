// Layer 3 of the writers: the fanout partitioned writer. Each incoming batch is split by the
// partition tuple of every row (the table's spec applied through spec/partition.ts) into
// zero-copy slices per partition; slices are buffered per partition and handed to that
// partition's rolling writer when the buffer grows past `flushBytes`, or when all buffers
// together pass `maxBufferedBytes` (the largest buffer goes first). At most `maxOpenFiles`
// partitions keep a Parquet file open; opening another closes the least recently used one's
// file, which bounds wasm memory for tables with many partitions at the cost of more files.

import type { Schema as ArrowSchema, Data, RecordBatch } from 'apache-arrow';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import {
  type BoundPartitionSpec,
  bindPartitionSpec,
  type PartitionTuple,
  partitionKey,
  partitionPath,
  partitionTuple,
} from '../spec/partition.ts';
import type { PartitionSpec } from '../spec/partition-types.ts';
import type { IndexedField } from '../spec/schema.ts';
import type { PrimitiveType, Schema } from '../spec/types.ts';
import { bytesToUuid } from '../spec/values.ts';
import { slotReader } from './arrow-leaf-values.ts';
import { RollingDataFileWriter } from './data-file-writer.ts';
import { arrowByteSize } from './parquet-file-writer.ts';

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
  /** Partitions with an open Parquet file at once. Default 32. */
  readonly maxOpenFiles?: number;
}

interface PartitionState {
  readonly tuple: PartitionTuple;
  readonly writer: RollingDataFileWriter;
  buffer: RecordBatch[];
  bufferedBytes: number;
  lastUsed: number;
}

const MiB = 1024 * 1024;

export class PartitionedDataWriter {
  readonly #options: PartitionedWriterOptions;
  readonly #bound: BoundPartitionSpec;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #flushBytes: number;
  readonly #maxBuffered: number;
  readonly #maxOpen: number;
  #buffered = 0;
  #clock = 0;

  constructor(options: PartitionedWriterOptions) {
    this.#options = options;
    this.#bound = bindPartitionSpec(options.spec, options.schema);
    this.#flushBytes = options.flushBytes ?? 8 * MiB;
    this.#maxBuffered = options.maxBufferedBytes ?? 128 * MiB;
    this.#maxOpen = options.maxOpenFiles ?? 32;
  }

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    for (const { key, tuple, start, end } of this.#runs(batch)) {
      const state = this.#partition(key, tuple);
      const slice = start === 0 && end === batch.numRows ? batch : batch.slice(start, end);
      const bytes = arrowByteSize(slice);
      state.buffer.push(slice);
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

  /** Flushes every buffer, closes every file, and returns all data files with their partitions. */
  async close(): Promise<DataFile[]> {
    const files: DataFile[] = [];
    for (const state of this.#partitions.values()) {
      await this.#flush(state);
      files.push(...(await state.writer.close()));
    }
    return files;
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
    await state.writer.writeBatches(batches);
  }

  async #makeRoomForFile(): Promise<void> {
    const open = [...this.#partitions.values()].filter((state) => state.writer.hasOpenFile);
    if (open.length < this.#maxOpen) return;
    const leastRecent = open.reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
    await leastRecent.writer.closeCurrentFile();
  }

  /** Consecutive rows with the same partition, as [start, end) runs. */
  *#runs(batch: RecordBatch): Iterable<{ key: string; tuple: PartitionTuple; start: number; end: number }> {
    const readers = this.#bound.fields.map(({ source }) => sourceReader(batch, source));
    let current: { key: string; tuple: PartitionTuple; start: number } | undefined;
    for (let row = 0; row < batch.numRows; row++) {
      const tuple = partitionTuple(
        this.#bound,
        (source) => readers[indexOfSource(this.#bound, source)]?.(row) ?? null,
      );
      const key = partitionKey(tuple);
      if (current && current.key === key) continue;
      if (current) yield { ...current, end: row };
      current = { key, tuple, start: row };
    }
    if (current) yield { ...current, end: batch.numRows };
  }
}

/** Writes a stream of batches into partitioned data files. */
export async function writePartitionedDataFiles(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: PartitionedWriterOptions,
): Promise<DataFile[]> {
  const writer = new PartitionedDataWriter(options);
  try {
    for await (const batch of batches) await writer.write(batch);
    return await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

function indexOfSource(bound: BoundPartitionSpec, source: IndexedField): number {
  return bound.fields.findIndex((field) => field.source === source);
}

/** Reads a (possibly nested-in-structs) source column of the batch; null under a null parent. */
function sourceReader(batch: RecordBatch, source: IndexedField): (row: number) => unknown {
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
  const read = slotReader(data, type, source.path);
  return (row) => {
    for (const link of chain) if (!link.getValid(row)) return null;
    const value = read(row);
    return type.kind === 'uuid' && value instanceof Uint8Array ? bytesToUuid(value) : value;
  };
}
