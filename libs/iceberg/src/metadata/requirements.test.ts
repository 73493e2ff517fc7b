import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import { assertRequirements, checkRequirements } from './requirements.ts';
import type { TableRequirement } from './updates.ts';
import { readTableMetadata } from './wire.ts';

const dir = fileURLToPath(new URL('../../testdata/table-metadata/', import.meta.url));
const m = readTableMetadata(readFileSync(`${dir}v2-full.json`, 'utf8'));

const holding: TableRequirement[] = [
  { type: 'assert-table-uuid', uuid: m.tableUuid },
  { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: 8744736658442914487n },
  { type: 'assert-ref-snapshot-id', ref: 'feature', snapshotId: null },
  { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 5 },
  { type: 'assert-current-schema-id', currentSchemaId: 1 },
  { type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: 1001 },
  { type: 'assert-default-spec-id', defaultSpecId: 1 },
  { type: 'assert-default-sort-order-id', defaultSortOrderId: 1 },
];

describe('checkRequirements', () => {
  it('passes when every requirement holds', () => {
    expect(checkRequirements(m, holding)).toEqual([]);
    expect(() => assertRequirements(m, holding)).not.toThrow();
    expect(checkRequirements(undefined, [{ type: 'assert-create' }])).toEqual([]);
  });

  const failing: [TableRequirement, string][] = [
    [{ type: 'assert-create' }, 'the table already exists'],
    [{ type: 'assert-table-uuid', uuid: 'x' }, `table uuid is ${m.tableUuid}, expected x`],
    [
      { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: 1n },
      "ref 'main' snapshot is 8744736658442914487, expected 1",
    ],
    [
      { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null },
      "ref 'main' already exists at snapshot 8744736658442914487",
    ],
    [
      { type: 'assert-ref-snapshot-id', ref: 'gone', snapshotId: 1n },
      "ref 'gone' does not exist, expected it at snapshot 1",
    ],
    [
      { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 4 },
      'last assigned field id is 5, expected 4',
    ],
    [{ type: 'assert-current-schema-id', currentSchemaId: 0 }, 'current schema id is 1, expected 0'],
    [
      { type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: 1000 },
      'last assigned partition id is 1001, expected 1000',
    ],
    [{ type: 'assert-default-spec-id', defaultSpecId: 0 }, 'default spec id is 1, expected 0'],
    [
      { type: 'assert-default-sort-order-id', defaultSortOrderId: 0 },
      'default sort order id is 1, expected 0',
    ],
  ];
  for (const [requirement, reason] of failing) {
    it(`explains a failed ${requirement.type}`, () => {
      expect(checkRequirements(m, [...holding, requirement])).toEqual([
        { index: holding.length, requirement, reason },
      ]);
    });
  }

  it('fails everything but assert-create on a missing table', () => {
    expect(checkRequirements(undefined, holding.slice(0, 1))).toEqual([
      { index: 0, requirement: holding[0], reason: 'the table does not exist' },
    ]);
  });

  it('throws a retryable commit conflict naming the first failure and counting the rest', () => {
    try {
      assertRequirements(m, [
        { type: 'assert-create' },
        { type: 'assert-current-schema-id', currentSchemaId: 0 },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IcebergError);
      expect(error).toMatchObject({
        kind: 'commit-conflict',
        retryable: true,
        message:
          'requirement failed: assert-create: the table already exists (and 1 more failed requirement(s))',
        context: { requirement: 'assert-create', index: 0 },
      });
    }
    expect(() => assertRequirements(m, [{ type: 'assert-default-spec-id', defaultSpecId: 3 }])).toThrow(
      'requirement failed: assert-default-spec-id: default spec id is 1, expected 3',
    );
  });
});
