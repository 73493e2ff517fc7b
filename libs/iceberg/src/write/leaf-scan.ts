// One pass over a primitive Arrow column for the metrics collector: counts nulls and NaNs and
// finds WHERE the column's smallest and largest values are, working on the raw buffers so no
// value is materialised per row (Arrow JS `get()` decodes UTF-8 and allocates per value, which
// made metrics the largest cost of writing). The caller reads only the two winning slots as
// Iceberg values. This is exact because every conversion the value reader applies afterwards
// (time units, ms → days) is monotonic, UTF-8 byte order equals code-point order, and
// two's-complement words compare by their signed top word then unsigned lower words. Ties keep
// the first slot, as a strict comparison over the rows would. Layouts without a fast path
// (Float16, uuid stored as text, unsigned 64-bit) return `undefined` so the caller uses its
// general per-value path.

import { type Data, Type } from 'apache-arrow';
import type { PrimitiveType } from '../spec/types.ts';

export interface LeafScan {
  readonly nulls: number;
  readonly nans: number;
  /** Slot of the first smallest non-null, non-NaN value; -1 when there is none. */
  readonly minSlot: number;
  readonly maxSlot: number;
}

/** Compares the values at two slots (negative, zero, positive). */
type SlotCompare = (a: number, b: number) => number;

/**
 * Scans `slots` (indexes into `data`; -1 is a phantom null under a null parent). With
 * `wantBounds` false only nulls and NaNs are counted. Undefined when the layout has no fast path.
 */
export function scanLeaf(
  data: Data,
  type: PrimitiveType,
  slots: Int32Array,
  wantBounds: boolean,
): LeafScan | undefined {
  const isFloat = type.kind === 'float' || type.kind === 'double';
  const plan = planFor(data, type, isFloat);
  if (plan === undefined) return undefined;
  const bitmap =
    data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined;
  const offset = data.offset;
  const floats = isFloat ? (data.values as Float32Array | Float64Array) : undefined;
  const compare = wantBounds ? plan : undefined;
  let nulls = 0;
  let nans = 0;
  let minSlot = -1;
  let maxSlot = -1;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as number;
    if (slot < 0) {
      nulls++;
      continue;
    }
    if (bitmap !== undefined) {
      const bit = slot + offset;
      if ((((bitmap[bit >> 3] as number) >> (bit & 7)) & 1) === 0) {
        nulls++;
        continue;
      }
    }
    if (floats !== undefined && Number.isNaN(floats[slot])) {
      nans++;
      continue;
    }
    if (compare === undefined) continue;
    if (minSlot < 0) {
      minSlot = slot;
      maxSlot = slot;
      continue;
    }
    if (compare(slot, minSlot) < 0) minSlot = slot;
    else if (compare(slot, maxSlot) > 0) maxSlot = slot;
  }
  return { nulls, nans, minSlot, maxSlot };
}

function planFor(data: Data, type: PrimitiveType, isFloat: boolean): SlotCompare | undefined {
  const values = data.values as unknown;
  switch (data.typeId) {
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp: {
      if (data.typeId === Type.Float && (data.type as { precision?: number }).precision === 0)
        return undefined;
      if (isFloat && !(values instanceof Float32Array || values instanceof Float64Array)) return undefined;
      if (values instanceof BigInt64Array) return compareInt64(values);
      if (values instanceof BigUint64Array) return undefined;
      const numbers = values as Int32Array | Float64Array;
      return (a, b) => {
        const x = numbers[a] as number;
        const y = numbers[b] as number;
        return x < y ? -1 : x > y ? 1 : 0;
      };
    }
    case Type.Decimal:
      return compareWords(values as Uint32Array, data.stride);
    case Type.Bool: {
      const bits = values as Uint8Array;
      const offset = data.offset;
      return (a, b) => bitAt(bits, a + offset) - bitAt(bits, b + offset);
    }
    case Type.Utf8:
    case Type.Binary:
      if (type.kind !== 'string' && type.kind !== 'binary') return undefined;
      return compareVariable(data.valueOffsets as Int32Array, values as Uint8Array);
    case Type.FixedSizeBinary:
      if (type.kind !== 'fixed' && type.kind !== 'uuid' && type.kind !== 'binary') return undefined;
      return compareFixedBytes(values as Uint8Array, data.stride);
    default:
      return undefined;
  }
}

function bitAt(bits: Uint8Array, bit: number): number {
  return ((bits[bit >> 3] as number) >> (bit & 7)) & 1;
}

/** 64-bit signed values compared as (signed high word, unsigned low word), little-endian. */
function compareInt64(values: BigInt64Array): SlotCompare {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  return (a, b) => {
    const highA = words[2 * a + 1] as number;
    const highB = words[2 * b + 1] as number;
    if (highA !== highB) return highA < highB ? -1 : 1;
    const lowA = (words[2 * a] as number) >>> 0;
    const lowB = (words[2 * b] as number) >>> 0;
    return lowA < lowB ? -1 : lowA > lowB ? 1 : 0;
  };
}

/** Little-endian two's-complement integers of `stride` 32-bit words (decimals). */
function compareWords(words: Uint32Array, stride: number): SlotCompare {
  return (a, b) => {
    const baseA = a * stride;
    const baseB = b * stride;
    const topA = (words[baseA + stride - 1] as number) | 0;
    const topB = (words[baseB + stride - 1] as number) | 0;
    if (topA !== topB) return topA < topB ? -1 : 1;
    for (let w = stride - 2; w >= 0; w--) {
      const x = words[baseA + w] as number;
      const y = words[baseB + w] as number;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}

/** Unsigned byte order of variable-width values (UTF-8 byte order is code-point order). */
function compareVariable(offsets: Int32Array, bytes: Uint8Array): SlotCompare {
  return (a, b) => {
    let i = offsets[a] as number;
    let j = offsets[b] as number;
    const endA = offsets[a + 1] as number;
    const endB = offsets[b + 1] as number;
    for (; i < endA && j < endB; i++, j++) {
      const x = bytes[i] as number;
      const y = bytes[j] as number;
      if (x !== y) return x - y;
    }
    return endA - i - (endB - j);
  };
}

function compareFixedBytes(bytes: Uint8Array, width: number): SlotCompare {
  return (a, b) => {
    const baseA = a * width;
    const baseB = b * width;
    for (let k = 0; k < width; k++) {
      const x = bytes[baseA + k] as number;
      const y = bytes[baseB + k] as number;
      if (x !== y) return x - y;
    }
    return 0;
  };
}
