// The writer's metrics as a scrape shows them: the catalog breaker gauge follows the client's
// state at scrape time, and commit observations and commit lease events land in their counters.
import { describe, expect, it } from 'vitest';
import { type BreakerState, createWriterMetrics } from './worker-metrics.ts';

describe('writer metrics', () => {
  it('reports the circuit breaker state read at scrape time', async () => {
    const metrics = createWriterMetrics();
    let state: BreakerState = 'closed';
    metrics.watchBreaker(() => state);

    const closed = await metrics.registry.metrics();
    expect(closed).toMatch(/^floe_catalog_circuit_breaker_state\{state="closed"[^}]*\} 1$/m);
    expect(closed).toMatch(/^floe_catalog_circuit_breaker_state\{state="open"[^}]*\} 0$/m);

    state = 'open';
    const open = await metrics.registry.metrics();
    expect(open).toMatch(/^floe_catalog_circuit_breaker_state\{state="open"[^}]*\} 1$/m);
    expect(open).toMatch(/^floe_catalog_circuit_breaker_state\{state="closed"[^}]*\} 0$/m);
  });

  it('reports whether the catalog accepts the credentials, read at scrape time', async () => {
    const metrics = createWriterMetrics();
    let accepted = true;
    metrics.watchCatalogAuth(() => accepted);
    expect(await metrics.registry.metrics()).toMatch(/^floe_catalog_auth_ok\{[^}]*\} 1$/m);
    accepted = false;
    expect(await metrics.registry.metrics()).toMatch(/^floe_catalog_auth_ok\{[^}]*\} 0$/m);
  });

  it('counts commit attempts and conflicts', async () => {
    const metrics = createWriterMetrics();
    metrics.commit({
      table: 'ns.t',
      attempts: 3,
      conflicts: 2,
      status: 'committed',
      durationMs: 120,
      coalescedJobs: 4,
    });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^floe_writer_commit_attempts_total\{[^}]*\} 3$/m);
    expect(text).toMatch(/^floe_writer_commit_conflicts_total\{[^}]*\} 2$/m);
    expect(text).toMatch(/^floe_writer_coalesced_jobs_per_commit_count\{[^}]*\} 1$/m);
  });

  it('counts lease acquisitions, hand-overs by direction, fallbacks and Redis errors', async () => {
    const metrics = createWriterMetrics();
    for (const event of [
      'acquired',
      'handed-over',
      'handed-over',
      'taken-over',
      'fallback',
      'redis-error',
    ] as const)
      metrics.lease(event);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^floe_writer_commit_lease_acquisitions_total\{[^}]*\} 1$/m);
    expect(text).toMatch(/^floe_writer_commit_handovers_total\{direction="sent"[^}]*\} 2$/m);
    expect(text).toMatch(/^floe_writer_commit_handovers_total\{direction="taken"[^}]*\} 1$/m);
    expect(text).toMatch(/^floe_writer_commit_handover_fallbacks_total\{[^}]*\} 1$/m);
    expect(text).toMatch(/^floe_writer_commit_lease_errors_total\{[^}]*\} 1$/m);
  });
});
