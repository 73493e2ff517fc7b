// A maintenance commit's right of way, across the two apps, on the real Redis and catalog: while
// the maintenance worker's committer commits, the writers' commit lease sees the request under
// the same key (both derive it from queue.prefix and the catalog); it lapses by itself within
// its TTL, and is gone as soon as the action releases it. The holder's holding back is measured
// by bench/soak (compaction commit attempts).
import { randomUUID } from 'node:crypto';
import { catalogScopeOf, MAINTENANCE_RIGHT_OF_WAY_TTL_MS } from '@floe/jobs';
import { CommitRightOfWay } from '@floe/maintenance-worker';
import { loadStackEnv } from '@floe/test-support';
import { CommitLease } from '@floe/writer-worker';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { libraryTable } from './support/library-table.ts';

const stack = loadStackEnv();
const redis = new Redis(stack.redisUrl);
const table = libraryTable('right_of_way');
const prefix = `row-${randomUUID().slice(0, 8)}`;
const catalog = { uri: stack.catalogUri, warehouse: stack.catalogWarehouse };

afterAll(async () => {
  await table.close();
  redis.disconnect();
});

describe('right of way for a maintenance commit', () => {
  it('is seen by the commit lease while the maintenance commit runs, and gone after', async () => {
    await table.create();
    await table.append([1, 2]);
    const lease = new CommitLease({
      redis,
      prefix,
      catalogScope: catalogScopeOf(catalog),
      ttlMs: 5000,
      answerTimeoutMs: 60_000,
    });
    const rightOfWay = new CommitRightOfWay({ redis, queuePrefix: prefix, catalog, token: 'maint-1' });
    const seen: boolean[] = [];
    const way = rightOfWay.forTable(
      {
        loadTable: (id) => table.committer.loadTable(id),
        commitTable: async (id, requirements, updates) => {
          seen.push(await lease.maintenanceWaiting(table.name));
          return table.committer.commitTable(id, requirements, updates);
        },
      },
      table.identifier,
    );
    expect(await lease.maintenanceWaiting(table.name)).toBe(false);
    const base = await way.committer.loadTable(table.identifier);
    const committed = await way.committer.commitTable(
      table.identifier,
      [{ type: 'assert-table-uuid', uuid: base.metadata.tableUuid }],
      [{ action: 'set-properties', updates: { 'right-of-way.test': 'yes' } }],
    );
    expect(committed.metadata.properties['right-of-way.test']).toBe('yes');
    expect(seen).toEqual([true]);
    // It would lapse by itself (a maintenance worker that dies frees the writers).
    const ttl = await redis.pttl(rightOfWay.keyOf(table.identifier));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(MAINTENANCE_RIGHT_OF_WAY_TTL_MS);
    await way.release();
    expect(await lease.maintenanceWaiting(table.name)).toBe(false);

    // Another process's request is never released by this one.
    await redis.set(rightOfWay.keyOf(table.identifier), 'maint-2', 'PX', 5000);
    const other = rightOfWay.forTable(table.committer, table.identifier);
    await other.committer.commitTable(
      table.identifier,
      [],
      [{ action: 'set-properties', updates: { 'right-of-way.test': 'again' } }],
    );
    await redis.set(rightOfWay.keyOf(table.identifier), 'maint-2', 'PX', 5000);
    await other.release();
    expect(await lease.maintenanceWaiting(table.name)).toBe(true);
    await redis.del(rightOfWay.keyOf(table.identifier));
  });
});
