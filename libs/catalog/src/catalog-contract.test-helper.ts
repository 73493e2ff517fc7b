// The `Catalog` contract as one test suite, run against every implementation — the REST client on
// Apache Iceberg's REST server, and the SQL catalog on SQLite and on PostgreSQL — so they cannot
// drift apart: namespaces with properties, create/load/register/rename/drop (with purge), and
// atomic commits (exact longs, requirement failures as retryable conflicts, the CatalogCommitter
// adapter). Messages are asserted on the part every implementation shares (operation, object,
// what went wrong); transport details (HTTP status, SQL database) are each runner's business.

import type { FileIO } from '@floe/iceberg';
import { describe, expect, it } from 'vitest';
import type { Catalog, CommitTableRequest, CreateTableResult } from './catalog.ts';
import { catalogCommitter, isCatalogError, tableMetadataOf } from './index.ts';

export interface CatalogContractSubject {
  readonly catalog: Catalog;
  /** A namespace unique to this run, created by the caller before the suite runs. */
  readonly run: string;
  /** The warehouse root tables go under (`s3://warehouse/`, `file:///…`). */
  readonly warehouse: string;
  /** Reads the warehouse, to see what a purge left behind. */
  readonly io: FileIO;
}

export const CONTRACT_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'event', type: 'string', required: false },
  ],
};

/** The commit of a first snapshot `snapshotId` on a new table (a manifest list that is never read). */
function firstSnapshotCommit(table: CreateTableResult, snapshotId: bigint): CommitTableRequest {
  const location = table.metadata['location'] as string;
  return {
    requirements: [
      { type: 'assert-table-uuid', uuid: table.metadata['table-uuid'] },
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
    ],
    updates: [
      {
        action: 'add-snapshot',
        snapshot: {
          'snapshot-id': snapshotId,
          'sequence-number': 1,
          'timestamp-ms': BigInt(Date.now()),
          'manifest-list': `${location}/metadata/snap-${snapshotId}-1-manual.avro`,
          summary: { operation: 'append' },
          'schema-id': 0,
        },
      },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
    ],
  };
}

export async function caught(
  promise: Promise<unknown>,
): Promise<Error & { kind?: string; retryable?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/** Registers the contract's tests; `subject` is called inside them (after the caller's beforeAll). */
export function describeCatalogContract(label: string, subject: () => CatalogContractSubject): void {
  const schema = CONTRACT_SCHEMA;

  describe(`${label}: namespaces`, () => {
    it('creates nested namespaces with their missing parents, and lists children', async () => {
      const { catalog, run } = subject();
      const created = await catalog.createNamespace(`${run}.bronze.raw.events`, { owner: 'etl' });
      expect(created.created).toBe(true);
      expect(created.properties['owner']).toBe('etl');
      expect(await catalog.namespaceExists(`${run}.bronze`)).toBe(true);
      expect(await catalog.namespaceExists([run, 'bronze', 'raw'])).toBe(true);
      expect(await catalog.listNamespaces(`${run}.bronze.raw`)).toEqual([[run, 'bronze', 'raw', 'events']]);
      expect((await catalog.listNamespaces()).some((ns) => ns.length === 1 && ns[0] === run)).toBe(true);
    });

    it('treats creating an existing namespace as success, or as an error when strict', async () => {
      const { catalog, run } = subject();
      await catalog.createNamespace(`${run}.bronze`);
      const again = await catalog.createNamespace(`${run}.bronze`);
      expect(again.created).toBe(false);
      const error = await caught(catalog.createNamespace(`${run}.bronze`, {}, { strict: true }));
      expect(error.kind).toBe('namespace-already-exists');
      expect(error.message).toContain(
        `createNamespace namespace ${run}.bronze failed: the namespace already exists`,
      );
    });

    it('loads, updates and removes properties and reports what changed', async () => {
      const { catalog, run } = subject();
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
      const { catalog, run } = subject();
      expect(await catalog.namespaceExists(`${run}.missing`)).toBe(false);
      const error = await caught(catalog.loadNamespace(`${run}.missing`));
      expect(error.kind).toBe('no-such-namespace');
      expect(error.message).toContain(
        `loadNamespace namespace ${run}.missing failed: the namespace does not exist`,
      );
    });

    it('drops an empty namespace and refuses a non-empty one', async () => {
      const { catalog, run } = subject();
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
  });

  describe(`${label}: tables`, () => {
    it('creates a table with spec, order, properties and location, then loads it', async () => {
      const { catalog, run, warehouse } = subject();
      const location = `${warehouse.replace(/\/$/, '')}/custom/${run}/orders`;
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
      const orders = loaded.metadata['sort-orders'] as { 'order-id': number }[];
      expect(orders.some((o) => o['order-id'] === 1)).toBe(true);
      expect(await catalog.tableExists(`${run}.orders`)).toBe(true);
      expect(await catalog.tableExists(`${run}.nothing`)).toBe(false);
    });

    it('create-if-not-exists twice creates once and then returns the existing table', async () => {
      const { catalog, run } = subject();
      const first = await catalog.createTableIfNotExists(`${run}.events`, { schema });
      const second = await catalog.createTableIfNotExists(`${run}.events`, { schema });
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.metadata['table-uuid']).toBe(first.metadata['table-uuid']);
      const error = await caught(catalog.createTable(`${run}.events`, { schema }));
      expect(error.kind).toBe('table-already-exists');
      expect(error.message).toContain(
        `createTable table ${run}.events failed: a table with that name already exists`,
      );
    });

    it('names the missing table, or the missing namespace, in load errors', async () => {
      const { catalog, run } = subject();
      const table = await caught(catalog.loadTable(`${run}.nope`));
      expect(table.kind).toBe('no-such-table');
      expect(table.message).toContain(`loadTable table ${run}.nope failed: the table does not exist`);
      const ns = await caught(catalog.listTables(`${run}_nowhere`));
      expect(ns.kind).toBe('no-such-namespace');
      expect(ns.message).toContain(
        `listTables tables in ${run}_nowhere failed: the namespace does not exist`,
      );
    });

    it('lists the tables of a namespace', async () => {
      const { catalog, run } = subject();
      await catalog.createNamespace(`${run}.many`);
      for (const name of ['a', 'b', 'c']) await catalog.createTable(`${run}.many.${name}`, { schema });
      const tables = await catalog.listTables(`${run}.many`);
      expect(tables.map((t) => t.name).sort()).toEqual(['a', 'b', 'c']);
      expect(tables[0]?.namespace).toEqual([run, 'many']);
    });

    it('registers a table from a metadata location', async () => {
      const { catalog, run } = subject();
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
      const { catalog, run } = subject();
      await catalog.createNamespace(`${run}.moved`);
      await catalog.createTable(`${run}.before`, { schema });
      await catalog.renameTable(`${run}.before`, `${run}.moved.after`);
      expect(await catalog.tableExists(`${run}.before`)).toBe(false);
      expect(await catalog.tableExists(`${run}.moved.after`)).toBe(true);
      const error = await caught(catalog.renameTable(`${run}.before`, `${run}.again`));
      expect(error.kind).toBe('no-such-table');
    });

    it('drops a table, purging its files when asked', async () => {
      const { catalog, run, io } = subject();
      const kept = await catalog.createTable(`${run}.drop_keep`, { schema });
      const purged = await catalog.createTable(`${run}.drop_purge`, { schema });
      await catalog.dropTable(`${run}.drop_keep`);
      await catalog.dropTable(`${run}.drop_purge`, { purge: true });
      expect(await catalog.tableExists(`${run}.drop_keep`)).toBe(false);
      expect(await catalog.tableExists(`${run}.drop_purge`)).toBe(false);
      expect(await io.exists(kept.metadataLocation as string)).toBe(true);
      expect(await io.exists(purged.metadataLocation as string)).toBe(false);
      const error = await caught(catalog.dropTable(`${run}.drop_keep`));
      expect(error.kind).toBe('no-such-table');
    });
  });

  describe(`${label}: commit`, () => {
    const maxLong = 9223372036854775807n;

    it('round-trips snapshot id 9223372036854775807 exactly through commit and load', async () => {
      const { catalog, run } = subject();
      const table = await catalog.createTable(`${run}.longs`, { schema });
      const committed = await catalog.commitTable(`${run}.longs`, firstSnapshotCommit(table, maxLong));
      expect(committed.metadata['current-snapshot-id']).toBe(maxLong);
      expect(committed.metadataLocation).not.toBe(table.metadataLocation);
      const loaded = await catalog.loadTable(`${run}.longs`);
      expect(loaded.metadataLocation).toBe(committed.metadataLocation);
      expect(loaded.metadata['current-snapshot-id']).toBe(maxLong);
      const snapshots = loaded.metadata['snapshots'] as { 'snapshot-id': unknown }[];
      expect(snapshots.map((s) => s['snapshot-id'])).toEqual([maxLong]);
      const refs = loaded.metadata['refs'] as Record<string, { 'snapshot-id': unknown }>;
      expect(refs['main']?.['snapshot-id']).toBe(maxLong);
      const log = loaded.metadata['metadata-log'] as { 'metadata-file': string }[];
      expect(log.map((e) => e['metadata-file'])).toContain(table.metadataLocation);
      // …and the domain form the writers use sees the same value.
      const domain = tableMetadataOf(loaded);
      expect(domain.currentSnapshotId).toBe(maxLong);
      expect(domain.snapshots[0]?.snapshotId).toBe(maxLong);
    });

    it('commits domain updates through the CatalogCommitter adapter', async () => {
      const { catalog, run } = subject();
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

    it('surfaces a failed requirement as a retryable commit conflict and changes nothing', async () => {
      const { catalog, run } = subject();
      await catalog.createTable(`${run}.conflict`, { schema });
      const error = await caught(
        catalog.commitTable(`${run}.conflict`, {
          requirements: [
            { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 1234567890123456789n },
          ],
          updates: [{ action: 'set-properties', updates: { touched: 'yes' } }],
        }),
      );
      expect(isCatalogError(error, 'commit-conflict')).toBe(true);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(
        `commitTable table ${run}.conflict failed: a commit requirement failed`,
      );
      const loaded = await catalog.loadTable(`${run}.conflict`);
      expect((loaded.metadata['properties'] as Record<string, string>)['touched']).toBeUndefined();
    });

    it('applies property updates and returns the new metadata', async () => {
      const { catalog, run } = subject();
      await catalog.createTable(`${run}.props_commit`, { schema });
      const result = await catalog.commitTable(`${run}.props_commit`, {
        requirements: [],
        updates: [{ action: 'set-properties', updates: { 'floe.owner': 'writer' } }],
      });
      expect((result.metadata['properties'] as Record<string, string>)['floe.owner']).toBe('writer');
    });

    it('lets exactly one of two commits on the same base win; the other is a conflict', async () => {
      const { catalog, run } = subject();
      const table = await catalog.createTable(`${run}.race`, { schema });
      const commit = (who: string) =>
        catalog.commitTable(`${run}.race`, firstSnapshotCommit(table, who === 'a' ? 11n : 12n));
      const outcomes = await Promise.allSettled([commit('a'), commit('b')]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won.length).toBe(1);
      expect(lost.length).toBe(1);
      expect(isCatalogError(lost[0]?.reason, 'commit-conflict')).toBe(true);
      const loaded = await catalog.loadTable(`${run}.race`);
      expect((loaded.metadata['snapshots'] as unknown[]).length).toBe(1);
    });
  });
}
