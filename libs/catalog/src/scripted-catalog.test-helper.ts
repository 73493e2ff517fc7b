// A scripted in-process HTTP server for unit tests of the REST client: each test routes
// `METHOD /path` to an answer (status, JSON body, headers) and reads back every request the
// client sent. Used where a test needs one exact server answer — recorded Polaris bodies, the
// policy API, the credentials endpoint — that the real catalog server cannot be made to give.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CatalogError, RestCatalog, type RestCatalogOptions } from './index.ts';

export interface ScriptedAnswer {
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface SeenRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Route = (seen: SeenRequest) => ScriptedAnswer;

export interface ScriptedCatalogServer {
  readonly base: string;
  readonly seen: SeenRequest[];
  /** Routes by `METHOD /path` (no query); `GET /v1/config` answers an empty config unless replaced. */
  readonly routes: Map<string, Route>;
  reset(): void;
  /** A RestCatalog on this server with quick retries, closed by `close()`. */
  catalog(options?: Partial<RestCatalogOptions>): RestCatalog;
  close(): Promise<void>;
}

export const jsonAnswer = (value: unknown, status = 200): ScriptedAnswer => ({
  status,
  body: JSON.stringify(value),
});

/** Polaris's ErrorModel body: `{"error":{"message","type","code"}}`. */
export const errorAnswer = (status: number, type: string, message: string): ScriptedAnswer =>
  jsonAnswer({ error: { message, type, code: status } }, status);

/** The CatalogError `promise` rejects with; any other outcome fails the test. */
export async function catalogFailure(promise: Promise<unknown>): Promise<CatalogError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** A minimal v2 table metadata document whose current snapshot id is written verbatim (BigInt-exact). */
export const tableMetadataJson = (snapshotId: string): string =>
  `{"format-version":2,"table-uuid":"u","location":"s3://b/t","current-snapshot-id":${snapshotId},` +
  `"snapshots":[{"snapshot-id":${snapshotId},"timestamp-ms":1700000000000}]}`;

export async function startScriptedCatalog(): Promise<ScriptedCatalogServer> {
  const seen: SeenRequest[] = [];
  const routes = new Map<string, Route>();
  const catalogs: RestCatalog[] = [];
  const reset = () => {
    seen.length = 0;
    routes.clear();
    routes.set('GET /v1/config', () => jsonAnswer({ defaults: {}, overrides: {} }));
  };
  reset();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const entry: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      const handler = routes.get(`${entry.method} ${entry.url.split('?')[0]}`);
      const answer = handler ? handler(entry) : errorAnswer(404, 'NotFound', 'no route');
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    routes,
    reset,
    catalog(options = {}) {
      const created = new RestCatalog({
        uri: base,
        retry: { initialDelayMs: 1, maxDelayMs: 2 },
        ...options,
      });
      catalogs.push(created);
      return created;
    },
    async close() {
      for (const catalog of catalogs) await catalog.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
