// Schema evolution against the real REST catalog, checked by PyIceberg: PyIceberg creates and
// appends to a table; we reconcile a wider Arrow schema with new (also nested) columns in
// add-columns mode, commit the resulting updates and requirements as REST JSON, and PyIceberg
// then sees the evolved schema with the ids we assigned, and still reads the old rows (new
// columns null, widened columns widened). A second commit on the stale base fails with 409.

import { loadStackEnv, runPython } from '@floe/test-support';
import {
  Field as ArrowField,
  Schema as ArrowSchema,
  Decimal,
  Float64,
  Int32,
  Int64,
  List,
  Struct,
  Utf8,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableRequirementToJson, tableUpdateToJson } from '../metadata/updates-wire.ts';
import { parseTableMetadata } from '../metadata/wire.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { parseJson, stringifyJson } from '../util/json.ts';
import { reconcileSchema } from './reconcile.ts';
import type { TableChange } from './update-schema.ts';

const namespace = `schema_evo_it_${Date.now().toString(36)}`;
const table = 'events';

function tableUrl(): string {
  return `${loadStackEnv().catalogUri.replace(/\/$/, '')}/v1/namespaces/${namespace}/tables/${table}`;
}

async function loadTable(): Promise<TableMetadata> {
  const response = await fetch(tableUrl());
  expect(response.status).toBe(200);
  return parseTableMetadata((parseJson(await response.text()) as { metadata: unknown }).metadata);
}

async function commit(change: TableChange): Promise<Response> {
  return fetch(tableUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: stringifyJson({
      requirements: change.requirements.map(tableRequirementToJson),
      updates: change.updates.map(tableUpdateToJson),
    }),
  });
}

beforeAll(async () => {
  await runPython(`
import pyarrow as pa
from floe_peers import catalog, emit
from pyiceberg.schema import Schema
from pyiceberg.types import (DecimalType, DoubleType, FloatType, IntegerType, ListType, LongType,
    NestedField, StringType, StructType)
cat = catalog()
cat.create_namespace("${namespace}")
schema = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "count", IntegerType(), required=False),
    NestedField(3, "ratio", FloatType(), required=False),
    NestedField(4, "amount", DecimalType(10, 2), required=False),
    NestedField(5, "address", StructType(NestedField(6, "zip", StringType(), required=False)), required=False),
    NestedField(7, "points", ListType(8, StructType(NestedField(9, "x", IntegerType(), required=False)),
                                      element_required=False), required=False),
)
t = cat.create_table("${namespace}.${table}", schema=schema)
t.append(pa.Table.from_pylist(
    [{"id": 1, "count": 7, "ratio": 0.5, "amount": __import__("decimal").Decimal("12.34"),
      "address": {"zip": "75001"}, "points": [{"x": 3}]}],
    schema=t.schema().as_arrow()))
emit(True)
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

const f = (name: string, type: ConstructorParameters<typeof ArrowField>[1], nullable = true) =>
  new ArrowField(name, type, nullable);

const staged = new ArrowSchema([
  f('id', new Int64(), false),
  f('count', new Int64()),
  f('ratio', new Float64()),
  f('amount', new Decimal(2, 18, 128)),
  f('address', new Struct([f('zip', new Utf8()), f('city', new Utf8())])),
  f('points', new List(f('element', new Struct([f('x', new Int32()), f('y', new Int32())])))),
  f('country', new Utf8()),
]);

describe('schema evolution through the REST catalog, read by PyIceberg', () => {
  it('commits the add-columns evolution and PyIceberg sees our ids and widened types', async () => {
    const base = await loadTable();
    const current = base.schemas.find((s) => s.schemaId === base.currentSchemaId)!;
    const result = reconcileSchema(current, staged, 'add-columns', {
      tableName: `${namespace}.${table}`,
      lastColumnId: base.lastColumnId,
      highestSchemaId: Math.max(...base.schemas.map((s) => s.schemaId)),
    });
    expect(result.evolution).toBeDefined();
    const response = await commit(result.evolution!);
    const text = await response.text();
    expect(response.status, text).toBe(200);

    const seen = await runPython<{
      fields: [number, string, string, boolean][];
      rows: unknown[];
      lastColumnId: number;
    }>(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.${table}")
from pyiceberg.schema import index_by_id
fields = [[i, t.schema().find_column_name(i), str(f.field_type), f.required]
          for i, f in sorted(index_by_id(t.schema()).items())]
rows = t.scan().to_arrow().to_pylist()
emit({"fields": fields, "rows": rows, "lastColumnId": t.metadata.last_column_id})
`);
    expect(seen.lastColumnId).toBe(12);
    // PyIceberg numbered the table breadth-first (address 5, points 6, zip 7, element 8, x 9);
    // ours follow from last-column-id 9 in the order the data revealed them
    expect(seen.fields).toEqual([
      [1, 'id', 'long', true],
      [2, 'count', 'long', false],
      [3, 'ratio', 'double', false],
      [4, 'amount', 'decimal(18, 2)', false],
      [5, 'address', 'struct<7: zip: optional string, 10: city: optional string>', false],
      [6, 'points', 'list<struct<9: x: optional int, 11: y: optional int>>', false],
      [7, 'address.zip', 'string', false],
      [8, 'points.element', 'struct<9: x: optional int, 11: y: optional int>', false],
      [9, 'points.element.x', 'int', false],
      [10, 'address.city', 'string', false],
      [11, 'points.element.y', 'int', false],
      [12, 'country', 'string', false],
    ]);
    expect(seen.rows).toEqual([
      {
        id: 1,
        count: 7,
        ratio: 0.5,
        amount: '12.34',
        address: { zip: '75001', city: null },
        points: [{ x: 3, y: null }],
        country: null,
      },
    ]);
  });

  it('fails on the server when the same evolution is committed on a stale base', async () => {
    const evolved = await loadTable();
    const first = evolved.schemas.find((s) => s.schemaId === 0)!;
    const stale = reconcileSchema(first, staged, 'add-columns', { lastColumnId: 9 });
    const response = await commit(stale.evolution!);
    expect(response.status).toBe(409);
    const after = await loadTable();
    expect(after.currentSchemaId).toBe(evolved.currentSchemaId);
    expect(after.schemas).toHaveLength(evolved.schemas.length);
  });
});
