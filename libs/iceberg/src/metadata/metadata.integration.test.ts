// The metadata layer against the real REST catalog: PyIceberg creates and appends to a table,
// we load it, read the metadata with our parser, commit our own update/requirement JSON and
// check that the server's new metadata matches what our builder computes locally, and that
// a stale requirement fails on the server for the reason `checkRequirements` gives.

import { loadStackEnv, runPython } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableMetadata } from '../spec/partition-types.ts';
import { parseJson, stringifyJson } from '../util/json.ts';
import { applyUpdates } from './builder.ts';
import { checkRequirements } from './requirements.ts';
import { currentSnapshot, findSnapshotWithProperty } from './snapshot-queries.ts';
import type { TableRequirement, TableUpdate } from './updates.ts';
import { tableRequirementToJson, tableUpdateToJson } from './updates-wire.ts';
import { parseTableMetadata } from './wire.ts';

const namespace = `meta_it_${Date.now().toString(36)}`;
const table = 'events';

interface Created {
  readonly snapshotIds: string[];
  readonly metadataLocation: string;
}

let created: Created;

function tableUrl(): string {
  return `${loadStackEnv().catalogUri.replace(/\/$/, '')}/v1/namespaces/${namespace}/tables/${table}`;
}

async function loadTable(): Promise<{ metadata: TableMetadata; metadataLocation: string }> {
  const response = await fetch(tableUrl());
  expect(response.status).toBe(200);
  const body = parseJson(await response.text()) as { metadata: unknown; 'metadata-location': string };
  return { metadata: parseTableMetadata(body.metadata), metadataLocation: body['metadata-location'] };
}

async function commit(requirements: TableRequirement[], updates: TableUpdate[]): Promise<Response> {
  return fetch(tableUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: stringifyJson({
      requirements: requirements.map(tableRequirementToJson),
      updates: updates.map(tableUpdateToJson),
    }),
  });
}

beforeAll(async () => {
  created = await runPython<Created>(`
import pyarrow as pa
from floe_peers import catalog, emit
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType
cat = catalog()
cat.create_namespace("${namespace}")
t = cat.create_table("${namespace}.${table}", schema=Schema(
    NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False)))
t.append(pa.table({"id": pa.array([1, 2], pa.int64()), "name": ["a", "b"]}),
         snapshot_properties={"floe.job-ids": "job-a"})
t.append(pa.table({"id": pa.array([3], pa.int64()), "name": ["c"]}),
         snapshot_properties={"floe.job-ids": "job-b,job-c"})
t = cat.load_table("${namespace}.${table}")
emit({"snapshotIds": [str(s.snapshot_id) for s in t.metadata.snapshots], "metadataLocation": t.metadata_location})
`);
});

afterAll(async () => {
  await runPython(`
from floe_peers import catalog, emit
cat = catalog()
for ident in cat.list_tables("${namespace}"):
    cat.drop_table(ident)
cat.drop_namespace("${namespace}")
emit(True)
`);
});

describe('table metadata against the REST catalog', () => {
  it('reads the catalog metadata with exact 64-bit snapshot ids', async () => {
    const { metadata, metadataLocation } = await loadTable();
    expect(metadataLocation).toBe(created.metadataLocation);
    expect(metadata.snapshots.map((s) => s.snapshotId.toString())).toEqual(created.snapshotIds);
    expect(currentSnapshot(metadata)?.snapshotId.toString()).toBe(created.snapshotIds[1]);
    expect(
      findSnapshotWithProperty(metadata, 'floe.job-ids', (v) =>
        v.split(',').includes('job-a'),
      )?.snapshotId.toString(),
    ).toBe(created.snapshotIds[0]);
  });

  it('commits our update JSON and gets the metadata our builder predicts', async () => {
    const { metadata: base } = await loadTable();
    const updates: TableUpdate[] = [
      {
        action: 'add-schema',
        schema: {
          schemaId: base.currentSchemaId + 1,
          identifierFieldIds: [],
          fields: [
            ...(base.schemas.find((s) => s.schemaId === base.currentSchemaId)?.fields ?? []),
            { id: base.lastColumnId + 1, name: 'region', required: false, type: { kind: 'string' } },
          ],
        },
        lastColumnId: base.lastColumnId + 1,
      },
      { action: 'set-current-schema', schemaId: -1 },
      { action: 'set-properties', updates: { 'floe.test': 'yes' } },
    ];
    const requirements: TableRequirement[] = [
      { type: 'assert-table-uuid', uuid: base.tableUuid },
      { type: 'assert-current-schema-id', currentSchemaId: base.currentSchemaId },
      { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: base.currentSnapshotId ?? null },
    ];
    expect(checkRequirements(base, requirements)).toEqual([]);
    const response = await commit(requirements, updates);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const served = parseTableMetadata((parseJson(text) as { metadata: unknown }).metadata);
    const predicted = applyUpdates(base, updates);
    expect(served.currentSchemaId).toBe(predicted.currentSchemaId);
    expect(served.lastColumnId).toBe(predicted.lastColumnId);
    expect(served.schemas).toEqual(predicted.schemas);
    expect(served.properties).toEqual(predicted.properties);
    expect(served.currentSnapshotId).toBe(predicted.currentSnapshotId);
  });

  it('fails a stale requirement on the server for the reason checkRequirements gives', async () => {
    const { metadata } = await loadTable();
    const stale: TableRequirement[] = [
      { type: 'assert-current-schema-id', currentSchemaId: metadata.currentSchemaId - 1 },
    ];
    expect(checkRequirements(metadata, stale).map((f) => f.reason)).toEqual([
      `current schema id is ${metadata.currentSchemaId}, expected ${metadata.currentSchemaId - 1}`,
    ]);
    const response = await commit(stale, [{ action: 'set-properties', updates: { never: 'applied' } }]);
    expect(response.status).toBe(409);
    const { metadata: after } = await loadTable();
    expect(after.properties['never']).toBeUndefined();
  });
});
