// Read-only questions about a table's snapshots: the current one, one by id, the ancestry of
// a snapshot (parent links, newest first), the snapshot that was current at a time, and the
// newest ancestor carrying a summary property. The last one is the exactly-once check of the
// writer (DESIGN §5): before every commit attempt it looks for its job id in `floe.job-ids`
// along the main branch, back to the job's enqueue time.

import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';

export function snapshotById(metadata: TableMetadata, snapshotId: bigint): Snapshot | undefined {
  return metadata.snapshots.find((s) => s.snapshotId === snapshotId);
}

export function currentSnapshot(metadata: TableMetadata): Snapshot | undefined {
  return metadata.currentSnapshotId === undefined
    ? undefined
    : snapshotById(metadata, metadata.currentSnapshotId);
}

/** The head snapshot of a branch or tag (`main` is the current snapshot). */
export function snapshotForRef(metadata: TableMetadata, refName: string): Snapshot | undefined {
  const ref = metadata.refs[refName];
  return ref === undefined ? undefined : snapshotById(metadata, ref.snapshotId);
}

/**
 * The snapshot and its ancestors, newest first. The walk stops where a parent is no longer in
 * the metadata (expired), so the result is the ancestry this metadata can still prove.
 */
export function* ancestorsOf(metadata: TableMetadata, snapshotId: bigint): Generator<Snapshot> {
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
  const seen = new Set<bigint>();
  let next = byId.get(snapshotId);
  // `seen` guards against a corrupt file whose parent links form a loop.
  while (next !== undefined && !seen.has(next.snapshotId)) {
    seen.add(next.snapshotId);
    yield next;
    next = next.parentSnapshotId === undefined ? undefined : byId.get(next.parentSnapshotId);
  }
}

/**
 * The snapshot that was current at `timestampMs` according to the snapshot log: the last log
 * entry at or before that time. Undefined before the first entry or when that snapshot has
 * been expired.
 */
export function snapshotAsOf(metadata: TableMetadata, timestampMs: bigint): Snapshot | undefined {
  let found: bigint | undefined;
  for (const entry of metadata.snapshotLog) {
    if (entry.timestampMs <= timestampMs) found = entry.snapshotId;
  }
  return found === undefined ? undefined : snapshotById(metadata, found);
}

export interface FindSnapshotOptions {
  /** Branch or tag whose ancestry is searched; default `main`. */
  readonly ref?: string;
  /**
   * Stop at snapshots older than this (ms). Pass the job's enqueue time minus a clock-skew
   * margin: nothing committed before the job existed can contain it.
   */
  readonly notBeforeMs?: bigint;
}

/**
 * The newest snapshot in the ref's ancestry whose summary has `key` with a value accepted by
 * `predicate` (e.g. `floe.job-ids` containing a job id).
 */
export function findSnapshotWithProperty(
  metadata: TableMetadata,
  key: string,
  predicate: (value: string) => boolean,
  options: FindSnapshotOptions = {},
): Snapshot | undefined {
  const head = snapshotForRef(metadata, options.ref ?? 'main');
  if (head === undefined) return undefined;
  for (const snapshot of ancestorsOf(metadata, head.snapshotId)) {
    if (options.notBeforeMs !== undefined && snapshot.timestampMs < options.notBeforeMs) return undefined;
    const value = snapshot.summary[key];
    if (value !== undefined && predicate(value)) return snapshot;
  }
  return undefined;
}
