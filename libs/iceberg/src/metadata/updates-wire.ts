// REST wire JSON of `TableUpdate` and `TableRequirement`, both directions: hyphenated keys,
// ids as JSON integers (`bigint` in memory, written bare by `stringifyJson`). Writing is what
// the catalog client does for every commit; reading serves the fake catalog and lets tests
// check a request body in domain terms. An unknown `action` or `type` is named in the error
// together with the accepted ones, so a version skew with the server is obvious.

import { z } from 'zod';
import { IcebergError } from '../errors.ts';
import type { TableRequirement, TableRequirementType, TableUpdate, TableUpdateAction } from './updates.ts';
import { formatJsonPath, intWire, type JsonPath, longWire, parseWire, stringMapWire } from './wire-common.ts';
import {
  partitionSpecFromWire,
  partitionSpecToWire,
  partitionSpecWire,
  schemaFromWire,
  schemaToWire,
  snapshotFromWire,
  snapshotRefFromWire,
  snapshotRefToWire,
  snapshotRefWire,
  snapshotToWire,
  snapshotWire,
  sortOrderFromWire,
  sortOrderToWire,
  sortOrderWire,
  statisticsFileFromWire,
  statisticsFileToWire,
  statisticsFileWire,
} from './wire-parts.ts';

const UPDATE = 'table update';
const REQUIREMENT = 'table requirement';

// Each action's fields besides `action`; read functions turn the parsed wire into domain form.
type UpdateReader = (json: unknown, what: string, path: JsonPath) => TableUpdate;

function reader<S extends z.ZodType>(
  schema: S,
  toDomain: (wire: z.output<S>, what: string, path: JsonPath) => TableUpdate,
): UpdateReader {
  return (json, what, path) => toDomain(parseWire(what, schema, json, path), what, path);
}

const UPDATE_READERS: Readonly<Record<TableUpdateAction, UpdateReader>> = {
  'assign-uuid': reader(z.object({ uuid: z.string() }), (w) => ({ action: 'assign-uuid', uuid: w.uuid })),
  'upgrade-format-version': reader(z.object({ 'format-version': intWire }), (w) => ({
    action: 'upgrade-format-version',
    formatVersion: w['format-version'],
  })),
  'add-schema': reader(
    z.object({ schema: z.unknown(), 'last-column-id': intWire.nullish() }),
    (w, what, path) => {
      const schema = schemaFromWire(w.schema, what, [...path, 'schema']);
      const lastColumnId = w['last-column-id'];
      return lastColumnId === undefined || lastColumnId === null
        ? { action: 'add-schema', schema }
        : { action: 'add-schema', schema, lastColumnId };
    },
  ),
  'set-current-schema': reader(z.object({ 'schema-id': intWire }), (w) => ({
    action: 'set-current-schema',
    schemaId: w['schema-id'],
  })),
  'add-spec': reader(z.object({ spec: partitionSpecWire }), (w) => ({
    action: 'add-spec',
    spec: partitionSpecFromWire(w.spec),
  })),
  'set-default-spec': reader(z.object({ 'spec-id': intWire }), (w) => ({
    action: 'set-default-spec',
    specId: w['spec-id'],
  })),
  'add-sort-order': reader(z.object({ 'sort-order': sortOrderWire }), (w) => ({
    action: 'add-sort-order',
    sortOrder: sortOrderFromWire(w['sort-order']),
  })),
  'set-default-sort-order': reader(z.object({ 'sort-order-id': intWire }), (w) => ({
    action: 'set-default-sort-order',
    sortOrderId: w['sort-order-id'],
  })),
  'add-snapshot': reader(z.object({ snapshot: snapshotWire }), (w, what, path) => ({
    action: 'add-snapshot',
    snapshot: snapshotFromWire(w.snapshot, what, [...path, 'snapshot']),
  })),
  'set-snapshot-ref': reader(snapshotRefWire.extend({ 'ref-name': z.string() }), (w) => ({
    action: 'set-snapshot-ref',
    refName: w['ref-name'],
    ref: snapshotRefFromWire(w),
  })),
  'remove-snapshots': reader(z.object({ 'snapshot-ids': z.array(longWire) }), (w) => ({
    action: 'remove-snapshots',
    snapshotIds: w['snapshot-ids'],
  })),
  'remove-snapshot-ref': reader(z.object({ 'ref-name': z.string() }), (w) => ({
    action: 'remove-snapshot-ref',
    refName: w['ref-name'],
  })),
  'set-location': reader(z.object({ location: z.string() }), (w) => ({
    action: 'set-location',
    location: w.location,
  })),
  'set-properties': reader(z.object({ updates: stringMapWire }), (w) => ({
    action: 'set-properties',
    updates: w.updates,
  })),
  'remove-properties': reader(z.object({ removals: z.array(z.string()) }), (w) => ({
    action: 'remove-properties',
    removals: w.removals,
  })),
  'set-statistics': reader(z.object({ statistics: statisticsFileWire }), (w) => ({
    action: 'set-statistics',
    statistics: statisticsFileFromWire(w.statistics),
  })),
  'remove-statistics': reader(z.object({ 'snapshot-id': longWire }), (w) => ({
    action: 'remove-statistics',
    snapshotId: w['snapshot-id'],
  })),
};

function discriminator(
  json: unknown,
  key: string,
  what: string,
  path: JsonPath,
  known: readonly string[],
): string {
  const where = formatJsonPath([...path, key]);
  const value =
    typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)[key]
      : undefined;
  if (typeof value === 'string' && known.includes(value)) return value;
  const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
  throw new IcebergError(
    'invalid-metadata',
    `${what}: ${where}: unknown ${key} (${got}); expected one of ${known.join(', ')}`,
    {
      context: { path: where },
    },
  );
}

/** Reads one REST `TableUpdate` object; `path` locates it in the request for error messages. */
export function tableUpdateFromJson(json: unknown, path: JsonPath = []): TableUpdate {
  const action = discriminator(
    json,
    'action',
    UPDATE,
    path,
    Object.keys(UPDATE_READERS),
  ) as TableUpdateAction;
  return UPDATE_READERS[action](json, UPDATE, path);
}

/** The REST JSON of one update (ids as `bigint`; write with `stringifyJson`). */
export function tableUpdateToJson(update: TableUpdate): Record<string, unknown> {
  switch (update.action) {
    case 'assign-uuid':
      return { action: update.action, uuid: update.uuid };
    case 'upgrade-format-version':
      return { action: update.action, 'format-version': update.formatVersion };
    case 'add-schema':
      return {
        action: update.action,
        schema: schemaToWire(update.schema),
        ...(update.lastColumnId === undefined ? {} : { 'last-column-id': update.lastColumnId }),
      };
    case 'set-current-schema':
      return { action: update.action, 'schema-id': update.schemaId };
    case 'add-spec':
      return { action: update.action, spec: partitionSpecToWire(update.spec) };
    case 'set-default-spec':
      return { action: update.action, 'spec-id': update.specId };
    case 'add-sort-order':
      return { action: update.action, 'sort-order': sortOrderToWire(update.sortOrder) };
    case 'set-default-sort-order':
      return { action: update.action, 'sort-order-id': update.sortOrderId };
    case 'add-snapshot':
      // Sequence number 0 is v1's "none"; like other clients, leave it out rather than send it.
      return {
        action: update.action,
        snapshot: snapshotToWire(update.snapshot, update.snapshot.sequenceNumber > 0n ? 2 : 1),
      };
    case 'set-snapshot-ref':
      return { action: update.action, 'ref-name': update.refName, ...snapshotRefToWire(update.ref) };
    case 'remove-snapshots':
      return { action: update.action, 'snapshot-ids': [...update.snapshotIds] };
    case 'remove-snapshot-ref':
      return { action: update.action, 'ref-name': update.refName };
    case 'set-location':
      return { action: update.action, location: update.location };
    case 'set-properties':
      return { action: update.action, updates: { ...update.updates } };
    case 'remove-properties':
      return { action: update.action, removals: [...update.removals] };
    case 'set-statistics':
      // The deprecated top-level snapshot-id is still required by older servers.
      return {
        action: update.action,
        'snapshot-id': update.statistics.snapshotId,
        statistics: statisticsFileToWire(update.statistics),
      };
    case 'remove-statistics':
      return { action: update.action, 'snapshot-id': update.snapshotId };
  }
}

type RequirementReader = (json: unknown, path: JsonPath) => TableRequirement;

function requirementReader<S extends z.ZodType>(
  schema: S,
  toDomain: (wire: z.output<S>) => TableRequirement,
): RequirementReader {
  return (json, path) => toDomain(parseWire(REQUIREMENT, schema, json, path));
}

const REQUIREMENT_READERS: Readonly<Record<TableRequirementType, RequirementReader>> = {
  'assert-create': requirementReader(z.object({}), () => ({ type: 'assert-create' })),
  'assert-table-uuid': requirementReader(z.object({ uuid: z.string() }), (w) => ({
    type: 'assert-table-uuid',
    uuid: w.uuid,
  })),
  'assert-ref-snapshot-id': requirementReader(
    // The field is required but may be null ("the ref must not exist").
    z.object({ ref: z.string(), 'snapshot-id': longWire.nullable() }),
    (w) => ({ type: 'assert-ref-snapshot-id', ref: w.ref, snapshotId: w['snapshot-id'] }),
  ),
  'assert-last-assigned-field-id': requirementReader(
    z.object({ 'last-assigned-field-id': intWire }),
    (w) => ({
      type: 'assert-last-assigned-field-id',
      lastAssignedFieldId: w['last-assigned-field-id'],
    }),
  ),
  'assert-current-schema-id': requirementReader(z.object({ 'current-schema-id': intWire }), (w) => ({
    type: 'assert-current-schema-id',
    currentSchemaId: w['current-schema-id'],
  })),
  'assert-last-assigned-partition-id': requirementReader(
    z.object({ 'last-assigned-partition-id': intWire }),
    (w) => ({
      type: 'assert-last-assigned-partition-id',
      lastAssignedPartitionId: w['last-assigned-partition-id'],
    }),
  ),
  'assert-default-spec-id': requirementReader(z.object({ 'default-spec-id': intWire }), (w) => ({
    type: 'assert-default-spec-id',
    defaultSpecId: w['default-spec-id'],
  })),
  'assert-default-sort-order-id': requirementReader(z.object({ 'default-sort-order-id': intWire }), (w) => ({
    type: 'assert-default-sort-order-id',
    defaultSortOrderId: w['default-sort-order-id'],
  })),
};

/** Reads one REST `TableRequirement` object. */
export function tableRequirementFromJson(json: unknown, path: JsonPath = []): TableRequirement {
  const type = discriminator(
    json,
    'type',
    REQUIREMENT,
    path,
    Object.keys(REQUIREMENT_READERS),
  ) as TableRequirementType;
  return REQUIREMENT_READERS[type](json, path);
}

/** The REST JSON of one requirement. */
export function tableRequirementToJson(requirement: TableRequirement): Record<string, unknown> {
  switch (requirement.type) {
    case 'assert-create':
      return { type: requirement.type };
    case 'assert-table-uuid':
      return { type: requirement.type, uuid: requirement.uuid };
    case 'assert-ref-snapshot-id':
      return { type: requirement.type, ref: requirement.ref, 'snapshot-id': requirement.snapshotId };
    case 'assert-last-assigned-field-id':
      return { type: requirement.type, 'last-assigned-field-id': requirement.lastAssignedFieldId };
    case 'assert-current-schema-id':
      return { type: requirement.type, 'current-schema-id': requirement.currentSchemaId };
    case 'assert-last-assigned-partition-id':
      return { type: requirement.type, 'last-assigned-partition-id': requirement.lastAssignedPartitionId };
    case 'assert-default-spec-id':
      return { type: requirement.type, 'default-spec-id': requirement.defaultSpecId };
    case 'assert-default-sort-order-id':
      return { type: requirement.type, 'default-sort-order-id': requirement.defaultSortOrderId };
  }
}

/** Reads the `updates` array of a commit request. */
export function tableUpdatesFromJson(json: unknown): TableUpdate[] {
  if (!Array.isArray(json))
    throw new IcebergError('invalid-metadata', `${UPDATE}: updates: expected an array`);
  return json.map((item, i) => tableUpdateFromJson(item, ['updates', i]));
}

/** Reads the `requirements` array of a commit request. */
export function tableRequirementsFromJson(json: unknown): TableRequirement[] {
  if (!Array.isArray(json)) {
    throw new IcebergError('invalid-metadata', `${REQUIREMENT}: requirements: expected an array`);
  }
  return json.map((item, i) => tableRequirementFromJson(item, ['requirements', i]));
}
