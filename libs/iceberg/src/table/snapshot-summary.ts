// The summary of a new snapshot (spec §Snapshot summary, the keys Java and PyIceberg write):
// what this snapshot added and removed, and running totals carried from the parent so readers
// can show table size without opening manifests.
import type { DataFile } from '../manifest/data-file.ts';
import type { Snapshot, SnapshotOperation } from '../spec/partition-types.ts';

export interface SnapshotDelta {
  readonly addedDataFiles: number;
  readonly addedRecords: bigint;
  readonly addedFilesSize: bigint;
  readonly deletedDataFiles: number;
  readonly deletedRecords: bigint;
  readonly removedFilesSize: bigint;
  readonly changedPartitions: number;
  /** Delete files (position, equality, deletion vectors) added and removed; absent = none. */
  readonly addedDeleteFiles?: DeleteFileCounts;
  readonly removedDeleteFiles?: DeleteFileCounts;
}

export interface DeleteFileCounts {
  readonly files: number;
  readonly positionDeleteFiles: number;
  readonly deletionVectors: number;
  readonly equalityDeleteFiles: number;
  readonly positionDeletes: bigint;
  readonly equalityDeletes: bigint;
  readonly size: bigint;
}

function countDeleteFiles(files: readonly DataFile[]): DeleteFileCounts {
  const dv = files.filter((f) => f.fileFormat === 'puffin');
  const position = files.filter((f) => f.content === 'position-deletes' && f.fileFormat !== 'puffin');
  const equality = files.filter((f) => f.content === 'equality-deletes');
  const rows = (list: readonly DataFile[]) => list.reduce((sum, f) => sum + f.recordCount, 0n);
  return {
    files: files.length,
    positionDeleteFiles: position.length,
    deletionVectors: dv.length,
    equalityDeleteFiles: equality.length,
    positionDeletes: rows(position) + rows(dv),
    equalityDeletes: rows(equality),
    // Deletion vectors share one Puffin file: count its bytes once.
    size: [...new Map(files.map((f) => [f.filePath, f.fileSizeInBytes])).values()].reduce(
      (a, b) => a + b,
      0n,
    ),
  };
}

/** The delete-file part of a delta. */
export function deleteFileDelta(
  added: readonly DataFile[],
  removed: readonly DataFile[],
): Pick<SnapshotDelta, 'addedDeleteFiles' | 'removedDeleteFiles'> {
  return {
    ...(added.length === 0 ? {} : { addedDeleteFiles: countDeleteFiles(added) }),
    ...(removed.length === 0 ? {} : { removedDeleteFiles: countDeleteFiles(removed) }),
  };
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
  const added = delta.addedDeleteFiles;
  const gone = delta.removedDeleteFiles;
  for (const [prefix, counts] of [
    ['added', added],
    ['removed', gone],
  ] as const) {
    if (counts === undefined) continue;
    put(`${prefix}-delete-files`, counts.files);
    put(`${prefix}-position-delete-files`, counts.positionDeleteFiles);
    put(`${prefix}-dvs`, counts.deletionVectors);
    put(`${prefix}-equality-delete-files`, counts.equalityDeleteFiles);
    put(`${prefix}-position-deletes`, counts.positionDeletes);
    put(`${prefix}-equality-deletes`, counts.equalityDeletes);
  }
  summary['changed-partition-count'] = String(delta.changedPartitions);
  const totals: [string, bigint][] = [
    ['total-data-files', BigInt(delta.addedDataFiles - delta.deletedDataFiles)],
    ['total-records', delta.addedRecords - delta.deletedRecords],
    [
      'total-files-size',
      delta.addedFilesSize - delta.removedFilesSize + (added?.size ?? 0n) - (gone?.size ?? 0n),
    ],
    ['total-delete-files', BigInt((added?.files ?? 0) - (gone?.files ?? 0))],
    ['total-position-deletes', (added?.positionDeletes ?? 0n) - (gone?.positionDeletes ?? 0n)],
    ['total-equality-deletes', (added?.equalityDeletes ?? 0n) - (gone?.equalityDeletes ?? 0n)],
  ];
  for (const [key, change] of totals) {
    const before = total(parent, key);
    // A parent written without totals leaves them unknown rather than wrong.
    if (before !== undefined) summary[key] = (before + change).toString();
  }
  return { ...summary, operation };
}
