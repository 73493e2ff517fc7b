// The column types of `floe write file.csv`, documented in `floe write --help`; parsing itself is
// csv-parse's (csv-stream.ts). Rules:
// - An empty unquoted field is null. A quoted empty field ("") is the empty string in a string
//   column and null elsewhere.
// - Each column gets the first of these types that every non-null value fits, in this order:
//   long (integers that fit 64 bits), double (decimal numbers, exponents), boolean (true/false,
//   any case), timestamp (ISO 8601 `YYYY-MM-DD[T| ]HH:MM[:SS[.ffffff]]`: with `Z`/`±HH:MM` on
//   every value → timestamptz, on none → timestamp, micro-second precision), else string. A
//   column with no values at all is a string column. Every column is nullable.
import {
  Bool,
  type DataType,
  Float64,
  Int64,
  makeData,
  makeVector,
  TimestampMicrosecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';

export type CsvColumnType = 'long' | 'double' | 'boolean' | 'timestamptz' | 'timestamp' | 'string';

export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}

const LONG = /^[+-]?\d+$/;
const DOUBLE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

function fitsLong(text: string): boolean {
  if (!LONG.test(text)) return false;
  const value = BigInt(text);
  return value >= MIN_LONG && value <= MAX_LONG;
}

/** Micro-seconds since the epoch, and whether the text carried a zone; undefined when not a timestamp. */
export function parseTimestampMicros(text: string): { micros: bigint; zoned: boolean } | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(match[6] ?? '0');
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a round trip rejects impossible dates and times.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  const fraction = BigInt((match[7] ?? '').padEnd(6, '0').slice(0, 6));
  const zone = match[8];
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const micros = (BigInt(ms) - BigInt(offsetMinutes) * 60_000n) * 1000n + fraction;
  return { micros, zoned: zone !== undefined };
}

/** The types a column may get, narrowest first; string fits everything. */
export const CSV_TYPE_ORDER: readonly CsvColumnType[] = [
  'long',
  'double',
  'boolean',
  'timestamptz',
  'timestamp',
  'string',
];

/** Whether one (non-empty) value fits `type`. */
export function fitsCsvType(type: CsvColumnType, text: string): boolean {
  switch (type) {
    case 'long':
      return fitsLong(text);
    case 'double':
      return DOUBLE.test(text);
    case 'boolean':
      return BOOLEAN.test(text);
    case 'timestamptz':
      return parseTimestampMicros(text)?.zoned === true;
    case 'timestamp':
      return parseTimestampMicros(text)?.zoned === false;
    case 'string':
      return true;
  }
}

/** The narrowest type of `CSV_TYPE_ORDER` that every value fits; nulls are skipped. */
export function inferCsvColumnType(values: readonly (string | null)[]): CsvColumnType {
  const present = values.filter((value): value is string => value !== null);
  if (present.length === 0) return 'string';
  return CSV_TYPE_ORDER.find((type) => present.every((value) => fitsCsvType(type, value))) ?? 'string';
}

function bigintVector(type: DataType, values: readonly (bigint | null)[]): Vector {
  const data = new BigInt64Array(values.length);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, index) => {
    if (value === null) {
      nullCount++;
    } else {
      data[index] = value;
      validity[index >> 3] = (validity[index >> 3] as number) | (1 << (index & 7));
    }
  });
  return makeVector(
    makeData({
      type: type as Int64,
      length: values.length,
      nullCount,
      ...(nullCount === 0 ? {} : { nullBitmap: validity }),
      data: data as unknown as Int32Array,
    }),
  );
}

/** The Arrow vector of one column's values (null = missing) in its inferred type. */
export function columnVector(type: CsvColumnType, values: readonly (string | null)[]): Vector {
  switch (type) {
    case 'long':
      return bigintVector(
        new Int64(),
        values.map((value) => (value === null ? null : BigInt(value))),
      );
    case 'double':
      return vectorFromArray(
        values.map((value) => (value === null ? null : Number(value))),
        new Float64(),
      );
    case 'boolean':
      return vectorFromArray(
        values.map((value) => (value === null ? null : value.toLowerCase() === 'true')),
        new Bool(),
      );
    case 'timestamptz':
    case 'timestamp':
      return bigintVector(
        new TimestampMicrosecond(type === 'timestamptz' ? 'UTC' : null),
        values.map((value) => (value === null ? null : (parseTimestampMicros(value)?.micros ?? null))),
      );
    case 'string':
      return vectorFromArray(values, new Utf8());
  }
}
