// Reads the files of `floe write` into Arrow record batches. The format comes from the file's
// first bytes when they are unambiguous (`PAR1` Parquet, `ARROW1` Arrow IPC file, the IPC
// stream's 0xFFFFFFFF continuation marker), else from its extension (.csv/.tsv is CSV). Parquet
// goes through parquet-wasm (`readParquet` → Arrow IPC stream → apache-arrow); CSV through the
// typed reader in csv-table.ts. All files of one write become one job, so their schemas must
// agree: batches are conformed to the first file's column order and every column is made
// nullable, and a file whose column names or types differ is rejected, naming both files.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Field, makeData, RecordBatch, Schema, Struct, type Table, tableFromIPC } from 'apache-arrow';
import { CsvFormatError, csvToTable } from './csv-table.ts';

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

async function parquetTable(bytes: Uint8Array): Promise<Table> {
  const parquet = await import('parquet-wasm');
  const wasmTable = parquet.readParquet(bytes);
  return tableFromIPC(wasmTable.intoIPCStream());
}

export interface LoadedFile {
  readonly path: string;
  readonly format: InputFormat;
  readonly table: Table;
}

/** Reads one file into an Arrow table; every failure names the file and what to do. */
export async function loadInputFile(path: string, shownAs = basename(path)): Promise<LoadedFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputFileError(
      code === 'ENOENT'
        ? `${shownAs} does not exist`
        : `cannot read ${shownAs} (${code}): check its permissions`,
    );
  }
  const format = detectFormat(path, bytes);
  if (format === undefined) {
    throw new InputFileError(
      `cannot tell the format of ${shownAs}: floe write reads CSV (.csv), Parquet (.parquet) and Arrow IPC (.arrow, .arrows)`,
    );
  }
  try {
    if (format === 'csv')
      return { path, format, table: csvToTable(new TextDecoder().decode(bytes), shownAs).table };
    if (format === 'parquet') return { path, format, table: await parquetTable(bytes) };
    return { path, format, table: tableFromIPC(bytes) };
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    if (error instanceof CsvFormatError) throw new InputFileError(error.message);
    const detail = error instanceof Error ? error.message : String(error);
    throw new InputFileError(
      `${shownAs} is not a readable ${format === 'arrow' ? 'Arrow IPC' : format} file: ${detail}`,
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
