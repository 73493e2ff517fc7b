// The `orphans` action on one table: @floe/iceberg's orphan-file cleanup on the table's current
// metadata, with the threshold from the job's policy or floe.yaml (default 3 days). The lock is
// checked once more between planning and the first delete.
import { formatTable, type TableIdentifier } from '@floe/catalog';
import { deleteOrphanFiles } from '@floe/iceberg';
import type { MaintenanceJob } from '@floe/jobs';
import type { ActionOutcome, MaintenanceDeps } from './maintenance-deps.ts';
import { orphanOlderThanMs } from './retention-policy.ts';
import { openTable } from './table-io.ts';

export async function runOrphans(
  job: MaintenanceJob,
  table: TableIdentifier,
  deps: MaintenanceDeps,
  assertLockHeld: () => void,
): Promise<ActionOutcome> {
  const { loaded, metadata, io } = await openTable(deps, table);
  const report = await deleteOrphanFiles({
    io,
    metadata,
    metadataLocation: loaded.metadataLocation,
    olderThanMs: orphanOlderThanMs(job.policy, deps.retention),
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
  };
}
