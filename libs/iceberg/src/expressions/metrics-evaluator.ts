// Inclusive metrics evaluation: might a data file contain a row matching the filter? Answers
// from the file's column metrics alone (value/null/NaN counts, lower/upper bounds), so scan
// planning can skip files without opening them. "false" is a promise that no row matches;
// "true" only means the file has to be read. Any missing metric means "might match". The
// per-predicate rules mirror the reference implementation's inclusive evaluator; `not` is
// rewritten away first (bound.ts) so every rule sees a plain predicate.

import type { DataFile } from '../manifest/data-file.ts';
import { type BoundExpression, type BoundPredicate, compareValues, foldPredicates } from './bound.ts';
import { type ColumnStats, codePointLength, columnStats, prefixOf } from './column-stats.ts';

/** False only when no row of `file` can match `filter`. */
export function metricsMightMatch(filter: BoundExpression, file: DataFile): boolean {
  if (file.recordCount <= 0n) return false;
  return foldPredicates(filter, (node) => predicateMightMatch(node, file));
}

function predicateMightMatch(predicate: BoundPredicate, file: DataFile): boolean {
  // Metrics describe column values, not transformed ones.
  if (predicate.term.transform !== undefined) return true;
  const stats = columnStats(file, predicate.term.fieldId, predicate.term.type);
  const { op, literals } = predicate;
  switch (op) {
    case 'isNull':
      return stats.nullCount === undefined || stats.nullCount > 0n;
    case 'notNull':
      return !stats.nullsOnly;
    case 'isNaN':
      return !stats.nullsOnly && (stats.nanCount === undefined || stats.nanCount > 0n);
    case 'notNaN':
      return !stats.nansOnly;
    case 'notEq':
    case 'notIn':
      return true;
    case 'notStartsWith':
      return notStartsWithMightMatch(stats, literals[0] as string);
    default:
      return !stats.nullsOnly && !stats.nansOnly && rangeMightMatch(op, stats, literals);
  }
}

function rangeMightMatch(op: string, stats: ColumnStats, literals: BoundPredicate['literals']): boolean {
  const { lower, upper } = stats;
  const value = literals[0]!;
  switch (op) {
    case 'lt':
      return lower === undefined || compareValues(lower, value) < 0;
    case 'ltEq':
      return lower === undefined || compareValues(lower, value) <= 0;
    case 'gt':
      return upper === undefined || compareValues(upper, value) > 0;
    case 'gtEq':
      return upper === undefined || compareValues(upper, value) >= 0;
    case 'eq':
      return withinBounds(stats, value);
    case 'in':
      return literals.some((literal) => withinBounds(stats, literal));
    default: {
      // startsWith: compare the bounds cut to the prefix length with the prefix.
      const length = codePointLength(value as string);
      if (lower !== undefined && compareValues(prefixOf(lower, length), value) > 0) return false;
      return upper === undefined || compareValues(prefixOf(upper, length), value) >= 0;
    }
  }
}

function withinBounds(stats: ColumnStats, value: BoundPredicate['literals'][number]): boolean {
  if (stats.lower !== undefined && compareValues(stats.lower, value) > 0) return false;
  return stats.upper === undefined || compareValues(stats.upper, value) >= 0;
}

function notStartsWithMightMatch(stats: ColumnStats, prefix: string): boolean {
  // Nulls match notStartsWith; so do values outside the prefix range.
  if (stats.mayHaveNulls) return true;
  const { lower, upper } = stats;
  if (lower === undefined || upper === undefined) return true;
  // Every value lies between two strings that both start with the prefix: all start with it.
  return !((lower as string).startsWith(prefix) && (upper as string).startsWith(prefix));
}
