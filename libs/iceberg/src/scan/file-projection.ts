// Reads a data (or equality delete) file's columns in the shape of a table schema. Only the
// file's columns that `schema` holds are fetched, matched by `PARQUET:field_id` (by name for
// files written without ids); then the same `planWrite`/`castBatch` reconciliation the
// copy-on-write reader uses gives renamed columns their new names, reads columns added since
// the file was written as nulls and widens narrower types. Batches keep the file's row order, so
// callers can count row positions (position deletes).

import { type Field as ArrowField, Schema as ArrowSchema, makeData, RecordBatch, Struct } from 'apache-arrow';
import { readFieldId } from '../arrow/arrow-schema.ts';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import { castBatch } from '../schema-evolution/cast-batch.ts';
import { planWrite, type WritePlan } from '../schema-evolution/write-plan.ts';
import type { Schema } from '../spec/types.ts';
import { RangeCounter, RangedParquetFile } from './ranged-parquet.ts';

/** Shared by the tasks of one scan: byte counting and delete files read once. */
export interface ReadContext {
  readonly io: FileIO;
  readonly counter: RangeCounter;
  readonly deleteCache: Map<string, Promise<unknown>>;
}

export function newReadContext(io: FileIO): ReadContext {
  return { io, counter: new RangeCounter(), deleteCache: new Map() };
}

/** Every batch of the file at `location` with exactly `schema`'s columns. */
export async function* readFileAs(
  io: FileIO,
  location: string,
  size: bigint,
  schema: Schema,
  counter: RangeCounter,
): AsyncGenerator<RecordBatch> {
  const file = await RangedParquetFile.open(io, location, Number(size), counter);
  try {
    const columns = matchColumns(file.schema, schema);
    const plan = planFor(schema, columns, location);
    // A file holding none of the wanted columns (all added later) still has rows: read its
    // first column for the row count and let the cast fill the wanted ones with nulls.
    const names =
      columns.names.length > 0 ? columns.names : file.schema.fields.slice(0, 1).map((f) => f.name);
    for await (const raw of file.read(names)) yield castBatch(select(raw, columns), plan);
  } finally {
    file.close();
  }
}

interface FileColumns {
  /** Matched file columns, renamed to the schema's names. */
  readonly schema: ArrowSchema;
  /** Their names in the file. */
  readonly names: readonly string[];
}

function matchColumns(fileSchema: ArrowSchema, schema: Schema): FileColumns {
  const byId = new Map(schema.fields.map((field) => [field.id, field.name]));
  const byName = new Set(schema.fields.map((field) => field.name));
  const fields: ArrowField[] = [];
  const names: string[] = [];
  for (const field of fileSchema.fields) {
    const id = safeFieldId(field);
    const name = id === undefined ? (byName.has(field.name) ? field.name : undefined) : byId.get(id);
    if (name === undefined) continue;
    fields.push(name === field.name ? field : field.clone({ name }));
    names.push(field.name);
  }
  return { schema: new ArrowSchema(fields, fileSchema.metadata), names };
}

function planFor(schema: Schema, columns: FileColumns, location: string): WritePlan {
  const planned = planWrite(schema, columns.schema);
  if (planned.problems.length > 0) {
    const detail = planned.problems.map((p) => p.message).join('; ');
    throw new IcebergError(
      'schema-mismatch',
      `data file ${location} cannot be read as the table schema: ${detail}`,
      { context: { file: location } },
    );
  }
  return planned.plan;
}

function select(batch: RecordBatch, columns: FileColumns): RecordBatch {
  const positions = new Map(batch.schema.fields.map((field, i) => [field.name, i]));
  const children = columns.names.map((name) => batch.data.children[positions.get(name)!]!);
  const type = new Struct(columns.schema.fields);
  return new RecordBatch(columns.schema, makeData({ type, length: batch.numRows, nullCount: 0, children }));
}

/** `batch` cut down to `schema`'s top-level columns (matched by name). */
export function projectBatch(batch: RecordBatch, schema: Schema): RecordBatch {
  const positions = new Map(batch.schema.fields.map((field, i) => [field.name, i]));
  const indexes = schema.fields.map((field) => positions.get(field.name)!);
  const fields = indexes.map((i) => batch.schema.fields[i]!);
  const children = indexes.map((i) => batch.data.children[i]!);
  return new RecordBatch(
    new ArrowSchema(fields, batch.schema.metadata),
    makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }),
  );
}

function safeFieldId(field: ArrowField): number | undefined {
  try {
    return readFieldId(field);
  } catch {
    return undefined;
  }
}
