// Vectorised filter evaluation over an Arrow record batch: returns a mask with 1 for every row
// the bound expression matches. Columns are located by the path of each referenced field
// (top-level fields by `PARQUET:field_id` metadata when present, else by name; struct children
// by name), and cells are read with `readArrowValue` so values follow the same contract as
// row evaluation — which this then reuses row by row, keeping one definition of the semantics.

import type { Field as ArrowField, RecordBatch, Vector } from 'apache-arrow';
import { readFieldId } from '../arrow/arrow-schema.ts';
import { readArrowValue } from '../arrow/read-value.ts';
import { IcebergError } from '../errors.ts';
import type { BoundExpression, BoundTerm } from './bound.ts';
import { collectTerms, evaluate } from './evaluator.ts';

/** One byte per row: 1 where `expression` matches, 0 elsewhere. */
export function evaluateBatch(expression: BoundExpression, batch: RecordBatch): Uint8Array {
  const mask = new Uint8Array(batch.numRows);
  if (expression.kind === 'true') return mask.fill(1);
  if (expression.kind === 'false') return mask;
  const columns = new Map<number, ColumnPath>();
  collectTerms(expression, ({ term }) => {
    if (!columns.has(term.fieldId)) columns.set(term.fieldId, locateColumn(batch, term));
  });
  let row = 0;
  const read = (fieldId: number): unknown => readCell(columns.get(fieldId)!, row);
  for (; row < batch.numRows; row++) mask[row] = evaluate(expression, read) ? 1 : 0;
  return mask;
}

/** Indexes of the rows whose mask byte is set (for `batch.select`-style slicing). */
export function maskToIndexes(mask: Uint8Array): number[] {
  const indexes: number[] = [];
  mask.forEach((bit, i) => {
    if (bit === 1) indexes.push(i);
  });
  return indexes;
}

interface ColumnPath {
  readonly term: BoundTerm;
  /** Vectors from the top-level column down to the leaf. */
  readonly vectors: readonly Vector[];
}

function readCell(path: ColumnPath, row: number): unknown {
  const { vectors, term } = path;
  // A null struct nulls its children whatever their own validity bits say.
  for (let depth = 0; depth < vectors.length - 1; depth++) {
    if (!vectors[depth]!.isValid(row)) return null;
  }
  return readArrowValue(vectors[vectors.length - 1]!, row, term.sourceType, term.name);
}

function locateColumn(batch: RecordBatch, term: BoundTerm): ColumnPath {
  const [first, ...rest] = term.segments;
  const fields = batch.schema.fields;
  let index = fields.findIndex(
    (field: ArrowField) => safeFieldId(field) === term.fieldId && rest.length === 0,
  );
  if (index < 0) index = fields.findIndex((field: ArrowField) => field.name === first);
  if (index < 0) throw missingColumn(term);
  const vectors: Vector[] = [batch.getChildAt(index)!];
  for (const segment of rest) {
    const child = (
      vectors[vectors.length - 1] as Vector & { getChild(name: string): Vector | null }
    ).getChild?.(segment);
    if (child === null || child === undefined) throw missingColumn(term);
    vectors.push(child);
  }
  return { term, vectors };
}

function safeFieldId(field: ArrowField): number | undefined {
  try {
    return readFieldId(field);
  } catch {
    return undefined;
  }
}

function missingColumn(term: BoundTerm): IcebergError {
  return new IcebergError(
    'schema-mismatch',
    `the Arrow batch has no column '${term.name}' (field id ${term.fieldId}) that the filter needs`,
    { context: { column: term.name, fieldId: term.fieldId } },
  );
}
