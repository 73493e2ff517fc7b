// Conflict validation for a merge-on-read delete planned on an older snapshot (spec §Commit
// Conflict Resolution: deletes must verify the files they delete from are still there). Walking
// the snapshots committed since the plan's base, the plan is stale when one of them
//   - removed (deleted or rewrote) a data file the plan deletes rows from — the positions point
//     into a file that is gone;
//   - added a delete file that may apply to such a data file — a deletion vector merged from the
//     old state would drop the other writer's deletes (a lost update), and the rows it removed
//     must not be counted as ours;
//   - added data files at all, when `appendsConflict` (upsert: a concurrent insert of the same
//     key must be found and replaced, or two rows would share the key).
// A stale plan is re-planned on the new base (a rebase), never committed as it is. A base that
// is no longer an ancestor (a rollback) is stale too.

import type { FileIO } from '../io/file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { ancestorsOf, currentSnapshot } from '../metadata/snapshot-queries.ts';
import { referencedDataFile } from '../scan/delete-index.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import type { PlannedRowDeletes } from './row-level-delete.ts';

export interface StaleReason {
  readonly snapshotId: bigint;
  readonly reason: string;
}

/** Why `plan` no longer applies on `metadata`, or undefined when it still does. */
export async function staleRowDeletes(
  io: FileIO,
  metadata: TableMetadata,
  plan: PlannedRowDeletes,
  appendsConflict: boolean,
): Promise<StaleReason | undefined> {
  const current = currentSnapshot(metadata);
  if (current?.snapshotId === plan.baseSnapshotId) return undefined;
  if (current === undefined) return { snapshotId: -1n, reason: 'the table has no current snapshot any more' };
  const newer = [];
  let reachedBase = plan.baseSnapshotId === undefined;
  for (const snapshot of ancestorsOf(metadata, current.snapshotId)) {
    if (snapshot.snapshotId === plan.baseSnapshotId) {
      reachedBase = true;
      break;
    }
    newer.push(snapshot);
  }
  if (!reachedBase) {
    return {
      snapshotId: current.snapshotId,
      reason: `snapshot ${plan.baseSnapshotId} is no longer an ancestor`,
    };
  }
  const targets = new Set(plan.targets.map((t) => t.file.filePath));
  for (const snapshot of newer) {
    const list = readManifestList(await io.read(snapshot.manifestList));
    for (const manifest of list.manifests) {
      if (manifest.addedSnapshotId !== snapshot.snapshotId) continue;
      const contents = readManifest(await io.read(manifest.manifestPath), manifest);
      for (const entry of contents.entries) {
        if (entry.snapshotId !== snapshot.snapshotId) continue;
        const file = entry.file;
        const stale = (reason: string) => ({ snapshotId: snapshot.snapshotId, reason });
        if (file.content === 'data') {
          if (entry.status === 'deleted' && targets.has(file.filePath)) {
            return stale(`it removed data file ${file.filePath}`);
          }
          if (entry.status === 'added' && appendsConflict)
            return stale(`it added data file ${file.filePath}`);
          continue;
        }
        if (entry.status !== 'added') continue;
        // A delete file naming no single data file may apply to any of ours: stale, to be safe.
        const target = referencedDataFile(file);
        if (target === undefined ? targets.size > 0 : targets.has(target)) {
          return stale(`it added delete file ${file.filePath}, which may apply to the same rows`);
        }
      }
    }
  }
  return undefined;
}
