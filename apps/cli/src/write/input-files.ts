// Streams the files of `floe write` as Arrow record batches with bounded memory: Arrow IPC
// (file or stream format) batch by batch through a file handle, Parquet row group by row group
// through parquet-wasm over a lazily read Blob, CSV in two passes through csv-parse
// (csv-stream.ts). The format comes from the file's first bytes when they are unambiguous (`PAR1`
// Parquet, `ARROW1` Arrow IPC file, the IPC stream's 0xFFFFFFFF continuation marker), else from
// its extension (.csv is CSV). All files of one write become one job, so their schemas must
// agree: batches are conformed to the first file's column order and every column is made
// nullable, and a file whose column names or types differ is rejected, naming both files.
import { createReadStream, openAsBlob } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Field, makeData, RecordBatch, RecordBatchReader, Schema, Struct, tableFromIPC } from 'apache-arrow';
import { csvRecordBatches, inferCsvColumns } from './csv-stream.ts';
import { CsvFormatError } from './csv-table.ts';

export type InputFormat = 'csv' | 'parquet' | 'arrow';

export class InputFileError extends Error {
  override readonly name = 'InputFileError';
}

export function detectFormat(path: string, head: Uint8Array): InputFormat | undefined {
  const ascii = new TextDecoder('latin1').decode(head.subarray(0, 6));
  if (ascii.startsWith('PAR1')) return 'parquet';
  if (ascii === 'ARROW1') return 'arrow';
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff)
    return 'arrow';
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.parquet' || extension === '.pq') return 'parquet';
  if (['.arrow', '.arrows', '.ipc', '.feather'].includes(extension)) return 'arrow';
  return undefined;
}

export interface InputFile {
  readonly path: string;
  readonly shownAs: string;
  readonly format: InputFormat;
  /** Bytes on disk. */
  readonly size: number;
}

/** What has been read of the files so far, for progress lines. */
export interface ReadProgress {
  bytes: number;
  rows: number;
  batches: number;
}

const PARQUET_BATCH_ROWS = 65_536;

/** Checks that a file exists and tells its format; every failure names the file and what to do. */
export async function inspectInputFile(path: string, shownAs = basename(path)): Promise<InputFile> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const size = (await handle.stat()).size;
    const head = new Uint8Array(8);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const format = detectFormat(path, head.subarray(0, bytesRead));
    if (format === undefined) {
      throw new InputFileError(
        `cannot tell the format of ${shownAs}: floe write reads CSV (.csv), Parquet (.parquet) and Arrow IPC (.arrow, .arrows)`,
      );
    }
    return { path, shownAs, format, size };
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputFileError(
      code === 'ENOENT'
        ? `${shownAs} does not exist`
        : `cannot read ${shownAs} (${code}): check its permissions`,
    );
  } finally {
    await handle?.close();
  }
}

/** A file handle whose reads are counted into `progress.bytes` (apache-arrow reads through it). */
function countedHandle(handle: FileHandle, progress: ReadProgress): FileHandle {
  return new Proxy(handle, {
    get(target, property) {
      if (property === 'read') {
        return async (...args: Parameters<FileHandle['read']>) => {
          const result = await (target.read as (...a: unknown[]) => Promise<{ bytesRead: number }>)(...args);
          progress.bytes += result.bytesRead;
          return result;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function* arrowBatches(file: InputFile, progress: ReadProgress): AsyncGenerator<RecordBatch> {
  const handle = await open(file.path, 'r');
  try {
    const reader = await RecordBatchReader.from(countedHandle(handle, progress));
    await reader.open();
    for await (const batch of reader as AsyncIterable<RecordBatch>) yield batch;
  } finally {
    await handle.close();
  }
}

async function* parquetBatches(file: InputFile, progress: ReadProgress): AsyncGenerator<RecordBatch> {
  const parquet = await import('parquet-wasm');
  const reader = await parquet.ParquetFile.fromFile(await openAsBlob(file.path));
  const totalRows = Number(reader.metadata().fileMetadata().numRows());
  const start = progress.bytes;
  let rows = 0;
  for await (const wasmBatch of (await reader.stream({ batchSize: PARQUET_BATCH_ROWS })) as AsyncIterable<{
    intoIPCStream(): Uint8Array;
  }>) {
    for (const batch of tableFromIPC(wasmBatch.intoIPCStream()).batches as RecordBatch[]) {
      rows += batch.numRows;
      // parquet-wasm reads the Blob itself: bytes are estimated from the rows read.
      progress.bytes = start + Math.round((file.size * rows) / Math.max(1, totalRows));
      yield batch;
    }
  }
}

async function* csvBatches(file: InputFile, progress: ReadProgress): AsyncGenerator<RecordBatch> {
  const columns = await inferCsvColumns(() => createReadStream(file.path), file.shownAs);
  const counted = () => {
    const stream = createReadStream(file.path);
    stream.on('data', (chunk) => {
      progress.bytes += chunk.length;
    });
    return stream;
  };
  yield* csvRecordBatches(counted, file.shownAs, columns);
}

/** The file's record batches, read as they are consumed; counts into `progress`. */
export async function* readInputFile(file: InputFile, progress: ReadProgress): AsyncGenerator<RecordBatch> {
  const batches =
    file.format === 'arrow'
      ? arrowBatches(file, progress)
      : file.format === 'parquet'
        ? parquetBatches(file, progress)
        : csvBatches(file, progress);
  try {
    for await (const batch of batches) {
      progress.rows += batch.numRows;
      progress.batches += 1;
      yield batch;
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    if (error instanceof CsvFormatError) throw new InputFileError(error.message);
    const detail = error instanceof Error ? error.message : String(error);
    throw new InputFileError(
      `${file.shownAs} is not a readable ${file.format === 'arrow' ? 'Arrow IPC' : file.format} file: ${detail}`,
    );
  }
}

function describe(schema: Schema): string {
  return schema.fields.map((field) => `${field.name}: ${String(field.type)}`).join(', ');
}

/** Every column nullable: a write's files differ in which columns happen to have nulls. */
export function nullableSchema(schema: Schema): Schema {
  return new Schema(
    schema.fields.map((field) => new Field(field.name, field.type, true, field.metadata)),
    schema.metadata,
  );
}

/** The batch with `target`'s column order and nullability; throws when names or types differ. */
export function conformBatch(
  batch: RecordBatch,
  target: Schema,
  shownAs: string,
  firstShownAs: string,
): RecordBatch {
  const mismatch = () =>
    new InputFileError(
      `${shownAs} has columns (${describe(batch.schema)}) but ${firstShownAs} has (${describe(target)}): ` +
        'the files of one write must have the same columns and types; write them separately',
    );
  if (batch.schema.fields.length !== target.fields.length) throw mismatch();
  const children = target.fields.map((field) => {
    const index = batch.schema.fields.findIndex((candidate) => candidate.name === field.name);
    const source = batch.schema.fields[index];
    if (source === undefined || String(source.type) !== String(field.type)) throw mismatch();
    return batch.data.children[index] as (typeof batch.data.children)[number];
  });
  const data = makeData({
    type: new Struct(target.fields),
    length: batch.numRows,
    nullCount: 0,
    children,
  });
  return new RecordBatch(target, data);
}
