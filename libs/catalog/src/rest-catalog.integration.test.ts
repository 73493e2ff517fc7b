// The REST client against the real Apache Iceberg REST catalog server of the local stack (S3
// warehouse on MinIO): the shared Catalog contract (catalog-contract.test-helper.ts, also run
// against the SQL catalog), plus what only REST has — HTTP statuses in error messages,
// pagination and ETag revalidation. Those go through the auth gateway with auth switched off,
// which records what the client sent: the server paginates when asked (`pageSize`) but sends no
// ETag, so the gateway adds ETag/304 on table loads.

import { type FileIO, fileIOFor } from '@floe/iceberg';
import { type AuthGateway, loadStackEnv, stackS3Properties, startAuthGateway } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_SCHEMA, caught, describeCatalogContract } from './catalog-contract.test-helper.ts';
import { RestCatalog } from './index.ts';

const env = loadStackEnv();
const run = `it_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
const schema = CONTRACT_SCHEMA;

let catalog: RestCatalog;
let gateway: AuthGateway;
let viaGateway: RestCatalog;
let io: FileIO;

beforeAll(async () => {
  catalog = new RestCatalog({ uri: env.catalogUri, warehouse: env.catalogWarehouse });
  gateway = await startAuthGateway({ upstream: env.catalogUri, requireAuth: false, etag: true });
  viaGateway = new RestCatalog({ uri: gateway.url, warehouse: env.catalogWarehouse, pageSize: 2 });
  io = fileIOFor(env.catalogWarehouse, stackS3Properties(env));
  await catalog.createNamespace(run);
});

afterAll(async () => {
  await catalog.close();
  await viaGateway.close();
  await gateway.close();
});

describeCatalogContract('REST', () => ({
  catalog,
  run,
  warehouse: env.catalogWarehouse,
  io,
}));

describe('REST only', () => {
  it('names the HTTP answer and URL in error messages', async () => {
    await catalog.createNamespace(`${run}.http`);
    const exists = await caught(catalog.createNamespace(`${run}.http`, {}, { strict: true }));
    expect(exists.message).toContain('HTTP 409');
    const missing = await caught(catalog.loadNamespace(`${run}.http_missing`));
    expect(missing.message).toContain('HTTP 404 NoSuchNamespaceException');
    const table = await caught(catalog.loadTable(`${run}.nope`));
    expect(table.message).toContain(`GET ${env.catalogUri}/v1/namespaces/${run}/tables/nope`);
    const conflict = await caught(
      catalog.commitTable(`${run}.http_conflict`, {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 1n }],
        updates: [],
      }),
    );
    expect(conflict.message).toContain('HTTP 404');
    await catalog.createTable(`${run}.http_conflict`, { schema });
    const failed = await caught(
      catalog.commitTable(`${run}.http_conflict`, {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 1n }],
        updates: [],
      }),
    );
    expect(failed.message).toContain('HTTP 409 CommitFailedException');
  });

  it('follows next-page-token through several pages (pageSize 2, recorded by the gateway)', async () => {
    const parent = `${run}.paged`;
    for (const child of ['n1', 'n2', 'n3', 'n4', 'n5']) await catalog.createNamespace(`${parent}.${child}`);
    gateway.resetCounters();
    const children = await viaGateway.listNamespaces(parent);
    expect(children.map((ns) => ns.at(-1))).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    const listCalls = gateway.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith('/v1/namespaces?'),
    );
    expect(listCalls.length).toBe(3);
    expect(listCalls.every((r) => r.path.includes('pageSize=2'))).toBe(true);
    expect(listCalls.filter((r) => r.path.includes('pageToken=')).length).toBe(2);
  });

  it('lists tables across pages', async () => {
    await catalog.createNamespace(`${run}.paged_tables`);
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      await catalog.createTable(`${run}.paged_tables.${name}`, { schema });
    gateway.resetCounters();
    const tables = await viaGateway.listTables(`${run}.paged_tables`);
    expect(tables.map((t) => t.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(gateway.requests.filter((r) => r.path.includes('/tables?')).length).toBe(3);
  });

  it('revalidates a cached load with If-None-Match and reuses it on 304', async () => {
    await catalog.createTable(`${run}.cached`, { schema });
    gateway.resetCounters();
    const first = await viaGateway.loadTable(`${run}.cached`);
    const second = await viaGateway.loadTable(`${run}.cached`);
    expect(first.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second).toBe(first);
    const loads = gateway.requests.filter((r) => r.path.includes('/tables/cached'));
    expect(loads.map((r) => r.status)).toEqual([200, 304]);
    expect(loads[1]?.ifNoneMatch).toBe(first.etag);
  });
});
