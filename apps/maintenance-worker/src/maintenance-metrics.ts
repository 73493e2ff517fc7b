// The maintenance worker's Prometheus metrics (served on /metrics by the ops server): runs by
// action and outcome, snapshots expired, files and bytes deleted, run duration, and how long
// runs waited for their table lock (a steadily high wait means schedules overlap), and every
// catalog HTTP call by operation and status.
import {
  type CatalogCallSample,
  Counter,
  createMetricsRegistry,
  Histogram,
  type MetricsRegistry,
  registerCatalogMetrics,
} from '@floe/telemetry';

export type RunOutcome = 'succeeded' | 'dry-run' | 'fanned-out' | 'skipped-by-policy' | 'retry' | 'failed';

export interface RunObservation {
  readonly action: string;
  readonly outcome: RunOutcome;
  readonly durationMs: number;
  readonly snapshotsExpired?: number;
  readonly filesDeleted?: number;
  readonly bytesDeleted?: number;
}

export interface MaintenanceMetrics {
  readonly registry: MetricsRegistry;
  run(observation: RunObservation): void;
  lockWait(outcome: 'acquired' | 'timeout', waitedMs: number): void;
  /** The catalog client's `onCall`: `floe_catalog_requests_total` and its duration histogram. */
  readonly catalogCall: (sample: CatalogCallSample) => void;
}

export function createMaintenanceMetrics(): MaintenanceMetrics {
  const registry = createMetricsRegistry({ serviceName: 'maintenance-worker' });
  const runs = new Counter({
    name: 'floe_maintenance_runs_total',
    help: 'Maintenance runs finished, by action and outcome (succeeded, dry-run, fanned-out, skipped-by-policy, retry, failed)',
    labelNames: ['action', 'outcome'],
    registers: [registry],
  });
  const expired = new Counter({
    name: 'floe_maintenance_snapshots_expired_total',
    help: 'Snapshots removed by expiry',
    registers: [registry],
  });
  const files = new Counter({
    name: 'floe_maintenance_files_deleted_total',
    help: 'Files deleted, by action',
    labelNames: ['action'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'floe_maintenance_bytes_deleted_total',
    help: 'Bytes of deleted files, by action',
    labelNames: ['action'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'floe_maintenance_run_duration_seconds',
    help: 'Time a run worked while holding its table lock',
    labelNames: ['action', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  const lockWaits = new Histogram({
    name: 'floe_maintenance_lock_wait_seconds',
    help: 'Time runs waited for their table lock, by outcome (acquired, timeout)',
    labelNames: ['outcome'],
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  return {
    registry,
    catalogCall: registerCatalogMetrics(registry),
    run(observation) {
      const { action, outcome } = observation;
      runs.inc({ action, outcome });
      duration.observe({ action, outcome }, observation.durationMs / 1000);
      if (outcome !== 'succeeded') return;
      expired.inc(observation.snapshotsExpired ?? 0);
      files.inc({ action }, observation.filesDeleted ?? 0);
      bytes.inc({ action }, observation.bytesDeleted ?? 0);
    },
    lockWait: (outcome, waitedMs) => lockWaits.observe({ outcome }, waitedMs / 1000),
  };
}
