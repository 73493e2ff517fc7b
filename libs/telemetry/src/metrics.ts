// Prometheus metrics for floe processes. Each process owns one `MetricsRegistry` (a prom-client
// Registry with the default Node process metrics and a `service` label), so tests and
// several components in one process never collide on the global registry. `metricsHandler`
// serves it in the Prometheus text format from any node:http server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /** Value of the `service` label on every metric (e.g. `writer-worker`). */
  readonly serviceName: string;
  /** Collect Node process metrics (event loop lag, heap, GC). Default true. */
  readonly collectProcessMetrics?: boolean;
}

export type MetricsRegistry = Registry;

export function createMetricsRegistry(options: MetricsRegistryOptions): MetricsRegistry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.serviceName });
  if (options.collectProcessMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'floe_' });
  }
  return registry;
}

/** A node:http request handler that answers with the registry's metrics. */
export function metricsHandler(
  registry: MetricsRegistry,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (_request, response) => {
    try {
      const body = await registry.metrics();
      response.writeHead(200, { 'content-type': registry.contentType });
      response.end(body);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
}

export { Counter, Gauge, Histogram };

/** One HTTP exchange with the catalog, as @floe/catalog's `onCall` observer reports it. */
export interface CatalogCallSample {
  readonly operation: string;
  readonly status: number | 'error';
  readonly durationMs: number;
}

/**
 * Registers the catalog client's metrics on a process registry and returns the observer to pass
 * as the client's `onCall`: `floe_catalog_requests_total{operation,status}` and
 * `floe_catalog_request_duration_seconds{operation}`. Both workers use it, so dashboards see
 * every catalog call (config, token, load, commit, credentials, policies) the same way.
 */
export function registerCatalogMetrics(registry: MetricsRegistry): (sample: CatalogCallSample) => void {
  const requests = new Counter({
    name: 'floe_catalog_requests_total',
    help: 'HTTP requests to the Iceberg REST catalog and its token endpoint, by operation and status (error: no answer)',
    labelNames: ['operation', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'floe_catalog_request_duration_seconds',
    help: 'Duration of HTTP requests to the catalog, by operation',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return (sample) => {
    requests.inc({ operation: sample.operation, status: String(sample.status) });
    duration.observe({ operation: sample.operation }, sample.durationMs / 1000);
  };
}
