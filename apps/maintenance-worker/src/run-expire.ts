// The `expire` action on one table: the table's Polaris `system.snapshot-expiry` policy first (a
// disabled one skips the run), the pending-write-job guard (snapshots whose commit
// markers write jobs that may still be delivered will look for are pinned; pending-write-jobs.ts), then @floe/iceberg's
// expireSnapshots with the layered policy (retention-policy.ts) — it never removes the current
// snapshot or a ref head, commits the removal, and deletes the files only expired snapshots
// referenced (and dropped metadata files per `write.metadata.delete-after-commit.enabled`).
import type { TableIdentifier } from '@floe/catalog';
import { expireSnapshots } from '@floe/iceberg';
import type { MaintenanceJob } from '@floe/jobs';
import {
  type ActionOutcome,
  type MaintenanceDeps,
  NOTHING_DONE,
  withRightOfWay,
} from './maintenance-deps.ts';
import { markerPin, pendingWriteJobs } from './pending-write-jobs.ts';
import { expiryDecision, tablePoliciesOf } from './retention-policy.ts';
import { openTable } from './table-io.ts';

export async function runExpire(
  job: MaintenanceJob,
  table: TableIdentifier,
  deps: MaintenanceDeps,
  assertLockHeld: () => void,
): Promise<ActionOutcome> {
  // Opened first: an unknown table fails before the write queue is scanned.
  const { io, metadata } = await openTable(deps, table);
  const policies = await tablePoliciesOf(deps.catalog, table);
  const decision = expiryDecision(job.policy, policies, metadata.properties, deps.retention);
  if (decision.skip !== undefined)
    return { ...NOTHING_DONE, settings: decision.settings, skipped: decision.skip };
  const pending = await pendingWriteJobs(deps.writeQueue, table);
  assertLockHeld();
  const report = await withRightOfWay(deps, table, (committer) =>
    expireSnapshots({
      committer,
      identifier: table,
      io,
      policy: { ...decision.expiry, ...markerPin(metadata, pending) },
      dryRun: job.dryRun,
      logger: deps.logger,
    }),
  );
  const files = report.files;
  return {
    snapshotsExpired: report.expiredSnapshotIds.length,
    snapshotsRetainedForPendingJobs: report.retainedSinceCount,
    filesDeleted: report.filesDeleted,
    bytesDeleted: Number(report.bytesDeleted),
    failedDeletes: report.failedDeletes.length,
    files: [
      ...files.dataFiles,
      ...files.deleteFiles,
      ...files.statisticsFiles,
      ...files.manifests,
      ...files.manifestLists,
      ...files.metadataFiles,
    ],
    settings: decision.settings,
  };
}
