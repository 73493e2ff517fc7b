// Domain form of one manifest list entry (spec §Manifest Lists, `manifest_file`): where a
// manifest lives, which spec and snapshot it belongs to, how many files and rows it adds, keeps
// and deletes, and per-partition-field summaries that let scan planning skip it. A manifest
// written for a commit that has not happened yet carries no sequence number; the manifest list
// writer assigns the snapshot's number when the commit is built.

export type ManifestContent = 'data' | 'deletes';

/** Summary of one partition field across a manifest's entries (`field_summary`). */
export interface FieldSummary {
  readonly containsNull: boolean;
  /** Undefined when the writer did not record it (older writers, non-float fields). */
  readonly containsNan?: boolean;
  /** Single-value binary form of the smallest non-null, non-NaN value. */
  readonly lowerBound?: Uint8Array;
  readonly upperBound?: Uint8Array;
}

export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: bigint;
  readonly partitionSpecId: number;
  readonly content: ManifestContent;
  /** Undefined = unassigned: the snapshot that commits this manifest assigns it. */
  readonly sequenceNumber: bigint | undefined;
  /** Smallest data sequence number of live entries; undefined = unassigned (as above). */
  readonly minSequenceNumber: bigint | undefined;
  readonly addedSnapshotId: bigint;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: bigint;
  readonly existingRowsCount: bigint;
  readonly deletedRowsCount: bigint;
  /** One summary per partition spec field, in spec order. */
  readonly partitions?: readonly FieldSummary[];
  readonly keyMetadata?: Uint8Array;
  /** Format v3 row lineage. */
  readonly firstRowId?: bigint;
}

export const MANIFEST_CONTENT_CODES: Readonly<Record<ManifestContent, number>> = {
  data: 0,
  deletes: 1,
};
