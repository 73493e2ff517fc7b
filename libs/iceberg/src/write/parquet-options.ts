// Parquet writer settings from Iceberg table properties. parquet-wasm keeps the row group being
// built in wasm memory (32-bit, at most 4 GiB for everything), so row groups are capped well
// below that whatever the table asks for.

import { Compression } from 'parquet-wasm';
import { IcebergError } from '../errors.ts';

export interface ParquetWriteOptions {
  readonly compression: Compression;
  readonly codecName: string;
  readonly rowGroupBytes: number;
  readonly rowGroupRows: number;
  readonly pageBytes: number;
  readonly dictionaryPageBytes: number;
}

const MiB = 1024 * 1024;
export const MAX_ROW_GROUP_BYTES = 128 * MiB;

const CODECS: Readonly<Record<string, Compression>> = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  gzip: Compression.GZIP,
  brotli: Compression.BROTLI,
  lz4: Compression.LZ4_RAW,
  lz4_raw: Compression.LZ4_RAW,
  uncompressed: Compression.UNCOMPRESSED,
  none: Compression.UNCOMPRESSED,
};

export function parquetOptionsFromProperties(
  properties: Readonly<Record<string, string>>,
): ParquetWriteOptions {
  const codecName = (properties['write.parquet.compression-codec'] ?? 'zstd').trim().toLowerCase();
  const compression = CODECS[codecName];
  if (compression === undefined) {
    throw new IcebergError(
      'invalid-argument',
      `unsupported write.parquet.compression-codec '${properties['write.parquet.compression-codec']}': use one of ${Object.keys(CODECS).join(', ')}`,
      { context: { property: 'write.parquet.compression-codec' } },
    );
  }
  return {
    compression,
    codecName,
    rowGroupBytes: Math.min(
      positive(properties, 'write.parquet.row-group-size-bytes', 128 * MiB),
      MAX_ROW_GROUP_BYTES,
    ),
    rowGroupRows: positive(properties, 'write.parquet.row-group-limit', 1_048_576),
    pageBytes: positive(properties, 'write.parquet.page-size-bytes', MiB),
    dictionaryPageBytes: positive(properties, 'write.parquet.dict-size-bytes', 2 * MiB),
  };
}

export function positive(
  properties: Readonly<Record<string, string>>,
  key: string,
  fallback: number,
): number {
  const text = properties[key];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new IcebergError('invalid-argument', `${key} must be a positive integer, got '${text}'`, {
      context: { property: key, value: text },
    });
  }
  return value;
}
