// Test-side Arrow construction and value normalisation for the interop matrix. Columns are given
// as Iceberg values (spec/values.ts representation) and turned into Arrow vectors by writing the
// buffers directly (timestamps, decimals and fixed bytes must be exact, which Arrow JS's builders
// are not), and every value is normalised to one JSON form that the Python side
// (tests/e2e/support/matrix_norm.py) produces too: longs/time/timestamps as decimal strings,
// decimals as plain text at the column's scale, dates as day ints, bytes as hex, NaN/±inf as
// text. The normalisation is written independently of @floe/iceberg on purpose: it is the judge.
import {
  type IcebergType,
  type IcebergValue,
  icebergToArrowType,
  type NestedField,
  type Schema,
} from '@floe/iceberg';
import * as arrow from 'apache-arrow';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Validity bitmap and null count for `values` (bit set = present). */
export function nullBitmap(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, i) => {
    if (value === null) nullCount++;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return { nullBitmap: bitmap, nullCount };
}

/** Little-endian two's complement 128-bit words, the layout of Arrow's Decimal128. */
export function int128Words(values: readonly (bigint | null)[]): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((value, i) => {
    let v = BigInt.asUintN(128, value ?? 0n);
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(v & 0xffffffffn);
      v >>= 32n;
    }
  });
  return words;
}

function uuidBytes(text: string): Uint8Array {
  const hex = text.replaceAll('-', '');
  return Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function fixedWidth(
  values: readonly IcebergValue[],
  width: number,
  toBytes: (v: IcebergValue) => Uint8Array,
) {
  const data = new Uint8Array(values.length * width);
  values.forEach((v, i) => {
    if (v !== null) data.set(toBytes(v), i * width);
  });
  return data;
}

/** An Arrow vector of Iceberg `type` holding `values` exactly. */
export function vectorOf(type: IcebergType, values: readonly IcebergValue[]): arrow.Vector {
  const arrowType = icebergToArrowType(type);
  const length = values.length;
  const nulls = nullBitmap(values);
  const make = (data: unknown, extra: Record<string, unknown> = {}) =>
    arrow.makeVector(arrow.makeData({ type: arrowType, length, data, ...nulls, ...extra } as never));
  switch (type.kind) {
    case 'boolean':
      return arrow.vectorFromArray(values as (boolean | null)[], new arrow.Bool());
    case 'int':
    case 'date':
      return make(Int32Array.from(values, (v) => (v as number | null) ?? 0));
    case 'float':
      return make(Float32Array.from(values, (v) => (v as number | null) ?? 0));
    case 'double':
      return make(Float64Array.from(values, (v) => (v as number | null) ?? 0));
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return make(BigInt64Array.from(values, (v) => (v as bigint | null) ?? 0n));
    case 'decimal':
      return make(int128Words(values as (bigint | null)[]));
    case 'uuid':
      return make(fixedWidth(values, 16, (v) => uuidBytes(v as string)));
    case 'fixed':
      return make(fixedWidth(values, type.length, (v) => v as Uint8Array));
    case 'string':
      return arrow.vectorFromArray(values as (string | null)[], new arrow.Utf8());
    case 'binary': {
      const offsets = new Int32Array(length + 1);
      const chunks = values.map((v) => (v as Uint8Array | null) ?? new Uint8Array(0));
      chunks.forEach((c, i) => {
        offsets[i + 1] = (offsets[i] as number) + c.length;
      });
      const data = new Uint8Array(offsets[length] as number);
      chunks.forEach((c, i) => {
        data.set(c, offsets[i] as number);
      });
      return make(data, { valueOffsets: offsets });
    }
    default:
      // struct/list/map payload columns: Arrow JS's builders are exact for the int/string/long
      // leaves the matrix nests (maps from `Map`s, structs from objects, lists from arrays).
      return arrow.vectorFromArray(values as unknown[], arrowType as never);
  }
}

/** One record batch with a column per schema field, from column-major Iceberg values. */
export function batchOf(schema: Schema, columns: Readonly<Record<string, readonly IcebergValue[]>>) {
  const vectors: Record<string, arrow.Vector> = {};
  for (const field of schema.fields) {
    const values = columns[field.name];
    if (!values) throw new Error(`no values for column ${field.name}`);
    vectors[field.name] = vectorOf(field.type, values);
  }
  const [batch] = new arrow.Table(vectors).batches;
  if (!batch) throw new Error('no batch');
  return batch;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  if (scale === 0) return `${negative ? '-' : ''}${digits}`;
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function floatJson(v: number): Json {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  // JSON has no -0; both sides print it as text so a lost sign is caught.
  if (Object.is(v, -0)) return '-0';
  return v;
}

/** The normalised JSON form of one Iceberg value (mirrors `norm` in matrix_norm.py). */
export function normalise(type: IcebergType, value: IcebergValue | undefined): Json {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'date':
    case 'string':
    case 'uuid':
      return value as boolean | number | string;
    case 'float':
    case 'double':
      return floatJson(value as number);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return (value as bigint).toString();
    case 'decimal':
      return decimalText(value as bigint, type.scale);
    case 'fixed':
    case 'binary':
      return hex(value as Uint8Array);
    case 'struct':
      return Object.fromEntries(
        type.fields.map((f: NestedField) => [
          f.name,
          normalise(f.type, (value as Record<string, IcebergValue>)[f.name]),
        ]),
      );
    case 'list':
      return (value as readonly IcebergValue[]).map((e) => normalise(type.element, e));
    case 'map':
      return [...(value as ReadonlyMap<IcebergValue, IcebergValue>)].map(([k, v]) => [
        normalise(type.key, k),
        normalise(type.value, v),
      ]);
    default:
      throw new Error(`cannot normalise ${type.kind}`);
  }
}
