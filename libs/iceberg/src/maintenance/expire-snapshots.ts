// The expire-snapshots table action (the job the maintenance worker schedules).
//
// Contract:
//   1. load the table; plan on it (`planExpiry`): expired snapshot ids and refs.
//   2. commit `remove-snapshot-ref`… + `remove-snapshots` with the single requirement
//      `assert-table-uuid` (removing old snapshots never conflicts with concurrent appends),
//      through the commit driver (table/commit-driver.ts): each attempt re-plans on the freshly
//      loaded metadata; an attempt "landed" when the snapshots it planned are gone and nothing
//      else of its base was removed; conflicts, unknown outcomes and their budgets are the
//      driver's. Removing snapshots twice is harmless, so a late-landing attempt does no harm.
//   3. only after the commit: compute the files reachable only from the expired snapshots
//      against the metadata the catalog returned (so snapshots committed concurrently are
//      retained too), plus metadata files that left the metadata log when
//      `write.metadata.delete-after-commit.enabled` is true; delete them with bounded
//      parallelism, data files first and manifest lists last.
// A dry run plans on the loaded table, applies the updates locally and returns exactly the lists
// the real run would delete, without committing or deleting anything. A run that crashes after
// its commit leaves unreferenced files behind for the orphan-file cleanup; rerunning is safe.
import type { FileIO } from '../io/file-io.ts';
import { DEFAULT_DELETE_CONCURRENCY, forEachBounded } from '../io/file-io.ts';
import { applyUpdates } from '../metadata/builder.ts';
import type { TableRequirement } from '../metadata/updates.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import type { CatalogCommitter, CommittedTable } from '../table/catalog-committer.ts';
import { type CommitAction, type CommitLogger, driveCommit } from '../table/commit-driver.ts';
import { formatTable, type TableIdentifier } from '../table/table-identifier.ts';
import { inSpan } from '../util/in-span.ts';
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

/** One expiry attempt: the plan and the table it was made on. */
interface ExpiryAttempt {
  readonly plan: ExpiryPlan;
  readonly before: CommittedTable;
  readonly updates: ExpiryPlan['updates'];
  readonly requirements: readonly TableRequirement[];
}

/** Expiry as a commit-driver action: re-planned on every attempt's base. */
class ExpiryAction implements CommitAction<ExpiryAttempt, ExpiryAttempt> {
  readonly description = 'expire snapshots';
  private readonly policy: ExpiryPolicy;
  private readonly sent: ExpiryAttempt[] = [];

  constructor(policy: ExpiryPolicy) {
    this.policy = policy;
  }

  async prepare(base: CommittedTable, attempt: number): Promise<ExpiryAttempt | undefined> {
    const plan = planExpiry(base.metadata, this.policy, { ignoreMissingIds: attempt > 1 });
    if (plan.updates.length === 0) return undefined;
    const prepared: ExpiryAttempt = {
      plan,
      before: base,
      updates: plan.updates,
      requirements: [{ type: 'assert-table-uuid', uuid: base.metadata.tableUuid }],
    };
    this.sent.push(prepared);
    return prepared;
  }

  /** The newest attempt whose planned snapshots are gone while the rest of its base is still there. */
  landedIn(table: CommittedTable): ExpiryAttempt | undefined {
    const present = new Set(table.metadata.snapshots.map((s) => s.snapshotId));
    for (let i = this.sent.length - 1; i >= 0; i--) {
      const attempt = this.sent[i] as ExpiryAttempt;
      const expired = new Set(attempt.plan.expiredSnapshotIds);
      const landed = attempt.before.metadata.snapshots.every(
        (s) => expired.has(s.snapshotId) !== present.has(s.snapshotId),
      );
      if (landed) return attempt;
    }
    return undefined;
  }

  /** Expiry writes nothing before its commit: nothing to clean up. */
  async cleanUp(): Promise<void> {}
}

async function commitExpiry(options: ExpireSnapshotsOptions, nowMs: bigint): Promise<Committed> {
  const base = await options.committer.loadTable(options.identifier);
  const policy = { ...options.policy, nowMs };
  if (options.dryRun) {
    const plan = planExpiry(base.metadata, policy);
    if (plan.updates.length === 0) return { plan, before: base, after: base, attempts: 0 };
    const metadata: TableMetadata = applyUpdates(base.metadata, plan.updates, {
      nowMs,
      ...(base.metadataLocation === undefined ? {} : { previousMetadataLocation: base.metadataLocation }),
    });
    return { plan, before: base, after: { metadata, metadataLocation: undefined }, attempts: 0 };
  }
  const outcome = await driveCommit(new ExpiryAction(policy), {
    committer: options.committer,
    identifier: options.identifier,
    base,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  });
  if (outcome.status === 'committed') {
    const { plan, before } = outcome.landed;
    return { plan, before, after: outcome.table, attempts: outcome.attempts };
  }
  // Nothing (left) to expire; no marker check runs for expiry.
  const plan = planExpiry(outcome.table.metadata, policy, { ignoreMissingIds: true });
  return { plan, before: outcome.table, after: outcome.table, attempts: outcome.attempts };
}

/** Expires snapshots of one table under `policy` and deletes what only they referenced. */
export async function expireSnapshots(options: ExpireSnapshotsOptions): Promise<ExpiryReport> {
  return inSpan('iceberg.expire_snapshots', async (span) => {
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
  });
}

async function runExpiry(options: ExpireSnapshotsOptions): Promise<ExpiryReport> {
  const started = Date.now();
  const name = formatTable(options.identifier);
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
