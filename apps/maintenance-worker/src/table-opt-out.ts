// A table opts out of SCHEDULED compact / rewrite-manifests runs with the table property
// `floe.maintenance.<action>.enabled=false` (e.g. a table another engine compacts). Runs asked
// for by hand (`floe maintenance run`, no schedule) still run. `rewriteNotRun` is the gate both
// actions pass first: a disabled Polaris policy, then the opt-out.
import { formatTable, type TableIdentifier } from '@floe/catalog';
import type { TableMetadata } from '@floe/iceberg';
import type { MaintenanceJob } from '@floe/jobs';
import type { Logger } from '@floe/telemetry';
import type { CompactionDecision } from './compaction-decision.ts';
import { type ActionOutcome, NOTHING_DONE } from './maintenance-deps.ts';

function optedOut(job: MaintenanceJob, metadata: TableMetadata): boolean {
  if (job.schedule === undefined) return false;
  const raw = metadata.properties[`floe.maintenance.${job.action}.enabled`];
  return raw?.trim().toLowerCase() === 'false';
}

/**
 * The outcome of a compact / rewrite-manifests run that stops before it starts — skipped by a
 * disabled policy (reported with its settings), or a table opted out of scheduled runs
 * (logged) — or `undefined` when the run goes ahead.
 */
export function rewriteNotRun(
  job: MaintenanceJob,
  table: TableIdentifier,
  metadata: TableMetadata,
  decision: CompactionDecision<unknown>,
  logger: Logger,
): ActionOutcome | undefined {
  if (decision.skip !== undefined)
    return { ...NOTHING_DONE, settings: decision.settings, skipped: decision.skip };
  if (optedOut(job, metadata)) {
    logger.info(
      { table: formatTable(table), action: job.action },
      'table opted out of scheduled runs of this action',
    );
    return NOTHING_DONE;
  }
  return undefined;
}
