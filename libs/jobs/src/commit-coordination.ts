// The Redis keys writers and the maintenance worker share to coordinate commits to one table
// (DESIGN §5, "across processes"). Writers of a table hand their appends to the holder of the
// table's commit lease (apps/writer-worker commit-lease.ts); a maintenance commit (compaction,
// manifest rewrite, expiry) that keeps losing the optimistic race against that stream of appends
// asks for right of way by setting the table's `maintenance` key: the lease holder then holds
// its next commit back until the key is gone (or expires, should the maintenance worker die).
// Every process derives the same names from `queue.prefix` and the catalog it commits to.
import { createHash } from 'node:crypto';

/** How long a maintenance commit's right of way lasts without renewal (a dead worker frees writers after it). */
export const MAINTENANCE_RIGHT_OF_WAY_TTL_MS = 15_000;

/** What tells two catalogs apart: the catalog URI and warehouse (the SQL catalog: its URI too). */
export function catalogScopeOf(catalog: { readonly uri?: string; readonly warehouse?: string }): string {
  return `${catalog.uri ?? ''} ${catalog.warehouse ?? ''}`;
}

/** `<queue.prefix>:commit:<hash of the catalog scope>`: the root of every commit-coordination key. */
export function commitCoordinationBase(queuePrefix: string, catalogScope: string): string {
  const scope = createHash('sha256').update(catalogScope).digest('hex').slice(0, 12);
  return `${queuePrefix}:commit:${scope}`;
}

/** Set (with a TTL) while a maintenance commit on `table` (`ns.name`) wants the writers to hold back. */
export function maintenanceRightOfWayKey(base: string, table: string): string {
  return `${base}:${table}:maintenance`;
}
