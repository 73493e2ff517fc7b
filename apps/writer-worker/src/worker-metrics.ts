// The writer's Prometheus metrics (served on /metrics by the ops server): jobs by outcome and their
// latency from enqueue, rows
// and bytes committed, commit attempts and optimistic-concurrency conflicts, commit latency, and
// how many jobs each snapshot coalesced (group commit), the commit lease across processes
// (acquisitions, hand-overs sent and taken, fallbacks of unanswered hand-overs), the catalog client's circuit breaker
// state and whether the catalog accepts the writer's credentials (both read at scrape time, so
// an alert can fire while the catalog is down or refuses the writer), and every catalog HTTP
// call by operation and status.
import {
  type CatalogCallSample,
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  type MetricsRegistry,
  registerCatalogMetrics,
} from '@floe/telemetry';
import type { JobOutcome } from './classify-error.ts';
import type { LeaseEvent } from './lease-coordinator.ts';
import type { CommitObservation } from './process-write-job.ts';

export interface WriterMetrics {
  readonly registry: MetricsRegistry;
  /** `latencyMs`: from the job's enqueue to this delivery's end (what a producer waits). */
  job(outcome: JobOutcome, table: string, latencyMs?: number): void;
  written(rows: number, bytes: number): void;
  commit(observation: CommitObservation): void;
  /** Commit lease and hand-over events (table-committer.ts coordination). */
  lease(event: LeaseEvent): void;
  /** A compaction asked of the maintenance worker after a commit (auto-compaction.ts). */
  compactionRequested(): void;
  /** Reports `state()` as `floe_catalog_circuit_breaker_state{state=…}` on every scrape. */
  watchBreaker(state: () => BreakerState): void;
  /** Reports `accepted()` as `floe_catalog_auth_ok` (1/0) on every scrape. */
  watchCatalogAuth(accepted: () => boolean): void;
  /** The catalog client's `onCall`: `floe_catalog_requests_total` and its duration histogram. */
  readonly catalogCall: (sample: CatalogCallSample) => void;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';
const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open', 'isolated'];

export function createWriterMetrics(): WriterMetrics {
  const registry = createMetricsRegistry({ serviceName: 'writer-worker' });
  const jobs = new Counter({
    name: 'floe_writer_jobs_total',
    help: 'Write jobs finished, by outcome (committed, already-committed, failed, retry, requeued: back in the queue while the catalog rejects the credentials)',
    labelNames: ['outcome', 'table'],
    registers: [registry],
  });
  const rows = new Counter({ name: 'floe_writer_rows_total', help: 'Rows committed', registers: [registry] });
  const bytes = new Counter({
    name: 'floe_writer_bytes_total',
    help: 'Data file bytes committed',
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'floe_writer_commit_attempts_total',
    help: 'Catalog commit attempts',
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'floe_writer_commit_conflicts_total',
    help: 'Commit attempts that lost an optimistic-concurrency race',
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'floe_writer_commit_duration_seconds',
    help: 'Time from the first commit attempt to a durable snapshot',
    labelNames: ['status'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const coalesced = new Histogram({
    name: 'floe_writer_coalesced_jobs_per_commit',
    help: 'Jobs committed together in one snapshot (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const jobLatency = new Histogram({
    name: 'floe_writer_job_latency_seconds',
    help: 'Time from a write job being enqueued to its delivery ending, by outcome',
    labelNames: ['outcome'],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const leaseAcquisitions = new Counter({
    name: 'floe_writer_commit_lease_acquisitions_total',
    help: "Times this writer took a table's commit lease (it then commits the other writers' hand-overs)",
    registers: [registry],
  });
  const handOvers = new Counter({
    name: 'floe_writer_commit_handovers_total',
    help: 'Jobs handed to the commit lease holder (direction=sent) or taken over from other writers (direction=taken)',
    labelNames: ['direction'],
    registers: [registry],
  });
  const handOverFallbacks = new Counter({
    name: 'floe_writer_commit_handover_fallbacks_total',
    help: 'Handed-over jobs whose holder went silent, settled here by a marker check and a local commit',
    registers: [registry],
  });
  const leaseErrors = new Counter({
    name: 'floe_writer_commit_lease_errors_total',
    help: 'Commits made without the lease because Redis did not answer (optimistic concurrency only)',
    registers: [registry],
  });
  const gaveWay = new Counter({
    name: 'floe_writer_commit_gave_way_total',
    help: 'Times the lease holder held its next commit back for a maintenance commit (compaction, manifest rewrite, expiry)',
    registers: [registry],
  });
  const compactionsRequested = new Counter({
    name: 'floe_writer_compactions_requested_total',
    help: 'Compactions asked of the maintenance worker because a table gained many small files since its last one',
    registers: [registry],
  });
  let breakerState: (() => BreakerState) | undefined;
  new Gauge({
    name: 'floe_catalog_circuit_breaker_state',
    help: 'Circuit breaker of the catalog client: 1 for the current state (closed, open, half-open, isolated)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (breakerState === undefined) return;
      const current = breakerState();
      for (const state of BREAKER_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  let catalogAuth: (() => boolean) | undefined;
  new Gauge({
    name: 'floe_catalog_auth_ok',
    help: "1 while the catalog accepts the writer's credentials, 0 while it rejects them (the writer takes no jobs then)",
    registers: [registry],
    collect() {
      if (catalogAuth !== undefined) this.set(catalogAuth() ? 1 : 0);
    },
  });
  return {
    registry,
    catalogCall: registerCatalogMetrics(registry),
    watchBreaker: (state) => {
      breakerState = state;
    },
    watchCatalogAuth: (accepted) => {
      catalogAuth = accepted;
    },
    job: (outcome, table, latencyMs) => {
      jobs.inc({ outcome, table });
      if (latencyMs !== undefined) jobLatency.observe({ outcome }, Math.max(0, latencyMs) / 1000);
    },
    written: (rowCount, byteCount) => {
      rows.inc(rowCount);
      bytes.inc(byteCount);
    },
    commit: (observation) => {
      attempts.inc(observation.attempts);
      conflicts.inc(observation.conflicts);
      latency.observe({ status: observation.status }, observation.durationMs / 1000);
      if (observation.coalescedJobs > 0) coalesced.observe(observation.coalescedJobs);
    },
    lease: (event) => {
      if (event === 'acquired') leaseAcquisitions.inc();
      else if (event === 'handed-over') handOvers.inc({ direction: 'sent' });
      else if (event === 'taken-over') handOvers.inc({ direction: 'taken' });
      else if (event === 'fallback') handOverFallbacks.inc();
      else if (event === 'gave-way') gaveWay.inc();
      else leaseErrors.inc();
    },
    compactionRequested: () => compactionsRequested.inc(),
  };
}
