// Format v3 row lineage for a snapshot being committed (spec §Row Lineage, §First Row ID
// Assignment, §Snapshot Row IDs). Row ids are handed out by inheritance, so nothing in a data
// file or manifest is rewritten when a commit is retried: on each attempt the manifest list gives
// every data manifest that has no `first_row_id` yet the table's `next-row-id` onward (each
// taking its added + existing rows), the snapshot records `first-row-id` (where it started) and
// `added-rows` (how far it went), and the catalog moves `next-row-id` by `added-rows`. Data
// manifests carried over from before an upgrade to v3 have none and get one here, which is how
// existing rows of an upgraded table receive ids in its first v3 commit. Delete manifests never
// carry row ids.

import type { ManifestFile } from '../manifest/manifest-file.ts';
import type { TableMetadata } from '../spec/partition-types.ts';

export interface AssignedRowIds {
  readonly manifests: readonly ManifestFile[];
  /** The snapshot's `first-row-id`: the table's `next-row-id` at this attempt. */
  readonly firstRowId: bigint;
  /** The snapshot's `added-rows`: ids handed out by this snapshot. */
  readonly addedRows: bigint;
}

/** Assigns `first_row_id` to the data manifests that lack one (see header). */
export function assignRowIds(manifests: readonly ManifestFile[], nextRowId: bigint): AssignedRowIds {
  let next = nextRowId;
  const assigned = manifests.map((manifest) => {
    if (manifest.content !== 'data' || manifest.firstRowId !== undefined) return manifest;
    const first = next;
    next += manifest.addedRowsCount + manifest.existingRowsCount;
    return { ...manifest, firstRowId: first };
  });
  return { manifests: assigned, firstRowId: nextRowId, addedRows: next - nextRowId };
}

/** Whether snapshots of this table carry row lineage. */
export function tracksRowLineage(metadata: TableMetadata): boolean {
  return metadata.formatVersion >= 3;
}
