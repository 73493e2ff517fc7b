// The `orphans` action on one table: @floe/iceberg's orphan-file cleanup on the table's current
// metadata, with the threshold from the job's policy, the table's Polaris
// `system.orphan-file-removal` policy or floe.yaml (default 3 days); a disabled policy skips the
// run. The lock is checked once more between planning and the first delete.
import { formatTable, type TableIdentifier } from '@floe/catalog';
import { deleteOrphanFiles } from '@floe/iceberg';
import type { MaintenanceJob } from '@floe/jobs';
import { type ActionOutcome, type MaintenanceDeps, NOTHING_DONE } from './maintenance-deps.ts';
import { orphanDecision, tablePoliciesOf } from './retention-policy.ts';
import { openTable } from './table-io.ts';

export async function runOrphans(
  job: MaintenanceJob,
  table: TableIdentifier,
  deps: MaintenanceDeps,
  assertLockHeld: () => void,
): Promise<ActionOutcome> {
  const { loaded, metadata, io } = await openTable(deps, table);
  const policies = await tablePoliciesOf(deps.catalog, table);
  const decision = orphanDecision(job.policy, policies, deps.retention);
  if (decision.skip !== undefined)
    return { ...NOTHING_DONE, settings: decision.settings, skipped: decision.skip };
  if (policies?.orphanFileRemoval?.locations !== undefined) {
    // Listing other prefixes could delete other tables' files; only the table location is cleaned.
    deps.logger.warn(
      { table: formatTable(table), policy: policies.orphanFileRemoval.policy.name },
      'the orphan-file-removal policy names locations; floe cleans only the table location',
    );
  }
  const report = await deleteOrphanFiles({
    io,
    metadata,
    metadataLocation: loaded.metadataLocation,
    olderThanMs: decision.olderThanMs,
    dryRun: job.dryRun,
    beforeDelete: assertLockHeld,
  });
  deps.logger.info(
    {
      table: formatTable(table),
      dryRun: job.dryRun,
      listed: report.listedFiles,
      referenced: report.referencedFiles,
      orphans: report.orphans.length,
      youngFilesKept: report.youngFilesKept,
    },
    job.dryRun ? 'orphan files listed' : 'orphan files deleted',
  );
  return {
    snapshotsExpired: 0,
    snapshotsRetainedForPendingJobs: 0,
    filesDeleted: report.filesDeleted,
    bytesDeleted: report.bytesDeleted,
    failedDeletes: report.failedDeletes.length,
    files: report.orphans.map((f) => f.location),
    settings: decision.settings,
  };
}
