// Manifest pruning: can a manifest hold any file with a matching row? The row filter is
// projected inclusively through the manifest's partition spec once (projection.ts), then each
// manifest's per-partition-field summaries (contains_null, contains_nan, lower/upper bound)
// are tested against that projection. "false" is a promise; missing summaries mean "might".
// As in the reference implementation, an absent lower bound on a field with a summary means no
// non-null, non-NaN partition value exists, since writers record bounds whenever one does.

import type { FieldSummary, ManifestFile } from '../manifest/manifest-file.ts';
import type { BoundPartitionSpec } from '../spec/partition.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { PrimitiveType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import {
  type BoundExpression,
  type BoundPredicate,
  compareValues,
  foldPredicates,
  isFloatType,
  isNaNValue,
} from './bound.ts';
import { codePointLength, prefixOf } from './column-stats.ts';
import { projectInclusive } from './projection.ts';

export type ManifestEvaluator = (manifest: ManifestFile) => boolean;

/** Projects `rowFilter` through `spec` once and returns a test for that spec's manifests. */
export function manifestEvaluator(rowFilter: BoundExpression, spec: BoundPartitionSpec): ManifestEvaluator {
  const partitionFilter = projectInclusive(rowFilter, spec);
  const positions = new Map(spec.fields.map((field, i) => [field.field.fieldId, i]));
  return (manifest) => {
    const summaries = manifest.partitions;
    if (summaries === undefined) return true;
    return foldPredicates(partitionFilter, (node) => {
      const summary = summaries[positions.get(node.term.fieldId) ?? -1];
      return summary === undefined || summaryMightMatch(node, summary);
    });
  };
}

/** One-off form of `manifestEvaluator`. */
export function manifestMightMatch(
  rowFilter: BoundExpression,
  spec: BoundPartitionSpec,
  manifest: ManifestFile,
): boolean {
  return manifestEvaluator(rowFilter, spec)(manifest);
}

function summaryMightMatch(predicate: BoundPredicate, summary: FieldSummary): boolean {
  const type = predicate.term.type;
  const lower = decode(summary.lowerBound, type);
  const upper = decode(summary.upperBound, type);
  // A bound that is present but unreadable (or NaN from an old writer) proves nothing.
  if (
    (summary.lowerBound !== undefined && lower === undefined) ||
    (summary.upperBound !== undefined && upper === undefined)
  ) {
    return true;
  }
  // NaN is only possible in float fields; elsewhere an unrecorded flag still means "none".
  const mayHaveNaN = isFloatType(type) && summary.containsNan !== false;
  const allNull = summary.containsNull && lower === undefined && !mayHaveNaN;
  const { op, literals } = predicate;
  const value = literals[0]!;
  switch (op) {
    case 'isNull':
      return summary.containsNull;
    case 'notNull':
      return !allNull;
    case 'isNaN':
      return mayHaveNaN && !allNull;
    case 'notNaN':
      // Only NaN values and no nulls: nothing is "not NaN".
      return !(summary.containsNan === true && !summary.containsNull && lower === undefined);
    case 'notEq':
    case 'notIn':
      return true;
    case 'notStartsWith':
      if (summary.containsNull || lower === undefined || upper === undefined) return true;
      return !(
        (lower as string).startsWith(value as string) && (upper as string).startsWith(value as string)
      );
  }
  if (lower === undefined || upper === undefined) return false;
  switch (op) {
    case 'lt':
      return compareValues(lower, value) < 0;
    case 'ltEq':
      return compareValues(lower, value) <= 0;
    case 'gt':
      return compareValues(upper, value) > 0;
    case 'gtEq':
      return compareValues(upper, value) >= 0;
    case 'eq':
    case 'in':
      return literals.some(
        (literal) => compareValues(lower, literal) <= 0 && compareValues(upper, literal) >= 0,
      );
    default: {
      const length = codePointLength(value as string);
      return (
        compareValues(prefixOf(lower, length), value) <= 0 &&
        compareValues(prefixOf(upper, length), value) >= 0
      );
    }
  }
}

function decode(bytes: Uint8Array | undefined, type: PrimitiveType): PrimitiveValue | undefined {
  if (bytes === undefined) return undefined;
  try {
    const value = deserializeSingleValue(type, bytes);
    return isNaNValue(value) ? undefined : value;
  } catch {
    return undefined;
  }
}
