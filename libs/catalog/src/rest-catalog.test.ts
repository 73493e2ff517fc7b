// Unit tests of RestCatalog's protocol handling against a scripted in-process HTTP server: what
// exactly goes on the wire (BigInt-exact JSON, prefix, separator, warehouse, headers), and how
// odd answers are handled (unsupported endpoints and their fallbacks, unreadable bodies, a
// broken page token, invalid options). The operations themselves are in
// rest-catalog-operations.test.ts; behaviour against the real catalog server is proven in the
// *.integration.test.ts files.

import { parseJson } from '@floe/iceberg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthManager, type RestCatalogOptions } from './index.ts';
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

const config = (extra: Record<string, unknown> = {}) => jsonAnswer({ defaults: {}, overrides: {}, ...extra });

describe('BigInt-safe JSON on the wire', () => {
  it('sends and receives 9223372036854775807 exactly in a commit', async () => {
    routes.set('POST /v1/namespaces/db/tables/t', () => ({
      body: `{"metadata-location":"s3://b/t/metadata/2.json","metadata":${tableMetadataJson('9223372036854775807')}}`,
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
    routes.set('GET /v1/cat/prod/namespaces/x.y', () =>
      jsonAnswer({ namespace: ['x', 'y'], properties: null }),
    );
    const c = catalog({ warehouse: 'my wh', properties: { a: 'client', b: 'client' } });
    expect(await c.properties()).toMatchObject({ a: 'client', b: 'override', prefix: 'cat/prod' });
    expect(await c.loadNamespace('x.y')).toEqual({ namespace: ['x', 'y'], properties: {} });
  });

  it('lets a configured prefix override the advertised one, and sends no delegation header for none', async () => {
    routes.set('GET /v1/config', () => config({ overrides: { prefix: 'server' } }));
    routes.set('GET /v1/mine/namespaces/db/tables/t', () => ({
      body: `{"metadata":${tableMetadataJson('1')}}`,
    }));
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
    const error = await catalogFailure(catalog().listNamespaces());
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toBe(
      `getConfig catalog: the catalog's answer (HTTP 200 from ${base}/v1/config) could not be read: the body is not JSON; ` +
        'check that catalog.uri points at an Iceberg REST catalog (Polaris: <host>/api/catalog)',
    );
    routes.set('GET /v1/config', () => jsonAnswer({ defaults: 'nope' }));
    const shape = await catalogFailure(catalog().listNamespaces());
    expect(shape.message).toContain('unexpected JSON at "defaults"');
  });
});

describe('advertised endpoints', () => {
  it('refuses an endpoint the server does not advertise, naming it', async () => {
    routes.set('GET /v1/config', () => config({ endpoints: ['GET /v1/{prefix}/namespaces'] }));
    const error = await catalogFailure(catalog().dropTable('db.t'));
    expect(error.kind).toBe('unsupported-endpoint');
    expect(error.message).toBe(
      `dropTable table db.t is not possible: the catalog at ${base} does not advertise ` +
        '"DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}" in GET /v1/config endpoints; upgrade the catalog or avoid this operation',
    );
  });

  it('falls back to GET for exists checks when HEAD is not advertised', async () => {
    routes.set('GET /v1/namespaces/db', () => jsonAnswer({ namespace: ['db'], properties: {} }));
    routes.set('GET /v1/namespaces/db/tables/t', () => ({ body: `{"metadata":${tableMetadataJson('1')}}` }));
    const c = catalog();
    expect(await c.namespaceExists('db')).toBe(true);
    expect(await c.namespaceExists('other')).toBe(false);
    expect(await c.tableExists('db.t')).toBe(true);
    expect(await c.tableExists('db.u')).toBe(false);
    expect(seen.some((s) => s.method === 'HEAD')).toBe(false);
    routes.set('GET /v1/namespaces/db/tables/t', () =>
      jsonAnswer({ error: { message: 'x', type: 'Forbidden', code: 403 } }, 403),
    );
    expect((await catalogFailure(c.tableExists('db.t'))).kind).toBe('forbidden');
    routes.set('GET /v1/namespaces/db', () => ({ status: 500, body: 'crash' }));
    expect((await catalogFailure(c.namespaceExists('db'))).kind).toBe('server-error');
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
      body: `{"metadata":${tableMetadataJson('1')},"config":{"s3.endpoint":"http://s3"}}`,
    }));
    routes.set('GET /v1/namespaces/db/tables/t/credentials', () =>
      jsonAnswer({
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
        : { body: `{"metadata":${tableMetadataJson('7')}}`, headers: { etag: '"v1"' } },
    );
    const c = catalog();
    const first = await c.loadTable('db.t');
    expect(await c.loadTable('db.t')).toBe(first);
    const fresh = await c.loadTable('db.t', { bypassCache: true });
    expect(fresh).not.toBe(first);
    expect(fresh.metadata['current-snapshot-id']).toBe(7);
  });

  it('stops a server that repeats a page token', async () => {
    routes.set('GET /v1/namespaces/db/tables', () =>
      jsonAnswer({ identifiers: [], 'next-page-token': 'same' }),
    );
    const error = await catalogFailure(catalog().listTables('db'));
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toBe(
      'listTables tables in db: the catalog returned page token "same" twice; its pagination is broken',
    );
  });

  it('names the field a malformed load answer lacks', async () => {
    routes.set('GET /v1/namespaces/db/tables/t', () => jsonAnswer({ 'metadata-location': 's3://x' }));
    const error = await catalogFailure(catalog().loadTable('db.t'));
    expect(error.message).toContain("loadTable table db.t: the catalog's answer (HTTP 200");
    expect(error.message).toContain('unexpected JSON at "metadata"');
  });

  it('makes an unreadable 2xx answer to a commit a commit-state-unknown, not a failure', async () => {
    routes.set('POST /v1/namespaces/db/tables/t', () => ({
      body: '{"metadata-location": "s3://x/m.json", "meta',
    }));
    const error = await catalogFailure(catalog().commitTable('db.t', { requirements: [], updates: [] }));
    expect(error.kind).toBe('commit-state-unknown');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(
      'commitTable table db.t: the catalog answered HTTP 200 but its answer could not be read',
    );
    expect(error.message).toContain('reload the table and check whether it landed before retrying');
  });

  it('keeps a non-JSON error body as the server message', async () => {
    routes.set('POST /v1/namespaces', () => ({ status: 400, body: 'bad namespace' }));
    const error = await catalogFailure(catalog().createNamespace('db', {}, { createParents: false }));
    expect(error.kind).toBe('bad-request');
    expect(error.message).toBe(
      "createNamespace namespace db failed: bad namespace — the catalog rejected the request as invalid; correct the value the catalog's reason names " +
        `(POST ${base}/v1/namespaces answered HTTP 400)`,
    );
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
      jsonAnswer({ error: { message: 'bad token', type: 'NotAuthorizedException', code: 401 } }, 401),
    );
    const error = await catalogFailure(catalog({ token: 'x' }).listNamespaces());
    expect(error.kind).toBe('unauthorized');
    expect(seen.length).toBe(1);
    expect(error.message).toContain(
      'check catalog.credential.client_id / catalog.credential.client_secret (or catalog.credential.token) in floe.yaml',
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
