// The expire-snapshots table action (the job the maintenance worker schedules).
//
// Contract:
//   1. load the table; plan on it (`planExpiry`): expired snapshot ids and refs.
//   2. commit `remove-snapshot-ref`… + `remove-snapshots` with the single requirement
//      `assert-table-uuid` (removing old snapshots never conflicts with concurrent appends);
//      `commit-conflict` → back off, reload, re-plan on the new metadata (commit.retry.*);
//      `commit-state-unknown` → reload: planned snapshots gone → committed, else re-plan.
//   3. only after the commit: compute the files reachable only from the expired snapshots
//      against the metadata the catalog returned (so snapshots committed concurrently are
//      retained too), plus metadata files that left the metadata log when
//      `write.metadata.delete-after-commit.enabled` is true; delete them with bounded
//      parallelism, data files first and manifest lists last.
// A dry run plans on the loaded table, applies the updates locally and returns exactly the lists
// the real run would delete, without committing or deleting anything. A run that crashes after
// its commit leaves unreferenced files behind for the orphan-file cleanup; rerunning is safe.
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import { DEFAULT_DELETE_CONCURRENCY, forEachBounded } from '../io/file-io.ts';
import { applyUpdates } from '../metadata/builder.ts';
import type { TableRequirement } from '../metadata/updates.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import {
  type CatalogCommitter,
  type CommittedTable,
  isCommitConflict,
  isCommitStateUnknown,
  type TableIdentifier,
  tableName,
} from '../table/catalog-committer.ts';
import type { CommitLogger } from '../table/commit.ts';
import { backoffMs, commitRetryPolicy } from '../table/commit-retry-policy.ts';
import { type ExpiryPlan, type ExpiryPolicy, planExpiry } from './expiry-plan.ts';
import { EMPTY_UNREACHABLE_FILES, type UnreachableFiles, unreachableFiles } from './unreachable-files.ts';

export { type ExpiryPlan, type ExpiryPolicy, planExpiry } from './expiry-plan.ts';

export const METADATA_DELETE_AFTER_COMMIT = 'write.metadata.delete-after-commit.enabled';

export interface ExpireSnapshotsOptions {
  readonly committer: CatalogCommitter;
  readonly identifier: TableIdentifier;
  readonly io: FileIO;
  readonly policy?: ExpiryPolicy;
  /** List what would be removed; commit and delete nothing. */
  readonly dryRun?: boolean;
  /** Reads and deletes in flight at once (default 16). */
  readonly concurrency?: number;
  readonly logger?: CommitLogger;
  /** For tests: replaces the backoff sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ExpiryFiles extends UnreachableFiles {
  /** Previous metadata.json files that dropped out of the metadata log. */
  readonly metadataFiles: readonly string[];
}

export interface ExpiryReport {
  readonly table: string;
  readonly dryRun: boolean;
  readonly expiredSnapshotIds: readonly bigint[];
  readonly removedRefs: readonly string[];
  /** Snapshots the policy would have expired that `policy.retainSinceMs` kept. */
  readonly retainedSinceCount: number;
  /** What was deleted (or, in a dry run, what would be). */
  readonly files: ExpiryFiles;
  readonly filesDeleted: number;
  /**
   * Bytes of the deleted files: sizes from metadata where it records them, read from storage for
   * manifest lists and metadata files (which metadata does not size).
   */
  readonly bytesDeleted: bigint;
  readonly failedDeletes: readonly { readonly location: string; readonly message: string }[];
  readonly attempts: number;
  readonly durationMs: number;
  /** The table after the commit (the loaded table when nothing expired or in a dry run). */
  readonly metadataLocation: string | undefined;
}

const tracer = trace.getTracer('floe.iceberg');

interface Committed {
  readonly plan: ExpiryPlan;
  readonly before: CommittedTable;
  readonly after: CommittedTable;
  readonly attempts: number;
}

function metadataFilesDropped(before: CommittedTable, after: CommittedTable): string[] {
  if (before.metadata.properties[METADATA_DELETE_AFTER_COMMIT]?.trim().toLowerCase() !== 'true') return [];
  const kept = new Set(after.metadata.metadataLog.map((e) => e.metadataFile));
  if (after.metadataLocation !== undefined) kept.add(after.metadataLocation);
  const previous = before.metadata.metadataLog.map((e) => e.metadataFile);
  if (before.metadataLocation !== undefined) previous.push(before.metadataLocation);
  return [...new Set(previous)].filter((f) => !kept.has(f)).sort();
}

async function commitExpiry(options: ExpireSnapshotsOptions, nowMs: bigint): Promise<Committed> {
  const name = tableName(options.identifier);
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  const started = Date.now();
  let base = await options.committer.loadTable(options.identifier);
  const retry = commitRetryPolicy(base.metadata.properties);
  const policy = { ...options.policy, nowMs };
  for (let attempts = 1; ; attempts++) {
    const plan = planExpiry(base.metadata, policy, { ignoreMissingIds: attempts > 1 });
    if (plan.updates.length === 0) return { plan, before: base, after: base, attempts };
    if (options.dryRun) {
      const metadata: TableMetadata = applyUpdates(base.metadata, plan.updates, {
        nowMs,
        ...(base.metadataLocation === undefined ? {} : { previousMetadataLocation: base.metadataLocation }),
      });
      return { plan, before: base, after: { metadata, metadataLocation: undefined }, attempts };
    }
    const requirements: TableRequirement[] = [{ type: 'assert-table-uuid', uuid: base.metadata.tableUuid }];
    try {
      const after = await options.committer.commitTable(options.identifier, requirements, plan.updates);
      return { plan, before: base, after, attempts };
    } catch (error) {
      if (isCommitStateUnknown(error)) {
        const reloaded = await options.committer.loadTable(options.identifier);
        const present = new Set(reloaded.metadata.snapshots.map((s) => s.snapshotId));
        if (plan.expiredSnapshotIds.every((id) => !present.has(id))) {
          return { plan, before: base, after: reloaded, attempts };
        }
        base = reloaded;
      } else if (isCommitConflict(error)) {
        const elapsed = Date.now() - started;
        if (attempts > retry.numRetries || elapsed >= retry.totalTimeoutMs) {
          throw new IcebergError(
            'commit-conflict',
            `expiring snapshots of ${name} lost ${attempts} commit races (${elapsed} ms); try again later`,
            { retryable: true, context: { table: name, attempts }, cause: error },
          );
        }
        options.logger?.warn({ table: name, attempt: attempts }, 'expiry commit conflict; re-planning');
        await wait(backoffMs(retry, attempts));
        base = await options.committer.loadTable(options.identifier);
      } else {
        throw error;
      }
    }
  }
}

/** Expires snapshots of one table under `policy` and deletes what only they referenced. */
export async function expireSnapshots(options: ExpireSnapshotsOptions): Promise<ExpiryReport> {
  return tracer.startActiveSpan('iceberg.expire_snapshots', async (span) => {
    try {
      const report = await runExpiry(options);
      span.setAttributes({
        'floe.table': report.table,
        'floe.expiry.dry_run': report.dryRun,
        'floe.expiry.snapshots_expired': report.expiredSnapshotIds.length,
        'floe.expiry.files_deleted': report.filesDeleted,
        'floe.expiry.bytes_deleted': Number(report.bytesDeleted),
        'floe.expiry.duration_ms': report.durationMs,
      });
      return report;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

async function runExpiry(options: ExpireSnapshotsOptions): Promise<ExpiryReport> {
  const started = Date.now();
  const name = tableName(options.identifier);
  const concurrency = options.concurrency ?? DEFAULT_DELETE_CONCURRENCY;
  const dryRun = options.dryRun === true;
  const nowMs = options.policy?.nowMs ?? BigInt(started);
  const { plan, before, after, attempts } = await commitExpiry(options, nowMs);

  const expiredIds = new Set(plan.expiredSnapshotIds);
  const expired = before.metadata.snapshots.filter((s) => expiredIds.has(s.snapshotId));
  const unreachable =
    expired.length === 0
      ? EMPTY_UNREACHABLE_FILES
      : await unreachableFiles(options.io, before.metadata, after.metadata, expired, concurrency);
  const files: ExpiryFiles = {
    ...unreachable,
    metadataFiles: plan.updates.length === 0 ? [] : metadataFilesDropped(before, after),
  };

  // Measured before deleting: afterwards they are gone.
  const unsized = await sizesFromStorage(
    options.io,
    [...files.manifestLists, ...files.metadataFiles],
    concurrency,
  );
  let filesDeleted = 0;
  const failedDeletes: { location: string; message: string }[] = [];
  const ordered = [
    [...files.dataFiles, ...files.deleteFiles, ...files.statisticsFiles],
    files.manifests,
    files.manifestLists,
    files.metadataFiles,
  ];
  if (!dryRun) {
    // Leaves before the metadata that points at them: a crash midway leaves nothing that
    // references an already-deleted file.
    for (const group of ordered) {
      if (group.length === 0) continue;
      const result = await options.io.deleteMany(group, { concurrency });
      filesDeleted += result.deleted;
      for (const f of result.failed) failedDeletes.push({ location: f.location, message: f.error.message });
    }
  } else {
    filesDeleted = ordered.reduce((sum, group) => sum + group.length, 0);
  }
  const failed = new Set(failedDeletes.map((f) => f.location));
  const report: ExpiryReport = {
    table: name,
    dryRun,
    expiredSnapshotIds: plan.expiredSnapshotIds,
    removedRefs: plan.expiredRefs,
    retainedSinceCount: plan.retainedSinceCount,
    files,
    filesDeleted,
    bytesDeleted: await bytesDeletedOf(unreachable.knownBytes, unsized, failed, options.io),
    failedDeletes,
    attempts,
    durationMs: Date.now() - started,
    metadataLocation: after.metadataLocation,
  };
  const fields = {
    table: name,
    dryRun,
    snapshotsExpired: report.expiredSnapshotIds.length,
    refsRemoved: report.removedRefs.length,
    manifestLists: files.manifestLists.length,
    manifests: files.manifests.length,
    dataFiles: files.dataFiles.length,
    deleteFiles: files.deleteFiles.length,
    metadataFiles: files.metadataFiles.length,
    bytes: report.bytesDeleted.toString(),
    failedDeletes: failedDeletes.length,
    durationMs: report.durationMs,
  };
  if (failedDeletes.length > 0)
    options.logger?.warn(fields, 'expired snapshots; some files could not be deleted');
  else options.logger?.info(fields, dryRun ? 'expiry dry run' : 'expired snapshots');
  return report;
}

/** Sizes of files whose metadata records none; a file already gone counts 0. */
async function sizesFromStorage(
  io: FileIO,
  locations: readonly string[],
  concurrency: number,
): Promise<ReadonlyMap<string, bigint>> {
  const sizes = new Map<string, bigint>();
  await forEachBounded(locations, concurrency, async (location) => {
    sizes.set(location, BigInt(await io.length(location).catch(() => 0)));
  });
  return sizes;
}

/** Known and measured bytes, minus those of files whose delete failed. */
async function bytesDeletedOf(
  knownBytes: bigint,
  unsized: ReadonlyMap<string, bigint>,
  failed: ReadonlySet<string>,
  io: FileIO,
): Promise<bigint> {
  let bytes = knownBytes;
  for (const size of unsized.values()) bytes += size;
  for (const location of failed) {
    const measured = unsized.get(location);
    if (measured !== undefined) {
      bytes -= measured;
      continue;
    }
    try {
      bytes -= BigInt(await io.length(location));
    } catch {
      // Size unknown: the total stays an upper bound.
    }
  }
  return bytes < 0n ? 0n : bytes;
}
