// After each run on a table, the table's health (@floe/iceberg's `tableHealth`: files, small
// files, sizes, manifests, delete files, snapshots, metadata.json bytes) is read and exported as
// the `floe_table_*` gauges. A failure to read it is logged, never fails the run.
import { formatTable, type TableIdentifier } from '@floe/catalog';
import { tableHealth } from '@floe/iceberg';
import type { MaintenanceDeps } from './maintenance-deps.ts';
import type { MaintenanceMetrics } from './maintenance-metrics.ts';
import { openTable } from './table-io.ts';

export async function recordTableHealth(
  deps: MaintenanceDeps,
  metrics: MaintenanceMetrics,
  table: TableIdentifier,
): Promise<void> {
  const name = formatTable(table);
  try {
    const { loaded, metadata, io } = await openTable(deps, table);
    const health = await tableHealth(metadata, io, { metadataLocation: loaded.metadataLocation });
    metrics.tableHealth(name, health);
  } catch (error) {
    deps.logger.warn({ table: name, err: String(error) }, 'could not read the table health after the run');
  }
}
