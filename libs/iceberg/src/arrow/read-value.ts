// Reads one Arrow cell as the shared Iceberg value representation (spec/values.ts). Arrow JS's
// own getters are lossy for our purposes (timestamps come back as float milliseconds, decimals
// as raw Uint32 words, dates as ms), so this reads the underlying buffers directly and converts
// units exactly: any timestamp unit → µs (floor) or ns bigint, Date(ms) → days, Time(s/ms/ns) →
// µs, Decimal words → unscaled bigint rescaled to the column's scale. It also performs the
// promotions the writer allows (int → long, float → double, decimal precision up) and raises
// `schema-mismatch` naming the column for anything else.

import { type Field as ArrowField, type Data, DateUnit, TimeUnit, Type, type Vector } from 'apache-arrow';
import { IcebergError } from '../errors.ts';
import { decimalDigits } from '../spec/decimal.ts';
import { floorDiv } from '../spec/temporal.ts';
import { typeToString } from '../spec/type-json.ts';
import type { IcebergType, NestedField, PrimitiveType } from '../spec/types.ts';
import { bytesToUuid, type IcebergValue, type StructValue } from '../spec/values.ts';
import { readFieldId } from './arrow-schema.ts';

const utf8 = new TextDecoder();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MS_PER_DAY = 86_400_000n;

/** The value at `index` of `vector` as `icebergType`'s representation; null for a null cell. */
export function readArrowValue(
  vector: Vector,
  index: number,
  icebergType: IcebergType,
  column = '<value>',
): IcebergValue {
  if (!Number.isInteger(index) || index < 0 || index >= vector.length) {
    throw new IcebergError(
      'invalid-argument',
      `row index ${index} is outside the Arrow vector of length ${vector.length}`,
      {
        context: { index, length: vector.length },
      },
    );
  }
  let local = index;
  for (const data of vector.data) {
    if (local < data.length) return readDataValue(data, local, icebergType, column);
    local -= data.length;
  }
  /* v8 ignore next */
  throw new IcebergError('invalid-argument', `row index ${index} not found in the vector's chunks`);
}

/** Reads every cell of a vector (convenience for tests and small batches). */
export function readArrowColumn(
  vector: Vector,
  icebergType: IcebergType,
  column = '<value>',
): IcebergValue[] {
  const out: IcebergValue[] = [];
  for (let i = 0; i < vector.length; i++) out.push(readArrowValue(vector, i, icebergType, column));
  return out;
}

/** Reads the cell at local index `i` of one Arrow `Data` chunk. */
export function readDataValue(data: Data, i: number, type: IcebergType, column: string): IcebergValue {
  if (!data.getValid(i)) return null;
  const arrowType = data.type;
  if (arrowType.typeId === Type.Dictionary) {
    const dictionary = data.dictionary!;
    const key = Number((data.values as ArrayLike<number | bigint>)[i]);
    return readArrowValue(dictionary, key, type, column);
  }
  switch (type.kind) {
    case 'struct':
      return readStruct(data, i, type.fields, column);
    case 'list': {
      const child = data.children[0];
      if (child === undefined || !isListLike(arrowType.typeId)) throw mismatch(data, type, column);
      const [begin, end] = childRange(data, i);
      const out: IcebergValue[] = [];
      for (let j = begin; j < end; j++) out.push(readDataValue(child, j, type.element, `${column}.element`));
      return out;
    }
    case 'map': {
      if (arrowType.typeId !== Type.Map) throw mismatch(data, type, column);
      const entries = data.children[0]!;
      const [keys, values] = entries.children as [Data, Data];
      const [begin, end] = childRange(data, i);
      const out = new Map<IcebergValue, IcebergValue>();
      for (let j = begin; j < end; j++) {
        out.set(
          readDataValue(keys, j, type.key, `${column}.key`),
          readDataValue(values, j, type.value, `${column}.value`),
        );
      }
      return out;
    }
    default:
      return readPrimitive(data, i, type, column);
  }
}

function isListLike(typeId: Type): boolean {
  return typeId === Type.List || typeId === Type.LargeList || typeId === Type.FixedSizeList;
}

function childRange(data: Data, i: number): [number, number] {
  if (data.type.typeId === Type.FixedSizeList) {
    const size = (data.type as unknown as { listSize: number }).listSize;
    return [i * size, (i + 1) * size];
  }
  const offsets = data.valueOffsets as ArrayLike<number | bigint>;
  return [Number(offsets[i]), Number(offsets[i + 1])];
}

function readStruct(data: Data, i: number, fields: readonly NestedField[], column: string): StructValue {
  if (data.type.typeId !== Type.Struct) throw mismatch(data, { kind: 'struct', fields }, column);
  const arrowFields = data.type.children as ArrowField[];
  const out: Record<string, IcebergValue> = {};
  for (const field of fields) {
    // Match by field id when the Arrow side carries ids, by name otherwise.
    let position = arrowFields.findIndex((f) => readFieldId(f) === field.id);
    if (position < 0) position = arrowFields.findIndex((f) => f.name === field.name);
    const path = `${column}.${field.name}`;
    out[field.name] = position < 0 ? null : readDataValue(data.children[position]!, i, field.type, path);
  }
  return out;
}

type Raw =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'integer'; readonly value: number | bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'decimal'; readonly unscaled: bigint; readonly scale: number }
  | { readonly kind: 'date'; readonly days: number }
  | { readonly kind: 'time'; readonly micros: bigint }
  | { readonly kind: 'timestamp'; readonly nanos: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Uint8Array; readonly fixed: boolean };

function readRaw(data: Data, i: number): Raw | undefined {
  const type = data.type as unknown as { typeId: Type; unit?: number; bitWidth?: number; scale?: number };
  const values = data.values as unknown;
  switch (type.typeId) {
    case Type.Bool: {
      const bits = values as Uint8Array;
      const position = data.offset + i;
      return { kind: 'bool', value: ((bits[position >> 3] ?? 0) & (1 << (position % 8))) !== 0 };
    }
    case Type.Int:
      return { kind: 'integer', value: (values as ArrayLike<number | bigint>)[i]! };
    case Type.Float:
      return { kind: 'float', value: Number(readFloat(data, i)) };
    case Type.Decimal: {
      const stride = data.stride;
      const words = (values as Uint32Array).subarray(i * stride, (i + 1) * stride);
      let unscaled = 0n;
      for (let w = words.length - 1; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt(words[w]!);
      return { kind: 'decimal', unscaled: BigInt.asIntN(stride * 32, unscaled), scale: type.scale! };
    }
    case Type.Date: {
      if (type.unit === DateUnit.DAY) return { kind: 'date', days: (values as Int32Array)[i]! };
      return {
        kind: 'date',
        days: Number(floorDiv(BigInt((values as ArrayLike<number | bigint>)[i]!), MS_PER_DAY)),
      };
    }
    case Type.Time: {
      const raw = BigInt((values as ArrayLike<number | bigint>)[i]!);
      return { kind: 'time', micros: toNanos(raw, type.unit!) / 1000n };
    }
    case Type.Timestamp:
      return { kind: 'timestamp', nanos: toNanos((values as BigInt64Array)[i]!, type.unit!) };
    case Type.Utf8:
    case Type.LargeUtf8:
      return { kind: 'string', value: utf8.decode(variableWidth(data, i)) };
    case Type.Binary:
    case Type.LargeBinary:
      return { kind: 'bytes', value: variableWidth(data, i).slice(), fixed: false };
    case Type.FixedSizeBinary: {
      const stride = data.stride;
      return {
        kind: 'bytes',
        value: (values as Uint8Array).slice(i * stride, (i + 1) * stride),
        fixed: true,
      };
    }
    default:
      return undefined;
  }
}

// Float16 is stored as raw half-precision bits; everything else is a plain typed array.
function readFloat(data: Data, i: number): number {
  const precision = (data.type as unknown as { precision: number }).precision;
  const raw = (data.values as ArrayLike<number>)[i]!;
  if (precision !== 0) return raw;
  const sign = raw & 0x8000 ? -1 : 1;
  const exponent = (raw >> 10) & 0x1f;
  const fraction = raw & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function variableWidth(data: Data, i: number): Uint8Array {
  const offsets = data.valueOffsets as ArrayLike<number | bigint>;
  return (data.values as Uint8Array).subarray(Number(offsets[i]), Number(offsets[i + 1]));
}

function toNanos(value: bigint, unit: number): bigint {
  switch (unit) {
    case TimeUnit.SECOND:
      return value * 1_000_000_000n;
    case TimeUnit.MILLISECOND:
      return value * 1_000_000n;
    case TimeUnit.MICROSECOND:
      return value * 1_000n;
    default:
      return value;
  }
}

function readPrimitive(data: Data, i: number, type: PrimitiveType, column: string): IcebergValue {
  const raw = readRaw(data, i);
  if (raw === undefined) throw mismatch(data, type, column);
  const fail = (): never => {
    throw mismatch(data, type, column);
  };
  switch (type.kind) {
    case 'boolean':
      return raw.kind === 'bool' ? raw.value : fail();
    case 'int': {
      if (raw.kind !== 'integer') return fail();
      if (raw.value < -0x80000000 || raw.value > 0x7fffffff) throw outOfRange(raw.value, type, column);
      return Number(raw.value);
    }
    case 'long':
      return raw.kind === 'integer' ? BigInt(raw.value) : fail();
    case 'float':
    case 'double':
      return raw.kind === 'float' ? raw.value : fail();
    case 'decimal': {
      if (raw.kind !== 'decimal' || raw.scale > type.scale) return fail();
      const unscaled = raw.unscaled * 10n ** BigInt(type.scale - raw.scale);
      if (decimalDigits(unscaled) > type.precision) throw outOfRange(unscaled, type, column);
      return unscaled;
    }
    case 'date':
      return raw.kind === 'date' ? raw.days : fail();
    case 'time':
      return raw.kind === 'time' ? raw.micros : fail();
    case 'timestamp':
    case 'timestamptz':
      return raw.kind === 'timestamp' ? floorDiv(raw.nanos, 1000n) : fail();
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return raw.kind === 'timestamp' ? raw.nanos : fail();
    case 'string':
      return raw.kind === 'string' ? raw.value : fail();
    case 'uuid': {
      if (raw.kind === 'bytes' && raw.value.length === 16) return bytesToUuid(raw.value);
      if (raw.kind === 'string' && UUID.test(raw.value.toLowerCase())) return raw.value.toLowerCase();
      if (raw.kind === 'string') throw outOfRange(raw.value, type, column);
      return fail();
    }
    case 'fixed':
      return raw.kind === 'bytes' && raw.fixed && raw.value.length === type.length ? raw.value : fail();
    case 'binary':
      return raw.kind === 'bytes' ? raw.value : fail();
  }
}

function mismatch(data: Data, type: IcebergType, column: string): IcebergError {
  return new IcebergError(
    'schema-mismatch',
    `column '${column}': cannot read Arrow ${String(data.type)} as Iceberg ${typeToString(type)}`,
    { context: { column, arrowType: String(data.type), icebergType: typeToString(type) } },
  );
}

function outOfRange(value: unknown, type: IcebergType, column: string): IcebergError {
  return new IcebergError(
    'invalid-value',
    `column '${column}': value ${typeof value === 'string' ? `'${value}'` : String(value)} does not fit Iceberg ${typeToString(type)}`,
    { context: { column, icebergType: typeToString(type) } },
  );
}
