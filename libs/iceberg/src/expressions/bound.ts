// Bound expressions: predicates resolved against a schema, holding the field id, the column's
// primitive type and literals already in the value contract (spec/values.ts). Everything that
// evaluates filters (rows, Arrow batches, manifests, file metrics, partition projection) works
// on these. Also here: the one place that defines how predicates negate, and `rewriteNot`,
// which pushes `not` down to the leaves so the metric and projection evaluators never meet it.
//
// Null and NaN semantics (shared with evaluator.ts, as Java's evaluator behaves): the positive
// predicates lt/ltEq/gt/gtEq/eq/in/startsWith are false for a null or NaN value; notEq, notIn
// and notStartsWith are their exact complements and so are TRUE for null and NaN. A negated
// range comparison is therefore not simply the opposite comparison — `not(x < 5)` also holds
// for null and NaN rows — and `negate` spells that out so pruning never drops a matching row.

import { comparePrimitive } from '../manifest/partition-summary.ts';
import type { Transform } from '../spec/transforms.ts';
import type { PrimitiveType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import {
  and,
  describeExpression,
  describePredicateParts,
  type ExpressionOf,
  FALSE,
  or,
  type PredicateOperation,
  TRUE,
} from './expression.ts';

/** The column (or transformed column) a bound predicate tests. */
export interface BoundTerm {
  readonly fieldId: number;
  /** Full dotted name of the column, for messages. */
  readonly name: string;
  /** Path segments for walking nested rows. */
  readonly segments: readonly string[];
  readonly required: boolean;
  /** Type of the column itself. */
  readonly sourceType: PrimitiveType;
  /** Present for transform terms: the transform applied to the column before comparing. */
  readonly transform?: Transform;
  /** Type of the term's value: `sourceType`, or the transform's result type. Literals have it. */
  readonly type: PrimitiveType;
}

export interface BoundPredicate {
  readonly kind: 'predicate';
  readonly op: PredicateOperation;
  readonly term: BoundTerm;
  /** In the value contract of `term.type`; sorted and distinct for in/not-in. */
  readonly literals: readonly PrimitiveValue[];
}

export type BoundExpression = ExpressionOf<BoundPredicate>;

export function isFloatType(type: PrimitiveType): boolean {
  return type.kind === 'float' || type.kind === 'double';
}

/** Spec order of non-null, non-NaN values of one type (strings by code point, bytes unsigned). */
export function compareValues(left: PrimitiveValue, right: PrimitiveValue): number {
  return comparePrimitive(left, right);
}

/** Sorted, duplicates removed: the canonical literal list of in/not-in. */
export function distinctSorted(values: readonly PrimitiveValue[]): PrimitiveValue[] {
  const sorted = [...values].sort(compareValues);
  return sorted.filter((value, i) => i === 0 || compareValues(sorted[i - 1]!, value) !== 0);
}

export function isNaNValue(value: unknown): boolean {
  return typeof value === 'number' && Number.isNaN(value);
}

const OPPOSITE: Readonly<Partial<Record<PredicateOperation, PredicateOperation>>> = {
  isNull: 'notNull',
  notNull: 'isNull',
  isNaN: 'notNaN',
  notNaN: 'isNaN',
  eq: 'notEq',
  notEq: 'eq',
  in: 'notIn',
  notIn: 'in',
  startsWith: 'notStartsWith',
  notStartsWith: 'startsWith',
};

const RANGE_OPPOSITE: Readonly<Partial<Record<PredicateOperation, PredicateOperation>>> = {
  lt: 'gtEq',
  ltEq: 'gt',
  gt: 'ltEq',
  gtEq: 'lt',
};

/** The exact complement of a predicate under the semantics in the header. */
export function negate(predicate: BoundPredicate): BoundExpression {
  const opposite = OPPOSITE[predicate.op];
  if (opposite !== undefined) return { ...predicate, op: opposite };
  const range = RANGE_OPPOSITE[predicate.op]!;
  const { term } = predicate;
  // not(x < v) also holds where x is null or NaN, which x >= v does not.
  return or<BoundPredicate>(
    { ...predicate, op: range },
    term.required && term.transform === undefined
      ? FALSE
      : { kind: 'predicate', op: 'isNull', term, literals: [] },
    isFloatType(term.type) ? { kind: 'predicate', op: 'isNaN', term, literals: [] } : FALSE,
  );
}

/** Pushes every `not` down to the predicates (De Morgan), leaving a tree without `not`. */
export function rewriteNot(expression: BoundExpression): BoundExpression {
  switch (expression.kind) {
    case 'true':
    case 'false':
    case 'predicate':
      return expression;
    case 'and':
      return and(rewriteNot(expression.left), rewriteNot(expression.right));
    case 'or':
      return or(rewriteNot(expression.left), rewriteNot(expression.right));
    case 'not':
      return negateTree(expression.child);
  }
}

function negateTree(expression: BoundExpression): BoundExpression {
  switch (expression.kind) {
    case 'true':
      return FALSE;
    case 'false':
      return TRUE;
    case 'predicate':
      return negate(expression);
    case 'and':
      return or(negateTree(expression.left), negateTree(expression.right));
    case 'or':
      return and(negateTree(expression.left), negateTree(expression.right));
    case 'not':
      return rewriteNot(expression.child);
  }
}

/** Readable text of a bound tree, literals shown in the value contract. */
export function boundExpressionToString(expression: BoundExpression): string {
  return describeExpression(expression, (p) => {
    const column =
      p.term.transform === undefined ? p.term.name : `${transformName(p.term.transform)}(${p.term.name})`;
    return describePredicateParts(p.op, column, p.literals.map(describeBoundLiteral));
  });
}

export function transformName(transform: Transform): string {
  if (transform.kind === 'bucket') return `bucket[${transform.numBuckets}]`;
  if (transform.kind === 'truncate') return `truncate[${transform.width}]`;
  return transform.kind === 'unknown' ? transform.name : transform.kind;
}

function describeBoundLiteral(value: PrimitiveValue): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString('hex')}'`;
  return String(value);
}

/**
 * Folds a bound expression to one boolean: `not` is rewritten away first, `and`/`or` combine, and
 * `predicate` answers at the leaves. The metrics and manifest evaluators differ only in that leaf
 * answer, so they share this walk.
 */
export function foldPredicates(
  expression: BoundExpression,
  predicate: (node: BoundPredicate) => boolean,
): boolean {
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
        /* v8 ignore next 2 */
        throw new Error('internal: foldPredicates met a not after rewriteNot');
      case 'predicate':
        return predicate(node);
    }
  };
  return visit(rewriteNot(expression));
}
