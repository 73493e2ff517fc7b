// The `compact` action on one table: @floe/iceberg's bin-packing compaction (small files per
// partition rewritten into files of the target size, delete files applied and retired, sorted
// by the table's sort order), committed as one `replace` snapshot through the commit driver.
// Appends that land meanwhile never make it fail; a concurrent change that removed its inputs
// does (retryably, and it leaves no file behind). The knobs come from one `CompactionOptions`
// object — the run's options, else the table's Polaris `system.data-compaction` policy, else the
// table's properties (compaction-decision.ts); a disabled policy skips the run. Rewrites run in
// a worker thread (compact-rewriter.ts).
import { formatTable, type TableIdentifier } from '@floe/catalog';
import { compactTable } from '@floe/iceberg';
import type { MaintenanceJob } from '@floe/jobs';
import { threadRewriter } from './compact-rewriter.ts';
import { compactDecision } from './compaction-decision.ts';
import {
  type ActionOutcome,
  type MaintenanceDeps,
  rewriteOutcome,
  withRightOfWay,
} from './maintenance-deps.ts';
import { tablePoliciesOf } from './retention-policy.ts';
import { openTable } from './table-io.ts';
import { rewriteNotRun } from './table-opt-out.ts';

export async function runCompact(
  job: MaintenanceJob,
  table: TableIdentifier,
  deps: MaintenanceDeps,
  assertLockHeld: () => void,
): Promise<ActionOutcome> {
  const { loaded, metadata, io } = await openTable(deps, table);
  const decision = compactDecision(
    job.policy,
    await tablePoliciesOf(deps.catalog, table),
    metadata.properties,
  );
  const notRun = rewriteNotRun(job, table, metadata, decision, deps.logger);
  if (notRun !== undefined) return notRun;
  const rewriter = threadRewriter({
    location: metadata.location,
    properties: { ...deps.s3Properties, ...loaded.config },
    vendedCredentials: deps.vendedCredentials,
  });
  let rewriteMs = 0;
  const report = await withRightOfWay(deps, table, (committer) =>
    compactTable({
      committer,
      identifier: table,
      io,
      options: decision.options,
      dryRun: job.dryRun,
      rewriter: async (input) => {
        const started = performance.now();
        try {
          return await rewriter(input);
        } finally {
          rewriteMs += performance.now() - started;
        }
      },
      beforeCommit: async () => assertLockHeld(),
      logger: deps.logger,
    }),
  );
  deps.logger.info(
    {
      table: formatTable(table),
      dryRun: job.dryRun,
      groups: report.groups.length,
      filesRewritten: report.rewrittenDataFiles,
      filesAdded: report.addedDataFiles,
      deleteFilesRetired: report.retiredDeleteFiles,
      snapshotId: report.snapshotId?.toString(),
      commitAttempts: report.attempts,
      rewriteMs: Math.round(rewriteMs),
    },
    job.dryRun ? 'compaction planned' : 'compaction finished',
  );
  const outcome = rewriteOutcome(report.files, {
    ...(report.snapshotId === undefined ? {} : { snapshotId: report.snapshotId.toString() }),
    groups: report.groups.length,
    filesRewritten: report.rewrittenDataFiles,
    filesAdded: report.addedDataFiles,
    deleteFilesRetired: report.retiredDeleteFiles,
    bytesRewritten: Number(report.rewrittenBytes),
    commitAttempts: report.attempts,
    rewriteMs: Math.round(rewriteMs),
  });
  return { ...outcome, settings: decision.settings };
}
