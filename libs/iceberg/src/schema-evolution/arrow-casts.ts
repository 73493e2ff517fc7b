// Column kernels that turn one Arrow leaf column into the Arrow type the table's Iceberg type
// is written as (`icebergToArrowType`): integers of any width into int32/int64, float16/32
// into float32/float64, decimals relabelled to the table's precision, every timestamp, time and
// date unit into the table's unit, large and dictionary-encoded strings and binaries into plain
// ones. Each kernel works on the column's buffers directly and keeps its validity bitmap;
// columns already in the right type pass through without a copy.
//
// Buffer convention (Arrow JS): a sliced `Data` has its fixed-width values and its offsets
// already starting at row 0, while its validity bitmap is shared and read at `offset + row`.
// Kernels write values from row 0 and keep the input's offset and bitmap, so slices work.
// Nanosecond → microsecond conversions floor the sub-microsecond digits (Iceberg v1/v2 store µs).

import {
  Data,
  type DataType,
  DateUnit,
  type Dictionary,
  makeBuilder,
  Precision,
  TimeUnit,
  Type,
} from 'apache-arrow';
import { icebergToArrowType } from '../arrow/arrow-schema.ts';
import { IcebergError } from '../errors.ts';
import { floorDiv } from '../spec/temporal.ts';
import type { PrimitiveType } from '../spec/types.ts';

export interface LeafCast {
  /** Human-readable conversion, e.g. `Int16 → Int32`; `copy` when no conversion is needed. */
  readonly description: string;
  /** True when the column is written as it is. */
  readonly identity: boolean;
  apply(data: Data): Data;
}

type NumericArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array;

const PER_SECOND = [1n, 1_000n, 1_000_000n, 1_000_000_000n] as const;
const MICROS_PER_DAY = 86_400_000_000n;
const MILLIS_PER_DAY = 86_400_000n;

/** The kernel that writes Arrow `from` as Iceberg `to`, or undefined when there is none. */
export function leafCast(from: DataType, to: PrimitiveType): LeafCast | undefined {
  const target = icebergToArrowType(to);
  // Arrow JS prints decimals without their bit width, so compare it separately.
  const sameWidth =
    from.typeId !== Type.Decimal || (from as unknown as { bitWidth: number }).bitWidth === 128;
  if (String(from) === String(target) && sameWidth) {
    return { description: 'copy', identity: true, apply: (data) => data.clone(target) };
  }
  const describe = `${String(from)} → ${String(target)}`;
  const cast = (apply: (data: Data) => Data): LeafCast => ({ description: describe, identity: false, apply });
  const fixed = (values: (data: Data) => ArrayBufferView): LeafCast =>
    cast(
      (data) =>
        new Data(target, data.offset, data.length, data.nullCount, [
          undefined,
          values(data),
          data.nullBitmap,
        ]),
    );

  switch (from.typeId) {
    case Type.Dictionary: {
      const valueType = (from as Dictionary).dictionary;
      const inner = leafCast(valueType, to);
      if (inner === undefined) return undefined;
      return {
        description: `${String(from)} → ${String(target)} (decoded)`,
        identity: false,
        apply: (data) => inner.apply(decodeDictionary(data, valueType)),
      };
    }
    case Type.Int: {
      if (to.kind === 'int') return fixed((data) => Int32Array.from(numbers(data)));
      if (to.kind === 'long') {
        return fixed((data) => {
          const source = numbers(data);
          const out = new BigInt64Array(data.length);
          for (let i = 0; i < data.length; i++) out[i] = BigInt(source[i]!);
          return out;
        });
      }
      return undefined;
    }
    case Type.Float: {
      const precision = (from as unknown as { precision: Precision }).precision;
      const decode = precision === Precision.HALF ? halfToFloat : (x: number) => x;
      if (to.kind !== 'float' && to.kind !== 'double') return undefined;
      const Out = to.kind === 'float' ? Float32Array : Float64Array;
      return fixed((data) => {
        const source = numbers(data);
        const out = new Out(data.length);
        for (let i = 0; i < data.length; i++) out[i] = decode(source[i]!);
        return out;
      });
    }
    case Type.Decimal: {
      const { scale, bitWidth } = from as unknown as { scale: number; bitWidth: number };
      if (to.kind !== 'decimal' || scale !== to.scale || bitWidth !== 128) return undefined;
      return cast((data) => data.clone(target));
    }
    case Type.Date: {
      const unit = (from as unknown as { unit: DateUnit }).unit;
      if (to.kind === 'date' && unit === DateUnit.MILLISECOND) {
        return fixed((data) => {
          const source = data.values as BigInt64Array;
          const out = new Int32Array(data.length);
          for (let i = 0; i < data.length; i++) out[i] = Number(floorDiv(source[i]!, MILLIS_PER_DAY));
          return out;
        });
      }
      if ((to.kind === 'timestamp' || to.kind === 'timestamptz') && unit === DateUnit.DAY) {
        return fixed((data) => {
          const source = data.values as Int32Array;
          const out = new BigInt64Array(data.length);
          for (let i = 0; i < data.length; i++) out[i] = BigInt(source[i]!) * MICROS_PER_DAY;
          return out;
        });
      }
      return undefined;
    }
    case Type.Time: {
      if (to.kind !== 'time') return undefined;
      const unit = (from as unknown as { unit: TimeUnit }).unit;
      return fixed((data) => rescale(data, unit, TimeUnit.MICROSECOND));
    }
    case Type.Timestamp: {
      const unit = (from as unknown as { unit: TimeUnit }).unit;
      if (to.kind === 'timestamp' || to.kind === 'timestamptz') {
        return fixed((data) => rescale(data, unit, TimeUnit.MICROSECOND));
      }
      if (to.kind === 'timestamp_ns' || to.kind === 'timestamptz_ns') {
        return fixed((data) => rescale(data, unit, TimeUnit.NANOSECOND));
      }
      return undefined;
    }
    case Type.LargeUtf8:
      return to.kind === 'string' ? cast((data) => narrowOffsets(data, target)) : undefined;
    case Type.LargeBinary:
      return to.kind === 'binary' ? cast((data) => narrowOffsets(data, target)) : undefined;
    default:
      return undefined;
  }
}

/** The first `length` values of a fixed-width column as numbers (64-bit ints are refused upstream). */
function numbers(data: Data): NumericArray {
  return (data.values as NumericArray).subarray(0, data.length);
}

/** Time or timestamp values from one unit to another, as int64 (floor when going coarser). */
function rescale(data: Data, from: TimeUnit, to: TimeUnit): BigInt64Array {
  const source = data.values as Int32Array | BigInt64Array;
  const out = new BigInt64Array(data.length);
  const fromPerSecond = PER_SECOND[from];
  const toPerSecond = PER_SECOND[to];
  for (let i = 0; i < data.length; i++) {
    const value = BigInt(source[i]!);
    out[i] =
      toPerSecond >= fromPerSecond
        ? value * (toPerSecond / fromPerSecond)
        : floorDiv(value, fromPerSecond / toPerSecond);
  }
  return out;
}

/** 64-bit offsets to 32-bit ones, rebased to the slice's first byte. */
function narrowOffsets(data: Data, target: DataType): Data {
  const offsets = data.valueOffsets as unknown as BigInt64Array;
  const first = offsets[0] ?? 0n;
  const last = offsets[data.length] ?? first;
  if (last - first > 2_147_483_647n) {
    throw new IcebergError(
      'unsupported',
      `a batch column of ${last - first} bytes does not fit 32-bit Arrow offsets; stage smaller batches`,
      { context: { bytes: last - first } },
    );
  }
  const narrowed = new Int32Array(data.length + 1);
  for (let i = 0; i <= data.length; i++) narrowed[i] = Number(offsets[i]! - first);
  const bytes = (data.values as Uint8Array).subarray(Number(first), Number(last));
  return new Data(target, data.offset, data.length, data.nullCount, [narrowed, bytes, data.nullBitmap]);
}

/** A dictionary-encoded column as a plain column of its value type. */
function decodeDictionary(data: Data, valueType: DataType): Data {
  const dictionary = data.dictionary;
  const indices = data.values as NumericArray | BigInt64Array;
  const builder = makeBuilder({ type: valueType, nullValues: [null, undefined] });
  for (let i = 0; i < data.length; i++) {
    builder.append(data.getValid(i) && dictionary !== undefined ? dictionary.get(Number(indices[i])) : null);
  }
  return builder.finish().flush() as Data;
}

/** IEEE 754 half-precision bits to a number. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
