// @floe/iceberg table actions, re-exported by the package entry point: appends, overwrites,
// row-level deletes and upserts, schema evolution on commit, and the optimistic-concurrency
// commit loop.
export {
  type CatalogCommitter,
  type CommittedTable,
  isCommitConflict,
  isCommitStateUnknown,
} from './catalog-committer.ts';
export {
  type CommitOptions,
  type CommitOutcome,
  commitWithRebase,
} from './commit.ts';
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
} from './commit-driver.ts';
export {
  backoffMs,
  type CommitRetryPolicy,
  commitRetryPolicy,
  DEFAULT_COMMIT_RETRY,
} from './commit-retry-policy.ts';
export type { WrittenDeletes } from './delete-file-writer.ts';
export { writeDeleteFiles } from './delete-file-writer.ts';
export {
  reconcileWithTable,
  schemaContext,
  unionByNameWithTable,
  withSchemaChange,
} from './evolve-schema.ts';
export {
  DEFAULT_MANIFEST_MERGE,
  MANIFEST_MERGE_ENABLED,
  MANIFEST_MIN_MERGE_COUNT,
  MANIFEST_TARGET_SIZE_BYTES,
  ManifestMerger,
  type ManifestMergeSettings,
  manifestMergeSettings,
  packFromEnd,
} from './manifest-merge.ts';
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
} from './overwrite-by-filter.ts';
export type { StaleReason } from './row-delete-conflicts.ts';
export { staleRowDeletes } from './row-delete-conflicts.ts';
export type { RowLevelCommitOptions, RowLevelOutcome } from './row-level-commit.ts';
export { commitRowLevelChange } from './row-level-commit.ts';
export type { DeleteTarget, PlannedRowDeletes, RowMatcher } from './row-level-delete.ts';
export { planRowDeletes } from './row-level-delete.ts';
export type { AssignedRowIds } from './row-lineage.ts';
export { assignRowIds, tracksRowLineage } from './row-lineage.ts';
export {
  type ChangeSource,
  commitSnapshotAction,
  type PreparedSnapshot,
  referencedAmong,
  type SnapshotActionOptions,
  SnapshotCommitAction,
  type SnapshotCommitOutcome,
} from './snapshot-action.ts';
export {
  currentSchema,
  type DeleteSelector,
  newSnapshotId,
  type PreparedCommit,
  type SnapshotChange,
  SnapshotProducer,
  specById,
} from './snapshot-producer.ts';
export {
  type ActionOptions,
  type AddedDataFile,
  fastAppend,
  overwrite,
  replacePartitions,
} from './table-actions.ts';
export { formatTable, type TableIdentifier } from './table-identifier.ts';
export type { UpgradeFormatVersionResult } from './upgrade-format-version.ts';
export { upgradeFormatVersion } from './upgrade-format-version.ts';
export { upsertKeyFields, upsertMatcher } from './upsert.ts';
