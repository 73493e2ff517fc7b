// @floe/iceberg: public entry point. Curated exports only; internals stay under src/internal.
// errors (spec layer A)

export type { ArrowToIcebergOptions } from './arrow/arrow-schema.ts';
// spec layer A: Arrow ↔ Iceberg
export {
  arrowToIcebergSchema,
  describeArrowField,
  icebergToArrowSchema,
  icebergToArrowType,
  PARQUET_FIELD_ID_KEY,
  readFieldId,
} from './arrow/arrow-schema.ts';
export { readArrowColumn, readArrowValue, readDataValue } from './arrow/read-value.ts';
export type { IcebergErrorContext, IcebergErrorKind, IcebergErrorOptions } from './errors.ts';
export { IcebergError, isIcebergError } from './errors.ts';
export { evaluateBatch, maskToIndexes } from './expressions/arrow-evaluator.ts';
export type { BindOptions } from './expressions/bind.ts';
export { bind } from './expressions/bind.ts';
export type { BoundExpression, BoundPredicate, BoundTerm } from './expressions/bound.ts';
export { boundExpressionToString, negate, rewriteNot } from './expressions/bound.ts';
export type { RowAccessor } from './expressions/evaluator.ts';
export { evaluate, evaluatePredicate, evaluateRecord, recordAccessor } from './expressions/evaluator.ts';
export type {
  Expression,
  ExpressionOf,
  Literal,
  LiteralOperation,
  PredicateLeaf,
  PredicateOperation,
  SetOperation,
  Term,
  UnaryOperation,
  UnboundPredicate,
} from './expressions/expression.ts';
// expressions: unbound/bound filters, REST expression JSON, CLI text syntax, evaluators, projection
export {
  alwaysFalse,
  alwaysTrue,
  and,
  eq,
  expressionToString,
  FALSE,
  forEachPredicate,
  gt,
  gtEq,
  isIn,
  isNan,
  isNull,
  lt,
  ltEq,
  not,
  notEq,
  notIn,
  notNan,
  notNull,
  notStartsWith,
  or,
  predicate,
  ref,
  startsWith,
  TRUE,
  transformTerm,
} from './expressions/expression.ts';
export type { FileClassifier, FileMatch } from './expressions/file-classifier.ts';
export { fileClassifier } from './expressions/file-classifier.ts';
export type { ManifestEvaluator } from './expressions/manifest-evaluator.ts';
export { manifestEvaluator, manifestMightMatch } from './expressions/manifest-evaluator.ts';
export { metricsMightMatch } from './expressions/metrics-evaluator.ts';
export { partitionAccessor, projectInclusive, projectStrict } from './expressions/projection.ts';
export { boundExpressionToJson, expressionToJson, parseExpressionJson } from './expressions/rest-json.ts';
export { metricsAllMatch } from './expressions/strict-metrics-evaluator.ts';
export { parseFilter } from './expressions/text-syntax.ts';
// inspection: snapshots, history, refs, manifests, files and partitions as Arrow tables
export { filesTable, type InspectOptions, manifestsTable, partitionsTable } from './inspect/file-tables.ts';
export { historyTable, refsTable, snapshotsTable } from './inspect/metadata-tables.ts';
export {
  type PartitionFiles,
  type TableHealth,
  type TableHealthOptions,
  tableHealth,
} from './inspect/table-health.ts';
export type {
  DeleteManyOptions,
  DeleteManyResult,
  FileInfo,
  FileIO,
  InputFile,
  OutputFile,
  WriteSource,
} from './io/file-io.ts';
// FileIO (io/)
export { BaseFileIO, forEachBounded } from './io/file-io.ts';
export { LocalFileIO } from './io/local-file-io.ts';
export { MemoryFileIO } from './io/memory-file-io.ts';
export type { FileIOForOptions } from './io/resolve-file-io.ts';
export { fileIOFor } from './io/resolve-file-io.ts';
export type { S3ClientSettings, S3Credentials, S3CredentialsProvider } from './io/s3-config.ts';
export { S3_PROPERTIES, s3SettingsFromProperties } from './io/s3-config.ts';
export { classifyS3Failure, type S3Failure } from './io/s3-errors.ts';
export type { S3FileIOOptions } from './io/s3-file-io.ts';
export { S3FileIO } from './io/s3-file-io.ts';
export type { S3Location } from './io/s3-location.ts';
export { isS3Location, parseS3Location } from './io/s3-location.ts';
export {
  COMPACTION_ID_PROPERTY,
  type CompactionGroupReport,
  type CompactionReport,
  type CompactTableOptions,
  compactTable,
  validateCompaction,
} from './maintenance/compact.ts';
export {
  COMPACTION_PROPERTIES,
  type CompactionGroup,
  type CompactionOptions,
  type CompactionPlan,
  planCompaction,
  type ResolvedCompactionOptions,
  resolveCompactionOptions,
} from './maintenance/compaction-plan.ts';
export {
  type GroupRewriter,
  type RewriteGroupInput,
  type RewrittenGroup,
  rewriteGroup,
  sortBatches,
} from './maintenance/compaction-rewrite.ts';
// maintenance: expire snapshots (plan from policy, commit, delete files only expired snapshots reached)
export {
  type ExpireSnapshotsOptions,
  type ExpiryFiles,
  type ExpiryReport,
  expireSnapshots,
  METADATA_DELETE_AFTER_COMMIT,
} from './maintenance/expire-snapshots.ts';
export {
  DEFAULT_MAX_SNAPSHOT_AGE_MS,
  DEFAULT_MIN_SNAPSHOTS_TO_KEEP,
  type ExpiryDefaults,
  type ExpiryPlan,
  type ExpiryPolicy,
  MAX_REF_AGE_MS_PROPERTY,
  MAX_SNAPSHOT_AGE_MS_PROPERTY,
  MIN_SNAPSHOTS_TO_KEEP_PROPERTY,
  type PlanExpiryOptions,
  planExpiry,
  resolveRetention,
  type TableRetention,
} from './maintenance/expiry-plan.ts';
export {
  DEFAULT_ORPHAN_OLDER_THAN_MS,
  deleteOrphanFiles,
  type OrphanFilesOptions,
  type OrphanFilesPlan,
  type OrphanFilesReport,
  planOrphanFiles,
  tableListingPrefix,
} from './maintenance/orphan-files.ts';
export {
  normalizeLocation,
  type ReferencedFilesOptions,
  referencedFiles,
} from './maintenance/referenced-files.ts';
export {
  type RewriteManifestsOptions,
  type RewriteManifestsReport,
  rewriteManifests,
} from './maintenance/rewrite-manifests.ts';
export { type UnreachableFiles, unreachableFiles } from './maintenance/unreachable-files.ts';
export type { AvroCodec } from './manifest/avro-container.ts';
export type { ManifestFormatVersion } from './manifest/avro-schemas.ts';
// manifests: data files, manifest entries, manifest files and lists (Avro)
export type {
  DataFile,
  DataFileContent,
  DataFileFormat,
  ManifestEntry,
  ManifestEntryStatus,
  PartitionValue,
} from './manifest/data-file.ts';
export type { FieldSummary, ManifestContent, ManifestFile } from './manifest/manifest-file.ts';
export type {
  ManifestList,
  ManifestListWriteOptions,
  WrittenManifestList,
} from './manifest/manifest-list.ts';
export { assignSequenceNumbers, readManifestList, writeManifestList } from './manifest/manifest-list.ts';
export type { ManifestContents, ManifestInheritance } from './manifest/manifest-reader.ts';
export { inherit as inheritManifestMetadata, readManifest } from './manifest/manifest-reader.ts';
export type { AddedFileOptions, ManifestWriterOptions, WrittenManifest } from './manifest/manifest-writer.ts';
export { ManifestWriter } from './manifest/manifest-writer.ts';
export type { ApplyUpdatesOptions } from './metadata/builder.ts';
export { applyUpdates, METADATA_PREVIOUS_VERSIONS_MAX } from './metadata/builder.ts';
export {
  metadataDirectory,
  newMetadataLocation,
  nextMetadataLocation,
  parseMetadataVersion,
  WRITE_METADATA_PATH,
} from './metadata/metadata-location.ts';
export type { RequirementFailure } from './metadata/requirements.ts';
export { assertRequirements, checkRequirements } from './metadata/requirements.ts';
export type { FindSnapshotOptions } from './metadata/snapshot-queries.ts';
export {
  ancestorsOf,
  currentSnapshot,
  findSnapshotWithProperty,
  snapshotAsOf,
  snapshotById,
  snapshotForRef,
} from './metadata/snapshot-queries.ts';
export type {
  AddSchemaUpdate,
  AddSnapshotUpdate,
  AddSortOrderUpdate,
  AddSpecUpdate,
  AssertCreate,
  AssertCurrentSchemaId,
  AssertDefaultSortOrderId,
  AssertDefaultSpecId,
  AssertLastAssignedFieldId,
  AssertLastAssignedPartitionId,
  AssertRefSnapshotId,
  AssertTableUuid,
  AssignUuidUpdate,
  RemovePropertiesUpdate,
  RemoveSnapshotRefUpdate,
  RemoveSnapshotsUpdate,
  RemoveStatisticsUpdate,
  SetCurrentSchemaUpdate,
  SetDefaultSortOrderUpdate,
  SetDefaultSpecUpdate,
  SetLocationUpdate,
  SetPropertiesUpdate,
  SetSnapshotRefUpdate,
  SetStatisticsUpdate,
  TableRequirement,
  TableRequirementType,
  TableUpdate,
  TableUpdateAction,
  UpgradeFormatVersionUpdate,
} from './metadata/updates.ts';
export { LAST_ADDED } from './metadata/updates.ts';
export {
  tableRequirementFromJson,
  tableRequirementsFromJson,
  tableRequirementToJson,
  tableUpdateFromJson,
  tableUpdatesFromJson,
  tableUpdateToJson,
} from './metadata/updates-wire.ts';
// metadata layer B: table metadata files, REST updates/requirements, builder, snapshot queries
export {
  MAIN_BRANCH,
  parseTableMetadata,
  readTableMetadata,
  SUPPORTED_FORMAT_VERSIONS,
  tableMetadataToJson,
  validateReferences as validateTableMetadata,
  writeTableMetadata,
} from './metadata/wire.ts';
// copy-on-write overwrite by filter, schema evolution on the commit path, reading data files back
export {
  DELETION_VECTOR_BLOB_TYPE,
  decodeDeletionVector,
  deletionVectorBlob,
  encodeDeletionVector,
  isDeletionVector,
  readDeletionVector,
} from './puffin/deletion-vector.ts';
export { PositionBitmap } from './puffin/position-bitmap.ts';
export type { PuffinBlobInput, PuffinBlobMetadata, PuffinFile } from './puffin/puffin-file.ts';
export { PUFFIN_MAGIC, parsePuffin, readPuffin, writePuffin } from './puffin/puffin-file.ts';
export { readDataFile, readParquetBatches } from './read/read-data-file.ts';
// scans: snapshot selection, pruning, residual filters, column projection with ranged reads
export type { DeleteFileEntry } from './scan/delete-index.ts';
export type { ScanOptions, ScanPlan, ScanStats, ScanTask } from './scan/plan.ts';
export { planScan } from './scan/plan.ts';
export type { ScanLogger, ScanReadOptions, ScanResult } from './scan/read.ts';
export { scanBatches, scanTable, scanToTable } from './scan/read.ts';
export type { SelectedSnapshot, SnapshotSelector } from './scan/select-snapshot.ts';
export { selectSnapshot } from './scan/select-snapshot.ts';
export type { CastBatchOptions } from './schema-evolution/cast-batch.ts';
export { castBatch } from './schema-evolution/cast-batch.ts';
export type { ReconcileOptions, ReconcileResult, SchemaMode } from './schema-evolution/reconcile.ts';
export { reconcileSchema } from './schema-evolution/reconcile.ts';
export type { SchemaProblem, SchemaProblemKind } from './schema-evolution/schema-mismatch-error.ts';
export { SchemaMismatchError } from './schema-evolution/schema-mismatch-error.ts';
export type { UnionByNameOptions } from './schema-evolution/union-by-name.ts';
export { unionByName } from './schema-evolution/union-by-name.ts';
export type {
  AddColumnOptions,
  ColumnPath,
  SchemaUpdateOptions,
  SchemaUpdateResult,
  TableChange,
} from './schema-evolution/update-schema.ts';
// schema evolution: update-schema action, union-by-name, writer schema reconciliation and casts
export { SchemaUpdate } from './schema-evolution/update-schema.ts';
export type {
  ColumnCast,
  ColumnPlan,
  ListLayout,
  PlannedWrite,
  WritePlan,
} from './schema-evolution/write-plan.ts';
export { describePlan, planWrite } from './schema-evolution/write-plan.ts';
export { bytesToDecimal, decimalToBytes, decimalToString, parseDecimal } from './spec/decimal.ts';
export {
  hashBytes,
  hashDecimal,
  hashInt,
  hashLong,
  hashString,
  hashUuid,
  murmur3Hash32,
} from './spec/murmur3.ts';
export type {
  BoundPartitionField,
  BoundPartitionSpec,
  PartitionSpecBuilderOptions,
  PartitionTuple,
} from './spec/partition.ts';
export {
  bindPartitionSpec,
  defaultPartitionName,
  escapePathPart,
  PARTITION_DATA_ID_START,
  PartitionSpecBuilder,
  partitionFieldById,
  partitionKey,
  partitionPath,
  partitionTuple,
  partitionTupleForRow,
  partitionType,
  UNPARTITIONED_SPEC,
  valueAtPath,
} from './spec/partition.ts';
export * from './spec/partition-types.ts';
export type { IndexedField, SchemaIndex } from './spec/schema.ts';
export {
  allFieldIds,
  canPromote,
  findFieldById,
  findFieldByName,
  highestFieldId,
  indexSchema,
  MAX_USER_FIELD_ID,
  selectFields,
  structOf,
  typesEqual,
  validateSchema,
  walkFields,
} from './spec/schema.ts';
export { deserializeSingleValue, serializeSingleValue } from './spec/single-value.ts';
export { parseJsonSingleValue, serializeJsonSingleValue } from './spec/single-value-json.ts';
export type { TimeUnit } from './spec/temporal.ts';
export {
  civilToDays,
  daysToCivil,
  floorDiv,
  floorMod,
  formatDate,
  formatTimeOfDay,
  formatTimestamp,
  parseDate,
  parseTimeOfDay,
  parseTimestamp,
  timestampToDays,
} from './spec/temporal.ts';
export type { Transform } from './spec/transforms.ts';
export {
  applyTransform,
  bucketHash,
  canTransform,
  parseTransform,
  preservesOrder,
  transformHumanString,
  transformResultType,
  transformToString,
} from './spec/transforms.ts';
export type {
  ListTypeJson,
  MapTypeJson,
  NestedFieldJson,
  SchemaJson,
  StructTypeJson,
  TypeJson,
} from './spec/type-json.ts';
export {
  MAX_DECIMAL_PRECISION,
  parsePrimitiveType,
  parseSchema,
  parseType,
  primitiveTypeToString,
  schemaToJson,
  typeToJson,
  typeToString,
} from './spec/type-json.ts';
// spec layer A: types, schemas, values, single-value serialization
export * from './spec/types.ts';
export type { IcebergValue, PrimitiveValue, StructValue } from './spec/values.ts';
export {
  bytesToHex,
  bytesToUuid,
  checkPrimitiveValue,
  hexToBytes,
  uuidToBytes,
} from './spec/values.ts';
// table actions and the optimistic-concurrency commit loop
export {
  type CatalogCommitter,
  type CommittedTable,
  isCommitConflict,
  isCommitStateUnknown,
} from './table/catalog-committer.ts';
export {
  type CommitOptions,
  type CommitOutcome,
  commitWithRebase,
} from './table/commit.ts';
export {
  type CommitAction,
  type CommitAttempt,
  type CommitLogger,
  DEFAULT_MAX_UNKNOWN_OUTCOMES,
  type DriveCommitOptions,
  type DriveOutcome,
  type DriveStats,
  driveCommit,
  isUnresolvedCommit,
} from './table/commit-driver.ts';
export {
  backoffMs,
  type CommitRetryPolicy,
  commitRetryPolicy,
  DEFAULT_COMMIT_RETRY,
} from './table/commit-retry-policy.ts';
export type { WrittenDeletes } from './table/delete-file-writer.ts';
export { writeDeleteFiles } from './table/delete-file-writer.ts';
export {
  reconcileWithTable,
  schemaContext,
  unionByNameWithTable,
  withSchemaChange,
} from './table/evolve-schema.ts';
export {
  DEFAULT_MANIFEST_MERGE,
  MANIFEST_MERGE_ENABLED,
  MANIFEST_MIN_MERGE_COUNT,
  MANIFEST_TARGET_SIZE_BYTES,
  ManifestMerger,
  type ManifestMergeSettings,
  manifestMergeSettings,
  packFromEnd,
} from './table/manifest-merge.ts';
export {
  bindFilter,
  type CommitOverwriteByFilterOptions,
  commitOverwriteByFilter,
  liveDataFiles,
  type OverwriteByFilterOptions,
  type OverwriteFilter,
  type OverwriteOutcome,
  overwriteByFilter,
  type PreparedOverwrite,
  prepareOverwriteByFilter,
  type RewriteCache,
  type RewrittenFile,
} from './table/overwrite-by-filter.ts';
export type { StaleReason } from './table/row-delete-conflicts.ts';
export { staleRowDeletes } from './table/row-delete-conflicts.ts';
export type { RowLevelCommitOptions, RowLevelOutcome } from './table/row-level-commit.ts';
export { commitRowLevelChange } from './table/row-level-commit.ts';
export type { DeleteTarget, PlannedRowDeletes, RowMatcher } from './table/row-level-delete.ts';
export { planRowDeletes } from './table/row-level-delete.ts';
export type { AssignedRowIds } from './table/row-lineage.ts';
export { assignRowIds, tracksRowLineage } from './table/row-lineage.ts';
export {
  type ChangeSource,
  commitSnapshotAction,
  type PreparedSnapshot,
  referencedAmong,
  type SnapshotActionOptions,
  SnapshotCommitAction,
  type SnapshotCommitOutcome,
} from './table/snapshot-action.ts';
export {
  currentSchema,
  type DeleteSelector,
  newSnapshotId,
  type PreparedCommit,
  type SnapshotChange,
  SnapshotProducer,
  specById,
} from './table/snapshot-producer.ts';
export {
  type ActionOptions,
  type AddedDataFile,
  fastAppend,
  overwrite,
  replacePartitions,
} from './table/table-actions.ts';
export { formatTable, type TableIdentifier } from './table/table-identifier.ts';
export type { UpgradeFormatVersionResult } from './table/upgrade-format-version.ts';
export { upgradeFormatVersion } from './table/upgrade-format-version.ts';
export { upsertKeyFields, upsertMatcher } from './table/upsert.ts';
export type { JsonValue } from './util/json.ts';
export { parseJson, stringifyJson } from './util/json.ts';
export { FIELD_ID_KEY, withFieldIds } from './write/arrow-field-ids.ts';
export type { ColumnMetrics, LeafColumn } from './write/column-metrics.ts';
export { ColumnMetricsCollector } from './write/column-metrics.ts';
export type { DataFileWriterOptions } from './write/data-file-writer.ts';
export {
  DEFAULT_TARGET_FILE_SIZE_BYTES,
  RollingDataFileWriter,
  writeDataFiles,
} from './write/data-file-writer.ts';
export type { MetricsMode } from './write/metrics-config.ts';
export { parseMetricsMode, resolveMetricsModes } from './write/metrics-config.ts';
export type { ParquetFileWriterOptions, WrittenParquetFile } from './write/parquet-file-writer.ts';
// Parquet data-file writers (write/): file → rolling data file → partitioned fanout
export { ParquetFileWriter } from './write/parquet-file-writer.ts';
export type { ParquetFooter } from './write/parquet-footer.ts';
export { parseParquetFooter } from './write/parquet-footer.ts';
export type { ParquetWriteOptions } from './write/parquet-options.ts';
export { parquetOptionsFromProperties } from './write/parquet-options.ts';
export type { PartitionedWriterOptions, WriteLogger } from './write/partitioned-writer.ts';
export { PartitionedDataWriter, writePartitionedDataFiles } from './write/partitioned-writer.ts';
