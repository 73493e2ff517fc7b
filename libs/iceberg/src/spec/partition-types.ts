// Partition specs, sort orders, snapshots and refs as plain data (spec §Partitioning,
// §Sorting, §Snapshots). Transforms are kept as their spec string (`bucket[16]`, `day`);
// parsing and applying them lives in the transform modules.

import type { Schema } from './types.ts';

export interface PartitionField {
  readonly sourceId: number;
  readonly fieldId: number;
  readonly name: string;
  readonly transform: string;
}

export interface PartitionSpec {
  readonly specId: number;
  readonly fields: readonly PartitionField[];
}

export type SortDirection = 'asc' | 'desc';
export type NullOrder = 'nulls-first' | 'nulls-last';

export interface SortField {
  readonly sourceId: number;
  readonly transform: string;
  readonly direction: SortDirection;
  readonly nullOrder: NullOrder;
}

export interface SortOrder {
  readonly orderId: number;
  readonly fields: readonly SortField[];
}

export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

export interface Snapshot {
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint;
  readonly sequenceNumber: bigint;
  readonly timestampMs: bigint;
  readonly manifestList: string;
  /** `operation` plus free-form string properties (spec §Snapshot summary). */
  readonly summary: { readonly operation: SnapshotOperation } & Readonly<Record<string, string>>;
  readonly schemaId?: number;
  /** v3 row lineage: the first row id this snapshot assigned, and how many it assigned. */
  readonly firstRowId?: bigint;
  readonly addedRows?: bigint;
}

export interface SnapshotRef {
  readonly snapshotId: bigint;
  readonly type: 'branch' | 'tag';
  readonly minSnapshotsToKeep?: number;
  readonly maxSnapshotAgeMs?: bigint;
  readonly maxRefAgeMs?: bigint;
}

export interface SnapshotLogEntry {
  readonly snapshotId: bigint;
  readonly timestampMs: bigint;
}

export interface MetadataLogEntry {
  readonly metadataFile: string;
  readonly timestampMs: bigint;
}

/** One blob of a Puffin statistics file (spec §Table Statistics). */
export interface BlobMetadata {
  readonly type: string;
  readonly snapshotId: bigint;
  readonly sequenceNumber: bigint;
  readonly fields: readonly number[];
  readonly properties?: Readonly<Record<string, string>>;
}

/** A Puffin statistics file attached to a snapshot; floe keeps these intact, never writes them. */
export interface StatisticsFile {
  readonly snapshotId: bigint;
  readonly statisticsPath: string;
  readonly fileSizeInBytes: bigint;
  readonly fileFooterSizeInBytes: bigint;
  readonly blobMetadata: readonly BlobMetadata[];
}

export interface PartitionStatisticsFile {
  readonly snapshotId: bigint;
  readonly statisticsPath: string;
  readonly fileSizeInBytes: bigint;
}

/** Domain form of table metadata (v1 and v2 files both read into this). */
export interface TableMetadata {
  readonly formatVersion: 1 | 2 | 3;
  readonly tableUuid: string;
  readonly location: string;
  readonly lastSequenceNumber: bigint;
  readonly lastUpdatedMs: bigint;
  readonly lastColumnId: number;
  readonly schemas: readonly Schema[];
  readonly currentSchemaId: number;
  readonly partitionSpecs: readonly PartitionSpec[];
  readonly defaultSpecId: number;
  readonly lastPartitionId: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly currentSnapshotId?: bigint;
  readonly snapshots: readonly Snapshot[];
  readonly snapshotLog: readonly SnapshotLogEntry[];
  readonly metadataLog: readonly MetadataLogEntry[];
  readonly sortOrders: readonly SortOrder[];
  readonly defaultSortOrderId: number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
  /** Statistics files per snapshot (`set-statistics`); absent when the table has none. */
  readonly statistics?: readonly StatisticsFile[];
  readonly partitionStatistics?: readonly PartitionStatisticsFile[];
  /** v3 row lineage: kept so a v3 table's metadata survives a read/write round trip. */
  readonly nextRowId?: bigint;
}
