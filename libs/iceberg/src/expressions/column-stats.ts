// Per-column facts about one data file that the metrics evaluators reason with: value, null
// and NaN counts and decoded lower/upper bounds. Bounds are decoded from the single-value
// binary form with the column's current type (deserializeSingleValue honours promotions).
// A bound that cannot be decoded, or a NaN bound written by an old float writer, is treated as
// absent: the evaluators then assume nothing about that side. String bounds may be truncated
// (lower to a prefix, upper to a prefix with its last code point incremented); both stay valid
// bounds, so the comparisons the evaluators make remain sound.

import type { DataFile } from '../manifest/data-file.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { PrimitiveType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import { isFloatType, isNaNValue } from './bound.ts';

export interface ColumnStats {
  readonly recordCount: bigint;
  readonly valueCount: bigint | undefined;
  readonly nullCount: bigint | undefined;
  readonly nanCount: bigint | undefined;
  readonly lower: PrimitiveValue | undefined;
  readonly upper: PrimitiveValue | undefined;
  /** Every value is null (counts known and equal). */
  readonly nullsOnly: boolean;
  /** Every value is NaN (counts known and equal). */
  readonly nansOnly: boolean;
  /** Some value may be null (count unknown or positive). */
  readonly mayHaveNulls: boolean;
  /** Some value may be NaN (float column with an unknown or positive NaN count). */
  readonly mayHaveNaNs: boolean;
}

export function columnStats(file: DataFile, fieldId: number, type: PrimitiveType): ColumnStats {
  const valueCount = file.valueCounts?.get(fieldId);
  const nullCount = file.nullValueCounts?.get(fieldId);
  const nanCount = file.nanValueCounts?.get(fieldId);
  return {
    recordCount: file.recordCount,
    valueCount,
    nullCount,
    nanCount,
    lower: decodeBound(file.lowerBounds?.get(fieldId), type),
    upper: decodeBound(file.upperBounds?.get(fieldId), type),
    nullsOnly: valueCount !== undefined && nullCount !== undefined && valueCount === nullCount,
    nansOnly: valueCount !== undefined && nanCount !== undefined && valueCount === nanCount,
    mayHaveNulls: nullCount === undefined || nullCount > 0n,
    mayHaveNaNs: isFloatType(type) && (nanCount === undefined || nanCount > 0n),
  };
}

function decodeBound(bytes: Uint8Array | undefined, type: PrimitiveType): PrimitiveValue | undefined {
  if (bytes === undefined) return undefined;
  try {
    const value = deserializeSingleValue(type, bytes);
    return isNaNValue(value) ? undefined : value;
  } catch {
    return undefined;
  }
}

/** The first `length` code points of a string bound, for prefix tests (strings only). */
export function prefixOf(value: PrimitiveValue, length: number): PrimitiveValue {
  return [...(value as string)].slice(0, length).join('');
}

export function codePointLength(text: string): number {
  return [...text].length;
}
