// Strict metrics evaluation: does EVERY row of a data file match the filter? Overwrite and
// delete use it to drop whole files without reading them, so "true" is a promise about every
// row and any missing or inconclusive metric yields "false" (the file then gets rewritten row
// by row instead). Null and NaN rows count: a range comparison can only hold for all rows when
// the counts prove there are no nulls and no NaNs, while notEq/notIn/notStartsWith also hold
// for them (bound.ts). An empty file vacuously matches. Mirrors the reference implementation's
// strict evaluator; `not` is rewritten away first.

import type { DataFile } from '../manifest/data-file.ts';
import { type BoundExpression, type BoundPredicate, compareValues, foldPredicates } from './bound.ts';
import { type ColumnStats, codePointLength, columnStats, prefixOf } from './column-stats.ts';

/** True only when every row of `file` matches `filter`. */
export function metricsAllMatch(filter: BoundExpression, file: DataFile): boolean {
  if (file.recordCount <= 0n) return true;
  return foldPredicates(filter, (node) => predicateAllMatch(node, file));
}

function predicateAllMatch(predicate: BoundPredicate, file: DataFile): boolean {
  if (predicate.term.transform !== undefined) return false;
  const stats = columnStats(file, predicate.term.fieldId, predicate.term.type);
  const { op, literals } = predicate;
  switch (op) {
    case 'isNull':
      return stats.nullsOnly;
    case 'notNull':
      return stats.nullCount === 0n;
    case 'isNaN':
      return stats.nansOnly;
    case 'notNaN':
      return stats.nanCount === 0n || stats.nullsOnly;
    case 'notEq':
    case 'notIn':
      return stats.nullsOnly || stats.nansOnly || literals.every((literal) => outsideBounds(stats, literal));
    case 'notStartsWith':
      return stats.nullsOnly || noneStartWith(stats, literals[0] as string);
    default:
      // Positive predicates fail on null and NaN rows: require proof there are none.
      if (stats.mayHaveNulls || stats.mayHaveNaNs) return false;
      return positiveAllMatch(op, stats, literals);
  }
}

function positiveAllMatch(op: string, stats: ColumnStats, literals: BoundPredicate['literals']): boolean {
  const { lower, upper } = stats;
  if (lower === undefined || upper === undefined) return false;
  const value = literals[0]!;
  switch (op) {
    case 'lt':
      return compareValues(upper, value) < 0;
    case 'ltEq':
      return compareValues(upper, value) <= 0;
    case 'gt':
      return compareValues(lower, value) > 0;
    case 'gtEq':
      return compareValues(lower, value) >= 0;
    case 'eq':
    case 'in':
      // Only a file holding one distinct value can match an equality everywhere.
      return (
        compareValues(lower, upper) === 0 && literals.some((literal) => compareValues(lower, literal) === 0)
      );
    default:
      // startsWith: both bounds carry the prefix, so everything between them does too.
      return (lower as string).startsWith(value as string) && (upper as string).startsWith(value as string);
  }
}

function outsideBounds(stats: ColumnStats, value: BoundPredicate['literals'][number]): boolean {
  if (stats.lower !== undefined && compareValues(stats.lower, value) > 0) return true;
  return stats.upper !== undefined && compareValues(stats.upper, value) < 0;
}

function noneStartWith(stats: ColumnStats, prefix: string): boolean {
  const { lower, upper } = stats;
  const length = codePointLength(prefix);
  if (lower !== undefined && compareValues(prefixOf(lower, length), prefix) > 0) return true;
  return upper !== undefined && compareValues(prefixOf(upper, length), prefix) < 0;
}
