// Unit tests of RestCatalog's namespace and table operations against a scripted in-process HTTP
// server: the requests each operation sends (parents created first, page tokens, purge flags)
// and how a connection that dies or stays silent is reported. Protocol handling (wire JSON,
// config, endpoints, odd answers, options) is in rest-catalog.test.ts.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RestCatalogOptions } from './index.ts';
import {
  catalogFailure,
  jsonAnswer,
  type Route,
  type ScriptedCatalogServer,
  type SeenRequest,
  startScriptedCatalog,
  tableMetadataJson,
} from './scripted-catalog.test-helper.ts';

let server: ScriptedCatalogServer;
let base: string;
let routes: Map<string, Route>;
let seen: SeenRequest[];

beforeAll(async () => {
  server = await startScriptedCatalog();
  ({ base, routes, seen } = server);
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** A RestCatalog on the scripted server, its URI given with a trailing slash. */
const catalog = (options: Partial<RestCatalogOptions> = {}) =>
  server.catalog({ uri: `${base}/`, ...options });

describe('operations on the wire', () => {
  it('creates missing parents, then the namespace, and reports an existing one without loading parents', async () => {
    const existing = new Set(['a']);
    routes.set('POST /v1/namespaces', (s) => {
      const levels = (JSON.parse(s.body) as { namespace: string[] }).namespace.join('.');
      if (existing.has(levels))
        return jsonAnswer({ error: { message: 'exists', type: 'AlreadyExistsException', code: 409 } }, 409);
      existing.add(levels);
      return { body: '' };
    });
    routes.set('GET /v1/namespaces/a%1Fb%1Fc', () =>
      jsonAnswer({ namespace: ['a', 'b', 'c'], properties: { k: 'v' } }),
    );
    const c = catalog();
    const created = await c.createNamespace(['a', 'b', 'c'], { k: 'v' });
    expect(created).toEqual({ namespace: ['a', 'b', 'c'], properties: { k: 'v' }, created: true });
    expect(
      seen.filter((s) => s.method === 'POST').map((s) => JSON.parse(s.body).namespace.join('.')),
    ).toEqual(['a', 'a.b', 'a.b.c']);
    seen.length = 0;
    const again = await c.createNamespace('a.b.c');
    expect(again).toEqual({ namespace: ['a', 'b', 'c'], properties: { k: 'v' }, created: false });
    expect(seen.filter((s) => s.method === 'GET').map((s) => s.url)).toEqual(['/v1/namespaces/a%1Fb%1Fc']);
  });

  it('lists namespaces under a parent across pages, passing page size and token', async () => {
    routes.set('GET /v1/namespaces', (s) => {
      const query = new URL(s.url, base).searchParams;
      expect(query.get('parent')).toBe('a\u001fb');
      expect(query.get('pageSize')).toBe('1');
      return query.get('pageToken') === null
        ? jsonAnswer({ namespaces: [['a', 'b', 'x']], 'next-page-token': 't1' })
        : jsonAnswer({ namespaces: [['a', 'b', 'y']], 'next-page-token': null });
    });
    expect(await catalog({ pageSize: 1 }).listNamespaces(['a', 'b'])).toEqual([
      ['a', 'b', 'x'],
      ['a', 'b', 'y'],
    ]);
  });

  it('updates properties, drops namespaces and lists tables', async () => {
    routes.set('POST /v1/namespaces/db/properties', (s) => {
      expect(JSON.parse(s.body)).toEqual({ updates: {}, removals: ['old'] });
      return jsonAnswer({ updated: [], removed: ['old'] });
    });
    routes.set('DELETE /v1/namespaces/db', () => ({ status: 204 }));
    routes.set('GET /v1/namespaces/db/tables', () =>
      jsonAnswer({ identifiers: [{ namespace: ['db'], name: 't' }] }),
    );
    const c = catalog();
    expect(await c.updateNamespaceProperties('db', { removals: ['old'] })).toEqual({
      updated: [],
      removed: ['old'],
      missing: [],
    });
    await c.dropNamespace('db');
    expect(await c.listTables('db')).toEqual([{ namespace: ['db'], name: 't' }]);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toContain('DELETE /v1/namespaces/db');
  });

  it('creates a table with every field, or returns the existing one', async () => {
    let exists = false;
    routes.set('POST /v1/namespaces/db/tables', (s) => {
      if (exists)
        return jsonAnswer({ error: { message: 'exists', type: 'AlreadyExistsException', code: 409 } }, 409);
      exists = true;
      expect(JSON.parse(s.body)).toEqual({
        name: 't',
        schema: { type: 'struct', fields: [] },
        location: 's3://b/t',
        'partition-spec': { 'spec-id': 0, fields: [] },
        'write-order': { 'order-id': 0, fields: [] },
        'stage-create': false,
        properties: { p: '1' },
      });
      return {
        body: `{"metadata-location":"s3://b/t/m.json","metadata":${tableMetadataJson('1')}}`,
        headers: { etag: '"c"' },
      };
    });
    routes.set('GET /v1/namespaces/db/tables/t', () => ({ body: `{"metadata":${tableMetadataJson('1')}}` }));
    const c = catalog();
    const request = {
      schema: { type: 'struct', fields: [] },
      location: 's3://b/t',
      partitionSpec: { 'spec-id': 0, fields: [] },
      writeOrder: { 'order-id': 0, fields: [] },
      stageCreate: false,
      properties: { p: '1' },
    };
    const first = await c.createTableIfNotExists({ namespace: ['db'], name: 't' }, request);
    expect(first).toMatchObject({ created: true, metadataLocation: 's3://b/t/m.json', etag: '"c"' });
    const second = await c.createTableIfNotExists('db.t', request);
    expect(second.created).toBe(false);
    expect(second.metadataLocation).toBeUndefined();
  });

  it('registers with overwrite, renames and drops with purge', async () => {
    routes.set('POST /v1/namespaces/db/register', (s) => {
      expect(JSON.parse(s.body)).toEqual({
        name: 't',
        'metadata-location': 's3://b/m.json',
        overwrite: true,
      });
      return { body: `{"metadata-location":"s3://b/m.json","metadata":${tableMetadataJson('3')}}` };
    });
    routes.set('POST /v1/tables/rename', (s) => {
      expect(JSON.parse(s.body)).toEqual({
        source: { namespace: ['db'], name: 't' },
        destination: { namespace: ['db2'], name: 'u' },
      });
      return { status: 204 };
    });
    routes.set('DELETE /v1/namespaces/db2/tables/u', () => ({ status: 204 }));
    const c = catalog();
    expect((await c.registerTable('db.t', 's3://b/m.json', { overwrite: true })).metadataLocation).toBe(
      's3://b/m.json',
    );
    await c.renameTable('db.t', 'db2.u');
    await c.dropTable('db2.u', { purge: true });
    await c.dropTable('db2.u');
    expect(seen.filter((s) => s.method === 'DELETE').map((s) => s.url)).toEqual([
      '/v1/namespaces/db2/tables/u?purgeRequested=true',
      '/v1/namespaces/db2/tables/u',
    ]);
  });

  it('reports a commit whose connection dies after sending as commit-state-unknown, sent once', async () => {
    let commits = 0;
    const raw = createServer((req) => {
      if (req.url?.startsWith('/v1/config')) {
        req.resume();
        req.on('end', () =>
          req.socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}'),
        );
        return;
      }
      commits++;
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const uri = `http://user:pw@127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const error = await catalogFailure(
      catalog({ uri }).commitTable('db.t', { requirements: [], updates: [] }),
    );
    raw.closeAllConnections();
    await new Promise((resolve) => raw.close(resolve));
    expect(error.kind).toBe('commit-state-unknown');
    expect(error.message).toContain('commitTable table db.t: the request was sent but no answer came back');
    expect(error.message).not.toContain('pw@');
    expect(commits).toBe(1);
  });

  it('times out a silent server and tells a refused connection from one that was sent', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const slow = await catalogFailure(
      catalog({ uri: `http://127.0.0.1:${port}`, retry: { timeoutMs: 50, maxAttempts: 1 } }).listNamespaces(),
    );
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
    expect(slow.kind).toBe('timeout');
    expect(slow.message).toBe(`GET http://127.0.0.1:${port}/v1/config timed out`);

    const refused = await catalogFailure(
      catalog({
        uri: `http://127.0.0.1:${port}`,
        retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
      }).listNamespaces(),
    );
    expect(refused.kind).toBe('retries-exhausted');
    expect(refused.message).toContain('(ECONNREFUSED) — the server was not reached');
    expect(refused.context['notSent']).toBe(true);
  });
});
