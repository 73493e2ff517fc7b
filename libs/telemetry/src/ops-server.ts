// The small HTTP server every long-running floe process exposes for its orchestrator:
//   /healthz  liveness: 200 while the event loop answers;
//   /readyz   readiness: 200 when the caller's `readiness()` says so (e.g. Redis connected and
//             the worker accepting jobs), 503 otherwise, with the reason when it gives one (e.g.
//             "the catalog rejects our credentials") — a draining worker turns unready first;
//   /metrics  Prometheus text from the process's registry.
// It listens on loopback unless told otherwise (`metrics_host`): containers pass 0.0.0.0 so
// their probes reach it; on a shared host the metrics stay on the machine.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelemetryError } from './errors.ts';
import { type MetricsRegistry, metricsHandler } from './metrics.ts';

/** Ready, or not ready with an optional reason shown in the /readyz body. */
export type Readiness = boolean | { readonly ready: boolean; readonly reason?: string };

export interface OpsServerOptions {
  /** Port to listen on; 0 picks a free one (see `OpsServer.port`). */
  readonly port: number;
  /** Interface to bind. Default `127.0.0.1`; `0.0.0.0` where probes come from outside (a pod). */
  readonly host?: string;
  /** Whether the process can take work now. Exceptions count as not ready. */
  readonly readiness: () => Readiness | Promise<Readiness>;
  readonly registry: MetricsRegistry;
  /** The floe.yaml key of the port, for the message when it is taken (default `writer.metrics_port`). */
  readonly portSetting?: string;
}

export interface OpsServer {
  readonly port: number;
  /** The address it listens on. */
  readonly host: string;
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
          .catch((): Readiness => false)
          .then((answer) => {
            const { ready, reason } =
              typeof answer === 'boolean' ? { ready: answer, reason: undefined } : answer;
            const body = ready ? 'ready\n' : reason === undefined ? 'not ready\n' : `not ready: ${reason}\n`;
            response.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
          });
        return;
      case '/metrics':
        void serveMetrics(request, response);
        return;
      default:
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new TelemetryError(
          'ops-server-listen',
          `ops server could not listen on ${host}:${options.port} (${error.code ?? error.message}): choose another ${options.portSetting ?? 'writer.metrics_port'} or stop the process holding it`,
          { context: { host, port: options.port }, cause: error },
        ),
      );
    });
    server.listen(options.port, host, resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    port,
    host: address,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
