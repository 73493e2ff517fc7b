// The summary of a new snapshot (spec §Snapshot summary, the keys Java and PyIceberg write):
// what this snapshot added and removed, and running totals carried from the parent so readers
// can show table size without opening manifests.
import type { Snapshot, SnapshotOperation } from '../spec/partition-types.ts';

export interface SnapshotDelta {
  readonly addedDataFiles: number;
  readonly addedRecords: bigint;
  readonly addedFilesSize: bigint;
  readonly deletedDataFiles: number;
  readonly deletedRecords: bigint;
  readonly removedFilesSize: bigint;
  readonly changedPartitions: number;
  /** Delete files this snapshot removed (compaction retires them), and the deletes they held. */
  readonly removedDeleteFiles?: number;
  readonly removedPositionDeletes?: bigint;
  readonly removedEqualityDeletes?: bigint;
}

function total(parent: Snapshot | undefined, key: string): bigint | undefined {
  if (parent === undefined) return 0n;
  const raw = parent.summary[key];
  return raw !== undefined && /^\d+$/.test(raw) ? BigInt(raw) : undefined;
}

export function snapshotSummary(
  operation: SnapshotOperation,
  delta: SnapshotDelta,
  parent: Snapshot | undefined,
  properties: Readonly<Record<string, string>>,
): Snapshot['summary'] {
  const summary: Record<string, string> = { ...properties };
  const put = (key: string, value: bigint | number) => {
    if (BigInt(value) !== 0n) summary[key] = value.toString();
  };
  put('added-data-files', delta.addedDataFiles);
  put('added-records', delta.addedRecords);
  put('added-files-size', delta.addedFilesSize);
  put('deleted-data-files', delta.deletedDataFiles);
  put('deleted-records', delta.deletedRecords);
  put('removed-files-size', delta.removedFilesSize);
  put('removed-delete-files', delta.removedDeleteFiles ?? 0);
  put('removed-position-deletes', delta.removedPositionDeletes ?? 0n);
  put('removed-equality-deletes', delta.removedEqualityDeletes ?? 0n);
  summary['changed-partition-count'] = String(delta.changedPartitions);
  const totals: [string, bigint][] = [
    ['total-data-files', BigInt(delta.addedDataFiles - delta.deletedDataFiles)],
    ['total-records', delta.addedRecords - delta.deletedRecords],
    ['total-files-size', delta.addedFilesSize - delta.removedFilesSize],
    ['total-delete-files', -BigInt(delta.removedDeleteFiles ?? 0)],
    ['total-position-deletes', -(delta.removedPositionDeletes ?? 0n)],
    ['total-equality-deletes', -(delta.removedEqualityDeletes ?? 0n)],
  ];
  for (const [key, change] of totals) {
    const before = total(parent, key);
    // A parent written without totals leaves them unknown rather than wrong.
    if (before !== undefined) summary[key] = (before + change).toString();
  }
  return { ...summary, operation };
}
