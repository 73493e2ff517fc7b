// The maintenance worker's Prometheus metrics (served on /metrics by the ops server): the write
// and maintenance queues' depth (read at scrape time), the floe_table_* health gauges, runs by
// action and outcome, snapshots expired, files and bytes deleted, run duration, and how long
// runs waited for their table lock (a steadily high wait means schedules overlap).
import type { TableHealth } from '@floe/iceberg';
import { Counter, createMetricsRegistry, Gauge, Histogram, type MetricsRegistry } from '@floe/telemetry';

export type RunOutcome = 'succeeded' | 'dry-run' | 'fanned-out' | 'retry' | 'failed';

export interface RunObservation {
  readonly action: string;
  readonly outcome: RunOutcome;
  readonly durationMs: number;
  readonly snapshotsExpired?: number;
  readonly filesDeleted?: number;
  readonly bytesDeleted?: number;
  readonly filesRewritten?: number;
  readonly deleteFilesRetired?: number;
}

/** Table health gauges, labelled by table (`ns.table`); set after each run on that table. */
export const TABLE_HEALTH_GAUGES: Readonly<
  Record<string, { help: string; value: (h: TableHealth) => number }>
> = {
  floe_table_data_files: { help: 'Data files the current snapshot reads', value: (h) => h.dataFiles },
  floe_table_records: { help: 'Rows in the current snapshot', value: (h) => h.records },
  floe_table_data_bytes: { help: 'Bytes of data files in the current snapshot', value: (h) => h.dataBytes },
  floe_table_small_files: { help: 'Data files below the small-file threshold', value: (h) => h.smallFiles },
  floe_table_small_file_share: {
    help: 'Share of data files that are small (0..1)',
    value: (h) => h.smallFileShare,
  },
  floe_table_average_file_bytes: { help: 'Average data file size', value: (h) => h.averageFileBytes },
  floe_table_median_file_bytes: { help: 'Median data file size', value: (h) => h.medianFileBytes },
  floe_table_manifests: { help: 'Manifests in the current snapshot', value: (h) => h.manifests },
  floe_table_delete_files: {
    help: 'Position and equality delete files in the current snapshot',
    value: (h) => h.deleteFiles,
  },
  floe_table_snapshots: { help: 'Snapshots kept in the table metadata', value: (h) => h.snapshots },
  floe_table_metadata_json_bytes: {
    help: 'Size of the current metadata.json',
    value: (h) => h.metadataJsonBytes ?? Number.NaN,
  },
};

export interface MaintenanceMetrics {
  readonly registry: MetricsRegistry;
  run(observation: RunObservation): void;
  lockWait(outcome: 'acquired' | 'timeout', waitedMs: number): void;
  tableHealth(table: string, health: TableHealth): void;
  /** Reports the queues' job counts as `floe_queue_jobs{queue,state}` on every scrape. */
  watchQueues(queues: readonly JobCounter[]): void;
}

/** What the queue-depth gauge needs of a BullMQ queue. */
export interface JobCounter {
  readonly name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

export function createMaintenanceMetrics(): MaintenanceMetrics {
  const registry = createMetricsRegistry({ serviceName: 'maintenance-worker' });
  const runs = new Counter({
    name: 'floe_maintenance_runs_total',
    help: 'Maintenance runs finished, by action and outcome (succeeded, dry-run, fanned-out, retry, failed)',
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
  const rewritten = new Counter({
    name: 'floe_maintenance_files_rewritten_total',
    help: 'Files rewritten by compaction (data files) and manifest rewrites (manifests), by action',
    labelNames: ['action'],
    registers: [registry],
  });
  const retired = new Counter({
    name: 'floe_maintenance_delete_files_retired_total',
    help: 'Delete files compaction applied and removed',
    registers: [registry],
  });
  const gauges = Object.entries(TABLE_HEALTH_GAUGES).map(
    ([name, spec]) =>
      [
        new Gauge({ name, help: spec.help, labelNames: ['table'], registers: [registry] }),
        spec.value,
      ] as const,
  );
  let watched: readonly JobCounter[] = [];
  new Gauge({
    name: 'floe_queue_jobs',
    help: 'Jobs in the write and maintenance queues, by state (waiting = queue depth)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of watched) {
        const counts = await queue.getJobCounts(...QUEUE_STATES).catch(() => undefined);
        if (counts === undefined) continue;
        for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  return {
    registry,
    watchQueues(queues) {
      watched = queues;
    },
    run(observation) {
      const { action, outcome } = observation;
      runs.inc({ action, outcome });
      duration.observe({ action, outcome }, observation.durationMs / 1000);
      if (outcome !== 'succeeded') return;
      expired.inc(observation.snapshotsExpired ?? 0);
      files.inc({ action }, observation.filesDeleted ?? 0);
      bytes.inc({ action }, observation.bytesDeleted ?? 0);
      rewritten.inc({ action }, observation.filesRewritten ?? 0);
      retired.inc(observation.deleteFilesRetired ?? 0);
    },
    tableHealth(table, health) {
      for (const [gauge, value] of gauges) gauge.set({ table }, value(health));
    },
    lockWait: (outcome, waitedMs) => lockWaits.observe({ outcome }, waitedMs / 1000),
  };
}
