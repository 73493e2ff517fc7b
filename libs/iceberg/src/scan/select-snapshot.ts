// Which snapshot a scan reads and under which schema. A scan reads the current snapshot unless
// it asks for one by id, by the time it was current (the snapshot log), or by branch/tag name.
// Like PyIceberg, a time-travel read uses the schema the snapshot was written with (so a column
// added later is not there and a renamed column has its old name); a read of the current state
// uses the table's current schema. Every "no such snapshot" answer names what does exist, so a
// user can correct the id, time or ref without opening the metadata file.

import { IcebergError } from '../errors.ts';
import { currentSnapshot, snapshotAsOf, snapshotById, snapshotForRef } from '../metadata/snapshot-queries.ts';
import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import { currentSchema } from '../table/snapshot-producer.ts';

export interface SnapshotSelector {
  /** Read this snapshot. */
  readonly snapshotId?: bigint;
  /** Read the snapshot that was current at this time (ms since the epoch). */
  readonly asOfTimestampMs?: bigint;
  /** Read the head of this branch or tag. */
  readonly ref?: string;
}

export interface SelectedSnapshot {
  /** Undefined for a table without snapshots (an empty scan). */
  readonly snapshot: Snapshot | undefined;
  readonly schema: Schema;
}

const LISTED_SNAPSHOTS = 10;

/** Resolves the selector against `metadata`; `table` names the table in error messages. */
export function selectSnapshot(
  metadata: TableMetadata,
  selector: SnapshotSelector,
  table: string,
): SelectedSnapshot {
  const given = [selector.snapshotId, selector.asOfTimestampMs, selector.ref].filter((v) => v !== undefined);
  if (given.length > 1) {
    throw new IcebergError(
      'invalid-argument',
      `a scan of ${table} selects a snapshot by id, by timestamp or by ref — not by several at once`,
      { context: { table } },
    );
  }
  if (given.length === 0) return { snapshot: currentSnapshot(metadata), schema: currentSchema(metadata) };
  const snapshot = find(metadata, selector, table);
  return { snapshot, schema: schemaOf(metadata, snapshot) };
}

function find(metadata: TableMetadata, selector: SnapshotSelector, table: string): Snapshot {
  if (selector.snapshotId !== undefined) {
    const snapshot = snapshotById(metadata, selector.snapshotId);
    if (snapshot !== undefined) return snapshot;
    throw new IcebergError(
      'not-found',
      `table ${table} has no snapshot ${selector.snapshotId}; ${describeSnapshots(metadata)}`,
      { retryable: false, context: { table, snapshotId: selector.snapshotId } },
    );
  }
  if (selector.asOfTimestampMs !== undefined) return findAsOf(metadata, selector.asOfTimestampMs, table);
  const refName = selector.ref as string;
  const snapshot = snapshotForRef(metadata, refName);
  if (snapshot !== undefined) return snapshot;
  const refs = Object.keys(metadata.refs).sort();
  const known = refs.length === 0 ? 'it has no branches or tags' : `its refs are ${refs.join(', ')}`;
  throw new IcebergError('not-found', `table ${table} has no branch or tag '${refName}'; ${known}`, {
    retryable: false,
    context: { table, ref: refName },
  });
}

function findAsOf(metadata: TableMetadata, timestampMs: bigint, table: string): Snapshot {
  const snapshot = snapshotAsOf(metadata, timestampMs);
  if (snapshot !== undefined) return snapshot;
  const when = isoTime(timestampMs);
  const first = metadata.snapshotLog[0];
  const context = { table, asOfTimestampMs: timestampMs };
  if (first === undefined) {
    throw new IcebergError(
      'not-found',
      `table ${table} has no snapshots, so nothing was current at ${when}`,
      {
        retryable: false,
        context,
      },
    );
  }
  if (timestampMs < first.timestampMs) {
    throw new IcebergError(
      'not-found',
      `table ${table} has no snapshot as of ${when}: its first snapshot was committed at ${isoTime(first.timestampMs)}`,
      { retryable: false, context },
    );
  }
  throw new IcebergError(
    'not-found',
    `the snapshot of table ${table} that was current at ${when} has been expired; ${describeSnapshots(metadata)}`,
    { retryable: false, context },
  );
}

/** The schema a snapshot was written with (current schema when the snapshot does not say). */
function schemaOf(metadata: TableMetadata, snapshot: Snapshot): Schema {
  if (snapshot.schemaId === undefined) return currentSchema(metadata);
  return metadata.schemas.find((s) => s.schemaId === snapshot.schemaId) ?? currentSchema(metadata);
}

function describeSnapshots(metadata: TableMetadata): string {
  if (metadata.snapshots.length === 0) return 'it has no snapshots';
  const newest = [...metadata.snapshots]
    .sort((a, b) => (a.timestampMs < b.timestampMs ? 1 : a.timestampMs > b.timestampMs ? -1 : 0))
    .slice(0, LISTED_SNAPSHOTS)
    .map((s) => `${s.snapshotId} (${isoTime(s.timestampMs)})`);
  const more = metadata.snapshots.length - newest.length;
  return `its snapshots are ${newest.join(', ')}${more > 0 ? ` and ${more} older` : ''}`;
}

function isoTime(ms: bigint): string {
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}
