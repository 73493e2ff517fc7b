// Converts one unbound literal to the value contract of a column type, the way users write
// filters: JSON single-value strings for dates, times, timestamps, decimals, uuids and bytes
// (`'2024-01-02'`, `'2024-01-02T03:04:05'`, `'14.20'`), plain numbers for longs and decimals,
// and a few conveniences the CLI needs (a date alone for a timestamp column means midnight, a
// space may separate date and time, integer text for int/long columns). Anything else fails
// with an error naming the column, its type and the literal. NaN literals are refused, as in
// Java: `isNaN`/`notNaN` are the way to ask for NaN.

import { IcebergError } from '../errors.ts';
import { parseDecimal } from '../spec/decimal.ts';
import { parseJsonSingleValue } from '../spec/single-value-json.ts';
import { primitiveTypeToString } from '../spec/type-json.ts';
import type { PrimitiveType } from '../spec/types.ts';
import { checkPrimitiveValue, describeValue, type PrimitiveValue } from '../spec/values.ts';
import type { Literal } from './expression.ts';

const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_ONLY = /^[+-]?\d{4,}-\d{2}-\d{2}$/;
const HAS_ZONE = /(Z|[+-]\d{2}:\d{2})$/;

/** Converts `literal` for a column; throws `invalid-argument` naming column, type and literal. */
export function convertLiteral(column: string, type: PrimitiveType, literal: Literal): PrimitiveValue {
  if (typeof literal === 'number' && Number.isNaN(literal)) {
    throw new IcebergError(
      'invalid-argument',
      `cannot compare column '${column}' with NaN: use isNaN or notNaN instead`,
      { context: { column, type: primitiveTypeToString(type) } },
    );
  }
  let converted: PrimitiveValue | undefined;
  let cause: unknown;
  try {
    converted = convert(type, literal);
  } catch (error) {
    cause = error;
  }
  if (converted === undefined) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    throw new IcebergError(
      'invalid-argument',
      `literal ${describeValue(literal)} (${literalKind(literal)}) does not fit column '${column}' of type ${primitiveTypeToString(type)}${detail}`,
      { context: { column, type: primitiveTypeToString(type), literal: describeValue(literal) }, cause },
    );
  }
  return converted;
}

function literalKind(literal: Literal): string {
  if (literal instanceof Uint8Array) return 'bytes';
  return typeof literal;
}

function convert(type: PrimitiveType, literal: Literal): PrimitiveValue | undefined {
  switch (type.kind) {
    case 'boolean':
      if (typeof literal === 'boolean') return literal;
      if (literal === 'true' || literal === 'false') return literal === 'true';
      return undefined;
    case 'int':
      if (typeof literal === 'bigint') return checkPrimitiveValue(type, Number(literal));
      if (typeof literal === 'string' && INTEGER_TEXT.test(literal.trim())) {
        return checkPrimitiveValue(type, Number(literal));
      }
      return typeof literal === 'number' ? checkPrimitiveValue(type, literal) : undefined;
    case 'long':
      if (typeof literal === 'number' && Number.isInteger(literal))
        return checkPrimitiveValue(type, BigInt(literal));
      if (typeof literal === 'string' && INTEGER_TEXT.test(literal.trim())) {
        return checkPrimitiveValue(type, BigInt(literal.trim()));
      }
      return typeof literal === 'bigint' ? checkPrimitiveValue(type, literal) : undefined;
    case 'float':
    case 'double':
      if (typeof literal === 'number') return type.kind === 'float' ? Math.fround(literal) : literal;
      if (typeof literal === 'bigint') return Number(literal);
      if (typeof literal === 'string' && NUMBER_TEXT.test(literal.trim())) return Number(literal);
      return undefined;
    case 'decimal': {
      const { scale } = type as { scale: number };
      // A bigint here is a whole number (5n means 5.00 at scale 2), like a JSON integer.
      if (typeof literal === 'number' || typeof literal === 'string' || typeof literal === 'bigint') {
        return checkPrimitiveValue(type, parseDecimal(String(literal), scale));
      }
      return undefined;
    }
    case 'date':
      if (typeof literal === 'number') return checkPrimitiveValue(type, literal);
      return typeof literal === 'string' ? (parseJsonSingleValue(type, literal.trim()) as number) : undefined;
    case 'time':
      if (typeof literal === 'bigint') return checkPrimitiveValue(type, literal);
      return typeof literal === 'string' ? (parseJsonSingleValue(type, literal.trim()) as bigint) : undefined;
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      if (typeof literal === 'bigint') return checkPrimitiveValue(type, literal);
      if (typeof literal === 'number' && Number.isSafeInteger(literal)) return BigInt(literal);
      return typeof literal === 'string' ? parseTimestampLiteral(type, literal) : undefined;
    case 'string':
      return typeof literal === 'string' ? literal : undefined;
    case 'uuid':
      return typeof literal === 'string'
        ? checkPrimitiveValue(type, literal.trim().toLowerCase())
        : undefined;
    case 'fixed':
    case 'binary':
      if (literal instanceof Uint8Array) return checkPrimitiveValue(type, literal);
      return typeof literal === 'string' ? (parseJsonSingleValue(type, literal) as Uint8Array) : undefined;
  }
}

function parseTimestampLiteral(type: PrimitiveType, literal: string): bigint {
  let text = literal.trim();
  if (DATE_ONLY.test(text)) text = `${text}T00:00:00`;
  text = text.replace(/^([+-]?\d{4,}-\d{2}-\d{2}) /, '$1T');
  const withZone = type.kind === 'timestamptz' || type.kind === 'timestamptz_ns';
  // A timestamptz literal without an offset is read as UTC; a local timestamp with an offset is
  // ambiguous and the JSON parser rejects it with its own message.
  if (withZone && !HAS_ZONE.test(text)) text = `${text}+00:00`;
  return parseJsonSingleValue(type, text) as bigint;
}
