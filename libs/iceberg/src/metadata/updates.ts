// The changes and preconditions of an Iceberg commit, as the REST catalog spec defines them
// (`TableUpdate`, discriminated by `action`, and `TableRequirement`, discriminated by `type`).
// Table actions produce `{ updates, requirements }`; the catalog client sends them, and the
// metadata builder applies them locally (tests, dry runs, the fake catalog). Field names are
// the camelCase of the spec's hyphenated names; longs are `bigint`. The id-valued updates
// accept -1 for "the one added earlier in this same commit", as the spec allows.

import type {
  PartitionSpec,
  Snapshot,
  SnapshotRef,
  SortOrder,
  StatisticsFile,
} from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';

/** The id that `set-current-schema`, `set-default-spec` and `set-default-sort-order` use for "last added". */
export const LAST_ADDED = -1;

export interface AssignUuidUpdate {
  readonly action: 'assign-uuid';
  readonly uuid: string;
}

export interface UpgradeFormatVersionUpdate {
  readonly action: 'upgrade-format-version';
  readonly formatVersion: number;
}

export interface AddSchemaUpdate {
  readonly action: 'add-schema';
  readonly schema: Schema;
  /** Deprecated in the spec but still required by older servers; sent when known. */
  readonly lastColumnId?: number;
}

export interface SetCurrentSchemaUpdate {
  readonly action: 'set-current-schema';
  /** A schema id, or `LAST_ADDED`. */
  readonly schemaId: number;
}

export interface AddSpecUpdate {
  readonly action: 'add-spec';
  readonly spec: PartitionSpec;
}

export interface SetDefaultSpecUpdate {
  readonly action: 'set-default-spec';
  /** A spec id, or `LAST_ADDED`. */
  readonly specId: number;
}

export interface AddSortOrderUpdate {
  readonly action: 'add-sort-order';
  readonly sortOrder: SortOrder;
}

export interface SetDefaultSortOrderUpdate {
  readonly action: 'set-default-sort-order';
  /** A sort order id, or `LAST_ADDED`. */
  readonly sortOrderId: number;
}

export interface AddSnapshotUpdate {
  readonly action: 'add-snapshot';
  readonly snapshot: Snapshot;
}

export interface SetSnapshotRefUpdate {
  readonly action: 'set-snapshot-ref';
  readonly refName: string;
  readonly ref: SnapshotRef;
}

export interface RemoveSnapshotsUpdate {
  readonly action: 'remove-snapshots';
  readonly snapshotIds: readonly bigint[];
}

export interface RemoveSnapshotRefUpdate {
  readonly action: 'remove-snapshot-ref';
  readonly refName: string;
}

export interface SetLocationUpdate {
  readonly action: 'set-location';
  readonly location: string;
}

export interface SetPropertiesUpdate {
  readonly action: 'set-properties';
  readonly updates: Readonly<Record<string, string>>;
}

export interface RemovePropertiesUpdate {
  readonly action: 'remove-properties';
  readonly removals: readonly string[];
}

export interface SetStatisticsUpdate {
  readonly action: 'set-statistics';
  readonly statistics: StatisticsFile;
}

export interface RemoveStatisticsUpdate {
  readonly action: 'remove-statistics';
  readonly snapshotId: bigint;
}

export type TableUpdate =
  | AssignUuidUpdate
  | UpgradeFormatVersionUpdate
  | AddSchemaUpdate
  | SetCurrentSchemaUpdate
  | AddSpecUpdate
  | SetDefaultSpecUpdate
  | AddSortOrderUpdate
  | SetDefaultSortOrderUpdate
  | AddSnapshotUpdate
  | SetSnapshotRefUpdate
  | RemoveSnapshotsUpdate
  | RemoveSnapshotRefUpdate
  | SetLocationUpdate
  | SetPropertiesUpdate
  | RemovePropertiesUpdate
  | SetStatisticsUpdate
  | RemoveStatisticsUpdate;

export type TableUpdateAction = TableUpdate['action'];

export interface AssertCreate {
  readonly type: 'assert-create';
}

export interface AssertTableUuid {
  readonly type: 'assert-table-uuid';
  readonly uuid: string;
}

export interface AssertRefSnapshotId {
  readonly type: 'assert-ref-snapshot-id';
  readonly ref: string;
  /** `null` asserts that the ref does not exist yet. */
  readonly snapshotId: bigint | null;
}

export interface AssertLastAssignedFieldId {
  readonly type: 'assert-last-assigned-field-id';
  readonly lastAssignedFieldId: number;
}

export interface AssertCurrentSchemaId {
  readonly type: 'assert-current-schema-id';
  readonly currentSchemaId: number;
}

export interface AssertLastAssignedPartitionId {
  readonly type: 'assert-last-assigned-partition-id';
  readonly lastAssignedPartitionId: number;
}

export interface AssertDefaultSpecId {
  readonly type: 'assert-default-spec-id';
  readonly defaultSpecId: number;
}

export interface AssertDefaultSortOrderId {
  readonly type: 'assert-default-sort-order-id';
  readonly defaultSortOrderId: number;
}

export type TableRequirement =
  | AssertCreate
  | AssertTableUuid
  | AssertRefSnapshotId
  | AssertLastAssignedFieldId
  | AssertCurrentSchemaId
  | AssertLastAssignedPartitionId
  | AssertDefaultSpecId
  | AssertDefaultSortOrderId;

export type TableRequirementType = TableRequirement['type'];
