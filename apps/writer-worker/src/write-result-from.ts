// Maps a committed (or found-already-committed) snapshot to the job's `WriteResult`: Iceberg longs
// become decimal strings, the snapshot summary's counters become numbers. When the marker shows
// the job was committed earlier, the result describes that snapshot and says so.
import type { Snapshot } from '@floe/iceberg';
import type { WriteResult } from '@floe/jobs';

export interface WriteResultInput {
  readonly table: string;
  readonly snapshot: Snapshot;
  /** Schema id of the table the snapshot was read from (used when the snapshot records none). */
  readonly currentSchemaId: number;
  readonly attempts: number;
  readonly alreadyCommitted: boolean;
  readonly coalescedJobs?: number;
  /** This job's own files when it shared the snapshot with others (the summary counts all). */
  readonly own?: { readonly rows: number; readonly files: number; readonly bytes: number };
}

function count(summary: Readonly<Record<string, string>>, key: string): number {
  const value = Number(summary[key] ?? '0');
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function jobsIn(summary: Readonly<Record<string, string>>): number {
  const ids = summary['floe.job-ids'];
  return ids === undefined || ids === '' ? 1 : ids.split(',').length;
}

export function writeResultFrom(input: WriteResultInput): WriteResult {
  const { snapshot } = input;
  const summary = snapshot.summary;
  return {
    table: input.table,
    snapshotId: snapshot.snapshotId.toString(),
    sequenceNumber: snapshot.sequenceNumber.toString(),
    operation: summary.operation,
    addedRows: input.own?.rows ?? count(summary, 'added-records'),
    addedFiles: input.own?.files ?? count(summary, 'added-data-files'),
    addedBytes: input.own?.bytes ?? count(summary, 'added-files-size'),
    removedFiles: count(summary, 'deleted-data-files'),
    // A merged deletion vector re-counts earlier deletes of its file, which the removed one had.
    deletedRows: Math.max(
      0,
      count(summary, 'added-position-deletes') - count(summary, 'removed-position-deletes'),
    ),
    schemaId: snapshot.schemaId ?? input.currentSchemaId,
    attempts: Math.max(1, input.attempts),
    coalescedJobs: input.coalescedJobs ?? jobsIn(summary),
    committedAt: new Date(Number(snapshot.timestampMs)).toISOString(),
    alreadyCommitted: input.alreadyCommitted,
  };
}
