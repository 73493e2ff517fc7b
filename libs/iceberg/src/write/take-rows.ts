// Gathers rows of an Arrow RecordBatch by an index array into ONE new contiguous batch (Arrow's
// "take"). The partitioned writer uses it to turn the rows of one partition, scattered through an
// incoming batch, into a single batch per partition: handing the encoder thousands of 1-row
// slices instead costs a per-message price in IPC and in parquet-wasm. Every layout floe writes
// is copied straight from the raw buffers (typed-array gathers for fixed-width values, bit
// gathers for validity and booleans, offsets + byte copies for strings and binary, recursion for
// struct/list/map/fixed-size list, index gathers for dictionaries); a layout with no Iceberg
// equivalent (unions, views) is refused. Inputs may be slices: Arrow JS keeps
// fixed-width values and offsets already shifted to the slice, while bitmaps are addressed at
// `offset + row`, and list children stay unsliced (positions come from the offsets).

import { type Data, type DataType, makeData, RecordBatch, Struct, Type } from 'apache-arrow';
import { IcebergError } from '../errors.ts';

/** The rows of `batch` at `indices`, in that order, as one batch with the same schema. */
export function takeRows(batch: RecordBatch, indices: Int32Array): RecordBatch {
  const data = batch.data as unknown as Data<Struct>;
  const children = data.children.map((child) => takeData(child, indices));
  const struct = makeData({
    type: new Struct(batch.schema.fields),
    length: indices.length,
    nullCount: 0,
    children,
  });
  return new RecordBatch(batch.schema, struct);
}

/** The slots of one column at `indices` (relative to the column's own, possibly sliced, start). */
export function takeData(data: Data, indices: Int32Array): Data {
  const type = data.type as DataType;
  const length = indices.length;
  switch (data.typeId) {
    case Type.Null:
      return makeData({ type, length, nullCount: length } as never);
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Decimal:
    case Type.FixedSizeBinary:
    case Type.Interval:
    case Type.Duration: {
      const validity = takeValidity(data, indices);
      const values = takeFixedWidth(data.values as TypedArray, data.stride, indices);
      return makeData({ type, length, ...validity, data: values } as never);
    }
    case Type.Bool: {
      const validity = takeValidity(data, indices);
      const values = gatherBits(data.values as Uint8Array, data.offset, indices);
      return makeData({ type, length, ...validity, data: values } as never);
    }
    case Type.Utf8:
    case Type.Binary: {
      const validity = takeValidity(data, indices);
      const { offsets, bytes } = takeVariableWidth(
        data.valueOffsets as Int32Array,
        data.values as Uint8Array,
        indices,
      );
      return makeData({ type, length, ...validity, valueOffsets: offsets, data: bytes } as never);
    }
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const validity = takeValidity(data, indices);
      const { offsets, bytes } = takeLargeVariableWidth(
        data.valueOffsets as unknown as BigInt64Array,
        data.values as Uint8Array,
        indices,
      );
      return makeData({ type, length, ...validity, valueOffsets: offsets, data: bytes } as never);
    }
    case Type.Struct: {
      const validity = takeValidity(data, indices);
      const children = data.children.map((child) => takeData(child, indices));
      return makeData({ type, length, ...validity, children } as never);
    }
    case Type.List:
    case Type.Map: {
      const validity = takeValidity(data, indices);
      const { offsets, childIndices } = takeListOffsets(data.valueOffsets as Int32Array, indices);
      const child = takeData(data.children[0] as Data, childIndices);
      return makeData({ type, length, ...validity, valueOffsets: offsets, child } as never);
    }
    case Type.LargeList: {
      const validity = takeValidity(data, indices);
      const wide = data.valueOffsets as unknown as BigInt64Array;
      const narrow = Int32Array.from(wide, (offset) => Number(offset));
      const { offsets, childIndices } = takeListOffsets(narrow, indices);
      const child = takeData(data.children[0] as Data, childIndices);
      const valueOffsets = BigInt64Array.from(offsets, (offset) => BigInt(offset));
      return makeData({ type, length, ...validity, valueOffsets, child } as never);
    }
    case Type.FixedSizeList: {
      const validity = takeValidity(data, indices);
      const size = (type as unknown as { listSize: number }).listSize;
      const childIndices = new Int32Array(length * size);
      for (let i = 0; i < length; i++) {
        const base = (indices[i] as number) * size;
        for (let k = 0; k < size; k++) childIndices[i * size + k] = base + k;
      }
      const child = takeData(data.children[0] as Data, childIndices);
      return makeData({ type, length, ...validity, child } as never);
    }
    case Type.Dictionary: {
      const validity = takeValidity(data, indices);
      const keys = takeFixedWidth(data.values as TypedArray, 1, indices);
      return makeData({ type, length, ...validity, data: keys, dictionary: data.dictionary } as never);
    }
    default:
      throw new IcebergError(
        'unsupported',
        `cannot partition rows of Arrow type ${String(type)}: it has no Iceberg equivalent`,
        { context: { arrowType: String(type) } },
      );
  }
}

type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

interface Validity {
  readonly nullCount: number;
  readonly nullBitmap?: Uint8Array;
}

function takeValidity(data: Data, indices: Int32Array): Validity {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return { nullCount: 0 };
  const bitmap = gatherBits(data.nullBitmap, data.offset, indices);
  let nulls = 0;
  const full = indices.length >> 3;
  for (let b = 0; b < full; b++) nulls += 8 - (POPCOUNT[bitmap[b] as number] as number);
  for (let i = full * 8; i < indices.length; i++)
    if (((bitmap[i >> 3] as number) & (1 << (i & 7))) === 0) nulls++;
  return nulls === 0 ? { nullCount: 0 } : { nullCount: nulls, nullBitmap: bitmap };
}

const POPCOUNT = (() => {
  const table = new Uint8Array(256);
  for (let i = 1; i < 256; i++) table[i] = (table[i >> 1] as number) + (i & 1);
  return table;
})();

/** Bits at `offset + index` of an LSB-first bitmap, packed from bit 0. */
function gatherBits(source: Uint8Array, offset: number, indices: Int32Array): Uint8Array {
  const out = new Uint8Array((indices.length + 7) >> 3);
  for (let i = 0; i < indices.length; i++) {
    const bit = (indices[i] as number) + offset;
    if (((source[bit >> 3] as number) >> (bit & 7)) & 1)
      out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  }
  return out;
}

/**
 * Gathers `stride` elements per row. The copy runs over a 32-bit (or narrower) integer view of
 * the same bytes: that keeps the loop on one element kind whatever the column type, and avoids
 * allocating a bigint per value for 64-bit columns (and any NaN canonicalisation of floats).
 */
function takeFixedWidth(values: TypedArray, stride: number, indices: Int32Array): TypedArray {
  const Ctor = values.constructor as new (length: number) => TypedArray;
  const out = new Ctor(indices.length * stride);
  const rowBytes = values.BYTES_PER_ELEMENT * stride;
  if (rowBytes % 4 === 0 && values.byteOffset % 4 === 0) {
    const words = rowBytes / 4;
    const src = new Int32Array(values.buffer, values.byteOffset, (values.byteLength / 4) | 0);
    const dst = new Int32Array(out.buffer, out.byteOffset, (out.byteLength / 4) | 0);
    gatherWords(src, dst, words, indices);
    return out;
  }
  const src = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const dst = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  gatherBytes(src, dst, rowBytes, indices);
  return out;
}

function gatherWords(src: Int32Array, dst: Int32Array, words: number, indices: Int32Array): void {
  if (words === 1) {
    for (let i = 0; i < indices.length; i++) dst[i] = src[indices[i] as number] as number;
    return;
  }
  if (words === 2) {
    for (let i = 0; i < indices.length; i++) {
      const from = (indices[i] as number) * 2;
      dst[2 * i] = src[from] as number;
      dst[2 * i + 1] = src[from + 1] as number;
    }
    return;
  }
  for (let i = 0; i < indices.length; i++) {
    const from = (indices[i] as number) * words;
    const to = i * words;
    for (let k = 0; k < words; k++) dst[to + k] = src[from + k] as number;
  }
}

function gatherBytes(src: Uint8Array, dst: Uint8Array, width: number, indices: Int32Array): void {
  for (let i = 0; i < indices.length; i++) {
    const from = (indices[i] as number) * width;
    const to = i * width;
    for (let k = 0; k < width; k++) dst[to + k] = src[from + k] as number;
  }
}

function takeVariableWidth(
  offsets: Int32Array,
  bytes: Uint8Array,
  indices: Int32Array,
): { offsets: Int32Array; bytes: Uint8Array } {
  const outOffsets = new Int32Array(indices.length + 1);
  let total = 0;
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    total += (offsets[row + 1] as number) - (offsets[row] as number);
    outOffsets[i + 1] = total;
  }
  const out = new Uint8Array(total);
  let position = 0;
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    const start = offsets[row] as number;
    const end = offsets[row + 1] as number;
    if (end - start > 32) out.set(bytes.subarray(start, end), position);
    else for (let b = start; b < end; b++) out[position + b - start] = bytes[b] as number;
    position += end - start;
  }
  return { offsets: outOffsets, bytes: out };
}

function takeLargeVariableWidth(
  offsets: BigInt64Array,
  bytes: Uint8Array,
  indices: Int32Array,
): { offsets: BigInt64Array; bytes: Uint8Array } {
  const narrow = new Int32Array(offsets.length);
  const base = offsets.length > 0 ? (offsets[0] as bigint) : 0n;
  for (let i = 0; i < offsets.length; i++) narrow[i] = Number((offsets[i] as bigint) - base);
  const taken = takeVariableWidth(narrow, bytes.subarray(Number(base)), indices);
  return { offsets: BigInt64Array.from(taken.offsets, (n) => BigInt(n)), bytes: taken.bytes };
}

/** New list offsets, and the child slots the taken lists cover (in order). */
function takeListOffsets(
  offsets: Int32Array,
  indices: Int32Array,
): { offsets: Int32Array; childIndices: Int32Array } {
  const outOffsets = new Int32Array(indices.length + 1);
  let total = 0;
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    total += (offsets[row + 1] as number) - (offsets[row] as number);
    outOffsets[i + 1] = total;
  }
  const childIndices = new Int32Array(total);
  let position = 0;
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] as number;
    const end = offsets[row + 1] as number;
    for (let slot = offsets[row] as number; slot < end; slot++) childIndices[position++] = slot;
  }
  return { offsets: outOffsets, childIndices };
}
