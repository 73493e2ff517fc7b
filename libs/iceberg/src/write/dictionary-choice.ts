// Which columns get Parquet dictionary encoding. The encoder (parquet-rs in wasm) dictionary-
// encodes every column by default and only falls back to plain encoding once a column's
// dictionary outgrows its page limit, so a column of mostly distinct values (ids, timestamps,
// measurements, free text) pays for hashing every value into a dictionary it then throws away:
// about a third of the encode time of a typical event table, for a larger file. A sample of the
// first batch decides instead: a top-level primitive column whose sampled values barely repeat
// is written plain; everything else keeps the default. This is a speed/size choice only — both
// encodings are standard Parquet that every reader decodes.

import { type Data, DataType, type RecordBatch, Type } from 'apache-arrow';

/** Values sampled per column (spread evenly over the batch). */
const SAMPLE_SIZE = 8_192;
/** Below this many non-null sampled values the sample says too little: keep the default. */
const MIN_SAMPLED = 1_024;
/** Share of distinct values in the sample above which dictionary encoding is switched off. */
const DISTINCT_SHARE_FOR_PLAIN = 0.95;

/** Names of top-level columns of `batch` to write without a dictionary. */
export function plainEncodedColumns(batch: RecordBatch): string[] {
  const plain: string[] = [];
  batch.schema.fields.forEach((field, i) => {
    const data = batch.data.children[i];
    if (data === undefined || !sampledKeyOf(field.type as DataType)) return;
    const share = distinctShare(data as Data);
    if (share !== undefined && share > DISTINCT_SHARE_FOR_PLAIN) plain.push(field.name);
  });
  return plain;
}

function sampledKeyOf(type: DataType): boolean {
  switch (type.typeId) {
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Decimal:
    case Type.Utf8:
    case Type.Binary:
    case Type.FixedSizeBinary:
      return !DataType.isDictionary(type);
    default:
      return false;
  }
}

/** Distinct values / sampled non-null values, or undefined when too few values were sampled. */
function distinctShare(data: Data): number | undefined {
  if (data.length - data.nullCount < MIN_SAMPLED) return undefined;
  const hash = hashReader(data);
  if (hash === undefined) return undefined;
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  const offset = data.offset;
  const step = Math.max(1, Math.floor(data.length / SAMPLE_SIZE));
  // Open addressing over 32-bit hashes (0 marks an empty slot), twice the sample in size.
  const table = new Int32Array(SAMPLE_SIZE * 2);
  const mask = table.length - 1;
  let distinct = 0;
  let sampled = 0;
  for (let slot = 0; slot < data.length && sampled < SAMPLE_SIZE; slot += step) {
    if (bitmap !== undefined) {
      const bit = slot + offset;
      if ((((bitmap[bit >> 3] as number) >> (bit & 7)) & 1) === 0) continue;
    }
    sampled++;
    const h = hash(slot) | 1;
    let i = h & mask;
    for (;;) {
      const entry = table[i] as number;
      if (entry === 0) {
        table[i] = h;
        distinct++;
        break;
      }
      if (entry === h) break;
      i = (i + 1) & mask;
    }
  }
  return sampled < MIN_SAMPLED ? undefined : distinct / sampled;
}

/**
 * A 32-bit hash of the value at a slot, read from the raw buffers (FNV-1a over its bytes). A
 * collision only makes a column look a little more repetitive than it is; it never affects what
 * is written.
 */
function hashReader(data: Data): ((slot: number) => number) | undefined {
  const values = data.values as unknown;
  if (data.typeId === Type.Utf8 || data.typeId === Type.Binary) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = values as Uint8Array;
    return (slot) => hashBytes(bytes, offsets[slot] as number, offsets[slot + 1] as number);
  }
  if (!ArrayBuffer.isView(values) || values instanceof DataView || data.length === 0) return undefined;
  const view = values as Uint8Array;
  const width = Math.round(view.byteLength / data.length);
  if (width % 4 !== 0 || view.byteOffset % 4 !== 0) {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    return (slot) => hashBytes(bytes, slot * width, (slot + 1) * width);
  }
  const words = new Int32Array(view.buffer, view.byteOffset, view.byteLength / 4);
  const perValue = width / 4;
  return (slot) => {
    let hash = 0x811c9dc5;
    for (let w = slot * perValue; w < (slot + 1) * perValue; w++) {
      hash = Math.imul(hash ^ (words[w] as number), 0x01000193);
      hash ^= hash >>> 15;
    }
    return hash;
  };
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash;
}
