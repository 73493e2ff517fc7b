// What every maintenance action needs, built once per process from CompiledArtifacts by the
// worker (worker.ts) and handed to the actions: the catalog and its committer, the S3
// properties from floe.yaml, the retention defaults, the write queue (for the pending-job guard
// and the staging cleanup) and a logger. Tests build it directly against the real stack.
import type { Catalog } from '@floe/catalog';
import type { RetentionConfig } from '@floe/config';
import type { CatalogCommitter, FileIO, TableIdentifier } from '@floe/iceberg';
import type { MaintenanceReport, ReportedSetting, SkippedByPolicy, StagingLocation } from '@floe/jobs';
import type { Logger } from '@floe/telemetry';
import type { Queue } from 'bullmq';
import type { CommitRightOfWay } from './commit-right-of-way.ts';

/** floe.yaml `storage.staging`: bucket and key prefix as configured (`staging/`; may be empty). */
export type StagingArea = StagingLocation;

export interface MaintenanceDeps {
  readonly catalog: Catalog;
  readonly committer: CatalogCommitter;
  /** `s3.*` FileIO properties from floe.yaml's storage section; a table's catalog config wins. */
  readonly s3Properties: Readonly<Record<string, string>>;
  readonly vendedCredentials: boolean;
  readonly retention: RetentionConfig;
  readonly writeQueue: Queue;
  readonly staging: StagingArea;
  /** FileIO on the staging bucket (static floe.yaml credentials, never a table's). */
  readonly stagingIO: FileIO;
  readonly logger: Logger;
  /** Asks writers to hold back while a commit of this process lands (absent: plain optimistic concurrency). */
  readonly rightOfWay?: CommitRightOfWay;
}

/** Runs one table action with `deps.committer`, given right of way over the writers when configured. */
export async function withRightOfWay<T>(
  deps: MaintenanceDeps,
  table: TableIdentifier,
  run: (committer: CatalogCommitter) => Promise<T>,
): Promise<T> {
  if (deps.rightOfWay === undefined) return run(deps.committer);
  const way = deps.rightOfWay.forTable(deps.committer, table);
  try {
    return await run(way.committer);
  } finally {
    await way.release();
  }
}

/** What one action did; the processor adds table, timing and worker to make the report. */
export interface ActionOutcome {
  readonly snapshotsExpired: number;
  readonly snapshotsRetainedForPendingJobs: number;
  readonly filesDeleted: number;
  readonly bytesDeleted: number;
  readonly failedDeletes: number;
  /** Files deleted (or, in a dry run, that would be; compact: the files rewritten). */
  readonly files: readonly string[];
  /** The settings the action applied and who decided each (retention-policy.ts). */
  readonly settings?: Readonly<Record<string, ReportedSetting>>;
  /** Set when a disabled Polaris policy stopped the action. */
  readonly skipped?: SkippedByPolicy;
  /** compact / rewrite-manifests: what was rewritten. */
  readonly rewrite?: MaintenanceReport['rewrite'];
}

export const NOTHING_DONE: ActionOutcome = {
  snapshotsExpired: 0,
  snapshotsRetainedForPendingJobs: 0,
  filesDeleted: 0,
  bytesDeleted: 0,
  failedDeletes: 0,
  files: [],
};

/** The outcome of a run that rewrote files (compact, rewrite-manifests): nothing was deleted. */
export function rewriteOutcome(
  files: readonly string[],
  rewrite: NonNullable<ActionOutcome['rewrite']>,
): ActionOutcome {
  return { ...NOTHING_DONE, files, rewrite };
}
