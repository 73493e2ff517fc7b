// Row-level writes end to end on the local stack: one REAL writer-worker process, `floe write`
// creating a table, `floe delete --where` and `floe write --mode upsert --key id` committing
// merge-on-read — on a format v2 table (position delete files) and on a table upgraded with
// `floe table upgrade --format-version 3` (deletion vectors, row lineage). PyIceberg and DuckDB
// (independent readers) must read exactly the rows floe's own query returns; a delete re-run
// with the same idempotency key is the same job (one snapshot).
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadStackEnv,
  runPython,
  type StackEnv,
  stackFloeYaml,
  startFloeProcess,
  WRITER_WORKER,
} from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FloeRun, runFloeInProcess } from './run-floe.test-helper.ts';

const stack: StackEnv = loadStackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const namespace = `cli_rows_${run}`;
const env = { ...process.env, TEST_S3_KEY_ID: stack.s3AccessKeyId, TEST_S3_SECRET: stack.s3SecretAccessKey };

let dir: string;
let configPath: string;
let worker: ChildProcess | undefined;

function floe(...argv: string[]): Promise<FloeRun> {
  return runFloeInProcess([...argv, '--config', configPath], { cwd: dir, env });
}

async function floeJson<T>(...argv: string[]): Promise<T> {
  const result = await floe(...argv, '--format', 'json');
  if (result.code !== 0) throw new Error(`floe ${argv.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const BASE = `id,name,region
1,ann,eu
2,bob,eu
3,cid,us
4,dan,us
5,eve,eu
`;
const UPSERT = `id,name,region
3,cid-v2,us
5,eve-v2,us
9,ivy,eu
`;
const EXPECTED = [
  [1, 'ann'],
  [3, 'cid-v2'],
  [4, 'dan'],
  [5, 'eve-v2'],
  [9, 'ivy'],
];

async function pyIcebergRows(table: string): Promise<unknown[]> {
  return runPython<unknown[]>(`
from floe_peers import catalog, emit
t = catalog().load_table("${table}")
rows = t.scan(selected_fields=("id", "name")).to_arrow().sort_by("id").to_pylist()
emit([[r["id"], r["name"]] for r in rows])
`);
}

async function duckDbRows(table: string): Promise<unknown[]> {
  return runPython<unknown[]>(`
from floe_peers import catalog, duckdb_connection, emit
location = catalog().load_table("${table}").metadata_location
con = duckdb_connection()
emit([list(r) for r in con.execute("SELECT id, name FROM iceberg_scan(?) ORDER BY id", [location]).fetchall()])
`);
}

async function floeRows(table: string): Promise<unknown[]> {
  const rows = await floeJson<{ id: string | number; name: string }[]>('query', table, '--select', 'id,name');
  return rows.map((r) => [Number(r.id), r.name]).sort((a, b) => (a[0] as number) - (b[0] as number));
}

async function deleteAndUpsert(table: string) {
  const deleted = await floeJson<{ result: { operation: string; deletedRows: number; snapshotId: string } }>(
    'delete',
    table,
    '--where',
    "id = 2 or name = 'nobody'",
    '--idempotency-key',
    `del-${table.replaceAll('.', '-')}`,
  );
  expect([deleted.result.operation, deleted.result.deletedRows]).toEqual(['delete', 1]);
  const again = await floeJson<{ deduplicated: boolean; result: { snapshotId: string } }>(
    'delete',
    table,
    '--where',
    "id = 2 or name = 'nobody'",
    '--idempotency-key',
    `del-${table.replaceAll('.', '-')}`,
  );
  // The same key is the same job: its one result, no second delete snapshot.
  expect([again.deduplicated, again.result.snapshotId]).toEqual([true, deleted.result.snapshotId]);
  const upserted = await floeJson<{ result: { operation: string; addedRows: number; deletedRows: number } }>(
    'write',
    'upsert.csv',
    '--table',
    table,
    '--mode',
    'upsert',
    '--key',
    'id',
  );
  expect([upserted.result.operation, upserted.result.addedRows, upserted.result.deletedRows]).toEqual([
    'overwrite',
    3,
    2,
  ]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-rows-cli-'));
  configPath = join(dir, 'floe.yaml');
  await writeFile(
    configPath,
    stackFloeYaml(stack, {
      accessKeyEnv: 'TEST_S3_KEY_ID',
      secretKeyEnv: 'TEST_S3_SECRET',
      stagingPrefix: 'cli-rows-test',
      queue: { prefix: 'floe-cli-rows-test', write_queue: `write-${run}` },
      writer: { concurrency: 2, metrics_port: 0 },
    }),
  );
  await writeFile(join(dir, 'base.csv'), BASE);
  await writeFile(join(dir, 'upsert.csv'), UPSERT);
  const created = await floe('namespace', 'create', namespace);
  expect(created.stderr).toBe('');
  worker = await startFloeProcess(WRITER_WORKER, { configPath, env });
}, 180_000);

afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
});

describe('row-level writes through the fleet', () => {
  it('v2: delete and upsert write position deletes that PyIceberg, DuckDB and floe read alike', async () => {
    const table = `${namespace}.v2`;
    expect((await floe('write', 'base.csv', '--table', table, '--partition-by', 'region')).code).toBe(0);
    await deleteAndUpsert(table);
    expect(await floeRows(table)).toEqual(EXPECTED);
    expect(await pyIcebergRows(table)).toEqual(EXPECTED);
    expect(await duckDbRows(table)).toEqual(EXPECTED);
  });

  it('v3 (upgraded): delete and upsert write deletion vectors that PyIceberg and floe read alike', async () => {
    const table = `${namespace}.v3`;
    expect((await floe('write', 'base.csv', '--table', table, '--partition-by', 'region')).code).toBe(0);
    const upgraded = await floe('table', 'upgrade', table, '--format-version', '3');
    expect(upgraded.stdout).toBe(`✓ upgraded table ${table} from format version 2 to 3\n`);
    await deleteAndUpsert(table);
    expect(await floeRows(table)).toEqual(EXPECTED);
    expect(await pyIcebergRows(table)).toEqual(EXPECTED);
    const files = await runPython<{ format: string; content: number }[]>(`
from floe_peers import catalog, emit
t = catalog().load_table("${table}")
out = []
for task in t.scan().plan_files():
    for d in task.delete_files:
        out.append({"format": str(d.file_format.value).lower(), "content": int(d.content)})
emit(out)
`);
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.format === 'puffin' && f.content === 1)).toBe(true);
  });

  it('creates a v3 table with --format-version 3 and upserts into it', async () => {
    const table = `${namespace}.v3new`;
    expect((await floe('write', 'base.csv', '--table', table, '--format-version', '3')).code).toBe(0);
    const described = await floeJson<{ format_version: number }>('table', 'describe', table);
    expect(described.format_version).toBe(3);
    expect(
      (await floe('write', 'upsert.csv', '--table', table, '--mode', 'upsert', '--key', 'id')).code,
    ).toBe(0);
    expect(await pyIcebergRows(table)).toEqual([
      [1, 'ann'],
      [2, 'bob'],
      [3, 'cid-v2'],
      [4, 'dan'],
      [5, 'eve-v2'],
      [9, 'ivy'],
    ]);
  });

  it('refuses an upsert whose files repeat a key, naming it, and writes nothing', async () => {
    const table = `${namespace}.v2`;
    await writeFile(join(dir, 'dupes.csv'), 'id,name,region\n7,a,eu\n7,b,eu\n');
    const result = await floe('write', 'dupes.csv', '--table', table, '--mode', 'upsert', '--key', 'id');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `upsert into ${table}: key (id) = (7) appears more than once in the staged rows; a key may appear once per upsert — deduplicate the batch first`,
    );
    expect(await pyIcebergRows(table)).toEqual(EXPECTED);
  });
});
