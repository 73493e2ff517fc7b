// Upsert by key columns: the staged rows replace the table's rows with the same key, and rows
// with new keys are inserted. The rows are first written as ordinary data files; this module
// reads back their key columns and turns them into the `RowMatcher` of the merge-on-read delete
// that commits with them (row-level-commit.ts): a range filter per key column (min..max of the
// new keys — what lets partition and column statistics rule files out) and an exact key-set
// test per row. Keys come from the job, or else from the table's identifier fields.
//
// The one rule for duplicate keys: a key may appear only once among the rows of one upsert. A
// batch with a repeated key is refused (naming the key), as is a null key value, before
// anything is committed — deduplicate upstream, keeping the row you want.

import type { Vector } from 'apache-arrow';
import { readArrowValue } from '../arrow/read-value.ts';
import { IcebergError } from '../errors.ts';
import { and, type Expression, gtEq, type Literal, ltEq, TRUE } from '../expressions/expression.ts';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { rowKey } from '../scan/delete-filter.ts';
import { readFileAs } from '../scan/file-projection.ts';
import { RangeCounter } from '../scan/ranged-parquet.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { NestedField, Schema } from '../spec/types.ts';
import { compareStrings } from '../write/bounds.ts';
import type { RowMatcher } from './row-level-delete.ts';

/** Key column types whose min..max makes a pruning filter (comparable literal forms). */
const RANGE_KINDS = new Set(['int', 'long', 'date', 'string', 'timestamp', 'timestamptz']);

/** The smallest lower and largest upper bound of `field` over `files`, when every file has both. */
function boundsOf(
  files: readonly DataFile[],
  field: NestedField,
): { min: unknown; max: unknown } | undefined {
  if (!RANGE_KINDS.has(field.type.kind) || files.length === 0) return undefined;
  let min: unknown;
  let max: unknown;
  for (const file of files) {
    const lower = file.lowerBounds?.get(field.id);
    const upper = file.upperBounds?.get(field.id);
    if (lower === undefined || upper === undefined) return undefined;
    const low = deserializeSingleValue(field.type, lower);
    const high = deserializeSingleValue(field.type, upper);
    if (min === undefined || less(low, min)) min = low;
    if (max === undefined || less(max, high)) max = high;
  }
  return { min, max };
}

/** Order of key values; strings by UTF-8 bytes, as Iceberg bounds compare them. */
/** A key bound usable in a filter (what deserialized bounds and Arrow key values are). */
function isLiteral(value: unknown): value is Literal {
  const kind = typeof value;
  return (
    kind === 'boolean' ||
    kind === 'number' ||
    kind === 'bigint' ||
    kind === 'string' ||
    value instanceof Uint8Array
  );
}

function less(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b) < 0;
  return (a as number) < (b as number);
}

/** The key fields: `keys` by name, else the schema's identifier fields. */
export function upsertKeyFields(
  schema: Schema,
  keys: readonly string[] | undefined,
  table: string,
): NestedField[] {
  if (keys === undefined || keys.length === 0) {
    const fields = schema.identifierFieldIds.map((id) => schema.fields.find((f) => f.id === id));
    if (fields.length === 0 || fields.some((f) => f === undefined)) {
      throw new IcebergError(
        'invalid-argument',
        `upsert into ${table} needs key columns: pass keys (e.g. --key id) or set identifier fields on the table`,
        { context: { table } },
      );
    }
    return fields as NestedField[];
  }
  return keys.map((name) => {
    const field = schema.fields.find((f) => f.name === name);
    if (field === undefined) {
      throw new IcebergError(
        'invalid-argument',
        `upsert key '${name}' is not a column of ${table}; its columns are ${schema.fields.map((f) => f.name).join(', ')}`,
        { context: { table, key: name } },
      );
    }
    if (field.type.kind === 'struct' || field.type.kind === 'list' || field.type.kind === 'map') {
      throw new IcebergError(
        'invalid-argument',
        `upsert key '${name}' of ${table} is a ${field.type.kind}; keys are primitive columns`,
        {
          context: { table, key: name },
        },
      );
    }
    return field;
  });
}

/**
 * How a row's key is held: for one long / int / string column the Arrow value itself (bigint,
 * number, string — no per-row string building, the common case), else `rowKey`'s string.
 */
function keyReader(keyFields: readonly NestedField[]): (vectors: readonly Vector[], row: number) => unknown {
  const [only] = keyFields;
  if (keyFields.length === 1 && only !== undefined && SIMPLE_KEY_KINDS.has(only.type.kind)) {
    return (vectors, row) => vectors[0]!.get(row);
  }
  return (vectors, row) => rowKey(vectors, keyFields, row);
}

const SIMPLE_KEY_KINDS = new Set(['long', 'int', 'string']);

/** Reads the key columns of the upsert's new data files and builds the delete matcher. */
export async function upsertMatcher(
  io: FileIO,
  schema: Schema,
  files: readonly DataFile[],
  keyFields: readonly NestedField[],
  table: string,
): Promise<RowMatcher> {
  const keySchema: Schema = { schemaId: schema.schemaId, identifierFieldIds: [], fields: [...keyFields] };
  const keyOf = keyReader(keyFields);
  const keys = new Set<unknown>();
  // The range filter comes from the new files' column bounds when they all carry them (a lower
  // bound is ≤ every value, an upper bound ≥, truncated or not); else from the values read.
  const fromBounds = keyFields.map((field) => boundsOf(files, field));
  const min: unknown[] = fromBounds.map((b) => b?.min);
  const max: unknown[] = fromBounds.map((b) => b?.max);
  const counter = new RangeCounter();
  for (const file of files) {
    for await (const batch of readFileAs(io, file.filePath, file.fileSizeInBytes, keySchema, counter)) {
      const vectors = keyFields.map((f) => batch.getChild(f.name) as Vector);
      keyFields.forEach((field, i) => {
        if (vectors[i]!.nullCount > 0) {
          throw new IcebergError(
            'invalid-value',
            `upsert into ${table}: key column '${field.name}' is null in a staged row; every key value must be set`,
            { context: { table, key: field.name } },
          );
        }
      });
      for (let row = 0; row < batch.numRows; row++) {
        const key = keyOf(vectors, row);
        if (keys.has(key)) {
          const shown = keyFields.map((f, i) => String(readArrowValue(vectors[i]!, row, f.type, f.name)));
          throw new IcebergError(
            'invalid-value',
            `upsert into ${table}: key (${keyFields.map((f) => f.name).join(', ')}) = (${shown.join(', ')}) appears more than once in the staged rows; a key may appear once per upsert — deduplicate the batch first`,
            { context: { table } },
          );
        }
        keys.add(key);
      }
      keyFields.forEach((field, i) => {
        if (!RANGE_KINDS.has(field.type.kind) || fromBounds[i] !== undefined) return;
        for (let row = 0; row < batch.numRows; row++) {
          const value = readArrowValue(vectors[i]!, row, field.type, field.name);
          if (min[i] === undefined || less(value, min[i])) min[i] = value;
          if (max[i] === undefined || less(max[i], value)) max[i] = value;
        }
      });
    }
  }
  const ranges: Expression[] = [];
  keyFields.forEach((field, i) => {
    const low = min[i];
    const high = max[i];
    if (!RANGE_KINDS.has(field.type.kind) || !isLiteral(low) || !isLiteral(high)) return;
    ranges.push(gtEq(field.name, low), ltEq(field.name, high));
  });
  return {
    filter: keys.size === 0 ? { kind: 'false' } : ranges.length === 0 ? TRUE : and(...ranges),
    refineColumns: keyFields.map((f) => f.name),
    refine(batch, mask) {
      const vectors = keyFields.map((f) => batch.getChild(f.name) as Vector);
      for (let row = 0; row < batch.numRows; row++) {
        if (mask[row] === 1 && !keys.has(keyOf(vectors, row))) mask[row] = 0;
      }
    },
  };
}
