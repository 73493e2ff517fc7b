// The SQL catalog on the embedded SQLite file (warehouse on the local filesystem) and on the
// stack's PostgreSQL server (warehouse on MinIO): the shared Catalog contract, the JDBC-catalog
// layout PyIceberg and JdbcCatalog read, a database whose tables lack JdbcCatalog's
// `iceberg_type` column, and the unknown-outcome rule — a PostgreSQL connection cut right after
// the pointer swap was sent is `commit-state-unknown`, and a reload shows whether it landed.

import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { type FileIO, fileIOFor, LocalFileIO } from '@floe/iceberg';
import { loadStackEnv, stackS3Properties } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_SCHEMA, caught, describeCatalogContract } from '../catalog-contract.test-helper.ts';
import { isCatalogError, SqlCatalog } from '../index.ts';

const env = loadStackEnv();
const run = `sql_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
const folder = mkdtempSync(join(tmpdir(), 'floe-sql-catalog-'));
const sqliteFile = join(folder, 'catalog.db');
const localWarehouse = pathToFileURL(join(folder, 'warehouse')).href;
const s3Warehouse = `s3://${env.warehouseBucket}/sql-catalog/${run}`;

let sqlite: SqlCatalog;
let postgres: SqlCatalog;
let s3io: FileIO;
const localIo = new LocalFileIO();

beforeAll(async () => {
  sqlite = new SqlCatalog({ uri: `sqlite:///${sqliteFile}`, warehouse: localWarehouse });
  s3io = fileIOFor(s3Warehouse, stackS3Properties(env));
  // One server for every run: each run is its own catalog (catalog_name), so runs never collide.
  postgres = new SqlCatalog({
    uri: env.postgresUri,
    name: run,
    warehouse: s3Warehouse,
    properties: stackS3Properties(env),
  });
  await sqlite.createNamespace(run);
  await postgres.createNamespace(run);
});

afterAll(async () => {
  await sqlite.close();
  await postgres.close();
  rmSync(folder, { recursive: true, force: true });
});

describeCatalogContract('SQLite', () => ({ catalog: sqlite, run, warehouse: localWarehouse, io: localIo }));
describeCatalogContract('PostgreSQL', () => ({ catalog: postgres, run, warehouse: s3Warehouse, io: s3io }));

describe('JDBC-catalog layout', () => {
  it('stores tables and namespace properties in the rows PyIceberg and JdbcCatalog read', async () => {
    await sqlite.createNamespace(`${run}.layout`, { owner: 'etl' });
    await sqlite.createNamespace(`${run}.bare`);
    const created = await sqlite.createTable(`${run}.layout.t`, { schema: CONTRACT_SCHEMA });
    const committed = await sqlite.commitTable(`${run}.layout.t`, {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { k: 'v' } }],
    });
    const db = new DatabaseSync(sqliteFile, { readOnly: true });
    try {
      const tables = db
        .prepare('SELECT * FROM iceberg_tables WHERE table_namespace = ?')
        .all(`${run}.layout`);
      expect(tables).toEqual([
        {
          catalog_name: 'floe',
          table_namespace: `${run}.layout`,
          table_name: 't',
          metadata_location: committed.metadataLocation,
          previous_metadata_location: created.metadataLocation,
          iceberg_type: 'TABLE',
        },
      ]);
      const properties = db
        .prepare(
          'SELECT namespace, property_key, property_value FROM iceberg_namespace_properties WHERE namespace LIKE ? ORDER BY namespace',
        )
        .all(`${run}.%`);
      expect(properties).toEqual(
        expect.arrayContaining([
          { namespace: `${run}.layout`, property_key: 'owner', property_value: 'etl' },
          { namespace: `${run}.bare`, property_key: 'exists', property_value: 'true' },
        ]),
      );
    } finally {
      db.close();
    }
    expect(created.metadataLocation).toMatch(/\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/);
    expect(committed.metadataLocation).toMatch(/\/metadata\/00001-[0-9a-f-]{36}\.metadata\.json$/);
  });

  it('works on a database whose iceberg_tables has no iceberg_type column (older JdbcCatalog, PyIceberg)', async () => {
    const file = join(folder, 'legacy.db');
    const db = new DatabaseSync(file);
    db.exec(`CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL,
      table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000),
      PRIMARY KEY (catalog_name, table_namespace, table_name))`);
    db.close();
    const legacy = new SqlCatalog({ uri: file, warehouse: localWarehouse, name: 'legacy' });
    try {
      await legacy.createNamespace('old');
      await legacy.createTable('old.t', { schema: CONTRACT_SCHEMA });
      expect(await legacy.listTables('old')).toEqual([{ namespace: ['old'], name: 't' }]);
    } finally {
      await legacy.close();
    }
  });

  it('refuses a namespace level with a dot and a URI that is no database, saying what to write', async () => {
    const dotted = await caught(sqlite.createNamespace([run, 'a.b']));
    expect(dotted.message).toContain('namespace level "a.b" contains a dot');
    expect(() => new SqlCatalog({ uri: 'http://127.0.0.1:8181', warehouse: localWarehouse })).toThrow(
      "catalog.uri 'http:…' is not a SQL catalog database; write sqlite:////absolute/path/catalog.db",
    );
  });

  it('never shows the PostgreSQL password in errors', async () => {
    const unreachable = new SqlCatalog({
      uri: 'postgresql://floe:s3cret-pw@127.0.0.1:1/postgres',
      warehouse: localWarehouse,
    });
    try {
      const error = await caught(unreachable.loadTable('a.b'));
      expect(error.kind).toBe('service-unavailable');
      expect(error.message).toContain('postgresql://127.0.0.1:1/postgres');
      expect(error.message).not.toContain('s3cret-pw');
    } finally {
      await unreachable.close();
    }
  });
});

describe('SQL catalog paths beyond the shared contract', () => {
  it('creates through a staged create and an assert-create commit, like a REST create transaction', async () => {
    const staged = await sqlite.createTable(`${run}.staged`, { schema: CONTRACT_SCHEMA, stageCreate: true });
    expect(staged.metadataLocation).toBeUndefined();
    expect(await sqlite.tableExists(`${run}.staged`)).toBe(false);
    const committed = await sqlite.commitTable(`${run}.staged`, {
      requirements: [{ type: 'assert-create' }],
      updates: [
        { action: 'assign-uuid', uuid: staged.metadata['table-uuid'] },
        { action: 'upgrade-format-version', 'format-version': 2 },
        { action: 'add-schema', schema: CONTRACT_SCHEMA },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-spec', spec: { 'spec-id': 0, fields: [] } },
        { action: 'set-default-spec', 'spec-id': -1 },
        { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
        { action: 'set-location', location: staged.metadata['location'] },
      ],
    });
    expect(committed.metadata['table-uuid']).toBe(staged.metadata['table-uuid']);
    const again = await caught(
      sqlite.commitTable(`${run}.staged`, { requirements: [{ type: 'assert-create' }], updates: [] }),
    );
    expect(again.kind).toBe('commit-conflict');
  });

  it('re-points a registered table with overwrite, and refuses bad commits with the reason', async () => {
    const a = await sqlite.createTable(`${run}.reg_a`, { schema: CONTRACT_SCHEMA });
    const b = await sqlite.createTable(`${run}.reg_b`, { schema: CONTRACT_SCHEMA });
    await sqlite.registerTable(`${run}.reg_c`, a.metadataLocation as string);
    const moved = await sqlite.registerTable(`${run}.reg_c`, b.metadataLocation as string, {
      overwrite: true,
    });
    expect(moved.metadata['table-uuid']).toBe(b.metadata['table-uuid']);
    expect((await sqlite.loadTable(`${run}.reg_c`)).metadataLocation).toBe(b.metadataLocation);

    const missing = await caught(sqlite.commitTable(`${run}.reg_none`, { requirements: [], updates: [] }));
    expect(missing.kind).toBe('no-such-table');
    const bad = await caught(
      sqlite.commitTable(`${run}.reg_a`, {
        requirements: [],
        updates: [{ action: 'set-current-schema', 'schema-id': 42 }],
      }),
    );
    expect(bad.kind).toBe('bad-request');
    expect(bad.message).toContain(`commitTable table ${run}.reg_a failed`);
    const unknown = await caught(
      sqlite.commitTable(`${run}.reg_a`, { requirements: [], updates: [{ action: 'no-such-update' }] }),
    );
    expect(unknown.kind).toBe('bad-request');
  });

  it('keeps namespaces with children, and refuses a key both updated and removed', async () => {
    await sqlite.createNamespace(`${run}.parent.child`);
    const notEmpty = await caught(sqlite.dropNamespace(`${run}.parent`));
    expect(notEmpty.kind).toBe('namespace-not-empty');
    const orphan = await caught(sqlite.createNamespace(`${run}.nowhere.child`, {}, { createParents: false }));
    expect(orphan.kind).toBe('no-such-namespace');
    const both = await caught(
      sqlite.updateNamespaceProperties(`${run}.parent`, { updates: { k: 'v' }, removals: ['k'] }),
    );
    expect(both.kind).toBe('bad-request');
    expect(both.message).toContain('the same property key was both updated and removed');
    expect(await sqlite.listNamespaces(`${run}.parent`)).toEqual([[run, 'parent', 'child']]);
  });
});

describe('unknown outcome on PostgreSQL', () => {
  let proxy: Server;
  let cutNextSwap = false;

  beforeAll(async () => {
    const upstream = new URL(env.postgresUri);
    proxy = createServer((client: Socket) => {
      const server = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
      // After the swap leaves, the server's answers are swallowed; once it reports the swap
      // committed (ReadyForQuery, idle) both sides are cut: the commit landed, the client never
      // heard — the unknown outcome at its most dangerous.
      let severed = false;
      server.on('data', (chunk: Buffer) => {
        if (!severed) {
          client.write(chunk);
        } else if (chunk.includes(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]))) {
          client.destroy();
          server.destroy();
        }
      });
      client.on('data', (chunk: Buffer) => {
        if (cutNextSwap && chunk.toString('latin1').includes('UPDATE iceberg_tables SET metadata_location')) {
          cutNextSwap = false;
          severed = true;
        }
        server.write(chunk);
      });
      const close = () => {
        client.destroy();
        server.destroy();
      };
      client.on('error', close);
      server.on('error', close);
      client.on('close', close);
      server.on('close', close);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it('reports commit-state-unknown when the connection breaks after the swap was sent, and keeps the file', async () => {
    const address = proxy.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const uri = new URL(env.postgresUri);
    uri.port = String(port);
    const viaProxy = new SqlCatalog({
      uri: uri.href,
      name: run,
      warehouse: s3Warehouse,
      properties: stackS3Properties(env),
    });
    try {
      await viaProxy.createTable(`${run}.unknown`, { schema: CONTRACT_SCHEMA });
      cutNextSwap = true;
      const error = await caught(
        viaProxy.commitTable(`${run}.unknown`, {
          requirements: [],
          updates: [{ action: 'set-properties', updates: { landed: 'maybe' } }],
        }),
      );
      expect(isCatalogError(error, 'commit-state-unknown')).toBe(true);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('the database connection broke after the commit was sent');
      // The reload decides: the server did apply it, and the file it points at was kept.
      const loaded = await postgres.loadTable(`${run}.unknown`);
      expect((loaded.metadata['properties'] as Record<string, string>)['landed']).toBe('maybe');
      expect(await s3io.exists(loaded.metadataLocation as string)).toBe(true);
    } finally {
      await viaProxy.close();
    }
  });
});
