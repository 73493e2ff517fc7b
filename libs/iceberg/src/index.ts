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
// expressions: unbound/bound filters, REST expression JSON, CLI text syntax, evaluators, projection
export * from './expressions/index.ts';
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
export {
  DEFAULT_METADATA_CACHE_BYTES,
  isImmutableMetadataFile,
  MetadataCachedFileIO,
} from './io/metadata-cached-file-io.ts';
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
  COMPACTION_TRIGGER_PROPERTY,
  compactionTrigger,
  smallFilesSinceCompaction,
} from './maintenance/compaction-pressure.ts';
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
  MAX_SNAPSHOTS_PROPERTY,
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
// spec layer A: types, schemas, partition specs, sort orders, transforms, values
export * from './spec/index.ts';
// table actions and the optimistic-concurrency commit loop
export * from './table/index.ts';
export type { JsonValue } from './util/json.ts';
export { parseJson, stringifyJson } from './util/json.ts';
// Parquet data-file writers (write/): file → rolling data file → partitioned fanout
export * from './write/index.ts';
