// Layer 2 of the writers: a rolling data-file writer for ONE partition. It feeds batches to a
// ParquetFileWriter and starts a new file whenever the current one's conservative size estimate
// reaches `write.target-file-size-bytes` (default 512 MiB), so files land near the target and
// never far above it. Files go under `<table location>/data/<partition path>/` (or
// `write.data.path`) with collision-free names, and each closed file becomes a `DataFile` with its
// partition tuple and metrics. Large batches are sliced so one encoder input stays bounded.

import { randomUUID } from 'node:crypto';
import type { Schema as ArrowSchema, RecordBatch } from 'apache-arrow';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import type { PartitionTuple } from '../spec/partition.ts';
import type { Schema } from '../spec/types.ts';
import { arrowByteSize, ParquetFileWriter, type WrittenParquetFile } from './parquet-file-writer.ts';
import { positive } from './parquet-options.ts';

export const DEFAULT_TARGET_FILE_SIZE_BYTES = 512 * 1024 * 1024;
/** Largest slice of a batch handed to the encoder at once (bounds wasm memory per call). */
const MAX_SLICE_BYTES = 32 * 1024 * 1024;

export interface DataFileWriterOptions {
  readonly io: FileIO;
  readonly tableLocation: string;
  readonly schema: Schema;
  readonly arrowSchema: ArrowSchema;
  readonly properties?: Readonly<Record<string, string>>;
  /** Partition tuple and its path (`ts_day=2024-01-02`); absent for unpartitioned tables. */
  readonly partition?: { readonly tuple: PartitionTuple; readonly path: string };
  /** Id of the partition spec the tuple belongs to (informational; DataFile is spec-positional). */
  readonly fileNamePrefix?: string;
}

export class RollingDataFileWriter {
  readonly #options: DataFileWriterOptions;
  readonly #targetBytes: number;
  readonly #folder: string;
  readonly #prefix: string;
  readonly #written: DataFile[] = [];
  #current: ParquetFileWriter | undefined;
  #fileCount = 0;

  constructor(options: DataFileWriterOptions) {
    const properties = options.properties ?? {};
    this.#options = options;
    this.#targetBytes = targetFileSize(properties);
    this.#folder = dataFolder(options);
    this.#prefix = options.fileNamePrefix ?? newFileNamePrefix();
  }

  /** Files finished so far (closed by rolling); `close` returns these plus the last one. */
  get completedFiles(): readonly DataFile[] {
    return this.#written;
  }

  get hasOpenFile(): boolean {
    return this.#current !== undefined;
  }

  /** Arrow bytes the open file took but has not yet encoded into a finished row group. */
  get unflushedBytes(): number {
    return this.#current?.unflushedBytes ?? 0;
  }

  async write(batch: RecordBatch): Promise<void> {
    await this.writeBatches([batch]);
  }

  async writeBatches(batches: readonly RecordBatch[]): Promise<void> {
    let group: RecordBatch[] = [];
    let groupBytes = 0;
    for (const slice of batches.flatMap((batch) => sliceToBound(batch))) {
      const bytes = arrowByteSize(slice);
      if (groupBytes + bytes > MAX_SLICE_BYTES && group.length > 0) {
        await this.#writeGroup(group);
        group = [];
        groupBytes = 0;
      }
      group.push(slice);
      groupBytes += bytes;
    }
    if (group.length > 0) await this.#writeGroup(group);
  }

  /** Closes the open file (if any); the next write starts a new one. */
  async closeCurrentFile(): Promise<void> {
    const writer = this.#current;
    if (!writer) return;
    this.#current = undefined;
    this.#written.push(this.#toDataFile(await writer.close()));
  }

  async close(): Promise<DataFile[]> {
    await this.closeCurrentFile();
    return [...this.#written];
  }

  /** Deletes every file this writer produced (including the open one): used on job failure. */
  async abort(): Promise<void> {
    const open = this.#current;
    this.#current = undefined;
    await open?.abort();
    await this.#options.io.deleteMany(this.#written.map((file) => file.filePath));
  }

  async #writeGroup(group: readonly RecordBatch[]): Promise<void> {
    if (this.#current && this.#current.estimatedSize >= this.#targetBytes) await this.closeCurrentFile();
    if (!this.#current) {
      this.#fileCount += 1;
      this.#current = new ParquetFileWriter({
        io: this.#options.io,
        location: dataFileLocation(this.#folder, this.#prefix, this.#fileCount),
        schema: this.#options.schema,
        arrowSchema: this.#options.arrowSchema,
        properties: this.#options.properties ?? {},
      });
    }
    await this.#current.writeBatches(group);
  }

  #toDataFile(file: WrittenParquetFile): DataFile {
    return dataFileOf(file, this.#options.partition?.tuple ?? []);
  }
}

/** `write.target-file-size-bytes`, default 512 MiB. */
export function targetFileSize(properties: Readonly<Record<string, string>>): number {
  return positive(properties, 'write.target-file-size-bytes', DEFAULT_TARGET_FILE_SIZE_BYTES);
}

/** Folder of a writer's files: `write.data.path` (else `<table>/data`), then the partition path. */
export function dataFolder(options: DataFileWriterOptions): string {
  const properties = options.properties ?? {};
  const dataRoot = (properties['write.data.path'] ?? `${trimSlash(options.tableLocation)}/data`).replace(
    /\/+$/,
    '',
  );
  return options.partition && options.partition.path !== ''
    ? `${dataRoot}/${options.partition.path}`
    : dataRoot;
}

/** A collision-free name prefix for one writer's files. */
export function newFileNamePrefix(): string {
  return `00000-${randomUUID()}`;
}

export function dataFileLocation(folder: string, prefix: string, fileNumber: number): string {
  return `${folder}/${prefix}-${String(fileNumber).padStart(5, '0')}.parquet`;
}

/** The manifest's DataFile record of a written Parquet file. */
export function dataFileOf(file: WrittenParquetFile, partition: PartitionTuple): DataFile {
  const { metrics } = file;
  return {
    content: 'data',
    filePath: file.location,
    fileFormat: 'parquet',
    partition,
    recordCount: file.recordCount,
    fileSizeInBytes: file.fileSizeInBytes,
    columnSizes: metrics.columnSizes,
    valueCounts: metrics.valueCounts,
    nullValueCounts: metrics.nullValueCounts,
    nanValueCounts: metrics.nanValueCounts,
    lowerBounds: metrics.lowerBounds,
    upperBounds: metrics.upperBounds,
    splitOffsets: file.splitOffsets,
  };
}

/** Writes every batch of an unpartitioned stream and returns the data files. */
export async function writeDataFiles(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: DataFileWriterOptions,
): Promise<DataFile[]> {
  const writer = new RollingDataFileWriter(options);
  try {
    for await (const batch of batches) await writer.write(batch);
    return await writer.close();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

/** Splits a batch into slices of at most `maxBytes` Arrow bytes each (one slice if it fits). */
export function sliceToBound(batch: RecordBatch, maxBytes = MAX_SLICE_BYTES): RecordBatch[] {
  const bytes = arrowByteSize(batch);
  if (bytes <= maxBytes || batch.numRows <= 1) return [batch];
  const rowsPerSlice = Math.max(1, Math.floor((batch.numRows * maxBytes) / bytes));
  const slices: RecordBatch[] = [];
  for (let start = 0; start < batch.numRows; start += rowsPerSlice) {
    slices.push(batch.slice(start, Math.min(batch.numRows, start + rowsPerSlice)));
  }
  return slices;
}

function trimSlash(location: string): string {
  return location.replace(/\/+$/, '');
}
