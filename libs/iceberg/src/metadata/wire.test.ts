import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import { parseJson, stringifyJson } from '../util/json.ts';
import { parseTableMetadata, readTableMetadata, tableMetadataToJson, writeTableMetadata } from './wire.ts';

const dir = fileURLToPath(new URL('../../testdata/table-metadata/', import.meta.url));
const golden = (name: string): string => readFileSync(`${dir}${name}`, 'utf8');

function errorOf(fn: () => unknown): IcebergError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IcebergError) return error;
    throw error;
  }
  throw new Error('expected an IcebergError');
}

describe('readTableMetadata: hand-written golden files', () => {
  it('reads v2 with several schemas, specs, sort orders, refs and statistics', () => {
    const m = readTableMetadata(golden('v2-full.json'));
    expect(m.formatVersion).toBe(2);
    expect(m.tableUuid).toBe('9c12d441-03fe-4693-9a96-a0705ddf69c1');
    expect(m.lastSequenceNumber).toBe(3n);
    expect(m.schemas.map((s) => s.schemaId)).toEqual([0, 1]);
    expect(m.schemas[1]?.identifierFieldIds).toEqual([1]);
    expect(m.currentSchemaId).toBe(1);
    expect(m.partitionSpecs[1]?.fields).toEqual([
      { sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' },
      { sourceId: 1, fieldId: 1001, name: 'event_id_bucket', transform: 'bucket[16]' },
    ]);
    expect(m.sortOrders[1]?.fields[0]).toEqual({
      sourceId: 2,
      transform: 'identity',
      direction: 'asc',
      nullOrder: 'nulls-first',
    });
    expect(m.currentSnapshotId).toBe(8744736658442914487n);
    expect(m.snapshots[2]).toEqual({
      snapshotId: 8744736658442914487n,
      parentSnapshotId: 3055729675574597004n,
      sequenceNumber: 3n,
      timestampMs: 1731900000003n,
      manifestList: 's3://warehouse/analytics/events/metadata/snap-8744736658442914487-1-c3.avro',
      summary: { operation: 'overwrite', 'floe.job-ids': 'job-4' },
      schemaId: 1,
    });
    expect(m.refs['audit']).toEqual({
      snapshotId: 3051729675574597004n,
      type: 'branch',
      minSnapshotsToKeep: 2,
      maxSnapshotAgeMs: 86400000n,
    });
    expect(m.refs['v1.0']).toEqual({
      snapshotId: 3055729675574597004n,
      type: 'tag',
      maxRefAgeMs: 604800000n,
    });
    expect(m.statistics?.[0]?.blobMetadata[0]?.properties).toEqual({ ndv: '10' });
    expect(m.snapshotLog).toHaveLength(3);
    expect(m.metadataLog[1]?.timestampMs).toBe(1731900000001n);
  });

  it('reads a v1 file with a single schema and partition-spec, filling in v2 defaults', () => {
    const m = readTableMetadata(golden('v1-single-schema.json'));
    expect(m.formatVersion).toBe(1);
    expect(m.tableUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.schemas).toHaveLength(1);
    expect(m.currentSchemaId).toBe(0);
    expect(m.partitionSpecs).toEqual([
      { specId: 0, fields: [{ sourceId: 1, fieldId: 1000, name: 'x', transform: 'identity' }] },
    ]);
    expect(m.defaultSpecId).toBe(0);
    expect(m.lastPartitionId).toBe(1000);
    expect(m.lastSequenceNumber).toBe(0n);
    expect(m.sortOrders).toEqual([{ orderId: 0, fields: [] }]);
    expect(m.currentSnapshotId).toBeUndefined();
    expect(m.refs).toEqual({});
  });

  it('reads v1 snapshots without sequence numbers or summary and derives the main ref', () => {
    const m = readTableMetadata(golden('v1-with-snapshots.json'));
    expect(m.snapshots.map((s) => s.sequenceNumber)).toEqual([0n, 0n]);
    expect(m.snapshots[1]?.summary).toEqual({ operation: 'append' });
    expect(m.refs).toEqual({ main: { snapshotId: 3055729675574597004n, type: 'branch' } });
    expect(m.properties).toEqual({ 'commit.retry.num-retries': '1' });
  });

  it('reads v3 row lineage fields and ignores encryption keys', () => {
    const m = readTableMetadata(golden('v3-row-lineage.json'));
    expect(m.formatVersion).toBe(3);
    expect(m.nextRowId).toBe(100n);
    expect(m.snapshots[0]?.firstRowId).toBe(0n);
    expect(m.snapshots[0]?.addedRows).toBe(100n);
  });

  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`round-trips ${name} through JSON unchanged in meaning`, () => {
      const first = readTableMetadata(golden(name));
      const second = readTableMetadata(writeTableMetadata(first));
      expect(second).toEqual(first);
    });
  }
});

describe('tableMetadataToJson', () => {
  it('writes v2 with hyphenated keys and exact bigint ids', () => {
    const text = writeTableMetadata(readTableMetadata(golden('v2-full.json')));
    expect(text).toContain('"current-snapshot-id": 8744736658442914487');
    expect(text).toContain('"last-sequence-number": 3');
    const json = parseJson(text) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['partition-specs', 'sort-orders', 'snapshot-log', 'metadata-log', 'refs']),
    );
    expect(json['schema']).toBeUndefined();
    expect(json['partition-spec']).toBeUndefined();
  });

  it('writes v1 with the single schema and partition-spec v1 readers need and no sequence numbers', () => {
    const json = tableMetadataToJson(readTableMetadata(golden('v1-with-snapshots.json')));
    expect(json['schema']).toMatchObject({ type: 'struct', 'schema-id': 0 });
    expect(json['partition-spec']).toEqual([
      { name: 'x', transform: 'identity', 'source-id': 1, 'field-id': 1000 },
    ]);
    expect(json['last-sequence-number']).toBeUndefined();
    expect((json['snapshots'] as Record<string, unknown>[])[0]?.['sequence-number']).toBeUndefined();
  });

  it('writes -1 for a table without a current snapshot', () => {
    const json = tableMetadataToJson(readTableMetadata(golden('v1-single-schema.json')));
    expect(json['current-snapshot-id']).toBe(-1n);
  });
});

describe('broken metadata files', () => {
  const cases: [string, string, string][] = [
    [
      'missing-last-sequence-number',
      'invalid-metadata',
      'table metadata: last-sequence-number: required field is missing',
    ],
    [
      'wrong-type-last-column-id',
      'invalid-metadata',
      'table metadata: last-column-id: expected an integer, got string "5"',
    ],
    [
      'wrong-type-snapshot-id',
      'invalid-metadata',
      'table metadata: snapshots[1].snapshot-id: expected an int64 integer, got string "3055729675574597004"',
    ],
    [
      'current-snapshot-id-dangling',
      'invalid-metadata',
      'table metadata: current-snapshot-id: 1234567890123456789 does not match any snapshot in snapshots (3 snapshot(s))',
    ],
    [
      'unknown-format-version',
      'unsupported',
      'table metadata: format-version 4 is not supported (floe reads format versions 1, 2 and 3)',
    ],
    [
      'current-schema-id-dangling',
      'invalid-metadata',
      'table metadata: current-schema-id: 7 does not match any schema in schemas (ids: 0, 1)',
    ],
    [
      'main-ref-not-current',
      'invalid-metadata',
      'table metadata: refs.main.snapshot-id: 3051729675574597004 differs from current-snapshot-id 8744736658442914487; the main branch must point at the current snapshot',
    ],
    [
      'unknown-field-type',
      'invalid-metadata',
      "table metadata: schemas[1]: invalid schema at tags.element: unknown Iceberg type 'varchar'",
    ],
    [
      'bad-ref-type',
      'invalid-metadata',
      'table metadata: refs.v1.0.type: expected one of "branch", "tag", got string "label"',
    ],
  ];
  for (const [file, kind, message] of cases) {
    it(`${file}: ${kind}`, () => {
      const error = errorOf(() => readTableMetadata(golden(`broken/${file}.json`)));
      expect(error.kind).toBe(kind);
      expect(error.message).toBe(message);
      expect(error.retryable).toBe(false);
    });
  }

  it('names the path of a lost-precision long when the caller used JSON.parse', () => {
    const json = JSON.parse(golden('v2-full.json')) as unknown;
    expect(() => parseTableMetadata(json)).toThrow(
      'table metadata: current-snapshot-id: number 8744736658442915000 lost precision (beyond 2^53); read the JSON with parseJson so int64 values stay exact',
    );
  });

  it('rejects text that is not JSON, a non-object and a missing or non-numeric format-version', () => {
    expect(() => readTableMetadata('{')).toThrow(/^table metadata: not valid JSON \(/);
    expect(() => parseTableMetadata([])).toThrow('table metadata: (root): expected a JSON object');
    expect(() => parseTableMetadata({})).toThrow('table metadata: format-version: required field is missing');
    expect(() => parseTableMetadata({ 'format-version': '2' })).toThrow(
      'table metadata: format-version: expected 1, 2 or 3, got "2"',
    );
  });

  it('lists up to three problems and counts the rest', () => {
    expect(() => parseTableMetadata({ 'format-version': 2 })).toThrow(
      /^table metadata: table-uuid: required field is missing; location: required field is missing; last-sequence-number: required field is missing \(and \d+ more problem\(s\)\)$/,
    );
  });

  it('rejects v1 files without any schema or partition spec, and inline manifests', () => {
    const v1 = parseJson(golden('v1-single-schema.json')) as Record<string, unknown>;
    expect(() => parseTableMetadata({ ...v1, schema: undefined })).toThrow(
      "table metadata: schema: required field is missing (v1 metadata needs 'schema' or 'schemas')",
    );
    expect(() => parseTableMetadata({ ...v1, 'partition-spec': undefined })).toThrow(
      "table metadata: partition-spec: required field is missing (v1 metadata needs 'partition-spec' or 'partition-specs')",
    );
    const inline = { 'snapshot-id': 1, 'timestamp-ms': 1, manifests: ['s3://m1.avro'] };
    expect(() => parseTableMetadata({ ...v1, snapshots: [inline] })).toThrow(
      "table metadata: snapshots[0]: v1 snapshots that list manifests inline (no 'manifest-list') are not supported",
    );
    expect(() => parseTableMetadata({ ...v1, snapshots: [{ 'snapshot-id': 1, 'timestamp-ms': 1 }] })).toThrow(
      "table metadata: snapshots[0]: snapshot has no 'manifest-list'",
    );
  });

  it('checks default spec, default sort order, ref targets and sequence numbers', () => {
    const v2 = parseJson(golden('v2-full.json')) as Record<string, unknown>;
    expect(() => parseTableMetadata({ ...v2, 'default-spec-id': 9 })).toThrow(
      'table metadata: default-spec-id: 9 does not match any spec in partition-specs (ids: 0, 1)',
    );
    expect(() => parseTableMetadata({ ...v2, 'default-sort-order-id': 9 })).toThrow(
      'table metadata: default-sort-order-id: 9 does not match any order in sort-orders (ids: 0, 1)',
    );
    const refs = { ...(v2['refs'] as object), old: { 'snapshot-id': 5, type: 'tag' } };
    expect(() => parseTableMetadata({ ...v2, refs })).toThrow(
      'table metadata: refs.old.snapshot-id: 5 does not match any snapshot in snapshots',
    );
    expect(() => parseTableMetadata({ ...v2, 'last-sequence-number': 2 })).toThrow(
      'table metadata: snapshots[2].sequence-number: 3 is greater than last-sequence-number 2',
    );
  });

  it('keeps the unsupported kind for v3 types floe cannot read yet', () => {
    const v2 = parseJson(golden('v2-full.json')) as Record<string, unknown>;
    const schemas = [
      { type: 'struct', 'schema-id': 1, fields: [{ id: 1, name: 'v', required: false, type: 'variant' }] },
    ];
    const error = errorOf(() => parseTableMetadata({ ...v2, schemas }));
    expect(error.kind).toBe('unsupported');
    expect(error.message).toContain("table metadata: schemas[0]: v: Iceberg type 'variant' is not supported");
  });
});

describe('metadata written by the reference stack (PyIceberg + REST catalog, generate_pyiceberg.py)', () => {
  for (const version of [1, 2]) {
    it(`pyiceberg-v${version}.json: our JSON equals the catalog's, field for field`, () => {
      const text = golden(`pyiceberg-v${version}.json`);
      const ours = parseJson(stringifyJson(tableMetadataToJson(readTableMetadata(text))));
      expect(ours).toEqual(parseJson(text));
    });
  }

  it('reads refs, evolved schemas and specs, and the floe commit marker', () => {
    const m = readTableMetadata(golden('pyiceberg-v2.json'));
    expect(m.formatVersion).toBe(2);
    expect(m.schemas.map((s) => s.schemaId)).toEqual([0, 1]);
    expect(m.lastColumnId).toBe(4);
    expect(m.partitionSpecs.map((s) => s.fields.map((f) => f.transform))).toEqual([
      ['identity'],
      ['identity', 'bucket[8]'],
    ]);
    expect(m.lastPartitionId).toBe(1001);
    const first = m.snapshots[0];
    expect(first?.summary['floe.job-ids']).toBe('job-1,job-2');
    expect(m.refs['first-load']).toEqual({ snapshotId: first?.snapshotId, type: 'tag' });
    expect(m.refs['audit']?.type).toBe('branch');
    expect(m.refs['main']?.snapshotId).toBe(m.currentSnapshotId);
    expect(typeof m.currentSnapshotId).toBe('bigint');
  });
});

describe('parseTableMetadata with a known earlier parse', () => {
  const json = () => parseJson(golden('v2-full.json')) as Record<string, unknown>;

  it('reuses the known Snapshot objects by id and still reads every other field', () => {
    const known = parseTableMetadata(json());
    const again = parseTableMetadata(json(), { known });
    expect(again.snapshots.length).toBeGreaterThan(0);
    again.snapshots.forEach((snapshot, i) => {
      expect(snapshot).toBe(known.snapshots[i]);
    });
    expect(again).toEqual(known);
  });

  it('reads snapshots it does not know, and still refuses a broken one', () => {
    const full = json();
    const snapshots = full['snapshots'] as Record<string, unknown>[];
    const known = parseTableMetadata({
      ...full,
      snapshots: snapshots.slice(0, 1),
      refs: {},
      'current-snapshot-id': null,
      'snapshot-log': [],
    });
    const again = parseTableMetadata(full, { known });
    expect(again.snapshots[0]).toBe(known.snapshots[0]);
    expect(again.snapshots[1]).toEqual(parseTableMetadata(full).snapshots[1]);
    const broken = snapshots.map((s, i) => (i === 1 ? { ...s, 'snapshot-id': 'x' } : s));
    expect(() => parseTableMetadata({ ...full, snapshots: broken }, { known })).toThrow(
      'table metadata: snapshots[1].snapshot-id: expected an int64 integer, got string "x"',
    );
  });

  it('never reuses snapshots of another table (a different table-uuid)', () => {
    const known = parseTableMetadata(json());
    const other = parseTableMetadata(
      { ...json(), 'table-uuid': '00000000-0000-4000-8000-000000000000' },
      { known },
    );
    expect(other.snapshots[0]).not.toBe(known.snapshots[0]);
    expect(other.snapshots[0]).toEqual(known.snapshots[0]);
  });
});
