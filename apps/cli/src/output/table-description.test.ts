import type { LoadedTable } from '@floe/catalog';
import { describe, expect, it } from 'vitest';
import { describePolicies, renderPolicies } from './policy-description.ts';
import { describeTable, flattenFields, renderTableDescription } from './table-description.ts';
import { renderTextTable, toJsonOutput } from './text-table.ts';

const metadata = {
  'format-version': 2,
  'table-uuid': 'c0ffee00-0000-4000-8000-000000000001',
  location: 's3://warehouse/bronze/events',
  'last-updated-ms': 1_700_000_000_000,
  'current-schema-id': 1,
  schemas: [
    { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'old', required: true, type: 'int' }] },
    {
      type: 'struct',
      'schema-id': 1,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        {
          id: 2,
          name: 'attrs',
          required: false,
          type: {
            type: 'map',
            'key-id': 4,
            key: 'string',
            'value-id': 5,
            value: 'double',
            'value-required': false,
          },
        },
        {
          id: 3,
          name: 'address',
          required: false,
          type: { type: 'struct', fields: [{ id: 6, name: 'city', required: true, type: 'string' }] },
        },
      ],
    },
  ],
  'default-spec-id': 0,
  'partition-specs': [
    {
      'spec-id': 0,
      fields: [{ 'source-id': 1, 'field-id': 1000, name: 'id_bucket', transform: 'bucket[16]' }],
    },
  ],
  'default-sort-order-id': 0,
  'sort-orders': [{ 'order-id': 0, fields: [] }],
  properties: { owner: 'data-eng' },
  'current-snapshot-id': 9223372036854775807n,
  snapshots: [
    {
      'snapshot-id': 9223372036854775807n,
      'parent-snapshot-id': 9007199254740993n,
      'sequence-number': 2,
      'timestamp-ms': 1_700_000_000_000,
      'manifest-list': 's3://warehouse/bronze/events/metadata/snap.avro',
      summary: { operation: 'append', 'added-records': '10' },
    },
  ],
};

const table = {
  identifier: { namespace: ['bronze'], name: 'events' },
  metadataLocation: 's3://warehouse/bronze/events/metadata/00002.metadata.json',
  metadata,
  config: {},
  storageCredentials: [],
  etag: undefined,
} as unknown as LoadedTable;

describe('describeTable', () => {
  it('flattens nested fields with their ids and keeps longs exact as decimal strings', () => {
    const description = describeTable(table);
    expect(description.schema.schema_id).toBe(1);
    expect(
      description.schema.fields.map((field) => [field.id, field.name, field.type, field.required]),
    ).toEqual([
      [1, 'id', 'long', true],
      [2, 'attrs', 'map<string, double>', false],
      [4, 'attrs.key', 'string', true],
      [5, 'attrs.value', 'double', false],
      [3, 'address', 'struct', false],
      [6, 'address.city', 'string', true],
    ]);
    expect(description.partition_spec.fields).toEqual([
      { field_id: 1000, name: 'id_bucket', source_id: 1, source_name: 'id', transform: 'bucket[16]' },
    ]);
    expect(description.current_snapshot).toMatchObject({
      snapshot_id: '9223372036854775807',
      parent_snapshot_id: '9007199254740993',
      sequence_number: '2',
      operation: 'append',
    });
    const json = JSON.parse(toJsonOutput(description));
    expect(json.current_snapshot.snapshot_id).toBe('9223372036854775807');
    expect(json.last_updated_ms).toBe('1700000000000');
  });

  it('renders every section for people', () => {
    const text = renderTableDescription(describeTable(table));
    expect(text).toContain('Table bronze.events\n  location           s3://warehouse/bronze/events\n');
    expect(text).toContain('  last updated       2023-11-14T22:13:20.000Z (1700000000000)\n');
    expect(text).toMatch(/ {2}5 +attrs\.value +double +optional/);
    expect(text).toContain('Partition spec (id 0)\n');
    expect(text).toMatch(/1000 +id_bucket +bucket\[16\] +id \(id 1\)/);
    expect(text).toContain('Sort order (id 0)\n  unsorted\n');
    expect(text).toContain('Properties\n  owner  data-eng\n');
    expect(text).toContain('Current snapshot (1 in total)\n  snapshot id        9223372036854775807\n');
  });

  it('says when a table has no snapshot and no partitioning', () => {
    const empty = {
      ...table,
      metadata: {
        ...metadata,
        'current-snapshot-id': -1,
        snapshots: [],
        'partition-specs': [{ 'spec-id': 0, fields: [] }],
      },
    } as unknown as LoadedTable;
    const description = describeTable(empty);
    expect(description.current_snapshot).toBeNull();
    const text = renderTableDescription(description);
    expect(text).toContain('  unpartitioned\n');
    expect(text).toContain('  none (the table has no data yet)\n');
  });

  it('reads a list element as its own field', () => {
    const rows = flattenFields([
      {
        id: 1,
        name: 'tags',
        required: false,
        type: { type: 'list', 'element-id': 2, element: 'string', 'element-required': true },
      },
    ]);
    expect(rows).toEqual([
      { id: 1, name: 'tags', type: 'list<string>', required: false },
      { id: 2, name: 'tags.element', type: 'string', required: true },
    ]);
  });
});

describe('renderTextTable', () => {
  it('pads columns to the widest cell under a dashed rule', () => {
    expect(
      renderTextTable(
        ['name', 'type'],
        [
          ['id', 'long'],
          ['created_at', 'timestamptz'],
        ],
      ),
    ).toBe('name        type\n----------  -----------\nid          long\ncreated_at  timestamptz\n');
  });
});

describe('Polaris policies in describe', () => {
  it('lists each applicable policy with where it applies from, and nothing without a policy API', () => {
    const rows = describePolicies({
      table: { namespace: ['bronze'], name: 'events' },
      policies: [
        {
          name: 'keep-3',
          type: 'system.snapshot-expiry',
          namespace: ['bronze'],
          version: 2,
          inherited: true,
          inheritable: true,
          content: '{"enable": true,\n "config": {"min_snapshot_to_keep": 3}}',
        },
      ],
    });
    expect(renderPolicies(rows)).toBe(
      '\nPolaris policies (maintenance obeys these over table properties and floe.yaml)\n' +
        '  name    type                    version  applies    defined in  content\n' +
        `  ------  ----------------------  -------  ---------  ----------  ${'-'.repeat(55)}\n` +
        '  keep-3  system.snapshot-expiry  2        inherited  bronze      {"enable": true, "config": {"min_snapshot_to_keep": 3}}\n',
    );
    expect(
      renderPolicies(describePolicies({ table: { namespace: ['b'], name: 'e' }, policies: [] })),
    ).toContain('  none apply\n');
    expect(describePolicies(undefined)).toBeNull();
    expect(renderPolicies(null)).toBe('');
  });
});
