// Applies REST `TableUpdate`s to table metadata, producing the next version, with the spec's
// rules enforced: ids only grow (schemas, specs, sort orders, `last-column-id`,
// `last-partition-id`), -1 means "the one added in this commit", the `main` branch is the
// current snapshot, v2 sequence numbers increase, moving `main` appends to the snapshot log,
// and the previous metadata file goes into the metadata log. Starting from `undefined`
// builds the metadata of a new table (a create transaction). The result is checked with the
// same cross-reference rules as a metadata file read from storage.

import { randomUUID } from 'node:crypto';
import { IcebergError } from '../errors.ts';
import type {
  MetadataLogEntry,
  PartitionSpec,
  Snapshot,
  SnapshotLogEntry,
  SnapshotRef,
  SortOrder,
  StatisticsFile,
  TableMetadata,
} from '../spec/partition-types.ts';
import { highestFieldId } from '../spec/schema.ts';
import type { Schema } from '../spec/types.ts';
import { LAST_ADDED, type TableUpdate } from './updates.ts';
import { MAIN_BRANCH, SUPPORTED_FORMAT_VERSIONS, validateReferences } from './wire.ts';

export interface ApplyUpdatesOptions {
  /** Clock for `last-updated-ms` and log entries; defaults to `Date.now()`. */
  readonly nowMs?: bigint;
  /** Location of the metadata file `base` was read from; recorded in the metadata log. */
  readonly previousMetadataLocation?: string;
}

/** Table property bounding the metadata log (spec default 100). */
export const METADATA_PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';
const DEFAULT_PREVIOUS_VERSIONS_MAX = 100;
const NEW_TABLE_FORMAT_VERSION = 2;

const sameFields = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class MetadataBuilder {
  readonly state: Mutable<TableMetadata>;
  readonly isNew: boolean;
  lastAddedSchemaId: number | undefined;
  lastAddedSpecId: number | undefined;
  lastAddedSortOrderId: number | undefined;
  readonly addedSnapshots = new Map<bigint, Snapshot>();
  index = 0;
  action = '';

  constructor(base: TableMetadata | undefined, nowMs: bigint) {
    this.isNew = base === undefined;
    this.state = base
      ? { ...base, refs: { ...base.refs }, properties: { ...base.properties } }
      : {
          formatVersion: NEW_TABLE_FORMAT_VERSION,
          tableUuid: '',
          location: '',
          lastSequenceNumber: 0n,
          lastUpdatedMs: nowMs,
          lastColumnId: 0,
          schemas: [],
          currentSchemaId: -1,
          partitionSpecs: [],
          defaultSpecId: -1,
          lastPartitionId: 999,
          properties: {},
          snapshots: [],
          snapshotLog: [],
          metadataLog: [],
          sortOrders: [],
          defaultSortOrderId: -1,
          refs: {},
        };
  }

  fail(problem: string): never {
    throw new IcebergError(
      'invalid-argument',
      `cannot apply ${this.action} (updates[${this.index}]): ${problem}`,
      {
        context: { action: this.action, index: this.index },
      },
    );
  }

  resolveLastAdded(id: number, lastAdded: number | undefined, what: string): number {
    if (id !== LAST_ADDED) return id;
    if (lastAdded === undefined)
      this.fail(`-1 refers to the last added ${what}, but none was added in this commit`);
    return lastAdded;
  }

  apply(update: TableUpdate, nowMs: bigint): void {
    const s = this.state;
    switch (update.action) {
      case 'assign-uuid':
        if (s.tableUuid !== '' && s.tableUuid !== update.uuid) {
          this.fail(`the table already has uuid ${s.tableUuid}; a uuid is assigned only at creation`);
        }
        s.tableUuid = update.uuid;
        return;
      case 'upgrade-format-version':
        if (!SUPPORTED_FORMAT_VERSIONS.includes(update.formatVersion)) {
          this.fail(`format version ${update.formatVersion} is not supported (1, 2 or 3)`);
        }
        if (update.formatVersion < s.formatVersion) {
          this.fail(`cannot downgrade format version ${s.formatVersion} to ${update.formatVersion}`);
        }
        s.formatVersion = update.formatVersion as 1 | 2 | 3;
        // Row lineage starts at 0 when a table becomes v3 (spec: Row Lineage for Upgraded Tables).
        if (s.formatVersion >= 3 && s.nextRowId === undefined) s.nextRowId = 0n;
        return;
      case 'add-schema':
        this.addSchema(update.schema, update.lastColumnId);
        return;
      case 'set-current-schema': {
        const id = this.resolveLastAdded(update.schemaId, this.lastAddedSchemaId, 'schema');
        if (!s.schemas.some((x) => x.schemaId === id)) this.fail(`schema ${id} does not exist`);
        s.currentSchemaId = id;
        return;
      }
      case 'add-spec':
        this.addSpec(update.spec);
        return;
      case 'set-default-spec': {
        const id = this.resolveLastAdded(update.specId, this.lastAddedSpecId, 'partition spec');
        if (!s.partitionSpecs.some((x) => x.specId === id)) this.fail(`partition spec ${id} does not exist`);
        s.defaultSpecId = id;
        return;
      }
      case 'add-sort-order':
        this.addSortOrder(update.sortOrder);
        return;
      case 'set-default-sort-order': {
        const id = this.resolveLastAdded(update.sortOrderId, this.lastAddedSortOrderId, 'sort order');
        if (!s.sortOrders.some((x) => x.orderId === id)) this.fail(`sort order ${id} does not exist`);
        s.defaultSortOrderId = id;
        return;
      }
      case 'add-snapshot':
        this.addSnapshot(update.snapshot);
        return;
      case 'set-snapshot-ref':
        this.setRef(update.refName, update.ref, nowMs);
        return;
      case 'remove-snapshots':
        this.removeSnapshots(new Set(update.snapshotIds));
        return;
      case 'remove-snapshot-ref':
        this.removeRef(update.refName);
        return;
      case 'set-location':
        if (update.location === '') this.fail('location must not be empty');
        s.location = update.location;
        return;
      case 'set-properties':
        s.properties = { ...s.properties, ...update.updates };
        return;
      case 'remove-properties': {
        const properties = { ...s.properties };
        for (const key of update.removals) delete properties[key];
        s.properties = properties;
        return;
      }
      case 'set-statistics':
        this.setStatistics(update.statistics);
        return;
      case 'remove-statistics':
        s.statistics = (s.statistics ?? []).filter((f) => f.snapshotId !== update.snapshotId);
        return;
    }
  }

  addSchema(schema: Schema, requestedLastColumnId: number | undefined): void {
    const s = this.state;
    if (requestedLastColumnId !== undefined && requestedLastColumnId < s.lastColumnId) {
      this.fail(
        `last-column-id ${requestedLastColumnId} is below the table's ${s.lastColumnId}; ids never go back`,
      );
    }
    const existing = s.schemas.find(
      (x) =>
        sameFields(x.fields, schema.fields) && sameFields(x.identifierFieldIds, schema.identifierFieldIds),
    );
    s.lastColumnId = Math.max(s.lastColumnId, requestedLastColumnId ?? 0, highestFieldId(schema));
    if (existing !== undefined) {
      this.lastAddedSchemaId = existing.schemaId;
      return;
    }
    // Like other catalogs, the schema id is assigned here; the one in the request is a hint.
    const schemaId = s.schemas.reduce((max, x) => Math.max(max, x.schemaId), -1) + 1;
    s.schemas = [...s.schemas, { ...schema, schemaId }];
    this.lastAddedSchemaId = schemaId;
  }

  addSpec(spec: PartitionSpec): void {
    const s = this.state;
    const existing = s.partitionSpecs.find((x) => sameFields(x.fields, spec.fields));
    s.lastPartitionId = spec.fields.reduce((max, f) => Math.max(max, f.fieldId), s.lastPartitionId);
    if (existing !== undefined) {
      this.lastAddedSpecId = existing.specId;
      return;
    }
    const specId = s.partitionSpecs.reduce((max, x) => Math.max(max, x.specId), -1) + 1;
    s.partitionSpecs = [...s.partitionSpecs, { ...spec, specId }];
    this.lastAddedSpecId = specId;
  }

  addSortOrder(order: SortOrder): void {
    const s = this.state;
    const existing = s.sortOrders.find((x) => sameFields(x.fields, order.fields));
    if (existing !== undefined) {
      this.lastAddedSortOrderId = existing.orderId;
      return;
    }
    // Order id 0 is reserved for "unsorted"; real orders start at 1.
    const orderId =
      order.fields.length === 0 ? 0 : s.sortOrders.reduce((max, x) => Math.max(max, x.orderId), 0) + 1;
    s.sortOrders = [...s.sortOrders, { ...order, orderId }];
    this.lastAddedSortOrderId = orderId;
  }

  addSnapshot(snapshot: Snapshot): void {
    const s = this.state;
    if (s.snapshots.some((x) => x.snapshotId === snapshot.snapshotId)) {
      this.fail(`snapshot ${snapshot.snapshotId} already exists`);
    }
    if (s.formatVersion >= 2) {
      if (snapshot.sequenceNumber <= s.lastSequenceNumber && snapshot.parentSnapshotId !== undefined) {
        this.fail(
          `sequence number ${snapshot.sequenceNumber} is not above the table's last sequence number ${s.lastSequenceNumber}`,
        );
      }
      if (snapshot.sequenceNumber > s.lastSequenceNumber) s.lastSequenceNumber = snapshot.sequenceNumber;
    }
    if (s.formatVersion >= 3) {
      const next = s.nextRowId ?? 0n;
      if (snapshot.firstRowId === undefined || snapshot.addedRows === undefined) {
        this.fail(`v3 snapshot ${snapshot.snapshotId} needs first-row-id and added-rows (row lineage)`);
      }
      if (snapshot.firstRowId < next) {
        this.fail(`first-row-id ${snapshot.firstRowId} is behind the table's next-row-id ${next}`);
      }
      s.nextRowId = snapshot.firstRowId + snapshot.addedRows;
    }
    s.snapshots = [...s.snapshots, snapshot];
    this.addedSnapshots.set(snapshot.snapshotId, snapshot);
  }

  setRef(name: string, ref: SnapshotRef, nowMs: bigint): void {
    const s = this.state;
    const snapshot = s.snapshots.find((x) => x.snapshotId === ref.snapshotId);
    if (snapshot === undefined) this.fail(`snapshot ${ref.snapshotId} does not exist`);
    if (name === MAIN_BRANCH && ref.type !== 'branch')
      this.fail(`'${MAIN_BRANCH}' must be a branch, not a ${ref.type}`);
    const previous = s.refs[name];
    s.refs = { ...s.refs, [name]: ref };
    if (name !== MAIN_BRANCH || previous?.snapshotId === ref.snapshotId) return;
    s.currentSnapshotId = ref.snapshotId;
    // A snapshot committed in this change became current when it was made; an older one now.
    const at = this.addedSnapshots.has(ref.snapshotId) ? snapshot.timestampMs : nowMs;
    s.snapshotLog = [...s.snapshotLog, { snapshotId: ref.snapshotId, timestampMs: at }];
  }

  removeRef(name: string): void {
    const s = this.state;
    const refs = { ...s.refs };
    delete refs[name];
    s.refs = refs;
    if (name === MAIN_BRANCH) delete s.currentSnapshotId;
  }

  removeSnapshots(ids: ReadonlySet<bigint>): void {
    const s = this.state;
    s.snapshots = s.snapshots.filter((x) => !ids.has(x.snapshotId));
    for (const [name, ref] of Object.entries(s.refs)) if (ids.has(ref.snapshotId)) this.removeRef(name);
    s.snapshotLog = s.snapshotLog.filter((e: SnapshotLogEntry) => !ids.has(e.snapshotId));
    if (s.statistics !== undefined) s.statistics = s.statistics.filter((f) => !ids.has(f.snapshotId));
    if (s.partitionStatistics !== undefined) {
      s.partitionStatistics = s.partitionStatistics.filter((f) => !ids.has(f.snapshotId));
    }
  }

  setStatistics(file: StatisticsFile): void {
    const s = this.state;
    if (!s.snapshots.some((x) => x.snapshotId === file.snapshotId))
      this.fail(`snapshot ${file.snapshotId} does not exist`);
    s.statistics = [...(s.statistics ?? []).filter((f) => f.snapshotId !== file.snapshotId), file];
  }
}

function previousVersionsMax(properties: Readonly<Record<string, string>>): number {
  const raw = properties[METADATA_PREVIOUS_VERSIONS_MAX];
  const parsed = raw === undefined ? Number.NaN : Number.parseInt(raw, 10);
  return Number.isInteger(parsed) && parsed >= 1 ? parsed : DEFAULT_PREVIOUS_VERSIONS_MAX;
}

/**
 * The metadata after `updates`, or a new table's metadata when `base` is undefined (it must
 * then add a schema and set a location). Throws `invalid-argument` naming the update at fault.
 */
export function applyUpdates(
  base: TableMetadata | undefined,
  updates: readonly TableUpdate[],
  options: ApplyUpdatesOptions = {},
): TableMetadata {
  const nowMs = options.nowMs ?? BigInt(Date.now());
  const builder = new MetadataBuilder(base, nowMs);
  updates.forEach((update, index) => {
    builder.index = index;
    builder.action = update.action;
    builder.apply(update, nowMs);
  });
  const s = builder.state;
  if (builder.isNew) finishNewTable(s);
  if (base !== undefined && updates.length === 0) return base;
  const newest = [...builder.addedSnapshots.values()].reduce<bigint | undefined>(
    (max, x) => (max === undefined || x.timestampMs > max ? x.timestampMs : max),
    undefined,
  );
  s.lastUpdatedMs = newest ?? nowMs;
  if (base !== undefined && options.previousMetadataLocation !== undefined) {
    const entry: MetadataLogEntry = {
      metadataFile: options.previousMetadataLocation,
      timestampMs: base.lastUpdatedMs,
    };
    s.metadataLog = [...s.metadataLog, entry].slice(-previousVersionsMax(s.properties));
  }
  const result: TableMetadata = { ...s };
  validateReferences(result);
  return result;
}

// A create transaction may leave out the uuid, an explicit spec and sort order; fill in the
// spec's defaults (unpartitioned spec 0, unsorted order 0) and refuse what cannot be defaulted.
function finishNewTable(s: Mutable<TableMetadata>): void {
  const refuse = (problem: string): never => {
    throw new IcebergError('invalid-argument', `cannot create table: ${problem}`);
  };
  if (s.schemas.length === 0) refuse('no schema was added (add-schema)');
  if (s.location === '') refuse('no location was set (set-location)');
  if (s.tableUuid === '') s.tableUuid = randomUUID();
  if (s.currentSchemaId === -1) s.currentSchemaId = s.schemas[s.schemas.length - 1]?.schemaId ?? 0;
  if (s.partitionSpecs.length === 0) s.partitionSpecs = [{ specId: 0, fields: [] }];
  if (s.defaultSpecId === -1) s.defaultSpecId = s.partitionSpecs[s.partitionSpecs.length - 1]?.specId ?? 0;
  if (s.sortOrders.length === 0) s.sortOrders = [{ orderId: 0, fields: [] }];
  if (s.defaultSortOrderId === -1) s.defaultSortOrderId = s.sortOrders[s.sortOrders.length - 1]?.orderId ?? 0;
}
