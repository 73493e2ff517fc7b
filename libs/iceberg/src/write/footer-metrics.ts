// Column metrics read from the footer of a file we just wrote instead of from its rows. The
// encoder (parquet-wasm, i.e. arrow-rs) already keeps per row group and leaf a null count and the
// smallest and largest value, so scanning the same rows in JS again is wasted work wherever those
// statistics mean what Iceberg's metrics mean. `footerServes` says, before any row is seen,
// for which leaves that holds; the others keep the JS scan:
// - float and double: Iceberg counts NaNs (the scan does; its bounds also keep the sign of a
//   zero as written), so they are always scanned;
// - leaves inside lists and maps (their counts have Iceberg's own rules in the collector);
// - unsigned integers (Parquet orders them unsigned), Float16 and any Arrow layout not listed;
// - bounds a truncated statistic cannot reproduce. arrow-rs cuts string and binary statistics to
//   64 bytes (a min to a prefix; a max to a prefix whose last character or byte is incremented,
//   dropping trailing characters it cannot increment without changing their UTF-8 width, or
//   turning trailing 0xFF bytes into 0x00) and marks them not exact. A `truncate(N)` bound only
//   depends on the first N code points (strings) or bytes (binary): a truncated min keeps at least
//   61 bytes, so at least 16 code points; a truncated max keeps the first N unchanged unless the
//   increment reached into them, and for binary that case is recognised (every byte after the
//   incremented one is 0x00) and undone exactly. So strings are read from the footer up to
//   truncate(16), binary up to truncate(64); `full` bounds of strings and binary and `fixed`
//   wider than 64 bytes are scanned.
// One case stays inexact: a string whose code points after the first few, up to byte 61-64, are
// all ones arrow-rs will not increment (U+007F, U+07FF, U+D7FF, U+FFFF, U+10FFFF), so its
// truncated max has fewer than N code points; the upper bound is then that value, still ≥ every
// value, only looser than the scan's. Stored values are the Arrow buffer's (arrow-rs writes
// integers, dates, times and timestamps unconverted, decimals as INT32/INT64 or big-endian bytes)
// and become Iceberg values through the scan's own conversion, so bounds serialise identically.
// Row groups merge in Iceberg order; missing statistics leave the count or bounds out (an absent
// metric is always correct).

import { type DataType, type Decimal, type FixedSizeBinary, type Int, Type } from 'apache-arrow';
import type { PrimitiveType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import { storageConverter } from './arrow-leaf-values.ts';
import { type Comparator, comparatorFor } from './bounds.ts';
import type { MetricsMode } from './metrics-config.ts';
import type { ParquetFooter } from './parquet-footer.ts';

/** arrow-rs's default `statistics_truncate_length`. */
const STATISTICS_TRUNCATE_BYTES = 64;
/** Longest string truncation a truncated min still covers: 61 bytes hold ≥ 16 code points. */
const MAX_STRING_TRUNCATE = 16;

// Parquet physical types (Thrift `Type`).
const BOOLEAN = 0;
const INT32 = 1;
const INT64 = 2;
const BYTE_ARRAY = 6;
const FIXED_LEN_BYTE_ARRAY = 7;

const TIMESTAMPS = new Set(['timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);

/** Whether the footer's statistics give this leaf's metrics exactly as the JS scan would. */
export function footerServes(arrowType: DataType, type: PrimitiveType, mode: MetricsMode): boolean {
  const bounds = mode.kind === 'truncate' || mode.kind === 'full';
  const truncateUpTo = (limit: number) => !bounds || (mode.kind === 'truncate' && mode.length <= limit);
  switch (arrowType.typeId) {
    case Type.Bool:
      return type.kind === 'boolean';
    case Type.Int:
      return (arrowType as Int).isSigned && (type.kind === 'int' || type.kind === 'long');
    case Type.Decimal:
      return type.kind === 'decimal';
    case Type.Date:
      return type.kind === 'date';
    case Type.Time:
      return type.kind === 'time';
    case Type.Timestamp:
      return TIMESTAMPS.has(type.kind);
    case Type.Utf8:
    case Type.LargeUtf8:
      return type.kind === 'string' && truncateUpTo(MAX_STRING_TRUNCATE);
    case Type.Binary:
    case Type.LargeBinary:
      return type.kind === 'binary' && truncateUpTo(STATISTICS_TRUNCATE_BYTES);
    case Type.FixedSizeBinary:
      if (type.kind === 'binary') return truncateUpTo(STATISTICS_TRUNCATE_BYTES);
      return (
        (type.kind === 'fixed' || type.kind === 'uuid') &&
        (!bounds || (arrowType as FixedSizeBinary).byteWidth <= STATISTICS_TRUNCATE_BYTES)
      );
    default:
      return false;
  }
}

export interface FooterLeafStats {
  /** Undefined when a row group lacks its null count. */
  readonly nulls: number | undefined;
  readonly min: PrimitiveValue | undefined;
  readonly max: PrimitiveValue | undefined;
}

/**
 * Null count and smallest/largest value (as Iceberg values, before the metrics mode truncates
 * them) of leaf `leafIndex` over every row group of the footer; bounds only if the mode keeps them.
 */
export function footerLeafStats(
  footer: ParquetFooter,
  leafIndex: number,
  arrowType: DataType,
  type: PrimitiveType,
  mode: MetricsMode,
): FooterLeafStats {
  const decode = statisticDecoder(arrowType, type);
  const compare: Comparator = comparatorFor(type);
  const mayBeTruncated = type.kind === 'string' || type.kind === 'binary';
  const wantBounds = mode.kind === 'truncate' || mode.kind === 'full';
  const limit = mode.kind === 'truncate' ? mode.length : STATISTICS_TRUNCATE_BYTES;
  let nulls: number | undefined = 0;
  let boundsKnown = wantBounds;
  let min: PrimitiveValue | undefined;
  let max: PrimitiveValue | undefined;
  for (const group of footer.rowGroups) {
    const chunk = group.columns[leafIndex];
    const chunkNulls = chunk?.nullCount;
    nulls = nulls === undefined || chunkNulls === undefined ? undefined : nulls + Number(chunkNulls);
    if (!boundsKnown) continue;
    if (chunk?.minValue === undefined || chunk.maxValue === undefined) {
      // Only a chunk of nulls may lack bounds.
      boundsKnown = chunkNulls !== undefined && chunkNulls === chunk?.numValues;
      continue;
    }
    if (!mayBeTruncated && (chunk.minIsExact === false || chunk.maxIsExact === false)) {
      boundsKnown = false;
      continue;
    }
    if (type.kind === 'binary' && chunk.maxIsExact === undefined) {
      boundsKnown = false; // a truncated max must be told apart from an exact one
      continue;
    }
    const low = decode(chunk.physicalType, chunk.minValue);
    const high = decode(
      chunk.physicalType,
      type.kind === 'binary' && chunk.maxIsExact === false
        ? undoIncrementCarry(chunk.maxValue, limit)
        : chunk.maxValue,
    );
    if (low === undefined || high === undefined) {
      boundsKnown = false;
      continue;
    }
    if (min === undefined || compare(low, min) < 0) min = low;
    if (max === undefined || compare(high, max) > 0) max = high;
  }
  return { nulls, min: boundsKnown ? min : undefined, max: boundsKnown ? max : undefined };
}

/**
 * A binary max arrow-rs truncated to 64 bytes and incremented (trailing 0xFF became 0x00, the byte
 * before them +1). If that increment reached into the first `limit` bytes, the bytes after the
 * incremented one carry nothing of the value: cut them, which leaves exactly the incremented
 * prefix Iceberg's own truncation gives. Otherwise the first `limit` bytes are the value's own.
 */
function undoIncrementCarry(max: Uint8Array, limit: number): Uint8Array {
  let last = max.length - 1;
  while (last >= 0 && max[last] === 0) last--;
  return last < limit ? max.subarray(0, last + 1) : max;
}

type StatisticDecoder = (physicalType: number, bytes: Uint8Array) => PrimitiveValue | undefined;

const utf8 = new TextDecoder();

/** Plain-encoded statistic → Iceberg value; undefined when the physical type is not the expected one. */
function statisticDecoder(arrowType: DataType, type: PrimitiveType): StatisticDecoder {
  if (type.kind === 'boolean')
    return (physical, bytes) => (physical === BOOLEAN && bytes.length === 1 ? bytes[0] === 1 : undefined);
  if (type.kind === 'string')
    return (physical, bytes) => (physical === BYTE_ARRAY ? utf8.decode(bytes) : undefined);
  if (type.kind === 'binary' || type.kind === 'fixed' || type.kind === 'uuid') {
    return (physical, bytes) =>
      physical === BYTE_ARRAY || physical === FIXED_LEN_BYTE_ARRAY ? bytes.slice() : undefined;
  }
  if (type.kind === 'decimal') {
    return (physical, bytes) =>
      physical === FIXED_LEN_BYTE_ARRAY && arrowType.typeId === Type.Decimal
        ? bigEndianSigned(bytes, (arrowType as Decimal).bitWidth)
        : asBigInt(readInteger(physical, bytes));
  }
  const convert = storageConverter(arrowType, type);
  return (physical, bytes) => {
    const raw = readInteger(physical, bytes);
    return raw === undefined || convert === undefined ? undefined : convert(raw);
  };
}

function readInteger(physical: number, bytes: Uint8Array): number | bigint | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (physical === INT32 && bytes.length === 4) return view.getInt32(0, true);
  if (physical === INT64 && bytes.length === 8) return view.getBigInt64(0, true);
  return undefined;
}

const asBigInt = (raw: number | bigint | undefined) => (raw === undefined ? undefined : BigInt(raw));

/** Big-endian two's complement (a FIXED_LEN_BYTE_ARRAY decimal) → bigint, if it fits `bits`. */
function bigEndianSigned(bytes: Uint8Array, bits: number): bigint | undefined {
  if (bytes.length === 0 || bytes.length * 8 > bits) return undefined;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const width = BigInt(bytes.length * 8);
  return (bytes[0] as number) >= 0x80 ? value - (1n << width) : value;
}
