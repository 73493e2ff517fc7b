// Unit tests of RestCatalog's protocol handling against a scripted in-process HTTP server: what
// exactly goes on the wire (BigInt-exact JSON, prefix, separator, warehouse, headers), and how
// odd answers are handled (unsupported endpoints and their fallbacks, unreadable bodies, a
// broken page token, invalid options). Behaviour against the real catalog server is proven in
// the *.integration.test.ts files.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson } from '@floe/iceberg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError, createAuthManager, RestCatalog, type RestCatalogOptions } from './index.ts';

interface Answer {
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: Server;
let base: string;
let routes: Map<string, (seen: Seen) => Answer>;
let seen: Seen[];
const catalogs: RestCatalog[] = [];

const json = (value: unknown, status = 200): Answer => ({ status, body: JSON.stringify(value) });
const config = (extra: Record<string, unknown> = {}) => json({ defaults: {}, overrides: {}, ...extra });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      const path = entry.url.split('?')[0];
      const handler = routes.get(`${entry.method} ${path}`);
      const answer = handler
        ? handler(entry)
        : json({ error: { message: 'no route', type: 'NotFound', code: 404 } }, 404);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const catalog of catalogs) await catalog.close();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  routes = new Map([['GET /v1/config', () => config()]]);
});

function catalog(options: Partial<RestCatalogOptions> = {}): RestCatalog {
  const created = new RestCatalog({
    uri: `${base}/`,
    retry: { initialDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
  catalogs.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<CatalogError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

const metadata = (snapshotId: string) =>
  `{"format-version":2,"table-uuid":"u","location":"s3://b/t","current-snapshot-id":${snapshotId},` +
  `"snapshots":[{"snapshot-id":${snapshotId},"timestamp-ms":1700000000000}]}`;

describe('BigInt-safe JSON on the wire', () => {
  it('sends and receives 9223372036854775807 exactly in a commit', async () => {
    routes.set('POST /v1/namespaces/db/tables/t', () => ({
      body: `{"metadata-location":"s3://b/t/metadata/2.json","metadata":${metadata('9223372036854775807')}}`,
    }));
    const result = await catalog().commitTable('db.t', {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 9223372036854775806n }],
      updates: [
        {
          action: 'set-snapshot-ref',
          'ref-name': 'main',
          type: 'branch',
          'snapshot-id': 9223372036854775807n,
        },
      ],
    });
    const sent = seen.find((s) => s.method === 'POST')?.body ?? '';
    expect(sent).toContain('"snapshot-id":9223372036854775806}');
    expect(sent).toContain('"snapshot-id":9223372036854775807}');
    expect(parseJson(sent)).toMatchObject({ identifier: { namespace: ['db'], name: 't' } });
    expect(result.metadata['current-snapshot-id']).toBe(9223372036854775807n);
    expect(result.metadataLocation).toBe('s3://b/t/metadata/2.json');
  });
});

describe('config', () => {
  it('sends the warehouse, uses the prefix and separator the server chooses, and merges properties', async () => {
    routes.set('GET /v1/config', (s) => {
      expect(s.url).toBe('/v1/config?warehouse=my+wh');
      return config({
        defaults: { a: 'server-default', b: 'server-default' },
        overrides: { prefix: 'cat/prod', 'namespace-separator': '%2E', b: 'override' },
      });
    });
    routes.set('GET /v1/cat/prod/namespaces/x.y', () => json({ namespace: ['x', 'y'], properties: null }));
    const c = catalog({ warehouse: 'my wh', properties: { a: 'client', b: 'client' } });
    expect(await c.properties()).toMatchObject({ a: 'client', b: 'override', prefix: 'cat/prod' });
    expect(await c.loadNamespace('x.y')).toEqual({ namespace: ['x', 'y'], properties: {} });
  });

  it('lets a configured prefix override the advertised one, and sends no delegation header for none', async () => {
    routes.set('GET /v1/config', () => config({ overrides: { prefix: 'server' } }));
    routes.set('GET /v1/mine/namespaces/db/tables/t', () => ({ body: `{"metadata":${metadata('1')}}` }));
    await catalog({ prefix: 'mine', accessDelegation: 'none' }).loadTable('db.t');
    const load = seen.find((s) => s.url.startsWith('/v1/mine/'));
    expect(load?.headers['x-iceberg-access-delegation']).toBeUndefined();
  });

  it('sends static headers and the user agent, and a bearer token when configured', async () => {
    routes.set('HEAD /v1/namespaces/db', () => ({ status: 204 }));
    routes.set('GET /v1/config', () => config({ endpoints: ['HEAD /v1/{prefix}/namespaces/{namespace}'] }));
    await catalog({ headers: { 'x-tenant': 'acme' }, token: 'tkn' }).namespaceExists('db');
    const head = seen.find((s) => s.method === 'HEAD');
    expect(head?.headers['x-tenant']).toBe('acme');
    expect(head?.headers['authorization']).toBe('Bearer tkn');
    expect(head?.headers['user-agent']).toMatch(/^floe-catalog\//);
  });

  it('explains a config answer that is not an Iceberg catalog', async () => {
    routes.set('GET /v1/config', () => ({ body: '<html>login</html>' }));
    const error = await failure(catalog().listNamespaces());
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toBe(
      `getConfig catalog: the catalog's answer (HTTP 200 from ${base}/v1/config) could not be read: the body is not JSON; ` +
        'check that catalog.uri points at an Iceberg REST catalog (Polaris: <host>/api/catalog)',
    );
    routes.set('GET /v1/config', () => json({ defaults: 'nope' }));
    const shape = await failure(catalog().listNamespaces());
    expect(shape.message).toContain('unexpected JSON at "defaults"');
  });
});

describe('advertised endpoints', () => {
  it('refuses an endpoint the server does not advertise, naming it', async () => {
    routes.set('GET /v1/config', () => config({ endpoints: ['GET /v1/{prefix}/namespaces'] }));
    const error = await failure(catalog().dropTable('db.t'));
    expect(error.kind).toBe('unsupported-endpoint');
    expect(error.message).toBe(
      `dropTable table db.t is not possible: the catalog at ${base} does not advertise ` +
        '"DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}" in GET /v1/config endpoints; upgrade the catalog or avoid this operation',
    );
  });

  it('falls back to GET for exists checks when HEAD is not advertised', async () => {
    routes.set('GET /v1/namespaces/db', () => json({ namespace: ['db'], properties: {} }));
    routes.set('GET /v1/namespaces/db/tables/t', () => ({ body: `{"metadata":${metadata('1')}}` }));
    const c = catalog();
    expect(await c.namespaceExists('db')).toBe(true);
    expect(await c.namespaceExists('other')).toBe(false);
    expect(await c.tableExists('db.t')).toBe(true);
    expect(await c.tableExists('db.u')).toBe(false);
    expect(seen.some((s) => s.method === 'HEAD')).toBe(false);
    routes.set('GET /v1/namespaces/db/tables/t', () =>
      json({ error: { message: 'x', type: 'Forbidden', code: 403 } }, 403),
    );
    expect((await failure(c.tableExists('db.t'))).kind).toBe('forbidden');
    routes.set('GET /v1/namespaces/db', () => ({ status: 500, body: 'crash' }));
    expect((await failure(c.namespaceExists('db'))).kind).toBe('server-error');
  });

  it('uses HEAD for table existence when advertised', async () => {
    routes.set('GET /v1/config', () =>
      config({ endpoints: ['HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}'] }),
    );
    routes.set('HEAD /v1/namespaces/db/tables/t', () => ({ status: 204 }));
    const c = catalog();
    expect(await c.tableExists('db.t')).toBe(true);
    expect(await c.tableExists('db.u')).toBe(false);
    expect(seen.filter((s) => s.method === 'HEAD').length).toBe(2);
  });

  it('uses the credentials endpoint when advertised, and the longest prefix wins', async () => {
    routes.set('GET /v1/config', () =>
      config({
        endpoints: [
          'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
          'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials',
        ],
      }),
    );
    routes.set('GET /v1/namespaces/db/tables/t', () => ({
      body: `{"metadata":${metadata('1')},"config":{"s3.endpoint":"http://s3"}}`,
    }));
    routes.set('GET /v1/namespaces/db/tables/t/credentials', () =>
      json({
        'storage-credentials': [
          { prefix: 's3://b/', config: { 's3.access-key-id': 'wide', 's3.secret-access-key': 'x' } },
          { prefix: 's3://b/t', config: { 's3.access-key-id': 'narrow', 's3.secret-access-key': 'y' } },
        ],
      }),
    );
    const provider = catalog({ accessDelegation: 'vended-credentials' }).credentialsFor('db.t');
    const creds = await provider.resolve();
    expect(creds).toMatchObject({ accessKeyId: 'narrow', endpoint: 'http://s3' });
    expect((await provider.resolve('s3://b/other'))?.accessKeyId).toBe('wide');
    const credsCall = seen.find((s) => s.url.endsWith('/credentials'));
    expect(credsCall?.headers['x-iceberg-access-delegation']).toBe('vended-credentials');
  });
});

describe('answers', () => {
  it('reuses the cached table on 304 and refetches when bypassing the cache', async () => {
    routes.set('GET /v1/namespaces/db/tables/t', (s) =>
      s.headers['if-none-match'] === '"v1"'
        ? { status: 304 }
        : { body: `{"metadata":${metadata('7')}}`, headers: { etag: '"v1"' } },
    );
    const c = catalog();
    const first = await c.loadTable('db.t');
    expect(await c.loadTable('db.t')).toBe(first);
    const fresh = await c.loadTable('db.t', { bypassCache: true });
    expect(fresh).not.toBe(first);
    expect(fresh.metadata['current-snapshot-id']).toBe(7);
  });

  it('stops a server that repeats a page token', async () => {
    routes.set('GET /v1/namespaces/db/tables', () => json({ identifiers: [], 'next-page-token': 'same' }));
    const error = await failure(catalog().listTables('db'));
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toBe(
      'listTables tables in db: the catalog returned page token "same" twice; its pagination is broken',
    );
  });

  it('names the field a malformed load answer lacks', async () => {
    routes.set('GET /v1/namespaces/db/tables/t', () => json({ 'metadata-location': 's3://x' }));
    const error = await failure(catalog().loadTable('db.t'));
    expect(error.message).toContain("loadTable table db.t: the catalog's answer (HTTP 200");
    expect(error.message).toContain('unexpected JSON at "metadata"');
  });

  it('makes an unreadable 2xx answer to a commit a commit-state-unknown, not a failure', async () => {
    routes.set('POST /v1/namespaces/db/tables/t', () => ({
      body: '{"metadata-location": "s3://x/m.json", "meta',
    }));
    const error = await failure(catalog().commitTable('db.t', { requirements: [], updates: [] }));
    expect(error.kind).toBe('commit-state-unknown');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(
      'commitTable table db.t: the catalog answered HTTP 200 but its answer could not be read',
    );
    expect(error.message).toContain('reload the table and check whether it landed before retrying');
  });

  it('keeps a non-JSON error body as the server message', async () => {
    routes.set('POST /v1/namespaces', () => ({ status: 400, body: 'bad namespace' }));
    const error = await failure(catalog().createNamespace('db', {}, { createParents: false }));
    expect(error.kind).toBe('bad-request');
    expect(error.message).toContain(`(POST ${base}/v1/namespaces answered HTTP 400: bad namespace)`);
  });

  it('refuses contradictory property changes and an empty metadata location before sending', async () => {
    const c = catalog();
    await expect(c.updateNamespaceProperties('db', { updates: { a: '1' }, removals: ['a'] })).rejects.toThrow(
      'updateNamespaceProperties namespace db: "a" both updated and removed; list each key once',
    );
    await expect(c.registerTable('db.t', ' ')).rejects.toThrow(
      'registerTable db.t: the metadata location is empty',
    );
    expect(seen.filter((s) => s.method !== 'GET')).toEqual([]);
  });

  it('does not retry a 401 for a static token and says how to fix it', async () => {
    routes.set('GET /v1/config', () =>
      json({ error: { message: 'bad token', type: 'NotAuthorizedException', code: 401 } }, 401),
    );
    const error = await failure(catalog({ token: 'x' }).listNamespaces());
    expect(error.kind).toBe('unauthorized');
    expect(seen.length).toBe(1);
    expect(error.message).toContain(
      'check catalog.credential (client_id:client_secret) or catalog.token in floe.yaml',
    );
  });
});

describe('options', () => {
  it('refuses unusable options with the fix', () => {
    expect(() => catalog({ uri: 'not a url' })).toThrow(
      "catalog.uri 'not a url' is not a URL; write it like http://localhost:8181 (Polaris: http://host:8181/api/catalog)",
    );
    expect(() => catalog({ uri: 'ftp://x' })).toThrow("catalog.uri 'ftp://x' must use http or https");
    expect(() => catalog({ type: 'glue' as 'rest' })).toThrow(
      "catalog.type 'glue' is not supported; use 'rest'",
    );
    expect(() => catalog({ pageSize: 0 })).toThrow('catalog page size must be a positive integer, got 0');
    expect(() => catalog({ credential: 'only-id' })).toThrow(
      "catalog.credential must look like 'client_id:client_secret'",
    );
  });

  it('picks the auth manager from the options', () => {
    const dispatcher = undefined as never;
    expect(createAuthManager({ uri: base }, base, dispatcher).scheme).toBe('none');
    expect(createAuthManager({ uri: base, token: 't' }, base, dispatcher).scheme).toBe('bearer');
    expect(createAuthManager({ uri: base, credential: 'a:b' }, base, dispatcher).scheme).toBe('oauth2');
    expect(() => createAuthManager({ uri: base, clientId: 'a' }, base, dispatcher)).toThrow(
      "OAuth2 client credentials for client_id 'a' need a client_secret",
    );
  });
});

describe('operations on the wire', () => {
  it('creates missing parents, then the namespace, and reports an existing one without loading parents', async () => {
    const existing = new Set(['a']);
    routes.set('POST /v1/namespaces', (s) => {
      const levels = (JSON.parse(s.body) as { namespace: string[] }).namespace.join('.');
      if (existing.has(levels))
        return json({ error: { message: 'exists', type: 'AlreadyExistsException', code: 409 } }, 409);
      existing.add(levels);
      return { body: '' };
    });
    routes.set('GET /v1/namespaces/a%1Fb%1Fc', () =>
      json({ namespace: ['a', 'b', 'c'], properties: { k: 'v' } }),
    );
    const c = catalog();
    const created = await c.createNamespace(['a', 'b', 'c'], { k: 'v' });
    expect(created).toEqual({ namespace: ['a', 'b', 'c'], properties: { k: 'v' }, created: true });
    expect(
      seen.filter((s) => s.method === 'POST').map((s) => JSON.parse(s.body).namespace.join('.')),
    ).toEqual(['a', 'a.b', 'a.b.c']);
    seen = [];
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
        ? json({ namespaces: [['a', 'b', 'x']], 'next-page-token': 't1' })
        : json({ namespaces: [['a', 'b', 'y']], 'next-page-token': null });
    });
    expect(await catalog({ pageSize: 1 }).listNamespaces(['a', 'b'])).toEqual([
      ['a', 'b', 'x'],
      ['a', 'b', 'y'],
    ]);
  });

  it('updates properties, drops namespaces and lists tables', async () => {
    routes.set('POST /v1/namespaces/db/properties', (s) => {
      expect(JSON.parse(s.body)).toEqual({ updates: {}, removals: ['old'] });
      return json({ updated: [], removed: ['old'] });
    });
    routes.set('DELETE /v1/namespaces/db', () => ({ status: 204 }));
    routes.set('GET /v1/namespaces/db/tables', () =>
      json({ identifiers: [{ namespace: ['db'], name: 't' }] }),
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
        return json({ error: { message: 'exists', type: 'AlreadyExistsException', code: 409 } }, 409);
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
        body: `{"metadata-location":"s3://b/t/m.json","metadata":${metadata('1')}}`,
        headers: { etag: '"c"' },
      };
    });
    routes.set('GET /v1/namespaces/db/tables/t', () => ({ body: `{"metadata":${metadata('1')}}` }));
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
      return { body: `{"metadata-location":"s3://b/m.json","metadata":${metadata('3')}}` };
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
    const error = await failure(catalog({ uri }).commitTable('db.t', { requirements: [], updates: [] }));
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
    const slow = await failure(
      catalog({ uri: `http://127.0.0.1:${port}`, retry: { timeoutMs: 50, maxAttempts: 1 } }).listNamespaces(),
    );
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
    expect(slow.kind).toBe('timeout');
    expect(slow.message).toBe(`GET http://127.0.0.1:${port}/v1/config timed out`);

    const refused = await failure(
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
