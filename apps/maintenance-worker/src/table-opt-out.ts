// A table opts out of SCHEDULED compact / rewrite-manifests runs with the table property
// `floe.maintenance.<action>.enabled=false` (e.g. a table another engine compacts). Runs asked
// for by hand (`floe maintenance run`, no schedule) still run.
import type { TableMetadata } from '@floe/iceberg';
import type { MaintenanceJob } from '@floe/jobs';

export function optedOut(job: MaintenanceJob, metadata: TableMetadata): boolean {
  if (job.schedule === undefined) return false;
  const raw = metadata.properties[`floe.maintenance.${job.action}.enabled`];
  return raw?.trim().toLowerCase() === 'false';
}
