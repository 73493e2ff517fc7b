// Row evaluation of bound expressions: does this one row match? Rows are read through an
// accessor that returns a column's value by field id (a Map, a function, or a plain record via
// `recordAccessor`), in the value contract. Null and NaN follow the semantics spelled out in
// bound.ts: positive predicates are false on null/NaN, notEq/notIn/notStartsWith true, and
// `not` is plain boolean negation. Transform terms apply their transform before comparing.

import { valueAtPath } from '../spec/partition.ts';
import { applyTransform } from '../spec/transforms.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import { type BoundExpression, type BoundPredicate, compareValues, isNaNValue } from './bound.ts';

/** Gives a column's value by field id; undefined and null both mean null. */
export type RowAccessor = ReadonlyMap<number, unknown> | ((fieldId: number) => unknown);

export function evaluate(expression: BoundExpression, row: RowAccessor): boolean {
  const read = typeof row === 'function' ? row : (fieldId: number) => row.get(fieldId);
  const visit = (node: BoundExpression): boolean => {
    switch (node.kind) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'and':
        return visit(node.left) && visit(node.right);
      case 'or':
        return visit(node.left) || visit(node.right);
      case 'not':
        return !visit(node.child);
      case 'predicate':
        return evaluatePredicate(node, read(node.term.fieldId));
    }
  };
  return visit(expression);
}

/** An accessor over a record keyed by column name, nested structs as objects. */
export function recordAccessor(
  expression: BoundExpression,
  record: Readonly<Record<string, unknown>>,
): (fieldId: number) => unknown {
  const paths = new Map<number, readonly string[]>();
  collectTerms(expression, (predicate) => paths.set(predicate.term.fieldId, predicate.term.segments));
  return (fieldId) => {
    const segments = paths.get(fieldId);
    return segments === undefined ? null : valueAtPath(record, segments);
  };
}

/** Evaluates against a record keyed by column name. */
export function evaluateRecord(
  expression: BoundExpression,
  record: Readonly<Record<string, unknown>>,
): boolean {
  return evaluate(expression, recordAccessor(expression, record));
}

export function collectTerms(expression: BoundExpression, visit: (predicate: BoundPredicate) => void): void {
  switch (expression.kind) {
    case 'and':
    case 'or':
      collectTerms(expression.left, visit);
      collectTerms(expression.right, visit);
      return;
    case 'not':
      collectTerms(expression.child, visit);
      return;
    case 'predicate':
      visit(expression);
      return;
    default:
      return;
  }
}

/** Tests one predicate against the raw (untransformed) column value. */
export function evaluatePredicate(predicate: BoundPredicate, rawValue: unknown): boolean {
  const { term, op, literals } = predicate;
  const value =
    rawValue === undefined || rawValue === null
      ? null
      : term.transform === undefined
        ? (rawValue as PrimitiveValue)
        : applyTransform(term.transform, term.sourceType, rawValue);
  switch (op) {
    case 'isNull':
      return value === null;
    case 'notNull':
      return value !== null;
    case 'isNaN':
      return isNaNValue(value);
    case 'notNaN':
      return !isNaNValue(value);
    case 'notEq':
    case 'notIn':
    case 'notStartsWith':
      return !matchesPositive(op, value, literals);
    default:
      return matchesPositive(op, value, literals);
  }
}

function matchesPositive(
  op: string,
  value: PrimitiveValue | null,
  literals: readonly PrimitiveValue[],
): boolean {
  if (value === null || isNaNValue(value)) return false;
  const first = literals[0]!;
  switch (op) {
    case 'lt':
      return compareValues(value, first) < 0;
    case 'ltEq':
      return compareValues(value, first) <= 0;
    case 'gt':
      return compareValues(value, first) > 0;
    case 'gtEq':
      return compareValues(value, first) >= 0;
    case 'eq':
    case 'notEq':
      return compareValues(value, first) === 0;
    case 'in':
    case 'notIn':
      return literals.some((literal) => compareValues(value, literal) === 0);
    default:
      // startsWith / notStartsWith: binding guarantees a string column and prefix.
      return (value as string).startsWith(first as string);
  }
}
