// Vended-credential refresh through the endpoint a table's config names
// (`client.refresh-credentials-endpoint`, as Polaris sends it: a path relative to the catalog
// URI, not advertised in /v1/config), instead of reloading the whole table; with the table load
// as the fallback when the endpoint is elsewhere or refuses. Each refresh logs one info line
// with how it was done and when the new credentials expire — never a key.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogLogger } from './index.ts';
import {
  errorAnswer,
  jsonAnswer,
  type ScriptedCatalogServer,
  startScriptedCatalog,
} from './scripted-catalog.test-helper.ts';

const TABLE = '/v1/prod/namespaces/sales/tables/orders';
const metadata = { 'format-version': 2, 'table-uuid': 'u', location: 's3://warehouse/sales/orders' };
const later = Date.now() + 3_600_000;

function loadAnswer(refreshEndpoint: string | undefined) {
  const answer = jsonAnswer({
    'metadata-location': 's3://warehouse/sales/orders/metadata/v1.metadata.json',
    metadata,
    config: {
      's3.access-key-id': 'OLDKEY',
      's3.secret-access-key': 'old-secret',
      's3.session-token-expires-at-ms': String(Date.now() - 1000),
      ...(refreshEndpoint === undefined ? {} : { 'client.refresh-credentials-endpoint': refreshEndpoint }),
    },
  });
  // With an ETag the client keeps the loaded table, and its credentials seed the provider.
  return { ...answer, headers: { etag: '"v1"' } };
}

const fresh = jsonAnswer({
  'storage-credentials': [
    {
      prefix: 's3://warehouse/sales/orders',
      config: {
        's3.access-key-id': 'NEWKEY',
        's3.secret-access-key': 'new-secret',
        's3.session-token': 'new-token',
        's3.session-token-expires-at-ms': String(later),
      },
    },
  ],
});

let server: ScriptedCatalogServer;
let lines: { level: string; obj: Record<string, unknown>; msg: string }[];
const logger: CatalogLogger = {
  debug: (obj, msg) => lines.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
  info: (obj, msg) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
  warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  error: (obj, msg) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
};

beforeAll(async () => {
  server = await startScriptedCatalog();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  lines = [];
  server.routes.set('GET /v1/config', () => jsonAnswer({ defaults: {}, overrides: { prefix: 'prod' } }));
});

const loads = () => server.seen.filter((seen) => seen.url.startsWith(`${TABLE}?`)).length;

describe('credential refresh', () => {
  it('refreshes through the refresh endpoint the table config names, without reloading the table', async () => {
    server.routes.set(`GET ${TABLE}`, () => loadAnswer(`v1/prod/namespaces/sales/tables/orders/credentials`));
    server.routes.set(`GET ${TABLE}/credentials`, () => fresh);
    const catalog = server.catalog({
      token: 'static-bearer',
      accessDelegation: 'vended-credentials',
      logger,
    });
    await catalog.loadTable('sales.orders');
    const credentials = await catalog.credentialsFor('sales.orders').resolve();
    expect(credentials).toMatchObject({ accessKeyId: 'NEWKEY', sessionToken: 'new-token' });
    expect(loads()).toBe(1);
    const call = server.seen.find((seen) => seen.url === `${TABLE}/credentials`);
    expect(call?.headers['authorization']).toBe('Bearer static-bearer');
    expect(call?.headers['x-iceberg-access-delegation']).toBe('vended-credentials');
    const refreshed = lines.filter((line) => line.msg === 'catalog storage credentials refreshed');
    expect(refreshed.map((line) => [line.level, line.obj])).toEqual([
      [
        'info',
        {
          table: 'sales.orders',
          via: 'client.refresh-credentials-endpoint',
          expiresAt: new Date(later).toISOString(),
        },
      ],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/new-secret|new-token|static-bearer/);
  });

  it('falls back to a table load when the named endpoint is on another origin or refuses', async () => {
    server.routes.set(`GET ${TABLE}`, () => loadAnswer('https://elsewhere.example/v1/credentials'));
    const catalog = server.catalog({ accessDelegation: 'vended-credentials', logger });
    await catalog.loadTable('sales.orders');
    await catalog.credentialsFor('sales.orders').resolve();
    expect(loads()).toBe(2);
    expect(server.seen.some((seen) => seen.url.includes('credentials'))).toBe(false);

    server.reset();
    server.routes.set('GET /v1/config', () => jsonAnswer({ defaults: {}, overrides: { prefix: 'prod' } }));
    server.routes.set(`GET ${TABLE}`, () => loadAnswer('v1/prod/namespaces/sales/tables/orders/credentials'));
    server.routes.set(`GET ${TABLE}/credentials`, () =>
      errorAnswer(404, 'NotFoundException', 'HTTP 404 Not Found'),
    );
    const second = server.catalog({ accessDelegation: 'vended-credentials', logger });
    await second.loadTable('sales.orders');
    await second.credentialsFor('sales.orders').resolve();
    expect(loads()).toBe(2);
    expect(lines.at(-1)?.obj).toMatchObject({ via: 'loadTable' });
  });
});
