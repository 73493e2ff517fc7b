// The `rewrite-manifests` action on one table: @floe/iceberg's manifest rewrite clusters the
// current snapshot's data manifests by partition into manifests of the target size (the job's
// `targetManifestSizeBytes`, else the table's Polaris `system.metadata-compaction` policy's
// `target_manifest_size_bytes`, else `commit.manifest.target-size-bytes`; compaction-decision.ts),
// committed as a `replace` snapshot through the commit driver; no data file changes. A disabled
// metadata-compaction policy skips the run.
import { formatTable, type TableIdentifier } from '@floe/catalog';
import { rewriteManifests } from '@floe/iceberg';
import type { MaintenanceJob } from '@floe/jobs';
import { rewriteManifestsDecision } from './compaction-decision.ts';
import {
  type ActionOutcome,
  type MaintenanceDeps,
  rewriteOutcome,
  withRightOfWay,
} from './maintenance-deps.ts';
import { tablePoliciesOf } from './retention-policy.ts';
import { openTable } from './table-io.ts';
import { rewriteNotRun } from './table-opt-out.ts';

export async function runRewriteManifests(
  job: MaintenanceJob,
  table: TableIdentifier,
  deps: MaintenanceDeps,
  assertLockHeld: () => void,
): Promise<ActionOutcome> {
  const { io, metadata } = await openTable(deps, table);
  const decision = rewriteManifestsDecision(
    job.policy,
    await tablePoliciesOf(deps.catalog, table),
    metadata.properties,
  );
  const notRun = rewriteNotRun(job, table, metadata, decision, deps.logger);
  if (notRun !== undefined) return notRun;
  assertLockHeld();
  const report = await withRightOfWay(deps, table, (committer) =>
    rewriteManifests({
      committer,
      identifier: table,
      io,
      dryRun: job.dryRun,
      ...decision.options,
      logger: deps.logger,
    }),
  );
  deps.logger.info(
    {
      table: formatTable(table),
      dryRun: job.dryRun,
      manifestsReplaced: report.manifestsReplaced,
      manifestsWritten: report.manifestsWritten,
      snapshotId: report.snapshotId?.toString(),
    },
    job.dryRun ? 'manifest rewrite planned' : 'manifests rewritten',
  );
  const outcome = rewriteOutcome(report.replaced, {
    ...(report.snapshotId === undefined ? {} : { snapshotId: report.snapshotId.toString() }),
    groups: report.manifestsWritten,
    filesRewritten: report.manifestsReplaced,
    filesAdded: report.manifestsWritten,
    deleteFilesRetired: 0,
    bytesRewritten: 0,
  });
  return { ...outcome, settings: decision.settings };
}
