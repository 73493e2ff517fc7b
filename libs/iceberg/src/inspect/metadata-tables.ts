// Inspection tables read from table metadata alone (no file reads): snapshots, history and
// refs, as Arrow tables with the column names PyIceberg's `table.inspect` uses, so a person who
// knows one tool reads the other. Ids and sequence numbers are Int64, times are UTC
// millisecond timestamps; a snapshot summary is a JSON object in a string column (every value
// in a summary is a string, and one text column greps and prints better than an Arrow map).

import * as arrow from 'apache-arrow';
import { ancestorsOf, currentSnapshot, snapshotById } from '../metadata/snapshot-queries.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { stringifyJson } from '../util/json.ts';
import { bool, int32, int64, timestampMs, utf8 } from './inspect-values.ts';

/** One row per snapshot still in the metadata, oldest first. */
export function snapshotsTable(metadata: TableMetadata): arrow.Table {
  const snapshots = [...metadata.snapshots].sort((a, b) =>
    a.timestampMs === b.timestampMs
      ? Number(a.sequenceNumber - b.sequenceNumber)
      : a.timestampMs < b.timestampMs
        ? -1
        : 1,
  );
  return new arrow.Table({
    committed_at: timestampMs(snapshots.map((s) => s.timestampMs)),
    snapshot_id: int64(snapshots.map((s) => s.snapshotId)),
    parent_id: int64(snapshots.map((s) => s.parentSnapshotId ?? null)),
    sequence_number: int64(snapshots.map((s) => s.sequenceNumber)),
    operation: utf8(snapshots.map((s) => s.summary.operation)),
    manifest_list: utf8(snapshots.map((s) => s.manifestList)),
    summary: utf8(
      snapshots.map((s) => {
        const { operation: _operation, ...rest } = s.summary;
        return stringifyJson(rest);
      }),
    ),
  });
}

/**
 * The snapshot log: when each snapshot became current. `is_current_ancestor` is false for a
 * snapshot a rollback left behind (it was current once but the current state no longer
 * descends from it).
 */
export function historyTable(metadata: TableMetadata): arrow.Table {
  const current = currentSnapshot(metadata);
  const ancestors = new Set(
    current === undefined ? [] : [...ancestorsOf(metadata, current.snapshotId)].map((s) => s.snapshotId),
  );
  const log = metadata.snapshotLog;
  return new arrow.Table({
    made_current_at: timestampMs(log.map((e) => e.timestampMs)),
    snapshot_id: int64(log.map((e) => e.snapshotId)),
    parent_id: int64(log.map((e) => snapshotById(metadata, e.snapshotId)?.parentSnapshotId ?? null)),
    is_current_ancestor: bool(log.map((e) => ancestors.has(e.snapshotId))),
  });
}

/** Branches and tags, sorted by name; retention settings are null when the ref does not set them. */
export function refsTable(metadata: TableMetadata): arrow.Table {
  const names = Object.keys(metadata.refs).sort();
  const refs = names.map((name) => metadata.refs[name] as NonNullable<TableMetadata['refs'][string]>);
  return new arrow.Table({
    name: utf8(names),
    type: utf8(refs.map((r) => r.type)),
    snapshot_id: int64(refs.map((r) => r.snapshotId)),
    max_reference_age_in_ms: int64(refs.map((r) => r.maxRefAgeMs ?? null)),
    min_snapshots_to_keep: int32(refs.map((r) => r.minSnapshotsToKeep ?? null)),
    max_snapshot_age_in_ms: int64(refs.map((r) => r.maxSnapshotAgeMs ?? null)),
  });
}
