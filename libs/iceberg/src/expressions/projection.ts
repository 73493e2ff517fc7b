// Projection of a row filter through a partition spec into a filter on partition values.
// Inclusive: every partition holding a matching row matches the projection (so a partition
// failing it can be skipped by scans). Strict: every row of a partition matching the projection
// matches the filter (so overwrite/delete can drop whole files without reading them).
//
// The rules follow the reference implementation's per-transform projections: identity keeps the
// predicate; bucket keeps equality (inclusive) or inequality (strict); order-preserving
// transforms (truncate, year, month, day, hour) move range bounds by one source unit before
// transforming (`x < 5` is `t(x) <= t(4)` inclusively, `t(x) < t(5)` strictly); truncated
// strings handle prefixes by comparing the prefix length with the width; void partitions say
// nothing. Filters are first rewritten without `not` (bound.ts) so each leaf projects alone.
// A predicate on a column that several partition fields use projects through each of them:
// ANDed for inclusive (each is a necessary condition), ORed for strict (each is sufficient).

import { decimalDigits } from '../spec/decimal.ts';
import type { BoundPartitionField, BoundPartitionSpec, PartitionTuple } from '../spec/partition.ts';
import { applyTransform, transformToString } from '../spec/transforms.ts';
import type { PrimitiveType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import {
  type BoundExpression,
  type BoundPredicate,
  type BoundTerm,
  distinctSorted,
  rewriteNot,
  transformName,
} from './bound.ts';
import { and, FALSE, or, type PredicateOperation, TRUE } from './expression.ts';

type Mode = 'inclusive' | 'strict';

/** A filter on partition fields that every partition containing a matching row satisfies. */
export function projectInclusive(filter: BoundExpression, spec: BoundPartitionSpec): BoundExpression {
  return project(rewriteNot(filter), spec, 'inclusive');
}

/** A filter on partition fields whose satisfying partitions contain only matching rows. */
export function projectStrict(filter: BoundExpression, spec: BoundPartitionSpec): BoundExpression {
  return project(rewriteNot(filter), spec, 'strict');
}

/** Reads a partition tuple (positional, spec order) by partition field id, for `evaluate`. */
export function partitionAccessor(
  spec: BoundPartitionSpec,
  tuple: PartitionTuple,
): (fieldId: number) => unknown {
  const positions = new Map(spec.fields.map((field, i) => [field.field.fieldId, i]));
  return (fieldId) => {
    const position = positions.get(fieldId);
    return position === undefined ? null : (tuple[position] ?? null);
  };
}

function project(filter: BoundExpression, spec: BoundPartitionSpec, mode: Mode): BoundExpression {
  switch (filter.kind) {
    case 'true':
    case 'false':
      return filter;
    case 'and':
      return and(project(filter.left, spec, mode), project(filter.right, spec, mode));
    case 'or':
      return or(project(filter.left, spec, mode), project(filter.right, spec, mode));
    case 'not':
      // rewriteNot leaves none; treat defensively as "no information".
      return mode === 'inclusive' ? TRUE : FALSE;
    case 'predicate': {
      const fields = spec.fields.filter((field) => field.source.field.id === filter.term.fieldId);
      const projections = fields.map(
        (field) => projectPredicate(filter, field, mode) ?? (mode === 'inclusive' ? TRUE : FALSE),
      );
      return mode === 'inclusive' ? and(...projections) : or(...projections);
    }
  }
}

function partitionTerm(field: BoundPartitionField): BoundTerm {
  const type = field.resultType as PrimitiveType;
  return {
    fieldId: field.field.fieldId,
    name: field.field.name,
    segments: [field.field.name],
    required: false,
    sourceType: type,
    type,
  };
}

/** The projection of one predicate through one partition field; undefined = no information. */
function projectPredicate(
  predicate: BoundPredicate,
  field: BoundPartitionField,
  mode: Mode,
): BoundExpression | undefined {
  const term = partitionTerm(field);
  const make = (op: PredicateOperation, literals: readonly PrimitiveValue[] = []): BoundPredicate => ({
    kind: 'predicate',
    op,
    term,
    literals,
  });
  const { transform } = field;
  if (predicate.term.transform !== undefined) {
    // A transform term projects only onto a partition field with that very transform.
    return transformName(predicate.term.transform) === transformToString(transform)
      ? make(predicate.op, predicate.literals)
      : undefined;
  }
  if (transform.kind === 'void' || transform.kind === 'unknown') return undefined;
  const { op, literals } = predicate;
  if (op === 'isNull' || op === 'notNull') return make(op);
  if (transform.kind === 'identity') return make(op, literals);
  // Only identity and void apply to float columns, so NaN checks never get further.
  /* v8 ignore next */
  if (op === 'isNaN' || op === 'notNaN') return undefined;
  const sourceType = predicate.term.type;
  const apply = (value: PrimitiveValue): PrimitiveValue => applyTransform(transform, sourceType, value)!;
  const applyAll = (op1: PredicateOperation, op2: PredicateOperation): BoundPredicate => {
    const values = distinctSorted(literals.map(apply));
    return values.length === 1 ? make(op1, values) : make(op2, values);
  };
  if (transform.kind === 'bucket') {
    if (mode === 'inclusive') return op === 'eq' || op === 'in' ? applyAll('eq', 'in') : undefined;
    return op === 'notEq' || op === 'notIn' ? applyAll('notEq', 'notIn') : undefined;
  }
  const value = literals[0]!;
  if (sourceType.kind === 'string' || sourceType.kind === 'binary') {
    const width = (transform as { width: number }).width;
    return projectTruncatedArray(op, value, width, mode, make, apply, applyAll);
  }
  const step = (delta: 1 | -1): PrimitiveValue | undefined => adjacent(sourceType, value, delta);
  if (mode === 'inclusive') {
    switch (op) {
      case 'lt': {
        const below = step(-1);
        return below === undefined ? FALSE : make('ltEq', [apply(below)]);
      }
      case 'ltEq':
        return make('ltEq', [apply(value)]);
      case 'gt': {
        const above = step(1);
        return above === undefined ? FALSE : make('gtEq', [apply(above)]);
      }
      case 'gtEq':
        return make('gtEq', [apply(value)]);
      case 'eq':
      case 'in':
        return applyAll('eq', 'in');
      default:
        return undefined;
    }
  }
  switch (op) {
    case 'lt':
      return make('lt', [apply(value)]);
    case 'ltEq': {
      const above = step(1);
      return above === undefined ? make('notNull') : make('lt', [apply(above)]);
    }
    case 'gt':
      return make('gt', [apply(value)]);
    case 'gtEq': {
      const below = step(-1);
      return below === undefined ? make('notNull') : make('gt', [apply(below)]);
    }
    case 'notEq':
    case 'notIn':
      return applyAll('notEq', 'notIn');
    default:
      return undefined;
  }
}

/** truncate[W] on strings (code points) and binary (bytes). */
function projectTruncatedArray(
  op: PredicateOperation,
  value: PrimitiveValue,
  width: number,
  mode: Mode,
  make: (op: PredicateOperation, literals?: readonly PrimitiveValue[]) => BoundPredicate,
  apply: (value: PrimitiveValue) => PrimitiveValue,
  applyAll: (op1: PredicateOperation, op2: PredicateOperation) => BoundPredicate,
): BoundExpression | undefined {
  const length = typeof value === 'string' ? [...value].length : (value as Uint8Array).length;
  if (op === 'notStartsWith') {
    // Exact while the prefix fits in the width; beyond it only the strict side can say something.
    if (length < width) return make('notStartsWith', [value]);
    if (length === width) return make('notEq', [value]);
    return mode === 'inclusive' ? undefined : make('notStartsWith', [apply(value)]);
  }
  if (mode === 'inclusive') {
    switch (op) {
      case 'lt':
      case 'ltEq':
        return make('ltEq', [apply(value)]);
      case 'gt':
      case 'gtEq':
        return make('gtEq', [apply(value)]);
      case 'eq':
      case 'in':
        return applyAll('eq', 'in');
      case 'startsWith':
        return length < width ? make('startsWith', [value]) : make('eq', [apply(value)]);
      default:
        return undefined;
    }
  }
  switch (op) {
    case 'lt':
    case 'ltEq':
      return make('lt', [apply(value)]);
    case 'gt':
    case 'gtEq':
      return make('gt', [apply(value)]);
    case 'notEq':
    case 'notIn':
      return applyAll('notEq', 'notIn');
    case 'startsWith':
      return length <= width ? make('startsWith', [value]) : undefined;
    default:
      return undefined;
  }
}

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** The next value up or down in the source type's unit; undefined past the type's range. */
function adjacent(type: PrimitiveType, value: PrimitiveValue, delta: 1 | -1): PrimitiveValue | undefined {
  if (typeof value === 'number') {
    const next = value + delta;
    return next < INT_MIN || next > INT_MAX ? undefined : next;
  }
  const next = (value as bigint) + BigInt(delta);
  if (type.kind === 'decimal') {
    return decimalDigits(next) > (type as { precision: number }).precision ? undefined : next;
  }
  return next < LONG_MIN || next > LONG_MAX ? undefined : next;
}
