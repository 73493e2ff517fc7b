// Partition transforms (spec §Partition Transforms): parsing the spec strings (`identity`,
// `bucket[16]`, `truncate[4]`, `year`, `month`, `day`, `hour`, `void`), which source types each
// accepts, the result type, whether it preserves order, applying it to a value in the shared
// value representation, and the human-readable string used in partition paths. Temporal
// transforms floor toward −∞ so pre-1970 values fall into the right bucket. Unknown transform
// names parse (readers must tolerate them) but cannot be applied.

import { IcebergError } from '../errors.ts';
import { decimalToString } from './decimal.ts';
import { hashBytes, hashDecimal, hashLong, hashString, hashUuid } from './murmur3.ts';
import {
  daysToMonths,
  daysToYears,
  floorDiv,
  floorMod,
  formatDate,
  formatTimeOfDay,
  formatTimestamp,
  formatYear,
  NANOS_PER_MICRO,
  pad,
  type TimeUnit,
  timestampToDays,
  timestampToHours,
} from './temporal.ts';
import { typeToString } from './type-json.ts';
import type { IcebergType, PrimitiveType } from './types.ts';
import { isPrimitive } from './types.ts';
import { checkPrimitiveValue, type PrimitiveValue } from './values.ts';

export type Transform =
  | { readonly kind: 'identity' }
  | { readonly kind: 'bucket'; readonly numBuckets: number }
  | { readonly kind: 'truncate'; readonly width: number }
  | { readonly kind: 'year' }
  | { readonly kind: 'month' }
  | { readonly kind: 'day' }
  | { readonly kind: 'hour' }
  | { readonly kind: 'void' }
  | { readonly kind: 'unknown'; readonly name: string };

const PARAMETERISED = /^(bucket|truncate)\[\s*(\d+)\s*\]$/;
const SIMPLE = new Set(['identity', 'year', 'month', 'day', 'hour', 'void']);
const INT32_MAX = 0x7fffffff;

export function parseTransform(text: string): Transform {
  const trimmed = text.trim();
  if (SIMPLE.has(trimmed)) return { kind: trimmed } as Transform;
  const match = PARAMETERISED.exec(trimmed);
  if (match) {
    const argument = Number(match[2]);
    if (argument < 1 || argument > INT32_MAX) {
      throw new IcebergError(
        'invalid-metadata',
        `invalid transform '${text}': ${match[1]} needs a positive argument`,
        {
          context: { transform: text },
        },
      );
    }
    return match[1] === 'bucket'
      ? { kind: 'bucket', numBuckets: argument }
      : { kind: 'truncate', width: argument };
  }
  if (/^(bucket|truncate)\b/.test(trimmed)) {
    throw new IcebergError(
      'invalid-metadata',
      `invalid transform '${text}': expected ${trimmed.split('[')[0]}[N]`,
      {
        context: { transform: text },
      },
    );
  }
  return { kind: 'unknown', name: trimmed };
}

export function transformToString(transform: Transform): string {
  switch (transform.kind) {
    case 'bucket':
      return `bucket[${transform.numBuckets}]`;
    case 'truncate':
      return `truncate[${transform.width}]`;
    case 'unknown':
      return transform.name;
    default:
      return transform.kind;
  }
}

const TEMPORAL_SOURCES: Readonly<Record<string, ReadonlySet<string>>> = {
  year: new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']),
  month: new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']),
  day: new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']),
  hour: new Set(['timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']),
};
const BUCKET_SOURCES = new Set([
  'int',
  'long',
  'decimal',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
  'string',
  'uuid',
  'fixed',
  'binary',
]);
const TRUNCATE_SOURCES = new Set(['int', 'long', 'decimal', 'string', 'binary']);

export function canTransform(transform: Transform, source: IcebergType): boolean {
  if (!isPrimitive(source)) return false;
  switch (transform.kind) {
    case 'identity':
    case 'void':
      return true;
    case 'bucket':
      return BUCKET_SOURCES.has(source.kind);
    case 'truncate':
      return TRUNCATE_SOURCES.has(source.kind);
    case 'unknown':
      return false;
    default:
      return TEMPORAL_SOURCES[transform.kind]!.has(source.kind);
  }
}

/**
 * The partition value type. `day` yields `date` (as Java and PyIceberg declare it; its values
 * are days since epoch either way); bucket/year/month/hour yield `int`.
 */
export function transformResultType(transform: Transform, source: IcebergType): IcebergType {
  requireApplicable(transform, source);
  switch (transform.kind) {
    case 'bucket':
    case 'year':
    case 'month':
    case 'hour':
      return { kind: 'int' };
    case 'day':
      return { kind: 'date' };
    default:
      return source;
  }
}

/** Whether `a < b` implies `t(a) <= t(b)`. */
export function preservesOrder(transform: Transform): boolean {
  return transform.kind !== 'bucket' && transform.kind !== 'void' && transform.kind !== 'unknown';
}

/** Applies a transform to one value (null in, null out). `value` must match `source`. */
export function applyTransform(
  transform: Transform,
  source: IcebergType,
  value: unknown,
): PrimitiveValue | null {
  const type = requireApplicable(transform, source);
  if (value === null || value === undefined || transform.kind === 'void') return null;
  const checked = checkPrimitiveValue(type, value);
  switch (transform.kind) {
    case 'identity':
      return checked;
    case 'bucket':
      return (bucketHash(type, checked) & INT32_MAX) % transform.numBuckets;
    case 'truncate':
      return truncate(type, checked, transform.width);
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return applyTemporal(transform.kind, type, checked as number | bigint);
    default:
      throw new IcebergError('unsupported', `cannot apply transform '${transformToString(transform)}'`);
  }
}

/** The Appendix B hash of a value (before `& Integer.MAX_VALUE` and the modulo). */
export function bucketHash(type: PrimitiveType, value: PrimitiveValue): number {
  switch (type.kind) {
    case 'decimal':
      return hashDecimal(value as bigint);
    case 'string':
      return hashString(value as string);
    case 'uuid':
      return hashUuid(value as string);
    case 'fixed':
    case 'binary':
      return hashBytes(value as Uint8Array);
    case 'timestamp_ns':
    case 'timestamptz_ns':
      // Hashed at µs precision so a timestamp_ns column buckets like its timestamp twin.
      return hashLong(floorDiv(value as bigint, NANOS_PER_MICRO));
    default:
      return hashLong(value as number | bigint);
  }
}

function truncate(type: PrimitiveType, value: PrimitiveValue, width: number): PrimitiveValue {
  switch (type.kind) {
    case 'int': {
      const v = value as number;
      return v - (((v % width) + width) % width);
    }
    case 'string': {
      // Code points, not UTF-16 units, so surrogate pairs are never split.
      let out = '';
      let count = 0;
      for (const ch of value as string) {
        if (count++ >= width) break;
        out += ch;
      }
      return out;
    }
    case 'binary':
      return (value as Uint8Array).slice(0, width);
    default: {
      // long and decimal (unscaled, so the width applies at the column's scale)
      const v = value as bigint;
      return v - floorMod(v, BigInt(width));
    }
  }
}

function applyTemporal(
  kind: 'year' | 'month' | 'day' | 'hour',
  type: PrimitiveType,
  value: number | bigint,
): number {
  const unit: TimeUnit = type.kind.endsWith('_ns') ? 'nanos' : 'micros';
  if (kind === 'hour') return timestampToHours(value as bigint, unit);
  const days = type.kind === 'date' ? (value as number) : timestampToDays(value as bigint, unit);
  if (kind === 'day') return days;
  return kind === 'year' ? daysToYears(days) : daysToMonths(days);
}

/**
 * The human string of a transformed value, as PyIceberg writes it in partition paths: dates
 * `2024-01-02`, months `2024-01`, years `2024`, hours `2024-01-02-13`, binary as base64,
 * timestamps ISO (`+00:00` for tz); `null` for a null value.
 */
export function transformHumanString(transform: Transform, source: IcebergType, value: unknown): string {
  if (value === null || value === undefined || transform.kind === 'void') return 'null';
  switch (transform.kind) {
    case 'year':
      return formatYear((value as number) + 1970);
    case 'month': {
      const months = value as number;
      const year = 1970 + Math.floor(months / 12);
      return `${formatYear(year)}-${pad(months - (year - 1970) * 12 + 1, 2)}`;
    }
    case 'day':
      return formatDate(value as number);
    case 'hour': {
      const hours = value as number;
      const days = Math.floor(hours / 24);
      return `${formatDate(days)}-${pad(hours - days * 24, 2)}`;
    }
    case 'bucket':
      return String(value);
    default:
      return isPrimitive(source) ? primitiveHumanString(source, value as PrimitiveValue) : String(value);
  }
}

const TRIM = { fraction: 'trim' } as const;

function primitiveHumanString(type: PrimitiveType, value: PrimitiveValue): string {
  switch (type.kind) {
    case 'date':
      return formatDate(value as number);
    case 'time':
      return formatTimeOfDay(value as bigint, 'micros', TRIM);
    case 'timestamp':
      return formatTimestamp(value as bigint, 'micros', TRIM);
    case 'timestamptz':
      return `${formatTimestamp(value as bigint, 'micros', TRIM)}+00:00`;
    case 'timestamp_ns':
      return formatTimestamp(value as bigint, 'nanos', TRIM);
    case 'timestamptz_ns':
      return `${formatTimestamp(value as bigint, 'nanos', TRIM)}+00:00`;
    case 'decimal':
      return decimalToString(value as bigint, (type as { scale: number }).scale);
    case 'fixed':
    case 'binary':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'float':
    case 'double': {
      // Python/Java print integral floats with a trailing `.0`.
      const number = value as number;
      return Number.isInteger(number) && Math.abs(number) < 1e16 ? `${number}.0` : String(number);
    }
    default:
      return String(value);
  }
}

function requireApplicable(transform: Transform, source: IcebergType): PrimitiveType {
  if (transform.kind === 'unknown') {
    throw new IcebergError('unsupported', `cannot apply unknown transform '${transform.name}'`, {
      context: { transform: transform.name },
    });
  }
  if (!isPrimitive(source) || !canTransform(transform, source)) {
    const name = transformToString(transform);
    throw new IcebergError(
      'invalid-argument',
      `transform ${name} cannot be applied to ${typeToString(source)}`,
      {
        context: { transform: name, type: typeToString(source) },
      },
    );
  }
  return source;
}
