// The embedded SQL catalog end to end, judged by PyIceberg's SqlCatalog on the same database:
// two REAL writer processes commit concurrently to one table through one SQLite file (warehouse and
// staging on the local filesystem: no object store at all) and through the stack's PostgreSQL (warehouse on MinIO) — every job's rows
// land exactly once, so no commit was lost — and PyIceberg then reads every row. A table PyIceberg
// creates in the SQLite catalog is appended to by floe, and PyIceberg and DuckDB read both
// writers' rows back.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WriteHandle } from '@floe/producer-sdk';
import { loadStackEnv, runPython } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet, describeFailures, type Fleet, jobBatch, settle, tableReport } from './support/fleet.ts';

const JOBS = 30;
const ROWS = 10;
const stack = loadStackEnv();
const folder = mkdtempSync(join(tmpdir(), 'floe-sql-e2e-'));
const sqliteUri = `sqlite:///${join(folder, 'catalog.db')}`;
const localWarehouse = pathToFileURL(join(folder, 'warehouse')).href;
const localStaging = pathToFileURL(join(folder, 'staging')).href;
const pgCatalog = `sql_e2e_${Date.now().toString(36)}`;
const pgWarehouse = `s3://${stack.warehouseBucket}/sql-e2e/${pgCatalog}`;

let sqliteFleet: Fleet;
let postgresFleet: Fleet;

beforeAll(async () => {
  sqliteFleet = createFleet('sql_sqlite', {
    concurrency: 4,
    commitLingerMs: 50,
    sqlCatalog: { uri: sqliteUri, warehouse: localWarehouse },
    localStaging: localStaging,
  });
  postgresFleet = createFleet('sql_pg', {
    concurrency: 4,
    commitLingerMs: 50,
    // Each run is its own catalog on the shared server, so runs never see each other's tables.
    sqlCatalog: { uri: stack.postgresUri, warehouse: pgWarehouse, name: pgCatalog },
  });
  await Promise.all([sqliteFleet.startWorkers(2), postgresFleet.startWorkers(2)]);
}, 180_000);

afterAll(async () => {
  await Promise.all([sqliteFleet?.close(), postgresFleet?.close()]);
}, 60_000);

async function writeJobs(fleet: Fleet, table: string): Promise<void> {
  const producer = fleet.producer();
  const handles: { job: number; handle: WriteHandle }[] = await Promise.all(
    Array.from({ length: JOBS }, async (_, job) => ({
      job,
      handle: await producer.write(table, jobBatch(job, ROWS), {
        create: { partitionSpec: [] },
        idempotencyKey: `${fleet.run}-job-${job}`,
      }),
    })),
  );
  const outcomes = await settle(handles, 180_000);
  expect(describeFailures(outcomes)).toBe('');
}

describe('two writer processes on one SQL catalog', () => {
  it('SQLite file: every job lands exactly once and PyIceberg SqlCatalog reads every row', async () => {
    const table = `${sqliteFleet.namespace}.events`;
    await writeJobs(sqliteFleet, table);
    const report = await tableReport(table, ROWS, `sql_catalog("${sqliteUri}", "${localWarehouse}")`);
    expect(report.rows).toBe(JOBS * ROWS);
    expect(report.distinctIds).toBe(JOBS * ROWS);
    expect(report.wrongJobs).toEqual([]);
    expect(report.jobsPresent).toBe(JOBS);
    const marked = report.jobIdsPerSnapshot.flat();
    expect(new Set(marked).size).toBe(JOBS);
    expect(marked).toHaveLength(JOBS);
    // Both processes committed (their group commits interleave on the one file).
    for (const worker of sqliteFleet.workers) expect(worker.output()).toContain('"snapshotId"');
    // The batches were staged in the local folder and deleted once committed.
    const staged = readdirSync(join(folder, 'staging'), { recursive: true }).map(String);
    expect(staged.filter((name) => name.endsWith('.arrows'))).toEqual([]);
    expect(staged.length).toBeGreaterThan(0);
  }, 240_000);

  it('PostgreSQL: every job lands exactly once and PyIceberg SqlCatalog reads every row', async () => {
    const table = `${postgresFleet.namespace}.events`;
    await writeJobs(postgresFleet, table);
    const report = await tableReport(
      table,
      ROWS,
      `sql_catalog("${stack.postgresUri}", "${pgWarehouse}", "${pgCatalog}")`,
    );
    expect(report.rows).toBe(JOBS * ROWS);
    expect(report.distinctIds).toBe(JOBS * ROWS);
    expect(report.wrongJobs).toEqual([]);
    const marked = report.jobIdsPerSnapshot.flat();
    expect(new Set(marked).size).toBe(JOBS);
    expect(marked).toHaveLength(JOBS);
  }, 240_000);
});

describe('PyIceberg and floe share the SQLite catalog', () => {
  it('floe appends to a table PyIceberg created; PyIceberg and DuckDB read both writers', async () => {
    const namespace = `${sqliteFleet.namespace}_py`;
    const table = `${namespace}.py_made`;
    await runPython(`
from floe_peers import sql_catalog, emit
import pyarrow as pa
cat = sql_catalog("${sqliteUri}", "${localWarehouse}")
cat.create_namespace("${namespace}")
schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("job", pa.int32()), pa.field("label", pa.string())])
t = cat.create_table("${table}", schema=schema)
t.append(pa.table({"id": [1000, 1001, 1002], "job": [-1, -1, -1], "label": ["py-0", "py-1", "py-2"]}, schema=schema))
emit(True)
`);
    const handle = await sqliteFleet
      .producer()
      .write(table, jobBatch(7, 5), { idempotencyKey: `${sqliteFleet.run}-onto-py` });
    await handle.result(120_000);
    const read = await runPython<{ rows: number; labels: string[]; duckdb: number; snapshots: number }>(`
from floe_peers import sql_catalog, duckdb_connection, emit
t = sql_catalog("${sqliteUri}", "${localWarehouse}").load_table("${table}")
data = t.scan().to_arrow()
con = duckdb_connection()
count = con.execute("SELECT count(*) FROM iceberg_scan(?)", [t.metadata_location]).fetchone()[0]
emit({"rows": data.num_rows, "labels": sorted(data.column("label").to_pylist()), "duckdb": count,
      "snapshots": len(t.snapshots())})
`);
    expect(read.rows).toBe(8);
    expect(read.duckdb).toBe(8);
    expect(read.snapshots).toBe(2);
    expect(read.labels).toEqual([
      'job-7-row-0',
      'job-7-row-1',
      'job-7-row-2',
      'job-7-row-3',
      'job-7-row-4',
      'py-0',
      'py-1',
      'py-2',
    ]);
  }, 180_000);
});
