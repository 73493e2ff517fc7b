// What every maintenance action needs, built once per process from CompiledArtifacts by the
// worker (worker.ts) and handed to the actions: the catalog and its committer, the S3
// properties from floe.yaml, the retention defaults, the write queue (for the pending-job guard
// and the staging cleanup) and a logger. Tests build it directly against the real stack.
import type { RestCatalog } from '@floe/catalog';
import type { RetentionConfig } from '@floe/config';
import type { CatalogCommitter, FileIO } from '@floe/iceberg';
import type { MaintenanceReport } from '@floe/jobs';
import type { Logger } from '@floe/telemetry';
import type { Queue } from 'bullmq';

export interface StagingArea {
  readonly bucket: string;
  /** Key prefix as configured (`staging/`); may be empty. */
  readonly prefix: string;
}

export interface MaintenanceDeps {
  readonly catalog: RestCatalog;
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
