// How many small data files the table's main branch has gained since its last compaction, read
// from snapshot summaries alone (no IO): the writer asks this after each commit to decide whether
// to ask the maintenance worker for a compaction now rather than at the next scheduled tick. A
// commit's files count as small when their average size (`added-files-size` / `added-data-files`)
// is below compaction's small-file threshold. The walk stops at the last `replace` snapshot (a
// compaction or a rewrite) and after `maxSnapshots` snapshots, so it is cheap on any history.
import type { TableMetadata } from '../spec/partition-types.ts';
import { resolveCompactionOptions } from './compaction-plan.ts';

/** Table property: ask for a compaction once this many small files landed since the last one; 0 = never. */
export const COMPACTION_TRIGGER_PROPERTY = 'floe.compaction.trigger-small-files';

function count(summary: Readonly<Record<string, string>>, key: string): number {
  const value = Number(summary[key] ?? 0);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

export function smallFilesSinceCompaction(metadata: TableMetadata, maxSnapshots = 1000): number {
  const { minFileSizeBytes } = resolveCompactionOptions(metadata);
  const byId = new Map(metadata.snapshots.map((s) => [s.snapshotId, s]));
  let id = metadata.refs['main']?.snapshotId ?? metadata.currentSnapshotId;
  let small = 0;
  for (let seen = 0; id !== undefined && seen < maxSnapshots; seen++) {
    const snapshot = byId.get(id);
    if (snapshot === undefined || snapshot.summary['operation'] === 'replace') break;
    const files = count(snapshot.summary, 'added-data-files');
    if (files > 0 && count(snapshot.summary, 'added-files-size') / files < minFileSizeBytes) small += files;
    id = snapshot.parentSnapshotId;
  }
  return small;
}

/** The table's trigger: its property, else `fallback` (floe.yaml); 0 = never. */
export function compactionTrigger(metadata: TableMetadata, fallback: number): number {
  const raw = metadata.properties[COMPACTION_TRIGGER_PROPERTY];
  const value = raw === undefined ? Number.NaN : Number(raw.trim());
  return Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}
