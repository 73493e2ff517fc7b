// JSON single-value serialization (spec Appendix D), used for field defaults and for partition
// values in JSON documents: numbers as JSON numbers (longs as `bigint`, which the BigInt-safe
// JSON writer emits as bare integers), decimals and temporals as strings ("14.20",
// "2017-11-16T22:31:08.123456+00:00"), binary as hex, structs keyed by field id, maps as
// `{keys, values}`. Reading is lenient where the spec's writers differ (fraction digits, `Z`).

import { IcebergError } from '../errors.ts';
import type { JsonValue } from '../util/json.ts';
import { decimalToString, parseDecimal } from './decimal.ts';
import {
  formatDate,
  formatTimeOfDay,
  formatTimestamp,
  parseDate,
  parseTimeOfDay,
  parseTimestamp,
} from './temporal.ts';
import { typeToString } from './type-json.ts';
import type { IcebergType, PrimitiveType } from './types.ts';
import {
  bytesToHex,
  checkPrimitiveValue,
  describeValue,
  hexToBytes,
  type IcebergValue,
  type StructValue,
} from './values.ts';

const FIXED = { fraction: 'fixed' } as const;

export function serializeJsonSingleValue(type: IcebergType, value: IcebergValue): JsonValue {
  if (value === null) return null;
  switch (type.kind) {
    case 'struct': {
      const struct = expectShape(type, value, isStruct);
      const out: Record<string, JsonValue> = {};
      for (const field of type.fields) {
        const fieldValue = struct[field.name];
        if (fieldValue !== undefined && fieldValue !== null) {
          out[String(field.id)] = serializeJsonSingleValue(field.type, fieldValue);
        }
      }
      return out;
    }
    case 'list':
      return expectShape(type, value, Array.isArray).map((v: IcebergValue) =>
        serializeJsonSingleValue(type.element, v),
      );
    case 'map': {
      const map = expectShape(
        type,
        value,
        (v): v is ReadonlyMap<IcebergValue, IcebergValue> => v instanceof Map,
      );
      const keys: JsonValue[] = [];
      const values: JsonValue[] = [];
      for (const [k, v] of map) {
        keys.push(serializeJsonSingleValue(type.key, k));
        values.push(serializeJsonSingleValue(type.value, v));
      }
      return { keys, values };
    }
    default:
      return primitiveToJson(type, value);
  }
}

export function parseJsonSingleValue(type: IcebergType, json: unknown): IcebergValue {
  if (json === null || json === undefined) return null;
  switch (type.kind) {
    case 'struct': {
      const object = expectJson(type, json, isPlainObject);
      const out: Record<string, IcebergValue> = {};
      for (const field of type.fields) {
        const raw = object[String(field.id)];
        if (raw !== undefined) out[field.name] = parseJsonSingleValue(field.type, raw);
      }
      return out;
    }
    case 'list':
      return expectJson(type, json, Array.isArray).map((v: unknown) => parseJsonSingleValue(type.element, v));
    case 'map': {
      const object = expectJson(type, json, isPlainObject);
      const keys = object['keys'];
      const values = object['values'];
      if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length) {
        throw badJson(type, json, "an object with 'keys' and 'values' lists of equal length");
      }
      return new Map(
        keys.map((k, i) => [parseJsonSingleValue(type.key, k), parseJsonSingleValue(type.value, values[i])]),
      );
    }
    default:
      return primitiveFromJson(type, json);
  }
}

function primitiveToJson(type: PrimitiveType, value: IcebergValue): JsonValue {
  const checked = checkPrimitiveValue(type, value);
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'string':
    case 'uuid':
      return checked as boolean | number | bigint | string;
    case 'float':
    case 'double': {
      const number = checked as number;
      // JSON has no NaN/Infinity; Java's parser reads these spellings.
      return Number.isFinite(number) ? number : String(number);
    }
    case 'decimal':
      return decimalToString(checked as bigint, (type as { scale: number }).scale);
    case 'date':
      return formatDate(checked as number);
    case 'time':
      return formatTimeOfDay(checked as bigint, 'micros', FIXED);
    case 'timestamp':
      return formatTimestamp(checked as bigint, 'micros', FIXED);
    case 'timestamptz':
      return `${formatTimestamp(checked as bigint, 'micros', FIXED)}+00:00`;
    case 'timestamp_ns':
      return formatTimestamp(checked as bigint, 'nanos', FIXED);
    case 'timestamptz_ns':
      return `${formatTimestamp(checked as bigint, 'nanos', FIXED)}+00:00`;
    case 'fixed':
    case 'binary':
      return bytesToHex(checked as Uint8Array);
  }
}

function primitiveFromJson(type: PrimitiveType, json: unknown): IcebergValue {
  switch (type.kind) {
    case 'boolean':
      return expectJson(type, json, (v): v is boolean => typeof v === 'boolean');
    case 'int':
      return checkPrimitiveValue(type, typeof json === 'bigint' ? Number(json) : json);
    case 'long': {
      if (typeof json === 'number' && Number.isSafeInteger(json)) return BigInt(json);
      return checkPrimitiveValue(type, json);
    }
    case 'float':
    case 'double': {
      if (typeof json === 'number') return json;
      if (typeof json === 'bigint') return Number(json);
      if (json === 'NaN' || json === 'Infinity' || json === '-Infinity') return Number(json);
      throw badJson(type, json, 'a JSON number');
    }
    case 'decimal':
      return checkPrimitiveValue(
        type,
        parseDecimal(expectString(type, json), (type as { scale: number }).scale),
      );
    case 'date':
      return parseDate(expectString(type, json));
    case 'time':
      return parseTimeOfDay(expectString(type, json), 'micros');
    case 'timestamp':
      return parseTimestamp(expectString(type, json), 'micros', 'forbidden');
    case 'timestamptz':
      return parseTimestamp(expectString(type, json), 'micros', 'required');
    case 'timestamp_ns':
      return parseTimestamp(expectString(type, json), 'nanos', 'forbidden');
    case 'timestamptz_ns':
      return parseTimestamp(expectString(type, json), 'nanos', 'required');
    case 'string':
      return expectString(type, json);
    case 'uuid':
      return checkPrimitiveValue(type, expectString(type, json).toLowerCase());
    case 'fixed':
      return checkPrimitiveValue(type, hexToBytes(expectString(type, json)));
    case 'binary':
      return hexToBytes(expectString(type, json));
  }
}

function expectString(type: IcebergType, json: unknown): string {
  return expectJson(type, json, (v): v is string => typeof v === 'string');
}

function expectJson<T>(type: IcebergType, json: unknown, guard: (v: unknown) => v is T): T {
  if (!guard(json)) throw badJson(type, json, 'its JSON single-value form');
  return json;
}

function expectShape<T>(type: IcebergType, value: IcebergValue, guard: (v: unknown) => v is T): T {
  if (!guard(value)) {
    throw new IcebergError('invalid-value', `value ${describeValue(value)} is not a ${typeToString(type)}`, {
      context: { type: typeToString(type) },
    });
  }
  return value;
}

function badJson(type: IcebergType, json: unknown, expected: string): IcebergError {
  return new IcebergError(
    'invalid-value',
    `JSON value ${describeValue(json)} is not a valid ${typeToString(type)}: expected ${expected}`,
    { context: { type: typeToString(type) } },
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function isStruct(value: unknown): value is StructValue {
  return isPlainObject(value) && !(value instanceof Map);
}
