// The small HTTP server every long-running floe process exposes for its orchestrator:
//   /healthz  liveness: 200 while the event loop answers;
//   /readyz   readiness: 200 when the caller's `readiness()` says so (e.g. Redis connected and
//             the worker accepting jobs), 503 otherwise — a draining worker turns unready first;
//   /metrics  Prometheus text from the process's registry.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelemetryError } from './errors.ts';
import { type MetricsRegistry, metricsHandler } from './metrics.ts';

export interface OpsServerOptions {
  /** Port to listen on; 0 picks a free one (see `OpsServer.port`). */
  readonly port: number;
  /** Interface to bind. Default `0.0.0.0` so a pod's probes reach it. */
  readonly host?: string;
  /** Whether the process can take work now. Exceptions count as not ready. */
  readonly readiness: () => boolean | Promise<boolean>;
  readonly registry: MetricsRegistry;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const serveMetrics = metricsHandler(options.registry);
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (path) {
      case '/healthz':
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
        return;
      case '/readyz':
        Promise.resolve()
          .then(options.readiness)
          .catch(() => false)
          .then((ready) => {
            response
              .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' })
              .end(ready ? 'ready\n' : 'not ready\n');
          });
        return;
      case '/metrics':
        void serveMetrics(request, response);
        return;
      default:
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new TelemetryError(
          'ops-server-listen',
          `ops server could not listen on ${host}:${options.port} (${error.code ?? error.message}): choose another writer.metrics_port or stop the process holding it`,
          { context: { host, port: options.port }, cause: error },
        ),
      );
    });
    server.listen(options.port, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
