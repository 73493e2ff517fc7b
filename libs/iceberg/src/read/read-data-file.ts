// Reads an Iceberg Parquet data file back into Arrow, shaped like the table's schema today. Used by
// copy-on-write (overwrite by filter), which must rewrite the rows of a file that the filter does
// not match. The file is decoded one row group at a time (parquet-wasm → Arrow IPC → apache-arrow)
// so wasm memory holds a single row group, not the file. Columns are matched to the table schema
// by `PARQUET:field_id` (falling back to the name when a file carries no ids), so a file written
// before a rename, an added column or a widened type still reads as the current schema: renamed
// columns take their new name, added columns read as nulls, narrower types are cast up, and
// columns since dropped from the table are left out.

import {
  type Field as ArrowField,
  Schema as ArrowSchema,
  makeData,
  RecordBatch,
  Struct,
  tableFromIPC,
} from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { readFieldId } from '../arrow/arrow-schema.ts';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import { castBatch } from '../schema-evolution/cast-batch.ts';
import { planWrite, type WritePlan } from '../schema-evolution/write-plan.ts';
import type { Schema } from '../spec/types.ts';
import { footerLength, parseParquetFooter } from '../write/parquet-footer.ts';

/** Every record batch of the Parquet file at `location`, as stored (file schema, file names). */
export async function* readParquetBatches(io: FileIO, location: string): AsyncGenerator<RecordBatch> {
  const bytes = await io.read(location);
  const length = footerLength(bytes, location);
  if (length + 12 > bytes.length)
    throw unreadable(location, 'its footer length runs past the start of the file');
  const footer = parseParquetFooter(bytes.subarray(bytes.length - 8 - length, bytes.length - 8), location);
  for (let group = 0; group < footer.rowGroups.length; group++) {
    let ipc: Uint8Array;
    try {
      ipc = parquet.readParquet(bytes, { rowGroups: [group] }).intoIPCStream();
    } catch (cause) {
      throw unreadable(location, `row group ${group} could not be decoded (${String(cause)})`, cause);
    }
    for (const batch of tableFromIPC(ipc).batches) yield batch;
  }
}

/** Every record batch of the data file at `location`, projected onto `schema` (see header). */
export async function* readDataFile(
  io: FileIO,
  location: string,
  schema: Schema,
): AsyncGenerator<RecordBatch> {
  let projection: { fileSchema: ArrowSchema; columns: FileColumns; plan: WritePlan } | undefined;
  for await (const batch of readParquetBatches(io, location)) {
    if (projection === undefined || projection.fileSchema !== batch.schema) {
      const columns = matchColumns(batch.schema, schema);
      const planned = planWrite(schema, columns.schema);
      if (planned.problems.length > 0) {
        const detail = planned.problems.map((p) => p.message).join('; ');
        throw new IcebergError(
          'schema-mismatch',
          `data file ${location} cannot be read as the table schema: ${detail}`,
          { context: { file: location } },
        );
      }
      projection = { fileSchema: batch.schema, columns, plan: planned.plan };
    }
    yield castBatch(select(batch, projection.columns), projection.plan);
  }
}

interface FileColumns {
  /** The file's columns the table still has, under the table's names. */
  readonly schema: ArrowSchema;
  /** Their positions in the file. */
  readonly indexes: readonly number[];
}

/** The file's top-level columns matched to the table's by field id (by name without ids). */
function matchColumns(fileSchema: ArrowSchema, schema: Schema): FileColumns {
  const byId = new Map(schema.fields.map((field) => [field.id, field.name]));
  const names = new Set(schema.fields.map((field) => field.name));
  const fields: ArrowField[] = [];
  const indexes: number[] = [];
  fileSchema.fields.forEach((field: ArrowField, i: number) => {
    const id = safeFieldId(field);
    const name = id === undefined ? (names.has(field.name) ? field.name : undefined) : byId.get(id);
    if (name === undefined) return;
    fields.push(name === field.name ? field : field.clone({ name }));
    indexes.push(i);
  });
  return { schema: new ArrowSchema(fields, fileSchema.metadata), indexes };
}

function select(batch: RecordBatch, columns: FileColumns): RecordBatch {
  const children = columns.indexes.map((i) => batch.data.children[i]!);
  const type = new Struct(columns.schema.fields);
  return new RecordBatch(columns.schema, makeData({ type, length: batch.numRows, nullCount: 0, children }));
}

function safeFieldId(field: ArrowField): number | undefined {
  try {
    return readFieldId(field);
  } catch {
    return undefined;
  }
}

function unreadable(location: string, reason: string, cause?: unknown): IcebergError {
  return new IcebergError('io', `cannot read data file ${location}: ${reason}`, {
    retryable: false,
    context: { file: location },
    ...(cause === undefined ? {} : { cause }),
  });
}
