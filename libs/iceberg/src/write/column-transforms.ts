// A partition transform applied to a whole Arrow column at once, for the partitioned writer.
// Applying the transform value by value (spec/transforms.ts) allocates a bigint and a hash buffer
// per row, which dominated partitioning time; two fast paths work on the raw integer buffers:
// - bucket[N] of an integer-like column whose Arrow value IS the Iceberg value (ints, longs,
//   dates in days, µs times/timestamps) hashes the 8 little-endian bytes of each value inline
//   (spec Appendix B: ints hash as longs), with no allocation;
// - an order-preserving transform (identity, truncate, year/month/day/hour) of an integer-like
//   column is computed only when a value falls outside the range of raw values already known to
//   give the current result: by monotonicity every value between two that agree gives the same
//   result, so sorted or clustered data (time columns) needs a handful of calls per batch.
// Everything else, and any column under a struct with nulls, goes through the general path,
// which is also what produces the user-facing error for a bad value.

import { type Data, Type } from 'apache-arrow';
import type { BoundPartitionField } from '../spec/partition.ts';
import { preservesOrder } from '../spec/transforms.ts';
import type { PrimitiveValue } from '../spec/values.ts';

export type RowTransform = (row: number) => PrimitiveValue | null;

const INT32_MAX = 0x7fffffff;
const TWO_POW_32 = 4294967296;
const TIME_UNIT_MICROSECOND = 2;

/**
 * The transformed value of every row. `data` is the source column (undefined when a parent
 * struct has nulls, which disables the fast paths); `general` transforms one row the slow way.
 */
export function transformColumn(
  field: BoundPartitionField,
  data: Data | undefined,
  rowCount: number,
  general: RowTransform,
): (PrimitiveValue | null)[] {
  const out: (PrimitiveValue | null)[] = new Array(rowCount);
  const words = data === undefined ? undefined : integerWords(data);
  if (data === undefined || words === undefined) {
    for (let row = 0; row < rowCount; row++) out[row] = general(row);
    return out;
  }
  const valid = validityOf(data);
  const { transform } = field;
  if (transform.kind === 'bucket' && hashesRawValue(field, data)) {
    const buckets = transform.numBuckets;
    for (let row = 0; row < rowCount; row++) {
      if (valid !== undefined && !valid(row)) out[row] = null;
      else out[row] = (hashLongWords(words.low(row), words.high(row)) & INT32_MAX) % buckets;
    }
    return out;
  }
  if (!preservesOrder(transform)) {
    for (let row = 0; row < rowCount; row++) out[row] = general(row);
    return out;
  }
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  let result: PrimitiveValue | null = null;
  for (let row = 0; row < rowCount; row++) {
    if (valid !== undefined && !valid(row)) {
      out[row] = null;
      continue;
    }
    const hi = words.high(row);
    const key = hi * TWO_POW_32 + (words.low(row) >>> 0);
    if (key >= low && key <= high) {
      out[row] = result;
      continue;
    }
    const value = general(row);
    out[row] = value;
    if (!Number.isSafeInteger(key) || value === null || typeof value === 'object') continue;
    if (value === result) {
      low = Math.min(low, key);
      high = Math.max(high, key);
    } else {
      result = value;
      low = key;
      high = key;
    }
  }
  return out;
}

/** Murmur3 x86 32 (seed 0) of the 8 little-endian bytes of a 64-bit value given as two words. */
export function hashLongWords(low: number, high: number): number {
  let h = mix(0, low);
  h = mix(h, high);
  h ^= 8;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function mix(hash: number, block: number): number {
  let k = Math.imul(block, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let h = hash ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

interface IntegerWords {
  readonly low: (row: number) => number;
  /** Signed high word (sign extension for values narrower than 64 bits). */
  readonly high: (row: number) => number;
}

/** Signed integer storage of the column as 64-bit words; undefined for any other layout. */
function integerWords(data: Data): IntegerWords | undefined {
  if (
    data.typeId !== Type.Int &&
    data.typeId !== Type.Date &&
    data.typeId !== Type.Time &&
    data.typeId !== Type.Timestamp
  ) {
    return undefined;
  }
  const values = data.values as unknown;
  if (values instanceof BigInt64Array) {
    const view = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    return { low: (row) => view[2 * row] as number, high: (row) => view[2 * row + 1] as number };
  }
  if (values instanceof Int32Array || values instanceof Int16Array || values instanceof Int8Array) {
    return { low: (row) => values[row] as number, high: (row) => ((values[row] as number) < 0 ? -1 : 0) };
  }
  return undefined;
}

/** Whether the raw Arrow integer equals the Iceberg value the bucket transform hashes. */
function hashesRawValue(field: BoundPartitionField, data: Data): boolean {
  const kind = field.source.field.type.kind;
  const unit = (data.type as { unit?: number }).unit;
  switch (data.typeId) {
    case Type.Int:
      return kind === 'long' || (kind === 'int' && !(data.values instanceof BigInt64Array));
    case Type.Date:
      return kind === 'date' && data.values instanceof Int32Array;
    case Type.Time:
      return kind === 'time' && unit === TIME_UNIT_MICROSECOND;
    case Type.Timestamp:
      return (kind === 'timestamp' || kind === 'timestamptz') && unit === TIME_UNIT_MICROSECOND;
    default:
      return false;
  }
}

function validityOf(data: Data): ((row: number) => boolean) | undefined {
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || !bitmap || bitmap.length === 0) return undefined;
  const offset = data.offset;
  return (row) => {
    const bit = row + offset;
    return (((bitmap[bit >> 3] as number) >> (bit & 7)) & 1) === 1;
  };
}
