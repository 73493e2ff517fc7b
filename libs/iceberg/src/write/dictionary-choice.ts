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
const SAMPLE_SIZE = 16_384;
/** Below this many non-null sampled values the sample says too little: keep the default. */
const MIN_SAMPLED = 1_024;
/** Share of distinct values in the sample above which dictionary encoding is switched off. */
const DISTINCT_SHARE_FOR_PLAIN = 0.9;

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
  const key = keyReader(data);
  if (key === undefined) return undefined;
  const step = Math.max(1, Math.floor(data.length / SAMPLE_SIZE));
  const seen = new Set<unknown>();
  let sampled = 0;
  for (let slot = 0; slot < data.length && sampled < SAMPLE_SIZE; slot += step) {
    if (data.nullCount > 0 && !data.getValid(slot)) continue;
    seen.add(key(slot));
    sampled++;
  }
  return sampled < MIN_SAMPLED ? undefined : seen.size / sampled;
}

/** A Set key for the value at a slot, read from the raw buffers (no per-value Arrow decoding). */
function keyReader(data: Data): ((slot: number) => unknown) | undefined {
  const values = data.values as unknown;
  if (data.typeId === Type.Utf8 || data.typeId === Type.Binary) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = Buffer.from((values as Uint8Array).buffer, (values as Uint8Array).byteOffset);
    return (slot) => bytes.toString('latin1', offsets[slot] as number, offsets[slot + 1] as number);
  }
  const stride = data.stride;
  if (data.typeId === Type.Decimal || data.typeId === Type.FixedSizeBinary) {
    const view = values as Uint8Array | Uint32Array;
    const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    const width = data.typeId === Type.Decimal ? stride * 4 : stride;
    return (slot) => bytes.toString('latin1', slot * width, (slot + 1) * width);
  }
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const array = values as unknown as ArrayLike<number | bigint>;
    if (stride === 1) return (slot) => array[slot];
    return (slot) => {
      let text = '';
      for (let k = 0; k < stride; k++) text += `${array[slot * stride + k]},`;
      return text;
    };
  }
  return undefined;
}
