// @floe/iceberg Parquet data-file writers, re-exported by the package entry point:
// file → rolling data file → partitioned fanout, column metrics, Parquet options and footers.
export { FIELD_ID_KEY, withFieldIds } from './arrow-field-ids.ts';
export type { ColumnMetrics, LeafColumn } from './column-metrics.ts';
export { ColumnMetricsCollector } from './column-metrics.ts';
export type { DataFileWriterOptions } from './data-file-writer.ts';
export {
  DEFAULT_TARGET_FILE_SIZE_BYTES,
  RollingDataFileWriter,
  writeDataFiles,
} from './data-file-writer.ts';
export { defaultEncodeThreads, EncodeThreads, prepareEncodeThreads } from './encode-threads.ts';
export type { MetricsMode } from './metrics-config.ts';
export { parseMetricsMode, resolveMetricsModes } from './metrics-config.ts';
export type { ParallelWriteOptions } from './parallel-data-file-writer.ts';
export { writeDataFilesInParallel } from './parallel-data-file-writer.ts';
export type { ParquetFileWriterOptions, WrittenParquetFile } from './parquet-file-writer.ts';
export { ParquetFileWriter } from './parquet-file-writer.ts';
export type { ParquetFooter } from './parquet-footer.ts';
export { parseParquetFooter } from './parquet-footer.ts';
export type { ParquetWriteOptions } from './parquet-options.ts';
export { parquetOptionsFromProperties } from './parquet-options.ts';
export type { PartitionedWriterOptions, WriteLogger } from './partitioned-writer.ts';
export { PartitionedDataWriter, writePartitionedDataFiles } from './partitioned-writer.ts';
