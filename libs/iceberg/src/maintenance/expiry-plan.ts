// Which snapshots and refs an expiry removes, decided from table metadata alone (no IO), so the
// same plan serves the dry run, the real run and every rebase after a conflict. The policy has
// three layers, most specific first: a ref's own retention fields (`min-snapshots-to-keep`,
// `max-snapshot-age-ms`, `max-ref-age-ms` on the ref), then what the caller asks for explicitly,
// then the table properties `history.expire.*`, then the caller's configured defaults (e.g. from
// floe.yaml — per-table properties beat them), then Iceberg's built-in defaults (5 days, keep 1,
// refs never expire). Whatever the policy says, the current snapshot and the head of every
// retained branch or tag are kept; refs other than `main` expire when their head is older than
// their max ref age.
// A branch's history may also be capped by count (`maxSnapshots`, table property
// `floe.history.expire.max-snapshots`): a busy table committing several snapshots a second would
// otherwise keep tens of thousands of young snapshots, and every commit rewrites and every reader
// parses them all. The cap never goes below the branch's minimum to keep.
import { IcebergError } from '../errors.ts';
import type { RemoveSnapshotRefUpdate, RemoveSnapshotsUpdate, TableUpdate } from '../metadata/updates.ts';
import { MAIN_BRANCH } from '../metadata/wire.ts';
import type { Snapshot, SnapshotRef, TableMetadata } from '../spec/partition-types.ts';

export const MAX_SNAPSHOT_AGE_MS_PROPERTY = 'history.expire.max-snapshot-age-ms';
export const MIN_SNAPSHOTS_TO_KEEP_PROPERTY = 'history.expire.min-snapshots-to-keep';
export const MAX_REF_AGE_MS_PROPERTY = 'history.expire.max-ref-age-ms';
/** floe's own: at most this many snapshots of a branch's history are kept (an Iceberg table has no such cap). */
export const MAX_SNAPSHOTS_PROPERTY = 'floe.history.expire.max-snapshots';

/** Iceberg's defaults when neither the caller nor the table says otherwise. */
export const DEFAULT_MAX_SNAPSHOT_AGE_MS = 5n * 24n * 60n * 60n * 1000n;
export const DEFAULT_MIN_SNAPSHOTS_TO_KEEP = 1;

/** Retention values that table properties override (the maintenance worker's configuration). */
export interface ExpiryDefaults {
  readonly maxSnapshotAgeMs?: bigint;
  readonly minSnapshotsToKeep?: number;
  readonly maxRefAgeMs?: bigint;
  readonly maxSnapshots?: number;
}

export interface ExpiryPolicy {
  /** Snapshots older than this instant (ms since epoch) may expire; beats every age setting. */
  readonly olderThanMs?: bigint;
  /** Same as `olderThanMs = now − maxSnapshotAgeMs`; beats the table property. */
  readonly maxSnapshotAgeMs?: bigint;
  /** Keep at least this many snapshots of each branch's history (a ref's own setting wins). */
  readonly retainLast?: number;
  /** Keep at most this many snapshots of each branch's history (never fewer than the minimum to keep). */
  readonly maxSnapshots?: number;
  /**
   * Expire these snapshots whatever their age (never a ref's head), in addition to what the age
   * rules expire — as Iceberg does; pass `olderThanMs: 0n` to expire only these.
   */
  readonly snapshotIds?: readonly bigint[];
  /** Refs other than `main` whose head is older than this are removed; beats the table property. */
  readonly maxRefAgeMs?: bigint;
  /** Lower-priority values: the table's `history.expire.*` properties beat these. */
  readonly defaults?: ExpiryDefaults;
  /** The clock all ages are measured against; default now. */
  readonly nowMs?: bigint;
  /**
   * Keep every snapshot committed at or after this instant, whatever else the policy says (even
   * explicit `snapshotIds`): the maintenance worker pins the snapshots whose commit markers
   * unfinished write jobs may still look for.
   */
  readonly retainSinceMs?: bigint;
  /**
   * Keep every snapshot whose sequence number is at or above this, whatever else the policy says:
   * the precise form of `retainSinceMs` for v2+ tables (sequence numbers follow commit order,
   * timestamps follow the writers' clocks).
   */
  readonly retainFromSequenceNumber?: bigint;
}

export interface ExpiryPlan {
  /** Snapshot ids that expire, oldest first. */
  readonly expiredSnapshotIds: readonly bigint[];
  readonly retainedSnapshotIds: readonly bigint[];
  /** Refs removed because their head is older than their max ref age. */
  readonly expiredRefs: readonly string[];
  /** Snapshots the rest of the policy would have expired that `retainSinceMs` / `retainFromSequenceNumber` kept. */
  readonly retainedSinceCount: number;
  /** The commit: `remove-snapshot-ref` per expired ref, then one `remove-snapshots`; empty = nothing to do. */
  readonly updates: readonly TableUpdate[];
}

export interface PlanExpiryOptions {
  /**
   * Skip explicit ids the table no longer has instead of failing: a rebase after a conflict
   * may find that a concurrent expiry already removed them.
   */
  readonly ignoreMissingIds?: boolean;
}

export interface TableRetention {
  readonly nowMs: bigint;
  readonly olderThanMs: bigint;
  readonly minSnapshotsToKeep: number;
  readonly maxRefAgeMs: bigint | undefined;
  /** Count cap of a branch's retained history; undefined = no cap. */
  readonly maxSnapshots: number | undefined;
}

function invalid(message: string, context: Record<string, string | number>): never {
  throw new IcebergError('invalid-argument', message, { context });
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    invalid(`${what} must be an integer >= 1, got ${value}`, { what });
  return value;
}

function nonNegative(value: bigint, what: string): bigint {
  if (value < 0n) invalid(`${what} must not be negative, got ${value}`, { what });
  return value;
}

function longProperty(metadata: TableMetadata, key: string): bigint | undefined {
  const raw = metadata.properties[key];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim())) {
    invalid(`table property ${key} must be a non-negative whole number of milliseconds, got '${raw}'`, {
      property: key,
    });
  }
  return BigInt(raw.trim());
}

function intProperty(metadata: TableMetadata, key: string): number | undefined {
  const raw = metadata.properties[key];
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    invalid(`table property ${key} must be an integer >= 1, got '${raw}'`, { property: key });
  }
  return value;
}

/** The table-wide retention after layering caller, table properties and defaults. */
export function resolveRetention(metadata: TableMetadata, policy: ExpiryPolicy = {}): TableRetention {
  const nowMs = policy.nowMs ?? BigInt(Date.now());
  const defaults = policy.defaults ?? {};
  if (policy.retainLast !== undefined) positiveInt(policy.retainLast, 'retainLast');
  if (policy.maxSnapshots !== undefined) positiveInt(policy.maxSnapshots, 'maxSnapshots');
  if (defaults.minSnapshotsToKeep !== undefined) {
    positiveInt(defaults.minSnapshotsToKeep, 'defaults.minSnapshotsToKeep');
  }
  if (defaults.maxSnapshots !== undefined) positiveInt(defaults.maxSnapshots, 'defaults.maxSnapshots');
  for (const [what, value] of [
    ['maxSnapshotAgeMs', policy.maxSnapshotAgeMs],
    ['maxRefAgeMs', policy.maxRefAgeMs],
    ['defaults.maxSnapshotAgeMs', defaults.maxSnapshotAgeMs],
    ['defaults.maxRefAgeMs', defaults.maxRefAgeMs],
  ] as const) {
    if (value !== undefined) nonNegative(value, what);
  }
  const maxAge =
    policy.maxSnapshotAgeMs ??
    longProperty(metadata, MAX_SNAPSHOT_AGE_MS_PROPERTY) ??
    defaults.maxSnapshotAgeMs ??
    DEFAULT_MAX_SNAPSHOT_AGE_MS;
  return {
    nowMs,
    olderThanMs: policy.olderThanMs ?? nowMs - maxAge,
    minSnapshotsToKeep:
      policy.retainLast ??
      intProperty(metadata, MIN_SNAPSHOTS_TO_KEEP_PROPERTY) ??
      defaults.minSnapshotsToKeep ??
      DEFAULT_MIN_SNAPSHOTS_TO_KEEP,
    maxRefAgeMs:
      policy.maxRefAgeMs ?? longProperty(metadata, MAX_REF_AGE_MS_PROPERTY) ?? defaults.maxRefAgeMs,
    maxSnapshots:
      policy.maxSnapshots ?? intProperty(metadata, MAX_SNAPSHOTS_PROPERTY) ?? defaults.maxSnapshots,
  };
}

function refIsExpired(
  name: string,
  ref: SnapshotRef,
  head: Snapshot | undefined,
  retention: TableRetention,
): boolean {
  if (name === MAIN_BRANCH) return false;
  const maxRefAgeMs = ref.maxRefAgeMs ?? retention.maxRefAgeMs;
  // A ref whose head is already gone protects nothing; dropping it keeps the metadata valid.
  if (head === undefined) return true;
  return maxRefAgeMs !== undefined && retention.nowMs - head.timestampMs > maxRefAgeMs;
}

/** The branch head and the ancestors its retention keeps, newest first. */
function branchSnapshotsToKeep(
  head: Snapshot,
  ref: SnapshotRef,
  byId: ReadonlyMap<bigint, Snapshot>,
  retention: TableRetention,
): { kept: bigint[]; ancestry: bigint[] } {
  const minToKeep = ref.minSnapshotsToKeep ?? retention.minSnapshotsToKeep;
  const cap = retention.maxSnapshots ?? Number.POSITIVE_INFINITY;
  const olderThan =
    ref.maxSnapshotAgeMs === undefined ? retention.olderThanMs : retention.nowMs - ref.maxSnapshotAgeMs;
  const kept: bigint[] = [];
  const ancestry: bigint[] = [];
  let keeping = true;
  const seen = new Set<bigint>();
  for (let s: Snapshot | undefined = head; s !== undefined && !seen.has(s.snapshotId); ) {
    seen.add(s.snapshotId);
    ancestry.push(s.snapshotId);
    // Retention stops at the first ancestor that is beyond the minimum and either too old or past
    // the count cap: history is kept as one contiguous run from the head, never with holes.
    if (keeping && (kept.length < minToKeep || (s.timestampMs >= olderThan && kept.length < cap))) {
      kept.push(s.snapshotId);
    } else keeping = false;
    s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId);
  }
  return { kept, ancestry };
}

/**
 * Decides what an expiry removes from `metadata` under `policy`. Throws `invalid-argument` for a
 * bad policy value, a malformed `history.expire.*` table property, an unknown snapshot id, or an
 * explicit id that is the current snapshot or a ref's head.
 */
export function planExpiry(
  metadata: TableMetadata,
  policy: ExpiryPolicy = {},
  options: PlanExpiryOptions = {},
): ExpiryPlan {
  const retention = resolveRetention(metadata, policy);
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));

  const expiredRefs: string[] = [];
  const retainedRefs: [string, SnapshotRef][] = [];
  for (const [name, ref] of Object.entries(metadata.refs).sort(([a], [b]) => a.localeCompare(b))) {
    if (refIsExpired(name, ref, byId.get(ref.snapshotId), retention)) expiredRefs.push(name);
    else retainedRefs.push([name, ref]);
  }

  const explicit = new Set<bigint>();
  for (const id of policy.snapshotIds ?? []) {
    if (!byId.has(id)) {
      if (options.ignoreMissingIds) continue;
      invalid(`cannot expire snapshot ${id}: the table has no such snapshot`, { snapshotId: id.toString() });
    }
    const holder = retainedRefs.find(([, ref]) => ref.snapshotId === id)?.[0];
    if (holder !== undefined || id === metadata.currentSnapshotId) {
      invalid(
        `cannot expire snapshot ${id}: it is the ${holder === undefined ? 'current snapshot' : `head of ref '${holder}'`}; ` +
          'remove or move the ref first',
        { snapshotId: id.toString() },
      );
    }
    explicit.add(id);
  }

  const retained = new Set<bigint>();
  const referenced = new Set<bigint>();
  if (metadata.currentSnapshotId !== undefined) retained.add(metadata.currentSnapshotId);
  for (const [, ref] of retainedRefs) {
    const head = byId.get(ref.snapshotId);
    if (head === undefined) continue;
    retained.add(head.snapshotId);
    referenced.add(head.snapshotId);
    if (ref.type === 'tag') continue;
    const { kept, ancestry } = branchSnapshotsToKeep(head, ref, byId, retention);
    for (const id of kept) retained.add(id);
    for (const id of ancestry) referenced.add(id);
  }
  // Snapshots on no retained ref's history (e.g. left behind by an expired ref or a rollback)
  // follow the table-wide age alone.
  for (const snapshot of metadata.snapshots) {
    if (!referenced.has(snapshot.snapshotId) && snapshot.timestampMs >= retention.olderThanMs) {
      retained.add(snapshot.snapshotId);
    }
  }
  for (const id of explicit) retained.delete(id);
  let retainedSinceCount = 0;
  const pinned = (snapshot: Snapshot) =>
    (policy.retainSinceMs !== undefined && snapshot.timestampMs >= policy.retainSinceMs) ||
    (policy.retainFromSequenceNumber !== undefined &&
      snapshot.sequenceNumber >= policy.retainFromSequenceNumber);
  for (const snapshot of metadata.snapshots) {
    if (!retained.has(snapshot.snapshotId) && pinned(snapshot)) {
      retained.add(snapshot.snapshotId);
      retainedSinceCount += 1;
    }
  }

  const ordered = [...metadata.snapshots].sort((a, b) =>
    a.timestampMs === b.timestampMs
      ? a.sequenceNumber < b.sequenceNumber
        ? -1
        : 1
      : a.timestampMs < b.timestampMs
        ? -1
        : 1,
  );
  const expiredSnapshotIds = ordered.filter((s) => !retained.has(s.snapshotId)).map((s) => s.snapshotId);
  const updates: TableUpdate[] = expiredRefs.map(
    (refName): RemoveSnapshotRefUpdate => ({ action: 'remove-snapshot-ref', refName }),
  );
  if (expiredSnapshotIds.length > 0) {
    const remove: RemoveSnapshotsUpdate = { action: 'remove-snapshots', snapshotIds: expiredSnapshotIds };
    updates.push(remove);
  }
  return {
    expiredSnapshotIds,
    retainedSnapshotIds: ordered.filter((s) => retained.has(s.snapshotId)).map((s) => s.snapshotId),
    expiredRefs,
    retainedSinceCount,
    updates,
  };
}
