import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import { applyUpdates, METADATA_PREVIOUS_VERSIONS_MAX } from './builder.ts';
import type { TableUpdate } from './updates.ts';
import { readTableMetadata } from './wire.ts';

const dir = fileURLToPath(new URL('../../testdata/table-metadata/', import.meta.url));
const v2 = (): TableMetadata => readTableMetadata(readFileSync(`${dir}v2-full.json`, 'utf8'));
const NOW = 1731999999999n;

const schemaA: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    {
      id: 2,
      name: 'attrs',
      required: false,
      type: {
        kind: 'map',
        keyId: 3,
        key: { kind: 'string' },
        valueId: 4,
        valueRequired: false,
        value: { kind: 'string' },
      },
    },
  ],
};

function snapshot(
  id: bigint,
  parent: bigint | undefined,
  seq: bigint,
  ts: bigint,
  extra: Record<string, string> = {},
): Snapshot {
  return {
    snapshotId: id,
    ...(parent === undefined ? {} : { parentSnapshotId: parent }),
    sequenceNumber: seq,
    timestampMs: ts,
    manifestList: `s3://w/t/metadata/snap-${id}.avro`,
    summary: { operation: 'append', ...extra },
  };
}

const createUpdates: TableUpdate[] = [
  { action: 'assign-uuid', uuid: '11111111-2222-3333-4444-555555555555' },
  { action: 'upgrade-format-version', formatVersion: 2 },
  { action: 'add-schema', schema: schemaA, lastColumnId: 4 },
  { action: 'set-current-schema', schemaId: -1 },
  {
    action: 'add-spec',
    spec: { specId: 0, fields: [{ sourceId: 1, fieldId: 1000, name: 'id_b', transform: 'bucket[4]' }] },
  },
  { action: 'set-default-spec', specId: -1 },
  { action: 'add-sort-order', sortOrder: { orderId: 0, fields: [] } },
  { action: 'set-default-sort-order', sortOrderId: -1 },
  { action: 'set-location', location: 's3://w/t' },
  { action: 'set-properties', updates: { owner: 'floe' } },
];

describe('applyUpdates: create', () => {
  it('builds new table metadata from a create transaction', () => {
    const m = applyUpdates(undefined, createUpdates, { nowMs: NOW });
    expect(m).toMatchObject({
      formatVersion: 2,
      tableUuid: '11111111-2222-3333-4444-555555555555',
      location: 's3://w/t',
      lastColumnId: 4,
      currentSchemaId: 0,
      defaultSpecId: 0,
      lastPartitionId: 1000,
      defaultSortOrderId: 0,
      lastSequenceNumber: 0n,
      lastUpdatedMs: NOW,
      properties: { owner: 'floe' },
      refs: {},
      snapshots: [],
    });
    expect(m.currentSnapshotId).toBeUndefined();
  });

  it('fills in uuid, unpartitioned spec and unsorted order when the request leaves them out', () => {
    const m = applyUpdates(
      undefined,
      [
        { action: 'add-schema', schema: schemaA },
        { action: 'set-location', location: 's3://w/t/' },
      ],
      { nowMs: NOW },
    );
    expect(m.tableUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.partitionSpecs).toEqual([{ specId: 0, fields: [] }]);
    expect(m.sortOrders).toEqual([{ orderId: 0, fields: [] }]);
    expect(m.lastColumnId).toBe(4);
    expect(m.lastPartitionId).toBe(999);
  });

  it('refuses a create without schema or location', () => {
    expect(() => applyUpdates(undefined, [{ action: 'set-location', location: 's3://x' }])).toThrow(
      'cannot create table: no schema was added (add-schema)',
    );
    expect(() => applyUpdates(undefined, [{ action: 'add-schema', schema: schemaA }])).toThrow(
      'cannot create table: no location was set (set-location)',
    );
  });
});

describe('applyUpdates: commits', () => {
  it('appends a snapshot, moves main, logs it and records the previous metadata file', () => {
    const base = v2();
    const next = snapshot(42n, base.currentSnapshotId, 4n, 1731900000100n, { 'floe.job-ids': 'job-9' });
    const m = applyUpdates(
      base,
      [
        { action: 'add-snapshot', snapshot: next },
        { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId: 42n, type: 'branch' } },
      ],
      { nowMs: NOW, previousMetadataLocation: 's3://w/t/metadata/00002-x.metadata.json' },
    );
    expect(m.currentSnapshotId).toBe(42n);
    expect(m.lastSequenceNumber).toBe(4n);
    expect(m.refs['main']).toEqual({ snapshotId: 42n, type: 'branch' });
    expect(m.snapshotLog.at(-1)).toEqual({ snapshotId: 42n, timestampMs: 1731900000100n });
    expect(m.lastUpdatedMs).toBe(1731900000100n);
    expect(m.metadataLog.at(-1)).toEqual({
      metadataFile: 's3://w/t/metadata/00002-x.metadata.json',
      timestampMs: base.lastUpdatedMs,
    });
    expect(base.snapshots).toHaveLength(3);
  });

  it('logs "now" when main moves to an older snapshot (rollback) and ignores a no-op move', () => {
    const base = v2();
    const rolled = applyUpdates(
      base,
      [
        {
          action: 'set-snapshot-ref',
          refName: 'main',
          ref: { snapshotId: 3051729675574597004n, type: 'branch' },
        },
      ],
      { nowMs: NOW },
    );
    expect(rolled.currentSnapshotId).toBe(3051729675574597004n);
    expect(rolled.snapshotLog.at(-1)).toEqual({ snapshotId: 3051729675574597004n, timestampMs: NOW });
    const same = applyUpdates(
      base,
      [
        {
          action: 'set-snapshot-ref',
          refName: 'main',
          ref: { snapshotId: base.currentSnapshotId as bigint, type: 'branch' },
        },
      ],
      {
        nowMs: NOW,
      },
    );
    expect(same.snapshotLog).toHaveLength(base.snapshotLog.length);
    expect(applyUpdates(base, [])).toBe(base);
  });

  it('evolves schema, spec and sort order with monotone ids and -1 for last added', () => {
    const base = v2();
    const wider: Schema = {
      schemaId: 99,
      identifierFieldIds: [],
      fields: [{ id: 9, name: 'extra', required: false, type: { kind: 'string' } }],
    };
    const m = applyUpdates(
      base,
      [
        { action: 'add-schema', schema: wider },
        { action: 'set-current-schema', schemaId: -1 },
        {
          action: 'add-spec',
          spec: { specId: 7, fields: [{ sourceId: 9, fieldId: 1002, name: 'extra', transform: 'identity' }] },
        },
        { action: 'set-default-spec', specId: -1 },
        {
          action: 'add-sort-order',
          sortOrder: {
            orderId: 5,
            fields: [{ sourceId: 9, transform: 'identity', direction: 'desc', nullOrder: 'nulls-last' }],
          },
        },
        { action: 'set-default-sort-order', sortOrderId: -1 },
      ],
      { nowMs: NOW },
    );
    expect(m.currentSchemaId).toBe(2);
    expect(m.schemas.map((s) => s.schemaId)).toEqual([0, 1, 2]);
    expect(m.lastColumnId).toBe(9);
    expect(m.defaultSpecId).toBe(2);
    expect(m.lastPartitionId).toBe(1002);
    expect(m.defaultSortOrderId).toBe(2);
    expect(m.lastUpdatedMs).toBe(NOW);
  });

  it('reuses an identical schema, spec or sort order instead of adding a copy', () => {
    const base = v2();
    const m = applyUpdates(base, [
      { action: 'add-schema', schema: { ...(base.schemas[0] as Schema), schemaId: 50 } },
      { action: 'set-current-schema', schemaId: -1 },
      { action: 'add-spec', spec: { specId: 50, fields: [] } },
      { action: 'set-default-spec', specId: -1 },
      { action: 'add-sort-order', sortOrder: { orderId: 50, fields: [] } },
      { action: 'set-default-sort-order', sortOrderId: -1 },
    ]);
    expect(m.schemas).toHaveLength(2);
    expect(m.currentSchemaId).toBe(0);
    expect(m.defaultSpecId).toBe(0);
    expect(m.defaultSortOrderId).toBe(0);
  });

  it('manages refs, snapshot removal, properties, location, statistics and format version', () => {
    const base = v2();
    const m = applyUpdates(
      base,
      [
        { action: 'remove-snapshot-ref', refName: 'v1.0' },
        {
          action: 'set-snapshot-ref',
          refName: 'nightly',
          ref: { snapshotId: 3055729675574597004n, type: 'tag' },
        },
        { action: 'remove-snapshots', snapshotIds: [3051729675574597004n] },
        { action: 'set-properties', updates: { a: '1', owner: 'team' } },
        { action: 'remove-properties', removals: ['write.format.default', 'missing'] },
        { action: 'set-location', location: 's3://w/moved' },
        {
          action: 'set-statistics',
          statistics: {
            snapshotId: 8744736658442914487n,
            statisticsPath: 's3://w/s.puffin',
            fileSizeInBytes: 1n,
            fileFooterSizeInBytes: 1n,
            blobMetadata: [],
          },
        },
        { action: 'remove-statistics', snapshotId: 3055729675574597004n },
        { action: 'upgrade-format-version', formatVersion: 3 },
        { action: 'upgrade-format-version', formatVersion: 3 },
        { action: 'assign-uuid', uuid: base.tableUuid },
      ],
      { nowMs: NOW },
    );
    expect(Object.keys(m.refs).sort()).toEqual(['main', 'nightly']);
    expect(m.snapshots.map((s) => s.snapshotId)).toEqual([3055729675574597004n, 8744736658442914487n]);
    expect(m.snapshotLog.map((e) => e.snapshotId)).toEqual([3055729675574597004n, 8744736658442914487n]);
    expect(m.properties).toEqual({ a: '1', owner: 'team' });
    expect(m.location).toBe('s3://w/moved');
    expect(m.statistics?.map((s) => s.snapshotId)).toEqual([8744736658442914487n]);
    expect(m.formatVersion).toBe(3);
  });

  it('drops refs, current snapshot and statistics of removed snapshots', () => {
    const base = {
      ...v2(),
      partitionStatistics: [{ snapshotId: 8744736658442914487n, statisticsPath: 'p', fileSizeInBytes: 1n }],
    };
    const m = applyUpdates(base, [
      { action: 'remove-snapshots', snapshotIds: [8744736658442914487n, 3055729675574597004n] },
    ]);
    expect(m.currentSnapshotId).toBeUndefined();
    expect(Object.keys(m.refs)).toEqual(['audit']);
    expect(m.statistics).toEqual([]);
    expect(m.partitionStatistics).toEqual([]);
  });

  it('bounds the metadata log by write.metadata.previous-versions-max', () => {
    const base = { ...v2(), properties: { [METADATA_PREVIOUS_VERSIONS_MAX]: '2' } };
    const m = applyUpdates(base, [{ action: 'set-properties', updates: { x: 'y' } }], {
      previousMetadataLocation: 'f3',
    });
    expect(m.metadataLog.map((e) => e.metadataFile)).toEqual([base.metadataLog[1]?.metadataFile, 'f3']);
  });
});

describe('applyUpdates: rule violations name the update', () => {
  const cases: [string, TableUpdate, string][] = [
    [
      'reassigning the uuid',
      { action: 'assign-uuid', uuid: 'other' },
      'cannot apply assign-uuid (updates[0]): the table already has uuid 9c12d441-03fe-4693-9a96-a0705ddf69c1; a uuid is assigned only at creation',
    ],
    [
      'a format downgrade',
      { action: 'upgrade-format-version', formatVersion: 1 },
      'cannot apply upgrade-format-version (updates[0]): cannot downgrade format version 2 to 1',
    ],
    [
      'an unknown format',
      { action: 'upgrade-format-version', formatVersion: 4 },
      'cannot apply upgrade-format-version (updates[0]): format version 4 is not supported (1, 2 or 3)',
    ],
    [
      '-1 with nothing added',
      { action: 'set-current-schema', schemaId: -1 },
      'cannot apply set-current-schema (updates[0]): -1 refers to the last added schema, but none was added in this commit',
    ],
    [
      'a missing schema',
      { action: 'set-current-schema', schemaId: 9 },
      'cannot apply set-current-schema (updates[0]): schema 9 does not exist',
    ],
    [
      'a missing spec',
      { action: 'set-default-spec', specId: 9 },
      'cannot apply set-default-spec (updates[0]): partition spec 9 does not exist',
    ],
    [
      'a missing sort order',
      { action: 'set-default-sort-order', sortOrderId: 9 },
      'cannot apply set-default-sort-order (updates[0]): sort order 9 does not exist',
    ],
    [
      'a duplicate snapshot',
      { action: 'add-snapshot', snapshot: snapshot(8744736658442914487n, 1n, 9n, 1n) },
      'cannot apply add-snapshot (updates[0]): snapshot 8744736658442914487 already exists',
    ],
    [
      'a stale sequence number',
      { action: 'add-snapshot', snapshot: snapshot(5n, 8744736658442914487n, 3n, 1n) },
      "cannot apply add-snapshot (updates[0]): sequence number 3 is not above the table's last sequence number 3",
    ],
    [
      'a ref to nowhere',
      { action: 'set-snapshot-ref', refName: 'b', ref: { snapshotId: 5n, type: 'branch' } },
      'cannot apply set-snapshot-ref (updates[0]): snapshot 5 does not exist',
    ],
    [
      'main as a tag',
      { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId: 8744736658442914487n, type: 'tag' } },
      "cannot apply set-snapshot-ref (updates[0]): 'main' must be a branch, not a tag",
    ],
    [
      'an empty location',
      { action: 'set-location', location: '' },
      'cannot apply set-location (updates[0]): location must not be empty',
    ],
    [
      'statistics for no snapshot',
      {
        action: 'set-statistics',
        statistics: {
          snapshotId: 5n,
          statisticsPath: 'p',
          fileSizeInBytes: 1n,
          fileFooterSizeInBytes: 1n,
          blobMetadata: [],
        },
      },
      'cannot apply set-statistics (updates[0]): snapshot 5 does not exist',
    ],
    [
      'a lower last-column-id',
      { action: 'add-schema', schema: schemaA, lastColumnId: 2 },
      "cannot apply add-schema (updates[0]): last-column-id 2 is below the table's 5; ids never go back",
    ],
  ];
  for (const [what, update, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(() => applyUpdates(v2(), [update], { nowMs: NOW })).toThrow(message);
    });
  }

  it('reports the kind and position', () => {
    try {
      applyUpdates(v2(), [
        { action: 'set-location', location: 's3://ok' },
        { action: 'set-default-spec', specId: 9 },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        kind: 'invalid-argument',
        retryable: false,
        context: { action: 'set-default-spec', index: 1 },
      });
    }
  });

  it('re-checks cross references after the updates (removing the main ref keeps the snapshot)', () => {
    const m = applyUpdates(v2(), [{ action: 'remove-snapshot-ref', refName: 'main' }]);
    expect(m.currentSnapshotId).toBeUndefined();
    expect(m.snapshots).toHaveLength(3);
  });
});
