// Layer 1 of the writers (file → rolling data file → partitioned): encodes Arrow record batches
// into ONE Parquet file and streams it to storage as it goes. parquet-wasm's stream writer
// (`transformParquetStream`) turns a stream of wasm record batches into Parquet bytes, flushing
// one row group at a time, and those bytes are piped straight into FileIO (a multipart upload on
// S3), so neither the file nor more than one row group is ever held whole. Known traps handled
// here: the stream writer silently drops a batch it cannot encode, so the footer's row count is
// checked against what we sent (and the file deleted on mismatch); it reads its input lazily, so
// `write` waits for each batch to be taken before accepting more (bounded wasm memory); and the
// Parquet schema must carry Iceberg field ids, which is verified from the footer.

import { type Schema as ArrowSchema, RecordBatch, Table, tableToIPC } from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { IcebergError } from '../errors.ts';
import { concatBytes, type FileIO } from '../io/file-io.ts';
import type { Schema } from '../spec/types.ts';
import { withFieldIds } from './arrow-field-ids.ts';
import { type ColumnMetrics, ColumnMetricsCollector, type MetricsSource } from './column-metrics.ts';
import { plainEncodedColumns } from './dictionary-choice.ts';
import { PARQUET_CREATED_BY } from './parquet-created-by.ts';
import { footerLength, leafFieldIds, type ParquetFooter, parseParquetFooter } from './parquet-footer.ts';
import { type ParquetWriteOptions, parquetOptionsFromProperties } from './parquet-options.ts';

export interface WrittenParquetFile {
  readonly location: string;
  readonly fileSizeInBytes: bigint;
  readonly recordCount: bigint;
  readonly metrics: ColumnMetrics;
  /** Start offset of each row group (Iceberg split_offsets). */
  readonly splitOffsets: readonly bigint[];
  readonly footer: ParquetFooter;
}

export interface ParquetFileWriterOptions {
  readonly io: FileIO;
  readonly location: string;
  /** Table schema the batches conform to (columns matched by name). */
  readonly schema: Schema;
  readonly arrowSchema: ArrowSchema;
  readonly properties?: Readonly<Record<string, string>>;
  /**
   * Where column metrics come from: `'footer'` (default) takes what the footer's statistics give
   * exactly and scans the rest; `'scan'` computes every leaf from the Arrow data.
   */
  readonly metricsFrom?: MetricsSource;
}

const TAIL_BYTES = 1024 * 1024; // enough for the footer of any ordinary file; else re-read it

export class ParquetFileWriter {
  readonly location: string;
  readonly #io: FileIO;
  readonly #arrowSchema: ArrowSchema;
  readonly #metrics: ColumnMetricsCollector;
  readonly #options: ParquetWriteOptions;
  readonly #pending: parquet.RecordBatch[] = [];
  #wakeReader: (() => void) | undefined;
  #drained: (() => void) | undefined;
  #inputClosed = false;
  #upload: Promise<number> | undefined;
  #failure: unknown;
  #rows = 0;
  #bytesOut = 0;
  #bytesSinceFlush = 0;
  #tail: Uint8Array[] = [];
  #tailBytes = 0;
  #closed = false;

  constructor(options: ParquetFileWriterOptions) {
    this.location = options.location;
    this.#io = options.io;
    this.#options = parquetOptionsFromProperties(options.properties ?? {});
    this.#arrowSchema = withFieldIds(options.arrowSchema, options.schema);
    this.#metrics = new ColumnMetricsCollector(options.schema, this.#arrowSchema, options.properties ?? {}, {
      metricsFrom: options.metricsFrom ?? 'footer',
    });
  }

  get rowCount(): number {
    return this.#rows;
  }

  /**
   * Conservative size of the file so far: bytes already flushed plus the in-memory (uncompressed)
   * Arrow size of rows not yet flushed, which overestimates what they will take once encoded.
   */
  get estimatedSize(): number {
    return this.#bytesOut + this.#bytesSinceFlush;
  }

  /** In-memory Arrow bytes of rows taken since the encoder last emitted bytes (a row group). */
  get unflushedBytes(): number {
    return this.#bytesSinceFlush;
  }

  async write(batch: RecordBatch): Promise<void> {
    await this.writeBatches([batch]);
  }

  /**
   * Writes several batches as one encoder input (cheaper than one call per small slice). `ipc`,
   * when given, is exactly these batches already serialized as an Arrow IPC stream under the
   * file's field-id-stamped schema (an encode thread receives them that way), which saves
   * serializing them again.
   */
  async writeBatches(batches: readonly RecordBatch[], ipc?: Uint8Array): Promise<void> {
    if (this.#closed)
      throw new IcebergError('invalid-argument', `ParquetFileWriter for ${this.location} is closed`);
    this.#throwIfFailed();
    const nonEmpty = batches.filter((batch) => batch.numRows > 0);
    if (nonEmpty.length === 0) return;
    for (const batch of nonEmpty) this.#checkBatchSchema(batch);
    for (const batch of nonEmpty) this.#metrics.add(batch);
    const wasmTable = parquet.Table.fromIPCStream(ipc ?? this.#ipcOf(nonEmpty));
    try {
      this.#pending.push(...wasmTable.recordBatches());
    } finally {
      wasmTable.free();
    }
    for (const batch of nonEmpty) {
      this.#rows += batch.numRows;
      this.#bytesSinceFlush += arrowByteSize(batch);
    }
    this.#start(nonEmpty[0] as RecordBatch);
    this.#wakeReader?.();
    // Wait until the encoder took the batch, so at most one batch waits in wasm memory.
    if (this.#pending.length > 0 && this.#failure === undefined) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    this.#throwIfFailed();
  }

  /** The schema batches are stamped with before encoding (the Arrow schema with field ids). */
  get fileArrowSchema(): ArrowSchema {
    return this.#arrowSchema;
  }

  #ipcOf(batches: readonly RecordBatch[]): Uint8Array {
    const stamped = new Table(batches.map((batch) => new RecordBatch(this.#arrowSchema, batch.data)));
    return tableToIPC(stamped, 'stream');
  }

  /** Finishes the file, verifies it from its footer and returns what a DataFile needs. */
  async close(): Promise<WrittenParquetFile> {
    if (this.#closed)
      throw new IcebergError('invalid-argument', `ParquetFileWriter for ${this.location} is closed`);
    this.#closed = true;
    if (this.#rows === 0) {
      throw new IcebergError(
        'invalid-argument',
        `no rows were written to ${this.location}: refusing an empty data file`,
      );
    }
    this.#inputClosed = true;
    this.#wakeReader?.();
    let size: number;
    try {
      size = await (this.#upload as Promise<number>);
    } catch (error) {
      await this.#io.delete(this.location).catch(() => undefined);
      throw error;
    }
    const footer = await this.#readFooter(size);
    this.#verify(footer);
    const leafSizes = this.#metrics.leaves.map((_, i) =>
      footer.rowGroups.reduce((sum, group) => sum + Number(group.columns[i]?.compressedSize ?? 0n), 0),
    );
    return {
      location: this.location,
      fileSizeInBytes: BigInt(size),
      recordCount: BigInt(this.#rows),
      metrics: this.#metrics.finish(leafSizes, footer),
      splitOffsets: footer.rowGroups.map((group) => group.columns[0]?.startOffset ?? 4n),
      footer,
    };
  }

  /** Stops writing and removes whatever reached storage. */
  async abort(): Promise<void> {
    this.#closed = true;
    this.#failure ??= new IcebergError('io', `write of ${this.location} was aborted`, { retryable: false });
    this.#inputClosed = true;
    for (const batch of this.#pending.splice(0)) batch.free();
    this.#wakeReader?.();
    this.#drained?.();
    await this.#upload?.catch(() => undefined);
    await this.#io.delete(this.location).catch(() => undefined);
  }

  #start(first: RecordBatch): void {
    if (this.#upload) return;
    const pending = this.#pending;
    const input = new ReadableStream<parquet.RecordBatch>(
      {
        pull: async (controller) => {
          while (pending.length === 0 && !this.#inputClosed) {
            await new Promise<void>((resolve) => {
              this.#wakeReader = resolve;
            });
          }
          const next = pending.shift();
          if (pending.length === 0) this.#drained?.();
          if (next && this.#failure === undefined) controller.enqueue(next);
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const properties = writerProperties(this.#options, plainEncodedColumns(first));
    const self = this;
    async function* bytes(): AsyncIterable<Uint8Array> {
      const output = (await parquet.transformParquetStream(
        input,
        properties,
      )) as unknown as AsyncIterable<Uint8Array>;
      for await (const chunk of output) {
        self.#bytesOut += chunk.byteLength;
        self.#bytesSinceFlush = 0;
        self.#keepTail(chunk);
        yield chunk;
      }
    }
    this.#upload = this.#io.write(this.location, bytes());
    this.#upload.catch((error: unknown) => {
      this.#failure ??= error;
      this.#drained?.();
    });
  }

  #keepTail(chunk: Uint8Array): void {
    this.#tail.push(chunk);
    this.#tailBytes += chunk.byteLength;
    while (this.#tail.length > 1 && this.#tailBytes - (this.#tail[0]?.byteLength ?? 0) >= TAIL_BYTES) {
      this.#tailBytes -= (this.#tail.shift() as Uint8Array).byteLength;
    }
  }

  async #readFooter(size: number): Promise<ParquetFooter> {
    let tail = concatBytes(this.#tail);
    this.#tail = [];
    const length = footerLength(tail, this.location);
    if (length + 8 > tail.length)
      tail = await this.#io.readRange(this.location, size - length - 8, length + 8);
    return parseParquetFooter(tail.subarray(tail.length - 8 - length, tail.length - 8), this.location);
  }

  #verify(footer: ParquetFooter): void {
    if (footer.numRows !== BigInt(this.#rows)) {
      void this.#io.delete(this.location).catch(() => undefined);
      throw new IcebergError(
        'invalid-value',
        `Parquet encoder wrote ${footer.numRows} of ${this.#rows} rows to ${this.location}: a batch did not match the file's Arrow schema and was dropped; the file was deleted`,
        {
          retryable: false,
          context: { location: this.location, expected: this.#rows, written: footer.numRows },
        },
      );
    }
    const expected = this.#metrics.leaves.map((leaf) => leaf.fieldId);
    const actual = leafFieldIds(footer);
    if (expected.join(',') !== actual.join(',')) {
      throw new IcebergError(
        'invalid-value',
        `Parquet schema of ${this.location} does not carry the Iceberg field ids (expected ${expected.join(',')}, found ${actual.join(',')})`,
        { retryable: false, context: { location: this.location } },
      );
    }
  }

  /** The batch's buffers are sent under the file's schema, so their types must be identical. */
  #checkBatchSchema(batch: RecordBatch): void {
    const expected = this.#arrowSchema.fields;
    const actual = batch.schema.fields;
    const problems: string[] = [];
    expected.forEach((field, i) => {
      const got = actual[i];
      if (!got || got.name !== field.name || String(got.type) !== String(field.type)) {
        problems.push(
          `'${field.name}' expected ${String(field.type)}, got ${got ? `'${got.name}' ${String(got.type)}` : 'nothing'}`,
        );
      }
    });
    if (actual.length > expected.length) problems.push(`${actual.length - expected.length} extra column(s)`);
    if (problems.length > 0) {
      throw new IcebergError(
        'schema-mismatch',
        `batch does not match the schema of ${this.location}: ${problems.join('; ')}`,
        { retryable: false, context: { location: this.location } },
      );
    }
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/**
 * The encoder's settings. Statistics are kept per column chunk (what pyarrow writes by default and
 * what readers prune row groups with) rather than also per page, which parquet-rs would otherwise
 * compute for a page index nobody asked for.
 */
function writerProperties(
  options: ParquetWriteOptions,
  plainColumns: readonly string[],
): parquet.WriterProperties {
  let builder = new parquet.WriterPropertiesBuilder()
    .setCompression(options.compression)
    .setMaxRowGroupSize(options.rowGroupRows)
    .setMaxRowGroupBytes(options.rowGroupBytes)
    .setDataPageSizeLimit(options.pageBytes)
    .setDictionaryPageSizeLimit(options.dictionaryPageBytes)
    .setStatisticsEnabled(parquet.EnabledStatistics.Chunk)
    .setCreatedBy(PARQUET_CREATED_BY);
  for (const column of plainColumns) builder = builder.setColumnDictionaryEnabled(column, false);
  return builder.build();
}

/**
 * In-memory bytes of a batch's rows. Slices share their parent's buffers, so variable-width and
 * nested columns are measured through their offsets rather than by buffer length.
 */
export function arrowByteSize(batch: RecordBatch): number {
  return Math.ceil(rangeBytes(batch.data as unknown as SizedData, 0, batch.numRows));
}

interface SizedData {
  readonly length: number;
  readonly values?: ArrayBufferView;
  readonly valueOffsets?: ArrayLike<number | bigint>;
  readonly children: readonly SizedData[];
  readonly type: { readonly typeId: number };
}

const UTF8_OR_BINARY = new Set([4, 5, 19, 20]); // Binary, Utf8, LargeBinary, LargeUtf8

function rangeBytes(data: SizedData, start: number, count: number): number {
  if (count <= 0) return 0;
  let bytes = count / 8; // validity bitmap
  const offsets = data.valueOffsets;
  if (offsets && offsets.length > start + count) {
    const from = Number(offsets[start]);
    const to = Number(offsets[start + count]);
    bytes += 4 * count;
    if (UTF8_OR_BINARY.has(data.type.typeId) || data.children.length === 0) return bytes + (to - from);
    for (const child of data.children) bytes += rangeBytes(child, from, to - from);
    return bytes;
  }
  if (data.children.length > 0) {
    for (const child of data.children) bytes += rangeBytes(child, start, count);
    return bytes;
  }
  if (data.values && data.length > 0) bytes += (data.values.byteLength / data.length) * count;
  return bytes;
}
