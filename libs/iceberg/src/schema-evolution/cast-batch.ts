// Executes a write plan on one Arrow record batch: the result has the write schema's columns in
// table order, Arrow types as `icebergToArrowType` gives them, `PARQUET:field_id` metadata from
// the table's field ids, optional columns the data lacks as all-null vectors, and every cast
// applied. Columns that need no cast share the input's buffers. Nested columns keep their own
// validity and offsets; only their children are rebuilt. A required top-level column holding
// nulls fails the batch with a `SchemaMismatchError` that says how many nulls it found.

import {
  type Field as ArrowField,
  Data,
  type DataType,
  makeBuilder,
  makeData,
  RecordBatch,
  Struct,
} from 'apache-arrow';
import { icebergToArrowType } from '../arrow/arrow-schema.ts';
import { IcebergError } from '../errors.ts';
import { SchemaMismatchError, type SchemaProblem } from './schema-mismatch-error.ts';
import type { ColumnPlan, ListLayout, WritePlan } from './write-plan.ts';

export interface CastBatchOptions {
  /** Named in error messages, e.g. `bronze.events`. */
  readonly tableName?: string;
}

export function castBatch(batch: RecordBatch, plan: WritePlan, options: CastBatchOptions = {}): RecordBatch {
  checkSource(batch, plan);
  const length = batch.numRows;
  const sources = batch.data.children as Data[];
  const columns = plan.columns.map((column) => build(column, sources, length));
  const problems: SchemaProblem[] = [];
  plan.columns.forEach((column, i) => {
    const nulls = columns[i]!.nullCount;
    if (column.field.required && nulls > 0) {
      problems.push({
        kind: 'null-in-required',
        column: column.path,
        message: `required column '${column.path}' has ${nulls} null value${nulls === 1 ? '' : 's'} in the data`,
      });
    }
  });
  if (problems.length > 0) {
    const table = options.tableName === undefined ? 'the table' : `table ${options.tableName}`;
    throw new SchemaMismatchError(
      `staged data cannot be written to ${table}`,
      problems,
      'fix the producer so required columns always have values, or make the columns optional',
      options.tableName === undefined ? {} : { table: options.tableName },
    );
  }
  const type = new Struct(plan.targetSchema.fields as ArrowField[]);
  const data = makeData({ type, length, nullCount: 0, children: columns });
  return new RecordBatch(plan.targetSchema, data);
}

function checkSource(batch: RecordBatch, plan: WritePlan): void {
  const expected = plan.sourceSchema.fields;
  const actual = batch.schema.fields;
  const same =
    expected.length === actual.length &&
    expected.every(
      (field, i) => field.name === actual[i]!.name && String(field.type) === String(actual[i]!.type),
    );
  if (!same) {
    const describe = (fields: readonly ArrowField[]): string =>
      fields.map((field) => `${field.name}: ${String(field.type)}`).join(', ');
    throw new IcebergError(
      'invalid-argument',
      `the batch's schema (${describe(actual)}) is not the one the write plan was made for (${describe(expected)}); plan each staged schema separately`,
    );
  }
}

function build(plan: ColumnPlan, sources: readonly Data[], length: number): Data {
  const target = icebergToArrowType(plan.field.type);
  switch (plan.op) {
    case 'fill-nulls':
      return nulls(target, length);
    case 'leaf':
      return plan.cast.apply(sources[plan.source]!);
    case 'struct': {
      const source = sources[plan.source]!;
      const children = plan.children.map((child) => build(child, source.children as Data[], source.length));
      return new Data(
        target,
        source.offset,
        source.length,
        source.nullCount,
        [undefined, undefined, source.nullBitmap],
        children,
      );
    }
    case 'list': {
      const source = sources[plan.source]!;
      const child = source.children[0] as Data;
      const element = build(plan.element, [child], child.length);
      return new Data(
        target,
        source.offset,
        source.length,
        source.nullCount,
        [listOffsets(source, plan.layout), undefined, source.nullBitmap],
        [element],
      );
    }
    case 'map': {
      const source = sources[plan.source]!;
      const entries = source.children[0] as Data;
      const entryChildren = entries.children as Data[];
      const key = build(plan.key, entryChildren, entries.length);
      const value = build(plan.value, entryChildren, entries.length);
      const entriesType = (target.children[0] as ArrowField).type as DataType;
      const entriesOut = new Data(
        entriesType,
        entries.offset,
        entries.length,
        entries.nullCount,
        [undefined, undefined, entries.nullBitmap],
        [key, value],
      );
      return new Data(
        target,
        source.offset,
        source.length,
        source.nullCount,
        [source.valueOffsets, undefined, source.nullBitmap],
        [entriesOut],
      );
    }
  }
}

/** 32-bit list offsets from any list layout (large lists are rebased, fixed-size lists spelled out). */
function listOffsets(source: Data, layout: ListLayout): Int32Array {
  if (layout === 'list') return source.valueOffsets as Int32Array;
  const out = new Int32Array(source.length + 1);
  if (layout === 'fixed-size-list') {
    const size = (source.type as unknown as { listSize: number }).listSize;
    for (let i = 0; i <= source.length; i++) out[i] = i * size;
    return out;
  }
  const offsets = source.valueOffsets as unknown as BigInt64Array;
  for (let i = 0; i <= source.length; i++) out[i] = Number(offsets[i]!);
  return out;
}

/** An all-null column of `type`, built by Arrow's own builders so nested layouts are valid. */
function nulls(type: DataType, length: number): Data {
  const builder = makeBuilder({ type, nullValues: [null] });
  for (let i = 0; i < length; i++) builder.append(null);
  return builder.finish().flush() as Data;
}
