// Domain form of a manifest's contents (spec §Manifests): `DataFile` describes one data or
// delete file with its metrics, `ManifestEntry` records what a snapshot did with it. These are
// the types scan planning, commits and maintenance pass around; the Avro wire records (with
// upper-case formats, int status codes and key/value arrays for maps) stay private to the
// manifest reader and writer.
//
// Partition tuples are POSITIONAL: `partition[i]` is the value of the i-th field of the
// manifest's partition spec (`spec.fields[i]`), exactly as the Avro `partition` struct lays it
// out. Values follow the library's value contract (int/date → number, long/time/timestamp →
// bigint, decimal → unscaled bigint, uuid → string, fixed/binary → Uint8Array); null is a null
// partition value.

export type DataFileContent = 'data' | 'position-deletes' | 'equality-deletes';

export type DataFileFormat = 'parquet' | 'avro' | 'orc' | 'puffin';

export type PartitionValue = boolean | number | bigint | string | Uint8Array | null;

export interface DataFile {
  readonly content: DataFileContent;
  /** Full URI of the file, e.g. `s3://warehouse/db/t/data/…parquet`. */
  readonly filePath: string;
  readonly fileFormat: DataFileFormat;
  /** Positional: one value per field of the manifest's partition spec, in spec order. */
  readonly partition: readonly PartitionValue[];
  readonly recordCount: bigint;
  readonly fileSizeInBytes: bigint;
  /** Column metrics keyed by field id. */
  readonly columnSizes?: ReadonlyMap<number, bigint>;
  readonly valueCounts?: ReadonlyMap<number, bigint>;
  readonly nullValueCounts?: ReadonlyMap<number, bigint>;
  readonly nanValueCounts?: ReadonlyMap<number, bigint>;
  /** Field id → bound in single-value binary form (spec Appendix D). */
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
  readonly keyMetadata?: Uint8Array;
  readonly splitOffsets?: readonly bigint[];
  /** Field ids an equality delete file compares on (equality deletes only). */
  readonly equalityIds?: readonly number[];
  readonly sortOrderId?: number;
  /** Format v3 row lineage and deletion vectors; read when present, written for v3 only. */
  readonly firstRowId?: bigint;
  readonly referencedDataFile?: string;
  readonly contentOffset?: bigint;
  readonly contentSizeInBytes?: bigint;
}

export type ManifestEntryStatus = 'existing' | 'added' | 'deleted';

export interface ManifestEntry {
  readonly status: ManifestEntryStatus;
  /** Snapshot that added or deleted the file; undefined = inherit from the manifest. */
  readonly snapshotId: bigint | undefined;
  /** Data sequence number; undefined = inherit the manifest's (only for ADDED entries). */
  readonly sequenceNumber: bigint | undefined;
  /** File sequence number; undefined = inherit the manifest's (only for ADDED entries). */
  readonly fileSequenceNumber: bigint | undefined;
  readonly file: DataFile;
}

/** Avro status codes (spec: 0 existing, 1 added, 2 deleted). */
export const ENTRY_STATUS_CODES: Readonly<Record<ManifestEntryStatus, number>> = {
  existing: 0,
  added: 1,
  deleted: 2,
};

/** Avro content codes (spec: 0 data, 1 position deletes, 2 equality deletes). */
export const DATA_FILE_CONTENT_CODES: Readonly<Record<DataFileContent, number>> = {
  data: 0,
  'position-deletes': 1,
  'equality-deletes': 2,
};
