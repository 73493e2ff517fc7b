// Spark (3.5, Iceberg 1.10 runtime) as the interop peer for format v3 and row-level writes, one
// warm Spark session for the whole file: Spark writes a v3 table with deletion vectors (deletes,
// updates, merges — merge-on-read) that floe reads row for row at every snapshot, with and
// without a filter and projection; Spark reads what floe writes — deletion vectors and upserts on
// v3 with valid row lineage (`_row_id`, `_last_updated_sequence_number`), position deletes on
// v2; and floe's overwrite by filter on a table carrying Spark's position deletes gives the rows
// Spark's own DELETE gives, leaving no delete file that applies to nothing.
import { randomUUID } from 'node:crypto';
import { catalogCommitter, RestCatalog } from '@floe/catalog';
import {
  commitOverwriteByFilter,
  commitRowLevelChange,
  commitWithRebase,
  fastAppend,
  fileIOFor,
  type ScanOptions,
  scanTable,
  schemaToJson,
  upsertKeyFields,
  upsertMatcher,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { loadStackEnv, type SparkPeer, stackS3Properties, startSparkPeer } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const catalog = new RestCatalog({ uri: stack.catalogUri });
const committer = catalogCommitter(catalog);
const namespace = `spark_${randomUUID().slice(0, 8)}`;
const s3Properties = stackS3Properties(stack);
let spark: SparkPeer;

type Row = [number, string | null, string | null];

const identifier = (name: string) => ({ namespace: [namespace], name });

async function floeRows(name: string, options: ScanOptions = {}): Promise<unknown[][]> {
  const { metadata } = await committer.loadTable(identifier(name));
  const { table } = await scanTable(metadata, fileIOFor(metadata.location, s3Properties), options);
  return table
    .toArray()
    .map((r) => Object.values(r.toJSON()).map((v) => (typeof v === 'bigint' ? Number(v) : v)))
    .sort((a, b) => (a[0] as number) - (b[0] as number));
}

function sparkRows(sql: string): Promise<unknown[][]> {
  return spark.run<unknown[][]>(`emit([list(r) for r in spark.sql("""${sql}""").collect()])`);
}

function batchOf(rows: readonly Row[]): arrow.RecordBatch {
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(rows, (r) => BigInt(r[0]))),
    name: arrow.vectorFromArray(
      rows.map((r) => r[1]),
      new arrow.Utf8(),
    ),
    region: arrow.vectorFromArray(
      rows.map((r) => r[2]),
      new arrow.Utf8(),
    ),
  }).batches[0]!;
}

async function createFloeTable(name: string, formatVersion: 2 | 3) {
  await catalog.createTable(identifier(name), {
    schema: {
      ...schemaToJson({
        schemaId: 0,
        identifierFieldIds: [],
        fields: [
          { id: 1, name: 'id', required: true, type: { kind: 'long' } },
          { id: 2, name: 'name', required: false, type: { kind: 'string' } },
          { id: 3, name: 'region', required: false, type: { kind: 'string' } },
        ],
      }),
    },
    partitionSpec: {
      'spec-id': 0,
      fields: [{ 'source-id': 3, 'field-id': 1000, name: 'region', transform: 'identity' }],
    },
    properties: { 'format-version': String(formatVersion) },
  });
}

async function writeFiles(name: string, rows: readonly Row[]) {
  const base = await committer.loadTable(identifier(name));
  const { metadata } = base;
  const io = fileIOFor(metadata.location, s3Properties);
  const batch = batchOf(rows);
  const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId)!;
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: metadata.location,
    schema,
    spec: metadata.partitionSpecs[0]!,
    arrowSchema: batch.schema,
  });
  return { base, io, schema, files: files.map((file) => ({ file, specId: 0 })) };
}

async function floeAppend(name: string, rows: readonly Row[]) {
  const { base, io, files } = await writeFiles(name, rows);
  await commitWithRebase({ committer, identifier: identifier(name), io, base, change: fastAppend(files) });
}

async function floeDelete(name: string, filter: string) {
  const base = await committer.loadTable(identifier(name));
  const io = fileIOFor(base.metadata.location, s3Properties);
  return commitRowLevelChange({ committer, identifier: identifier(name), io, base, matcher: { filter } });
}

async function floeUpsert(name: string, rows: readonly Row[]) {
  const { base, io, schema, files } = await writeFiles(name, rows);
  const keys = upsertKeyFields(schema, ['id'], name);
  const matcher = await upsertMatcher(
    io,
    schema,
    files.map((f) => f.file),
    keys,
    name,
  );
  return commitRowLevelChange({
    committer,
    identifier: identifier(name),
    io,
    base,
    matcher,
    addedFiles: files,
  });
}

const rows = (from: number, to: number): Row[] =>
  Array.from({ length: to - from }, (_, i) => [from + i, `n${from + i}`, (from + i) % 2 === 0 ? 'eu' : 'us']);
const values = (list: readonly Row[]) => list.map(([id, n, r]) => `(${id}, '${n}', '${r}')`).join(', ');

beforeAll(async () => {
  await catalog.createNamespace(namespace);
  spark = await startSparkPeer(stack);
}, 240_000);

afterAll(async () => {
  await spark?.close();
  await catalog.close();
}, 60_000);

describe('Spark and floe on v3 and row-level writes', () => {
  it('a v3 table Spark wrote with deletion vectors reads in floe as in Spark, at every snapshot', async () => {
    const t = `floe.${namespace}.spark_dv`;
    await spark.run(`
spark.sql("""CREATE TABLE ${t} (id bigint, name string, region string) USING iceberg PARTITIONED BY (region)
  TBLPROPERTIES ('format-version'='3', 'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read',
                 'write.merge.mode'='merge-on-read')""")
spark.sql("INSERT INTO ${t} VALUES ${values(rows(1, 21))}")
spark.sql("INSERT INTO ${t} VALUES ${values(rows(21, 31))}")
spark.sql("DELETE FROM ${t} WHERE id % 7 = 0")
spark.sql("UPDATE ${t} SET name = concat(name, '-u') WHERE id < 5")
spark.sql("""MERGE INTO ${t} AS t USING (SELECT * FROM VALUES (3L, 'm3', 'us'), (100L, 'new', 'eu') AS s(id, name, region)) AS s
  ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *""")
emit(None)
`);
    const formats = await sparkRows(`SELECT DISTINCT file_format FROM ${t}.delete_files`);
    expect(formats).toEqual([['PUFFIN']]);
    const snapshots = (
      await sparkRows(`SELECT CAST(snapshot_id AS STRING) FROM ${t}.snapshots ORDER BY committed_at`)
    ).map((r) => String(r[0]));
    expect(snapshots.length).toBe(5);
    for (const id of snapshots) {
      const theirs = await sparkRows(`SELECT id, name, region FROM ${t} VERSION AS OF ${id} ORDER BY id`);
      expect(await floeRows('spark_dv', { snapshotId: BigInt(id) })).toEqual(theirs);
    }
    const filtered = await sparkRows(`SELECT id, name FROM ${t} WHERE region = 'us' AND id > 2 ORDER BY id`);
    expect(
      await floeRows('spark_dv', { filter: "region = 'us' and id > 2", columns: ['id', 'name'] }),
    ).toEqual(filtered);
  });

  it('Spark reads floe deletion vectors and upserts on v3 with valid row lineage', async () => {
    await createFloeTable('floe_v3', 3);
    await floeAppend('floe_v3', rows(1, 11));
    await floeDelete('floe_v3', 'id in (2, 3)');
    await floeUpsert('floe_v3', [
      [4, 'four', 'eu'],
      [11, 'eleven', 'us'],
    ]);
    const t = `floe.${namespace}.floe_v3`;
    expect(await sparkRows(`SELECT id, name, region FROM ${t} ORDER BY id`)).toEqual(
      await floeRows('floe_v3'),
    );
    const lineage = await sparkRows(
      `SELECT id, _row_id, _last_updated_sequence_number FROM ${t} ORDER BY id`,
    );
    const ids = lineage.map((r) => r[1]);
    expect(ids.every((v) => typeof v === 'number')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(lineage.every((r) => typeof r[2] === 'number')).toBe(true);
    // The upserted row was written by the third commit; untouched rows keep the first one's.
    expect(lineage.find((r) => r[0] === 4)?.[2]).toBe(3);
    expect(lineage.find((r) => r[0] === 1)?.[2]).toBe(1);
  });

  it('Spark reads floe position deletes and upserts on v2', async () => {
    await createFloeTable('floe_v2', 2);
    await floeAppend('floe_v2', rows(1, 11));
    await floeDelete('floe_v2', "id > 7 or name = 'n1'");
    await floeUpsert('floe_v2', [
      [5, 'five', 'eu'],
      [12, 'twelve', 'eu'],
    ]);
    const t = `floe.${namespace}.floe_v2`;
    expect(await sparkRows(`SELECT id, name, region FROM ${t} ORDER BY id`)).toEqual(
      await floeRows('floe_v2'),
    );
    expect(await sparkRows(`SELECT DISTINCT file_format FROM ${t}.delete_files`)).toEqual([['PARQUET']]);
  });

  it("overwrite by filter on Spark's position deletes gives Spark's rows and leaves no stale delete file", async () => {
    const setup = (t: string) => `
spark.sql("""CREATE TABLE ${t} (id bigint, name string, region string) USING iceberg PARTITIONED BY (region)
  TBLPROPERTIES ('format-version'='2', 'write.delete.mode'='merge-on-read')""")
spark.sql("INSERT INTO ${t} VALUES ${values(rows(1, 21))}")
spark.sql("DELETE FROM ${t} WHERE id % 3 = 0")
`;
    const ours = `floe.${namespace}.spark_pos`;
    const theirs = `floe.${namespace}.spark_pos_ref`;
    await spark.run(`${setup(ours)}${setup(theirs)}
spark.sql("DELETE FROM ${theirs} WHERE region = 'eu' AND id > 4")
emit(None)`);
    expect((await sparkRows(`SELECT count(*) FROM ${ours}.delete_files`))[0]![0]).toBeGreaterThan(0);
    const base = await committer.loadTable(identifier('spark_pos'));
    await commitOverwriteByFilter({
      committer,
      identifier: identifier('spark_pos'),
      io: fileIOFor(base.metadata.location, s3Properties),
      base,
      filter: {
        type: 'and',
        left: { type: 'eq', term: 'region', value: 'eu' },
        right: { type: 'gt', term: 'id', value: 4 },
      },
    });
    const expected = await sparkRows(`SELECT id, name, region FROM ${theirs} ORDER BY id`);
    expect(await sparkRows(`SELECT id, name, region FROM ${ours} ORDER BY id`)).toEqual(expected);
    expect(await floeRows('spark_pos')).toEqual(expected);
    // Every delete file left names a data file that is still live.
    const stale = await sparkRows(`
SELECT d.file_path FROM ${ours}.delete_files d
WHERE d.referenced_data_file IS NOT NULL AND d.referenced_data_file NOT IN (SELECT file_path FROM ${ours}.data_files)`);
    expect(stale).toEqual([]);
    const { metadata } = await committer.loadTable(identifier('spark_pos'));
    expect(Number(metadata.snapshots.at(-1)!.summary['removed-delete-files'] ?? '0')).toBeGreaterThan(0);
  });
});
