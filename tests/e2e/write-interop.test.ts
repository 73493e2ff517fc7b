// The write path end to end against the real stack, judged by other implementations: we create a
// partitioned table through the REST catalog, encode Arrow rows into Parquet data files with
// @floe/iceberg, commit a snapshot with commitWithRebase, then PyIceberg and DuckDB read back
// exactly the values we wrote — edge values included. Then PyIceberg appends to our table and we
// append to its appended table again, and 4 concurrent appenders race on one table.
import { randomUUID } from 'node:crypto';
import { catalogCommitter, RestCatalog, tableMetadataOf } from '@floe/catalog';
import {
  type CommittedTable,
  commitWithRebase,
  fastAppend,
  fileIOFor,
  schemaToJson,
  type TableMetadata,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { loadStackEnv, runPython, stackS3Properties } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const catalog = new RestCatalog({ uri: stack.catalogUri });
const committer = catalogCommitter(catalog);
const namespace = `interop_${randomUUID().slice(0, 8)}`;
const s3Properties = stackS3Properties(stack);

const createSchema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'ts', required: false, type: { kind: 'timestamptz' } },
    { id: 3, name: 'name', required: false, type: { kind: 'string' } },
    { id: 4, name: 'amount', required: false, type: { kind: 'decimal', precision: 38, scale: 2 } },
    { id: 5, name: 'score', required: false, type: { kind: 'double' } },
    { id: 6, name: 'flag', required: false, type: { kind: 'boolean' } },
    { id: 7, name: 'day', required: false, type: { kind: 'date' } },
  ],
} as const;

interface Row {
  id: bigint;
  ts: bigint | null;
  name: string | null;
  amount: bigint | null;
  score: number | null;
  flag: boolean | null;
  day: number | null;
}

const MAX_DECIMAL_38 = 10n ** 38n - 1n;
const edgeRows: Row[] = [
  {
    id: -9223372036854775808n,
    ts: -1n,
    name: '',
    amount: MAX_DECIMAL_38,
    score: Number.NaN,
    flag: true,
    day: -719162,
  },
  {
    id: 9223372036854775807n,
    ts: 1732406400123456n,
    name: 'ünïcødé ✓ 名前',
    amount: -MAX_DECIMAL_38,
    score: -0.5,
    flag: false,
    day: 2932896,
  },
  { id: 0n, ts: null, name: null, amount: null, score: null, flag: null, day: null },
  {
    id: 1n,
    ts: -62135596800000000n,
    name: 'a/b=c%d e',
    amount: -5n,
    score: Number.POSITIVE_INFINITY,
    flag: true,
    day: -1,
  },
];

function generatedRows(count: number, offset: number): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    return {
      id: BigInt(n + 10),
      ts: 1732406400000000n + BigInt(n) * 3_600_000_000n + BigInt(n % 997),
      name: n % 13 === 0 ? null : `row-${n}`,
      amount: BigInt(n * 101 - 5000),
      score: n % 17 === 0 ? null : n / 8,
      flag: n % 2 === 0,
      day: 20000 + (n % 40),
    };
  });
}

function int128Words(values: readonly (bigint | null)[]): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((value, i) => {
    let v = BigInt.asUintN(128, value ?? 0n);
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(v & 0xffffffffn);
      v >>= 32n;
    }
  });
  return words;
}

function nullBitmap(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, i) => {
    if (value === null) nullCount++;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return { nullBitmap: bitmap, nullCount };
}

function toBatch(rows: readonly Row[]): arrow.RecordBatch {
  const col = <K extends keyof Row>(key: K) => rows.map((r) => r[key]);
  const ts = col('ts');
  const amount = col('amount');
  const day = col('day');
  const table = new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(col('id'))),
    ts: arrow.makeVector(
      arrow.makeData({
        type: new arrow.TimestampMicrosecond('UTC'),
        length: rows.length,
        data: BigInt64Array.from(ts, (v) => v ?? 0n) as unknown as Int32Array,
        ...nullBitmap(ts),
      }),
    ),
    name: arrow.vectorFromArray(col('name'), new arrow.Utf8()),
    amount: arrow.makeVector(
      arrow.makeData({
        type: new arrow.Decimal(2, 38, 128),
        length: rows.length,
        data: int128Words(amount),
        ...nullBitmap(amount),
      }),
    ),
    score: arrow.vectorFromArray(col('score'), new arrow.Float64()),
    flag: arrow.vectorFromArray(col('flag'), new arrow.Bool()),
    day: arrow.makeVector(
      arrow.makeData({
        type: new arrow.DateDay(),
        length: rows.length,
        data: Int32Array.from(day, (v) => v ?? 0),
        ...nullBitmap(day),
      }),
    ),
  });
  const [batch] = table.batches;
  if (!batch) throw new Error('no batch');
  return batch;
}

/** Our rows in the normalised form the Python readers print. */
function expected(rows: readonly Row[]): unknown[] {
  return [...rows]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => [
      r.id.toString(),
      r.ts === null ? null : r.ts.toString(),
      r.name,
      r.amount === null ? null : decimalText(r.amount, 2),
      r.score === null ? null : Number.isNaN(r.score) ? 'NaN' : Number.isFinite(r.score) ? r.score : 'inf',
      r.flag,
      r.day,
    ]);
}

function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const NORMALISE = `
import math
def norm_score(v):
    if v is None: return None
    if math.isnan(v): return 'NaN'
    if math.isinf(v): return 'inf'
    return v
`;

async function readWithPyIceberg(table: string, snapshotId?: bigint): Promise<unknown[]> {
  return runPython<unknown[]>(`
from floe_peers import catalog, emit
import pyarrow as pa, pyarrow.compute as pc
${NORMALISE}
t = catalog().load_table("${namespace}.${table}")
scan = t.scan(${snapshotId === undefined ? '' : `snapshot_id=${snapshotId}`})
tbl = scan.to_arrow().sort_by("id")
ts = pc.cast(tbl["ts"], pa.int64()).to_pylist()
day = pc.cast(tbl["day"], pa.int32()).to_pylist()
rows = [[str(r["id"]), None if ts[i] is None else str(ts[i]), r["name"], None if r["amount"] is None else str(r["amount"]),
         norm_score(r["score"]), r["flag"], day[i]] for i, r in enumerate(tbl.to_pylist())]
emit(rows)
`);
}

async function readWithDuckDB(metadataLocation: string): Promise<unknown[]> {
  return runPython<unknown[]>(`
from floe_peers import duckdb_connection, emit
${NORMALISE}
con = duckdb_connection()
rows = con.execute("""
  SELECT CAST(id AS VARCHAR), CAST(epoch_us(ts) AS VARCHAR), name, CAST(amount AS VARCHAR), score, flag,
         CAST(day - DATE '1970-01-01' AS INTEGER)
  FROM iceberg_scan(?) ORDER BY id""", ["${metadataLocation}"]).fetchall()
emit([[r[0], r[1], r[2], r[3], norm_score(r[4]), r[5], r[6]] for r in rows])
`);
}

async function createTable(name: string): Promise<CommittedTable> {
  const created = await catalog.createTable(
    { namespace: [namespace], name },
    {
      schema: { ...schemaToJson(createSchema) },
      partitionSpec: {
        'spec-id': 0,
        fields: [
          { 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' },
          { 'source-id': 1, 'field-id': 1001, name: 'id_bucket', transform: 'bucket[16]' },
        ],
      },
      properties: { 'commit.retry.num-retries': '20', 'commit.retry.min-wait-ms': '20' },
    },
  );
  return { metadata: tableMetadataOf(created), metadataLocation: created.metadataLocation };
}

async function append(name: string, base: CommittedTable, rows: readonly Row[]) {
  const metadata: TableMetadata = base.metadata;
  const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  if (!schema || !spec) throw new Error('table without schema or spec');
  const io = fileIOFor(metadata.location, s3Properties);
  const batch = toBatch(rows);
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: metadata.location,
    schema,
    spec,
    arrowSchema: batch.schema,
  });
  return commitWithRebase({
    committer,
    identifier: { namespace: [namespace], name },
    io,
    base,
    change: fastAppend(files.map((file) => ({ file, specId: spec.specId }))),
  });
}

beforeAll(async () => {
  await catalog.createNamespace(namespace);
});

afterAll(async () => {
  await catalog.close();
});

describe('tables written by @floe/iceberg', () => {
  it('are read back exactly by PyIceberg and DuckDB, edge values included', async () => {
    const rows = [...edgeRows, ...generatedRows(500, 0)];
    const base = await createTable('edge');
    const outcome = await append('edge', base, rows);
    expect(outcome.status).toBe('committed');
    const want = expected(rows);
    expect(await readWithPyIceberg('edge')).toEqual(want);
    expect(await readWithDuckDB(outcome.table.metadataLocation as string)).toEqual(want);
  });

  it('show PyIceberg the partition values and file metrics we wrote', async () => {
    const rows = generatedRows(200, 1000);
    const base = await createTable('metrics');
    const outcome = await append('metrics', base, rows);
    const files = await runPython<
      { partition: [number | null, number | null]; count: number; nulls: Record<string, number> }[]
    >(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.metrics")
out = []
for task in t.scan().plan_files():
    f = task.file
    out.append({"partition": [f.partition[0], f.partition[1]], "count": f.record_count,
                "nulls": {str(k): v for k, v in (f.null_value_counts or {}).items()}})
emit(out)
`);
    expect(files.reduce((sum, f) => sum + f.count, 0)).toBe(200);
    expect(Number(outcome.snapshot.summary['added-data-files'])).toBe(files.length);
    // Every file's partition is the (day, bucket) of its rows: days are 20053…20061 here.
    for (const file of files) {
      expect(file.partition[0]).toBeGreaterThanOrEqual(20053);
      expect(file.partition[1]).toBeGreaterThanOrEqual(0);
      expect(file.partition[1]).toBeLessThan(16);
    }
    const nameNulls = files.reduce((sum, f) => sum + (f.nulls['3'] ?? 0), 0);
    expect(nameNulls).toBe(rows.filter((r) => r.name === null).length);
  });

  it('survive 4 concurrent appenders × 25 appends: 100 snapshots, every row once, losers rebase on the winner', async () => {
    await createTable('race');
    const identifier = { namespace: [namespace], name: 'race' };
    const writers = 4;
    const rounds = 25;
    const outcomes = [];
    for (let round = 0; round < rounds; round++) {
      // Every writer loads the same base and writes its files before anyone commits, so each round
      // has one winner and three commits that must rebase onto newer parents.
      const base = await committer.loadTable(identifier);
      const prepared = await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const metadata = base.metadata;
          const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
          const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
          if (!schema || !spec) throw new Error('table without schema or spec');
          const io = fileIOFor(metadata.location, s3Properties);
          const batch = toBatch(generatedRows(10, 10_000 + (round * writers + w) * 10));
          const files = await writePartitionedDataFiles([batch], {
            io,
            tableLocation: metadata.location,
            schema,
            spec,
            arrowSchema: batch.schema,
          });
          return { io, files, specId: spec.specId };
        }),
      );
      const committed = await Promise.all(
        prepared.map(({ io, files, specId }) =>
          commitWithRebase({
            committer,
            identifier,
            io,
            base,
            change: fastAppend(files.map((file) => ({ file, specId }))),
          }),
        ),
      );
      // The data files each writer encoded are exactly the ones its snapshot added: no re-encoding.
      committed.forEach((outcome, w) => {
        expect(outcome.snapshot.summary['added-data-files']).toBe(String(prepared[w]?.files.length));
      });
      outcomes.push(...committed);
    }
    const pyRows = await readWithPyIceberg('race');
    expect(pyRows).toHaveLength(writers * rounds * 10);
    expect(new Set(pyRows.map((r) => (r as unknown[])[0])).size).toBe(writers * rounds * 10);
    const final = await committer.loadTable(identifier);
    expect(final.metadata.snapshots).toHaveLength(writers * rounds);
    const conflicts = outcomes.reduce((sum, o) => sum + o.conflicts, 0);
    expect(conflicts).toBeGreaterThanOrEqual((writers - 1) * rounds);
  });
});

describe('tables written by PyIceberg', () => {
  it('are appended to by @floe/iceberg and then read whole by PyIceberg', async () => {
    await runPython(`
from floe_peers import catalog, emit
import pyarrow as pa
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, TimestamptzType, StringType, DecimalType, DoubleType, BooleanType, DateType
schema = Schema(
  NestedField(1, "id", LongType(), required=True), NestedField(2, "ts", TimestamptzType()),
  NestedField(3, "name", StringType()), NestedField(4, "amount", DecimalType(38, 2)),
  NestedField(5, "score", DoubleType()), NestedField(6, "flag", BooleanType()), NestedField(7, "day", DateType()))
spec = PartitionSpec(PartitionField(2, 1000, DayTransform(), "ts_day"), PartitionField(3, 1001, IdentityTransform(), "name"))
t = catalog().create_table("${namespace}.py_made", schema=schema, partition_spec=spec)
import datetime, decimal
arrow_schema = t.schema().as_arrow()
data = pa.Table.from_pylist([
  {"id": 100000 + i, "ts": datetime.datetime(2024, 1, 1 + i % 5, tzinfo=datetime.timezone.utc), "name": f"py-{i % 3}",
   "amount": decimal.Decimal("1.25"), "score": 1.5, "flag": True, "day": datetime.date(2024, 1, 1)} for i in range(30)],
  schema=arrow_schema)
t.append(data)
emit({"ok": True})
`);
    const identifier = { namespace: [namespace], name: 'py_made' };
    const base = await committer.loadTable(identifier);
    const metadata = base.metadata;
    const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
    const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
    if (!schema || !spec) throw new Error('table without schema or spec');
    const rows = generatedRows(50, 20_000);
    const io = fileIOFor(metadata.location, s3Properties);
    const batch = toBatch(rows);
    const files = await writePartitionedDataFiles([batch], {
      io,
      tableLocation: metadata.location,
      schema,
      spec,
      arrowSchema: batch.schema,
    });
    const outcome = await commitWithRebase({
      committer,
      identifier,
      io,
      base,
      change: fastAppend(files.map((file) => ({ file, specId: spec.specId }))),
    });
    expect(outcome.status).toBe('committed');
    const all = await readWithPyIceberg('py_made');
    expect(all).toHaveLength(80);
    expect(all.filter((r) => String((r as unknown[])[2]).startsWith('py-'))).toHaveLength(30);
    expect(
      all.filter((r) => expected(rows).some((e) => JSON.stringify(e) === JSON.stringify(r))),
    ).toHaveLength(50);
  });
});
