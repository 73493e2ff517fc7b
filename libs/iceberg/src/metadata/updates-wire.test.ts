import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../util/json.ts';
import type { TableRequirement, TableUpdate } from './updates.ts';
import {
  tableRequirementFromJson,
  tableRequirementsFromJson,
  tableRequirementToJson,
  tableUpdateFromJson,
  tableUpdatesFromJson,
  tableUpdateToJson,
} from './updates-wire.ts';

const BIG = 9223372036854775807n;

const updates: TableUpdate[] = [
  { action: 'assign-uuid', uuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1' },
  { action: 'upgrade-format-version', formatVersion: 2 },
  {
    action: 'add-schema',
    schema: {
      schemaId: 1,
      identifierFieldIds: [1],
      fields: [{ id: 1, name: 'id', required: true, type: { kind: 'long' } }],
    },
    lastColumnId: 1,
  },
  {
    action: 'add-schema',
    schema: { schemaId: 2, identifierFieldIds: [], fields: [] },
  },
  { action: 'set-current-schema', schemaId: -1 },
  {
    action: 'add-spec',
    spec: { specId: 1, fields: [{ sourceId: 1, fieldId: 1000, name: 'id_bucket', transform: 'bucket[8]' }] },
  },
  { action: 'set-default-spec', specId: -1 },
  {
    action: 'add-sort-order',
    sortOrder: {
      orderId: 1,
      fields: [{ sourceId: 1, transform: 'identity', direction: 'desc', nullOrder: 'nulls-last' }],
    },
  },
  { action: 'set-default-sort-order', sortOrderId: 1 },
  {
    action: 'add-snapshot',
    snapshot: {
      snapshotId: BIG,
      parentSnapshotId: 1n,
      sequenceNumber: 7n,
      timestampMs: 1731900000000n,
      manifestList: 's3://w/t/metadata/snap-1.avro',
      summary: { operation: 'append', 'floe.job-ids': 'a,b' },
      schemaId: 1,
    },
  },
  {
    action: 'set-snapshot-ref',
    refName: 'main',
    ref: { snapshotId: BIG, type: 'branch', minSnapshotsToKeep: 1, maxSnapshotAgeMs: 10n, maxRefAgeMs: 20n },
  },
  { action: 'remove-snapshots', snapshotIds: [1n, BIG] },
  { action: 'remove-snapshot-ref', refName: 'old' },
  { action: 'set-location', location: 's3://w/t2' },
  { action: 'set-properties', updates: { a: '1' } },
  { action: 'remove-properties', removals: ['b'] },
  {
    action: 'set-statistics',
    statistics: {
      snapshotId: BIG,
      statisticsPath: 's3://w/t/stats.puffin',
      fileSizeInBytes: 100n,
      fileFooterSizeInBytes: 10n,
      blobMetadata: [{ type: 'theta', snapshotId: BIG, sequenceNumber: 7n, fields: [1] }],
    },
  },
  { action: 'remove-statistics', snapshotId: BIG },
];

const requirements: TableRequirement[] = [
  { type: 'assert-create' },
  { type: 'assert-table-uuid', uuid: 'u' },
  { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: BIG },
  { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null },
  { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 5 },
  { type: 'assert-current-schema-id', currentSchemaId: 1 },
  { type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: 1000 },
  { type: 'assert-default-spec-id', defaultSpecId: 0 },
  { type: 'assert-default-sort-order-id', defaultSortOrderId: 0 },
];

describe('table update wire JSON', () => {
  for (const update of updates) {
    it(`round-trips ${update.action} through JSON text`, () => {
      const text = stringifyJson(tableUpdateToJson(update));
      expect(tableUpdateFromJson(parseJson(text))).toEqual(update);
    });
  }

  it('writes the exact REST shapes', () => {
    expect(stringifyJson(tableUpdateToJson({ action: 'remove-snapshots', snapshotIds: [BIG] }))).toBe(
      '{"action":"remove-snapshots","snapshot-ids":[9223372036854775807]}',
    );
    expect(tableUpdateToJson(updates[10] as TableUpdate)).toEqual({
      action: 'set-snapshot-ref',
      'ref-name': 'main',
      'snapshot-id': BIG,
      type: 'branch',
      'min-snapshots-to-keep': 1,
      'max-snapshot-age-ms': 10n,
      'max-ref-age-ms': 20n,
    });
    expect(tableUpdateToJson(updates[16] as TableUpdate)).toMatchObject({ 'snapshot-id': BIG });
    expect(tableUpdateToJson(updates[2] as TableUpdate)).toMatchObject({
      schema: { type: 'struct', 'schema-id': 1, 'identifier-field-ids': [1] },
      'last-column-id': 1,
    });
  });

  it('leaves out sequence number 0 of a v1 snapshot', () => {
    const snapshot = {
      snapshotId: 1n,
      sequenceNumber: 0n,
      timestampMs: 1n,
      manifestList: 'm',
      summary: { operation: 'append' as const },
    };
    const json = tableUpdateToJson({ action: 'add-snapshot', snapshot });
    expect(json['snapshot']).not.toHaveProperty('sequence-number');
    expect(tableUpdateFromJson(json)).toEqual({ action: 'add-snapshot', snapshot });
  });

  it('reads lists of updates and names the position of a bad one', () => {
    const json = updates.slice(0, 2).map(tableUpdateToJson);
    expect(tableUpdatesFromJson(json)).toEqual(updates.slice(0, 2));
    expect(() => tableUpdatesFromJson([...json, { action: 'set-location' }])).toThrow(
      'table update: updates[2].location: required field is missing',
    );
    expect(() =>
      tableUpdatesFromJson([{ action: 'add-snapshot', snapshot: { 'snapshot-id': 'x' } }]),
    ).toThrow('table update: updates[0].snapshot.snapshot-id: expected an int64 integer, got string "x"');
    expect(() => tableUpdatesFromJson({})).toThrow('table update: updates: expected an array');
  });

  it('names unknown or missing actions with the accepted list', () => {
    expect(() => tableUpdateFromJson({ action: 'add-view-version' })).toThrow(
      /^table update: action: unknown action \(got "add-view-version"\); expected one of assign-uuid, upgrade-format-version, .*remove-statistics$/,
    );
    expect(() => tableUpdateFromJson(null)).toThrow(
      /^table update: action: unknown action \(it is missing\)/,
    );
  });

  it('reports a bad schema inside add-schema at its position', () => {
    expect(() =>
      tableUpdatesFromJson([{ action: 'add-schema', schema: { type: 'struct', fields: [{ id: 1 }] } }]),
    ).toThrow(
      "table update: updates[0].schema: invalid schema at schema.fields[0]: field needs a non-empty string 'name', got nothing",
    );
  });
});

describe('table requirement wire JSON', () => {
  for (const requirement of requirements) {
    it(`round-trips ${requirement.type}${requirement.type === 'assert-ref-snapshot-id' ? ` (${String(requirement.snapshotId)})` : ''}`, () => {
      const text = stringifyJson(tableRequirementToJson(requirement));
      expect(tableRequirementFromJson(parseJson(text))).toEqual(requirement);
    });
  }

  it('writes null for "ref must not exist"', () => {
    expect(
      stringifyJson(
        tableRequirementToJson({ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null }),
      ),
    ).toBe('{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}');
  });

  it('requires snapshot-id on assert-ref-snapshot-id even though it may be null', () => {
    expect(() => tableRequirementsFromJson([{ type: 'assert-ref-snapshot-id', ref: 'main' }])).toThrow(
      'table requirement: requirements[0].snapshot-id: required field is missing',
    );
  });

  it('rejects unknown types and non-arrays', () => {
    expect(() => tableRequirementFromJson({ type: 'assert-view-uuid', uuid: 'u' })).toThrow(
      /^table requirement: type: unknown type \(got "assert-view-uuid"\); expected one of assert-create, /,
    );
    expect(() => tableRequirementsFromJson('x')).toThrow(
      'table requirement: requirements: expected an array',
    );
    expect(tableRequirementsFromJson([{ type: 'assert-create' }])).toEqual([{ type: 'assert-create' }]);
  });
});
