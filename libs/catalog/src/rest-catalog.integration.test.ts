// Every catalog operation against the real Apache Iceberg REST catalog server of the local stack
// (S3 warehouse on MinIO). Pagination and ETag revalidation go through the auth gateway with
// auth switched off, which records what the client sent: the server paginates when asked
// (`pageSize`) but sends no ETag, so the gateway adds ETag/304 on table loads.

import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type AuthGateway, loadStackEnv, startAuthGateway } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogCommitter, isCatalogError, RestCatalog, tableMetadataOf } from './index.ts';

const env = loadStackEnv();
const run = `it_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'event', type: 'string', required: false },
  ],
};

let catalog: RestCatalog;
let gateway: AuthGateway;
let viaGateway: RestCatalog;

beforeAll(async () => {
  catalog = new RestCatalog({ uri: env.catalogUri, warehouse: env.catalogWarehouse });
  gateway = await startAuthGateway({ upstream: env.catalogUri, requireAuth: false, etag: true });
  viaGateway = new RestCatalog({ uri: gateway.url, warehouse: env.catalogWarehouse, pageSize: 2 });
  await catalog.createNamespace(run);
});

afterAll(async () => {
  await catalog.close();
  await viaGateway.close();
  await gateway.close();
});

async function caught(promise: Promise<unknown>): Promise<Error & { kind?: string; retryable?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('namespaces', () => {
  it('creates nested namespaces with their missing parents, and lists children', async () => {
    const created = await catalog.createNamespace(`${run}.bronze.raw.events`, { owner: 'etl' });
    expect(created.created).toBe(true);
    expect(created.properties['owner']).toBe('etl');
    expect(await catalog.namespaceExists(`${run}.bronze`)).toBe(true);
    expect(await catalog.namespaceExists([run, 'bronze', 'raw'])).toBe(true);
    expect(await catalog.listNamespaces(`${run}.bronze.raw`)).toEqual([[run, 'bronze', 'raw', 'events']]);
    expect((await catalog.listNamespaces()).some((ns) => ns.length === 1 && ns[0] === run)).toBe(true);
  });

  it('treats creating an existing namespace as success, or as an error when strict', async () => {
    const again = await catalog.createNamespace(`${run}.bronze`);
    expect(again.created).toBe(false);
    const error = await caught(catalog.createNamespace(`${run}.bronze`, {}, { strict: true }));
    expect(error.kind).toBe('namespace-already-exists');
    expect(error.message).toContain(
      `createNamespace namespace ${run}.bronze failed: the namespace already exists`,
    );
    expect(error.message).toContain('HTTP 409');
  });

  it('loads, updates and removes properties and reports what changed', async () => {
    await catalog.createNamespace(`${run}.props`, { a: '1', b: '2' });
    const report = await catalog.updateNamespaceProperties(`${run}.props`, {
      updates: { a: '10', c: '3' },
      removals: ['b', 'not-there'],
    });
    expect([...report.updated].sort()).toEqual(['a', 'c']);
    expect(report.removed).toEqual(['b']);
    expect(report.missing).toEqual(['not-there']);
    const loaded = await catalog.loadNamespace(`${run}.props`);
    expect(loaded.namespace).toEqual([run, 'props']);
    expect(loaded.properties).toMatchObject({ a: '10', c: '3' });
    expect(loaded.properties['b']).toBeUndefined();
  });

  it('answers exists=false and no-such-namespace for a missing namespace', async () => {
    expect(await catalog.namespaceExists(`${run}.missing`)).toBe(false);
    const error = await caught(catalog.loadNamespace(`${run}.missing`));
    expect(error.kind).toBe('no-such-namespace');
    expect(error.message).toContain(
      `loadNamespace namespace ${run}.missing failed: the namespace does not exist`,
    );
    expect(error.message).toContain('HTTP 404 NoSuchNamespaceException');
  });

  it('drops an empty namespace and refuses a non-empty one', async () => {
    await catalog.createNamespace(`${run}.full`);
    await catalog.createTable(`${run}.full.t`, { schema });
    const error = await caught(catalog.dropNamespace(`${run}.full`));
    expect(error.kind).toBe('namespace-not-empty');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('the namespace is not empty; drop or rename its tables');
    expect(await catalog.namespaceExists(`${run}.full`)).toBe(true);

    await catalog.createNamespace(`${run}.empty`);
    await catalog.dropNamespace(`${run}.empty`);
    expect(await catalog.namespaceExists(`${run}.empty`)).toBe(false);
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
});

describe('tables', () => {
  it('creates a table with spec, order, properties and location, then loads it', async () => {
    const location = `${env.catalogWarehouse.replace(/\/$/, '')}/custom/${run}/orders`;
    const created = await catalog.createTable(`${run}.orders`, {
      schema,
      partitionSpec: {
        'spec-id': 0,
        fields: [{ 'source-id': 1, 'field-id': 1000, name: 'id_bucket', transform: 'bucket[4]' }],
      },
      writeOrder: {
        'order-id': 1,
        fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }],
      },
      properties: { 'write.format.default': 'parquet', owner: 'etl' },
      location,
    });
    expect(created.created).toBe(true);
    expect(created.metadata['location']).toBe(location);
    expect(created.metadataLocation).toMatch(/\.metadata\.json$/);
    const loaded = await catalog.loadTable(`${run}.orders`);
    expect(loaded.metadata['table-uuid']).toBe(created.metadata['table-uuid']);
    expect((loaded.metadata['properties'] as Record<string, string>)['owner']).toBe('etl');
    const specs = loaded.metadata['partition-specs'] as { fields: { transform: string }[] }[];
    expect(specs[0]?.fields[0]?.transform).toBe('bucket[4]');
    expect(await catalog.tableExists(`${run}.orders`)).toBe(true);
    expect(await catalog.tableExists(`${run}.nothing`)).toBe(false);
  });

  it('create-if-not-exists twice creates once and then returns the existing table', async () => {
    const first = await catalog.createTableIfNotExists(`${run}.events`, { schema });
    const second = await catalog.createTableIfNotExists(`${run}.events`, { schema });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.metadata['table-uuid']).toBe(first.metadata['table-uuid']);
    const error = await caught(catalog.createTable(`${run}.events`, { schema }));
    expect(error.kind).toBe('table-already-exists');
  });

  it('names the missing table, or the missing namespace, in load errors', async () => {
    const table = await caught(catalog.loadTable(`${run}.nope`));
    expect(table.kind).toBe('no-such-table');
    expect(table.message).toContain(`loadTable table ${run}.nope failed: the table does not exist`);
    expect(table.message).toContain(`GET ${env.catalogUri}/v1/namespaces/${run}/tables/nope`);
    const ns = await caught(catalog.listTables(`${run}_nowhere`));
    expect(ns.kind).toBe('no-such-namespace');
    expect(ns.message).toContain(`listTables tables in ${run}_nowhere failed: the namespace does not exist`);
  });

  it('lists tables across pages', async () => {
    await catalog.createNamespace(`${run}.many`);
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      await catalog.createTable(`${run}.many.${name}`, { schema });
    gateway.resetCounters();
    const tables = await viaGateway.listTables(`${run}.many`);
    expect(tables.map((t) => t.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(tables[0]?.namespace).toEqual([run, 'many']);
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

  it('registers a table from a metadata location', async () => {
    const source = await catalog.createTable(`${run}.source`, { schema });
    const location = source.metadataLocation as string;
    const registered = await catalog.registerTable(`${run}.registered`, location);
    expect(registered.metadataLocation).toBe(location);
    expect(registered.metadata['table-uuid']).toBe(source.metadata['table-uuid']);
    expect(await catalog.tableExists(`${run}.registered`)).toBe(true);
    const error = await caught(catalog.registerTable(`${run}.registered`, location));
    expect(error.kind).toBe('table-already-exists');
  });

  it('renames a table across namespaces', async () => {
    await catalog.createTable(`${run}.before`, { schema });
    await catalog.renameTable(`${run}.before`, `${run}.bronze.after`);
    expect(await catalog.tableExists(`${run}.before`)).toBe(false);
    expect(await catalog.tableExists(`${run}.bronze.after`)).toBe(true);
    const error = await caught(catalog.renameTable(`${run}.before`, `${run}.again`));
    expect(error.kind).toBe('no-such-table');
  });

  it('drops a table, purging its files when asked', async () => {
    const kept = await catalog.createTable(`${run}.drop_keep`, { schema });
    const purged = await catalog.createTable(`${run}.drop_purge`, { schema });
    await catalog.dropTable(`${run}.drop_keep`);
    await catalog.dropTable(`${run}.drop_purge`, { purge: true });
    expect(await catalog.tableExists(`${run}.drop_keep`)).toBe(false);
    expect(await catalog.tableExists(`${run}.drop_purge`)).toBe(false);
    const s3 = new S3Client({
      endpoint: env.s3Endpoint,
      region: env.s3Region,
      forcePathStyle: true,
      credentials: { accessKeyId: env.s3AccessKeyId, secretAccessKey: env.s3SecretAccessKey },
    });
    const exists = async (uri: string): Promise<boolean> => {
      const { host: bucket, pathname } = new URL(uri);
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: pathname.slice(1) }));
        return true;
      } catch {
        return false;
      }
    };
    expect(await exists(kept.metadataLocation as string)).toBe(true);
    expect(await exists(purged.metadataLocation as string)).toBe(false);
    s3.destroy();
    const error = await caught(catalog.dropTable(`${run}.drop_keep`));
    expect(error.kind).toBe('no-such-table');
  });
});

describe('commit', () => {
  const maxLong = 9223372036854775807n;

  it('round-trips snapshot id 9223372036854775807 exactly through commit and load', async () => {
    const table = await catalog.createTable(`${run}.longs`, { schema });
    const location = table.metadata['location'] as string;
    const committed = await catalog.commitTable(`${run}.longs`, {
      requirements: [
        { type: 'assert-table-uuid', uuid: table.metadata['table-uuid'] },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
      ],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': maxLong,
            'sequence-number': 1,
            'timestamp-ms': BigInt(Date.now()),
            'manifest-list': `${location}/metadata/snap-${maxLong}-1-manual.avro`,
            summary: { operation: 'append' },
            'schema-id': 0,
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': maxLong },
      ],
    });
    expect(committed.metadata['current-snapshot-id']).toBe(maxLong);
    expect(committed.metadataLocation).not.toBe(table.metadataLocation);
    const loaded = await catalog.loadTable(`${run}.longs`);
    expect(loaded.metadata['current-snapshot-id']).toBe(maxLong);
    const snapshots = loaded.metadata['snapshots'] as { 'snapshot-id': unknown }[];
    expect(snapshots.map((s) => s['snapshot-id'])).toEqual([maxLong]);
    const refs = loaded.metadata['refs'] as Record<string, { 'snapshot-id': unknown }>;
    expect(refs['main']?.['snapshot-id']).toBe(maxLong);
    // …and the domain form the writers use sees the same value.
    const domain = tableMetadataOf(loaded);
    expect(domain.currentSnapshotId).toBe(maxLong);
    expect(domain.snapshots[0]?.snapshotId).toBe(maxLong);
  });

  it('commits domain updates through the CatalogCommitter adapter', async () => {
    await catalog.createTable(`${run}.adapter`, { schema });
    const committer = catalogCommitter(catalog);
    const id = { namespace: [run], name: 'adapter' };
    const before = await committer.loadTable(id);
    const after = await committer.commitTable(
      id,
      [{ type: 'assert-table-uuid', uuid: before.metadata.tableUuid }],
      [{ action: 'set-properties', updates: { 'floe.via': 'committer' } }],
    );
    expect(after.metadata.properties['floe.via']).toBe('committer');
    const stale = await committer
      .commitTable(id, [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], [])
      .then(
        () => undefined,
        (error: unknown) => error as { kind?: string },
      );
    expect(stale?.kind).toBe('commit-conflict');
  });

  it('surfaces a failed requirement (409) as a retryable commit conflict', async () => {
    await catalog.createTable(`${run}.conflict`, { schema });
    const error = await caught(
      catalog.commitTable(`${run}.conflict`, {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 1234567890123456789n }],
        updates: [{ action: 'set-properties', updates: { touched: 'yes' } }],
      }),
    );
    expect(isCatalogError(error, 'commit-conflict')).toBe(true);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`commitTable table ${run}.conflict failed: a commit requirement failed`);
    expect(error.message).toContain('HTTP 409 CommitFailedException');
    const loaded = await catalog.loadTable(`${run}.conflict`);
    expect((loaded.metadata['properties'] as Record<string, string>)['touched']).toBeUndefined();
  });

  it('applies property updates and returns the new metadata', async () => {
    await catalog.createTable(`${run}.props_commit`, { schema });
    const result = await catalog.commitTable(`${run}.props_commit`, {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'floe.owner': 'writer' } }],
    });
    expect((result.metadata['properties'] as Record<string, string>)['floe.owner']).toBe('writer');
  });
});
