// Refresh rules of the writer's table-state cache (table-state-cache.ts), on an in-memory catalog
// whose table changes between calls: when a job may start from the cached state, when it loads,
// and how loads, commit answers and reloads through the process's committer refresh it. That a
// stale "absent" can never commit a job twice is proven on the real stack in
// table-state-cache.integration.test.ts.
import type { Catalog, LoadedTable } from '@floe/catalog';
import { CatalogError } from '@floe/catalog';
import {
  applyUpdates,
  type CatalogCommitter,
  type CommittedTable,
  type TableMetadata,
  tableMetadataToJson,
} from '@floe/iceberg';
import { describe, expect, it } from 'vitest';
import { TableStateCache } from './table-state-cache.ts';

const id = { namespace: ['db'], name: 'events' };

function created(): TableMetadata {
  return applyUpdates(undefined, [
    {
      action: 'add-schema',
      schema: {
        schemaId: 0,
        identifierFieldIds: [],
        fields: [{ id: 1, name: 'id', required: true, type: { kind: 'long' } }],
      },
    },
    { action: 'set-location', location: 's3://warehouse/db/events' },
    { action: 'upgrade-format-version', formatVersion: 2 },
  ]);
}

/** The table after one more append snapshot (sequence number + 1). */
function appended(base: TableMetadata, snapshotId: bigint, jobId: string): TableMetadata {
  return applyUpdates(base, [
    {
      action: 'add-snapshot',
      snapshot: {
        snapshotId,
        sequenceNumber: base.lastSequenceNumber + 1n,
        timestampMs: base.lastUpdatedMs + 1n,
        manifestList: `s3://warehouse/db/events/metadata/snap-${snapshotId}.avro`,
        summary: { operation: 'append', 'floe.job-ids': jobId },
        schemaId: 0,
      },
    },
    { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId, type: 'branch' } },
  ]);
}

/** A catalog holding one table whose state the test moves; counts loads. */
class OneTableCatalog implements Pick<Catalog, 'loadTable'> {
  metadata: TableMetadata | undefined = created();
  version = 1;
  loads = 0;
  etag: string | undefined;
  config: Record<string, string> = { 's3.endpoint': 'http://127.0.0.1:9000' };

  async loadTable(): Promise<LoadedTable> {
    this.loads++;
    if (this.metadata === undefined) {
      throw new CatalogError('no-such-table', 'loadTable table db.events: the table does not exist');
    }
    return {
      identifier: id,
      metadataLocation: this.location(),
      metadata: tableMetadataToJson(this.metadata) as LoadedTable['metadata'],
      config: this.config,
      storageCredentials: [],
      etag: this.etag,
    };
  }

  location(): string {
    return `s3://warehouse/db/events/metadata/v${this.version}.metadata.json`;
  }

  commit(next: TableMetadata): CommittedTable {
    this.metadata = next;
    this.version++;
    return { metadata: next, metadataLocation: this.location() };
  }
}

function fixture(options: { maxAgeMs?: number; configMaxAgeMs?: number } = {}) {
  const catalog = new OneTableCatalog();
  let now = 1_000_000;
  const cache = new TableStateCache(catalog, { ...options, now: () => now });
  const inner: CatalogCommitter = {
    loadTable: async () => {
      const loaded = await catalog.loadTable();
      return { metadata: catalog.metadata as TableMetadata, metadataLocation: loaded.metadataLocation };
    },
    commitTable: async () => catalog.commit(appended(catalog.metadata as TableMetadata, 77n, 'job-c')),
  };
  return {
    catalog,
    cache,
    committer: cache.committer(inner),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('TableStateCache', () => {
  it('loads for the first job, then serves jobs from the cache while the state is young', async () => {
    const { catalog, cache, advance } = fixture({ maxAgeMs: 1000 });
    const first = await cache.forJob(id);
    expect(first.cached).toBe(false);
    expect(first.config).toEqual(catalog.config);
    advance(999);
    const second = await cache.forJob(id);
    expect(second.cached).toBe(true);
    expect(second.table).toBe(first.table);
    expect(catalog.loads).toBe(1);
    advance(1);
    expect((await cache.forJob(id)).cached).toBe(false);
    expect(catalog.loads).toBe(2);
  });

  it('always loads for a redelivered job, and the load refreshes the cache', async () => {
    const { catalog, cache } = fixture();
    await cache.forJob(id);
    catalog.commit(appended(catalog.metadata as TableMetadata, 11n, 'job-a'));
    const redelivered = await cache.forJob(id, { redelivered: true });
    expect(redelivered.cached).toBe(false);
    expect(redelivered.table.metadata.currentSnapshotId).toBe(11n);
    const next = await cache.forJob(id);
    expect(next.cached).toBe(true);
    expect(next.table.metadata.currentSnapshotId).toBe(11n);
  });

  it('revalidates on every job when the catalog sends ETags, parsing only a changed table', async () => {
    const { catalog, cache } = fixture();
    catalog.etag = '"v1"';
    const first = await cache.forJob(id);
    const second = await cache.forJob(id);
    expect(second.cached).toBe(false);
    expect(catalog.loads).toBe(2);
    // Same metadata location: the parsed metadata is reused, not parsed again.
    expect(second.table).toBe(first.table);
    catalog.commit(appended(catalog.metadata as TableMetadata, 12n, 'job-b'));
    const third = await cache.forJob(id);
    expect(third.table).not.toBe(first.table);
    expect(third.table.metadata.currentSnapshotId).toBe(12n);
  });

  it("is refreshed by the committer's commit answers and reloads, which keep it young", async () => {
    const { catalog, cache, committer, advance } = fixture({ maxAgeMs: 1000 });
    await cache.forJob(id);
    advance(900);
    await committer.commitTable(id, [], []);
    advance(900);
    const afterCommit = await cache.forJob(id);
    expect(afterCommit.cached).toBe(true);
    expect(afterCommit.table.metadata.currentSnapshotId).toBe(77n);
    // Another process commits; the conflict reload of our commit driver brings it in.
    catalog.commit(appended(catalog.metadata as TableMetadata, 78n, 'job-d'));
    await committer.loadTable(id);
    const afterReload = await cache.forJob(id);
    expect(afterReload.cached).toBe(true);
    expect(afterReload.table.metadata.currentSnapshotId).toBe(78n);
    expect(catalog.loads).toBe(2);
  });

  it('keeps the newer state when an older answer arrives late', async () => {
    const { catalog, cache } = fixture();
    await cache.forJob(id);
    const older = { metadata: catalog.metadata as TableMetadata, metadataLocation: catalog.location() };
    const newer = catalog.commit(appended(catalog.metadata as TableMetadata, 13n, 'job-e'));
    cache.remember(id, newer);
    cache.remember(id, older);
    expect((await cache.forJob(id)).table).toBe(newer);
  });

  it('loads again once the table config is older than configMaxAgeMs, even while commits keep the state young', async () => {
    const { catalog, cache, committer, advance } = fixture({ maxAgeMs: 1000, configMaxAgeMs: 5000 });
    await cache.forJob(id);
    for (let i = 0; i < 5; i++) {
      advance(900);
      await committer.loadTable(id);
    }
    catalog.config = { 's3.endpoint': 'http://127.0.0.1:9001' };
    advance(900);
    const job = await cache.forJob(id);
    expect(job.cached).toBe(false);
    expect(job.config).toEqual({ 's3.endpoint': 'http://127.0.0.1:9001' });
  });

  it('forgets a dropped table and passes the catalog error on', async () => {
    const { catalog, cache } = fixture();
    await cache.forJob(id);
    catalog.metadata = undefined;
    await expect(cache.forJob(id, { redelivered: true })).rejects.toThrow(/does not exist/);
    catalog.metadata = created();
    expect((await cache.forJob(id)).cached).toBe(false);
  });

  it('never serves a state whose config it has not seen (commit answers carry none)', async () => {
    const { catalog, cache, committer } = fixture();
    await committer.commitTable(id, [], []);
    expect((await cache.forJob(id)).cached).toBe(false);
    expect(catalog.loads).toBe(1);
  });
});
