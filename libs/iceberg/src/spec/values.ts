// The in-memory representation of Iceberg values, shared by every module that touches data:
// boolean→boolean; int→number; long→bigint; float/double→number; decimal→bigint (unscaled);
// date→number (days since 1970-01-01); time→bigint (µs since midnight); timestamp(tz)→bigint
// (µs since epoch); timestamp(tz)_ns→bigint (ns); string→string; uuid→string (lowercase
// 8-4-4-4-12); fixed/binary→Uint8Array. Structs are objects keyed by field name, lists arrays,
// maps `Map`s; `null` is an absent value. `checkPrimitiveValue` guards the boundary.

import { IcebergError } from '../errors.ts';
import { decimalDigits } from './decimal.ts';
import { primitiveTypeToString } from './type-json.ts';
import type { PrimitiveType } from './types.ts';

export type PrimitiveValue = boolean | number | bigint | string | Uint8Array;

export type IcebergValue =
  | PrimitiveValue
  | null
  | readonly IcebergValue[]
  | ReadonlyMap<IcebergValue, IcebergValue>
  | StructValue;

export interface StructValue {
  readonly [name: string]: IcebergValue | undefined;
}

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Checks that `value` is the representation of `type` (see header) and in range; returns it
 * narrowed. Throws `invalid-value` naming the type and the offending value otherwise.
 */
export function checkPrimitiveValue(type: PrimitiveType, value: unknown): PrimitiveValue {
  const fail = (expected: string): never => {
    throw new IcebergError(
      'invalid-value',
      `value ${describeValue(value)} is not a valid ${primitiveTypeToString(type)}: expected ${expected}`,
      { context: { type: primitiveTypeToString(type) } },
    );
  };
  switch (type.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('a boolean');
    case 'int':
    case 'date':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
        return fail(
          type.kind === 'date' ? 'a 32-bit integer of days since 1970-01-01' : 'a 32-bit integer number',
        );
      }
      return value;
    case 'float':
    case 'double':
      return typeof value === 'number' ? value : fail('a number');
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      if (typeof value !== 'bigint' || value < LONG_MIN || value > LONG_MAX) return fail('a 64-bit bigint');
      return value;
    case 'decimal': {
      if (typeof value !== 'bigint') return fail('an unscaled bigint');
      const { precision } = type as { precision: number };
      if (decimalDigits(value) > precision) return fail(`at most ${precision} digits`);
      return value;
    }
    case 'string':
      return typeof value === 'string' ? value : fail('a string');
    case 'uuid':
      return typeof value === 'string' && UUID.test(value)
        ? value
        : fail('a lowercase 8-4-4-4-12 uuid string');
    case 'fixed': {
      const { length } = type as { length: number };
      return value instanceof Uint8Array && value.length === length
        ? value
        : fail(`a Uint8Array of ${length} bytes`);
    }
    case 'binary':
      return value instanceof Uint8Array ? value : fail('a Uint8Array');
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 64 ? `${value.slice(0, 64)}…` : value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'an object';
  return String(value);
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new IcebergError('invalid-value', `'${hex}' is not a hexadecimal byte string`, {
      context: { value: hex },
    });
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** The 16 big-endian bytes of a canonical uuid string. */
export function uuidToBytes(uuid: string): Uint8Array {
  return hexToBytes(uuid.replaceAll('-', ''));
}

export function bytesToUuid(bytes: Uint8Array): string {
  const hex = bytesToHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
