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
