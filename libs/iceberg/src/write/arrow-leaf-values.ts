// Reads one primitive Arrow slot as an Iceberg value (the library's value contract) for the
// metrics collector. Arrow JS's own `get()` loses precision exactly where metrics must not
// (timestamps come back as float milliseconds, decimals as objects), so fixed-width temporal and
// decimal values are read from the raw value buffers, converted to the Iceberg unit (µs, or ns
// for the *_ns types; days for dates) and returned as bigint/number.

import { type Data, type DataType, DateUnit, makeVector, Type } from 'apache-arrow';
import { IcebergError } from '../errors.ts';
import type { PrimitiveType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';

export type SlotReader = (index: number) => PrimitiveValue;

const UNIT_TO_NANOS = [1_000_000_000n, 1_000_000n, 1_000n, 1n]; // Arrow TimeUnit: s, ms, µs, ns
const MS_PER_DAY = 86_400_000n;

export function slotReader(data: Data, type: PrimitiveType, columnPath: string): SlotReader {
  const values = (data as unknown as { values: ArrayLike<number | bigint> }).values;
  const arrowType = data.type as { typeId: Type; bitWidth?: number };
  const fromStorage = storageConverter(data.type, type);
  if (fromStorage !== undefined) return (i) => fromStorage(values[i] as number | bigint);
  switch (data.typeId) {
    case Type.Float:
      if ((data.type as { precision?: number }).precision === 0) {
        // Float16 is stored as raw half-precision bits; Arrow decodes them for us.
        const vector = makeVector(data);
        return (i) => vector.get(i) as number;
      }
      return (i) => values[i] as number;
    case Type.Decimal: {
      const words = values as unknown as Uint32Array;
      const stride = (arrowType.bitWidth ?? 128) / 32;
      return (i) => twosComplementWords(words, i * stride, stride);
    }
    case Type.Bool:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary: {
      const vector = makeVector(data);
      return (i) => vector.get(i) as PrimitiveValue;
    }
    default:
      throw new IcebergError(
        'unsupported',
        `cannot compute metrics for column '${columnPath}': Arrow type ${String(data.type)} does not map to Iceberg ${type.kind}`,
        { context: { column: columnPath, arrowType: String(data.type) } },
      );
  }
}

/**
 * For integer, date, time and timestamp columns: converts one stored value (the integer the Arrow
 * buffer holds, which is also what arrow-rs writes to Parquet for these types) to the Iceberg
 * value. Undefined for other Arrow types.
 */
export function storageConverter(
  arrowType: DataType,
  type: PrimitiveType,
): ((raw: number | bigint) => PrimitiveValue) | undefined {
  const typed = arrowType as { typeId: Type; unit?: number };
  switch (typed.typeId) {
    case Type.Int:
      if (type.kind === 'long') return (raw) => BigInt(raw);
      return (raw) => Number(raw);
    case Type.Date:
      // DateDay stores days (Int32); DateMillisecond stores ms (Int64) at midnight.
      if (typed.unit === DateUnit.DAY) return (raw) => Number(raw);
      return (raw) => Number(floorDiv(BigInt(raw), MS_PER_DAY));
    case Type.Time:
    case Type.Timestamp: {
      const toNanos = UNIT_TO_NANOS[typed.unit ?? 2] as bigint;
      const target = type.kind === 'timestamp_ns' || type.kind === 'timestamptz_ns' ? 1n : 1_000n;
      return (raw) => floorDiv(BigInt(raw) * toNanos, target);
    }
    default:
      return undefined;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Little-endian 32-bit words of a two's-complement integer → bigint. */
function twosComplementWords(words: Uint32Array, start: number, count: number): bigint {
  let result = 0n;
  for (let w = count - 1; w >= 0; w--) result = (result << 32n) | BigInt(words[start + w] as number);
  const bits = BigInt(count * 32);
  return result >= 1n << (bits - 1n) ? result - (1n << bits) : result;
}
