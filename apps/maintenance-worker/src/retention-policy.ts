// Which retention a run applies, most specific first: the job's `policy` (explicit overrides,
// e.g. `floe maintenance run --max-snapshot-age-ms`), then the table's `history.expire.*`
// properties (the expiry planner reads those), then floe.yaml `maintenance.retention`. Job values
// are not bounded by floe.yaml's minimums, so a test or an operator can use seconds.
import type { RetentionConfig } from '@floe/config';
import type { ExpiryPolicy } from '@floe/iceberg';
import type { MaintenancePolicy } from '@floe/jobs';

/** The expiry policy for one run; `retainSinceMs` pins snapshots unfinished write jobs need. */
export function expiryPolicyFor(
  job: MaintenancePolicy,
  retention: RetentionConfig,
  retainSinceMs: number | undefined,
): ExpiryPolicy {
  return {
    ...(job.maxSnapshotAgeMs === undefined ? {} : { maxSnapshotAgeMs: BigInt(job.maxSnapshotAgeMs) }),
    ...(job.minSnapshotsToKeep === undefined ? {} : { retainLast: job.minSnapshotsToKeep }),
    ...(job.maxRefAgeMs === undefined ? {} : { maxRefAgeMs: BigInt(job.maxRefAgeMs) }),
    ...(retainSinceMs === undefined ? {} : { retainSinceMs: BigInt(retainSinceMs) }),
    defaults: {
      maxSnapshotAgeMs: BigInt(retention.max_snapshot_age_ms),
      minSnapshotsToKeep: retention.min_snapshots_to_keep,
      ...(retention.max_ref_age_ms === undefined ? {} : { maxRefAgeMs: BigInt(retention.max_ref_age_ms) }),
    },
  };
}

export function orphanOlderThanMs(job: MaintenancePolicy, retention: RetentionConfig): number {
  return job.orphanOlderThanMs ?? retention.orphan_older_than_ms;
}

export function stagingRetentionMs(job: MaintenancePolicy, retention: RetentionConfig): number {
  return job.stagingRetentionMs ?? retention.staging_retention_ms;
}
