// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax
// `floe write` end to end on the local stack: one REAL writer-worker process on a queue of its
// own, the real `floe` binary writing a CSV and a Parquet file as one job into a table created
// partitioned by day(ts), then PyIceberg (an independent reader) counts the rows and reads the
// partition spec. Bad input is checked through the same binary: the message a user reads.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackEnv, runPython, type StackEnv, startFloeProcess, WRITER_WORKER } from '@floe/test-support';
import {
  Float64,
  Int64,
  makeVector,
  Table,
  TimestampMicrosecond,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FloeRun, runFloeBinary, runFloeInProcess } from './run-floe.test-helper.ts';

const stack: StackEnv = loadStackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const namespace = `cli_write_${run}`;
const env = { ...process.env, TEST_S3_KEY_ID: stack.s3AccessKeyId, TEST_S3_SECRET: stack.s3SecretAccessKey };

let dir: string;
let configPath: string;
let worker: ChildProcess | undefined;

/** `floe …` in-process (see run-floe.test-helper.ts); `floeBinary` runs the real entry point. */
function floe(...argv: string[]): Promise<FloeRun> {
  return runFloeInProcess(argv, { cwd: dir, env });
}

function floeBinary(...argv: string[]): Promise<FloeRun> {
  return runFloeBinary(argv, { cwd: dir, env });
}

function startWorker(): Promise<ChildProcess> {
  return startFloeProcess(WRITER_WORKER, { configPath, env });
}

const CSV = `id,ts,country,amount,vip
1,2026-11-01T10:00:00Z,FR,12.5,true
2,2026-11-01T23:59:59.123456Z,DE,,false
3,2026-11-02T00:00:00Z,"US, east",7,
4,2026-11-03T08:30:00+02:00,JP,1e3,TRUE
`;

function parquetBytes(): Uint8Array {
  const micros = [Date.UTC(2026, 10, 2, 12), Date.UTC(2026, 10, 4, 1)].map((ms) => BigInt(ms) * 1000n);
  const table = new Table({
    country: vectorFromArray(['BR', 'IN'], new Utf8()),
    id: makeVector(BigInt64Array.from([5n, 6n])),
    ts: vectorFromArray(
      micros.map((value) => Number(value / 1000n)),
      new TimestampMicrosecond('UTC'),
    ),
    amount: vectorFromArray([3.25, 4.5], new Float64()),
    vip: vectorFromArray([false, true]),
  });
  // Same columns as the CSV in another order: floe write conforms them to the first file's.
  expect(String(table.schema.fields[1]?.type)).toBe(String(new Int64()));
  const wasmTable = parquet.Table.fromIPCStream(tableToIPC(table, 'stream'));
  return parquet.writeParquet(wasmTable);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-write-cli-'));
  configPath = join(dir, 'floe.yaml');
  await writeFile(
    configPath,
    `catalog:
  type: rest
  uri: ${stack.catalogUri}
  warehouse: ${stack.catalogWarehouse}
storage:
  endpoint: ${stack.s3Endpoint}
  region: ${stack.s3Region}
  path_style: true
  access_key_id: \${env:TEST_S3_KEY_ID}
  secret_access_key: \${env:TEST_S3_SECRET}
  staging:
    bucket: ${stack.stagingBucket}
    prefix: cli-write-test
queue:
  redis_url: ${stack.redisUrl}
  prefix: floe-cli-write-test
  write_queue: write-${run}
writer:
  concurrency: 2
  metrics_port: 0
observability:
  log_level: info
`,
  );
  await writeFile(join(dir, 'data.csv'), CSV);
  await writeFile(join(dir, 'data.parquet'), parquetBytes());
  await writeFile(join(dir, 'bad.csv'), 'id,name\n1,a\n2\n');
  await writeFile(join(dir, 'other.csv'), 'id,name\n1,a\n');
  const created = await floe('namespace', 'create', namespace, '--config', configPath);
  expect(created.stderr).toBe('');
  worker = await startWorker();
}, 180_000);

afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
});

describe('floe write (real writer process)', () => {
  it('writes a CSV and a Parquet file as one job into a day-partitioned table', async () => {
    const table = `${namespace}.events`;
    const result = await floeBinary(
      'write',
      'data.csv',
      'data.parquet',
      '--table',
      table,
      '--partition-by',
      'day(ts)',
      '--config',
      configPath,
    );
    expect(result.stderr).toMatch(/floe write: reading 1\/2 data\.csv \(csv\), \d+ bytes\n/);
    expect(result.stderr).toMatch(/floe write: reading 2\/2 data\.parquet \(parquet\), \d+ bytes\n/);
    expect(result.stderr).toMatch(
      /floe write: staged 2 file\(s\), 6 rows in \d+ part\(s\); queued job [\w-]+\n/,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^✓ wrote 6 rows to ${table} in snapshot \\d+\\n`));
    expect(result.stdout).toMatch(/operation\s+append/);
    expect(result.stdout).toMatch(/added rows\s+6/);

    const peer = await runPython<{
      rows: number;
      spec: string[];
      ids: number[];
      nulls: number;
      types: string[];
    }>(
      `
from floe_peers import catalog, emit
t = catalog().load_table(("${namespace}", "events"))
arrow = t.scan().to_arrow()
emit({
  "rows": arrow.num_rows,
  "spec": [f"{f.transform}:{t.schema().find_field(f.source_id).name}" for f in t.spec().fields],
  "ids": sorted(arrow.column("id").to_pylist()),
  "nulls": arrow.column("amount").null_count,
  "types": [f"{f.name}:{f.field_type}" for f in t.schema().fields],
})
`,
    );
    expect(peer.rows).toBe(6);
    expect(peer.spec).toEqual(['day:ts']);
    expect(peer.ids).toEqual([1, 2, 3, 4, 5, 6]);
    expect(peer.nulls).toBe(1);
    expect(peer.types).toEqual([
      'id:long',
      'ts:timestamptz',
      'country:string',
      'amount:double',
      'vip:boolean',
    ]);
  });

  it('prints the result as JSON with the snapshot id as a decimal string', async () => {
    const result = await floe(
      'write',
      'data.csv',
      '--table',
      `${namespace}.events`,
      '--idempotency-key',
      `json-${run}`,
      '--format',
      'json',
      '--config',
      configPath,
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as {
      jobId: string;
      result: { snapshotId: unknown; addedRows: number };
    };
    expect(output.jobId).toBe(`json-${run}`);
    expect(output.result.addedRows).toBe(4);
    expect(output.result.snapshotId).toMatch(/^\d+$/);
  });

  it("relays the worker's reason when a CSV column's inferred type does not fit the table", async () => {
    // `1` infers as long; the table's amount is double, and long → double is no Iceberg promotion.
    await writeFile(join(dir, 'long.csv'), 'id,ts,country,amount,vip\n100,2026-11-01T11:00:00Z,FR,1,false\n');
    const result = await floe('write', 'long.csv', '--table', `${namespace}.events`, '--config', configPath);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `✗ job [\\w-]+ failed: schema of the staged data does not match table ${namespace}.events: ` +
          "column 'amount' is long in the data but double in the table",
      ),
    );
  });

  it('overwrites only the rows a text --filter selects', async () => {
    await writeFile(join(dir, 'fr.csv'), 'id,ts,country,amount,vip\n100,2026-11-01T11:00:00Z,FR,1.5,false\n');
    const result = await floe(
      'write',
      'fr.csv',
      '--table',
      `${namespace}.events`,
      '--mode',
      'overwrite',
      '--filter',
      "country = 'FR'",
      '--config',
      configPath,
    );
    expect(result.stderr.split('\n').filter((line) => line.startsWith('✗'))).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/operation\s+overwrite/);
    // Two FR rows came from data.csv written twice (tests above); they are replaced by one.
    const peer = await runPython<{ rows: number; fr: number[] }>(`
from floe_peers import catalog, emit
arrow = catalog().load_table(("${namespace}", "events")).scan().to_arrow()
emit({"rows": arrow.num_rows, "fr": sorted(i for i, c in zip(arrow.column("id").to_pylist(), arrow.column("country").to_pylist()) if c == "FR")})
`);
    expect(peer).toEqual({ rows: 9, fr: [100] });
  });

  it('queues without waiting with --no-wait and prints the job id', async () => {
    const result = await floe(
      'write',
      'data.csv',
      '--table',
      `${namespace}.queued`,
      '--no-wait',
      '--idempotency-key',
      `nowait-${run}`,
      '--config',
      configPath,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`✓ queued job nowait-${run} for ${namespace}.queued (1 staged part(s))\n`);
  });

  it('names --strict in a schema rejection, and says to drop it', async () => {
    await writeFile(join(dir, 'narrow.csv'), 'id,name\n1,a\n');
    await writeFile(join(dir, 'wide.csv'), 'id,name,extra\n2,b,x\n');
    const table = `${namespace}.strict_t`;
    const first = await floe('write', 'narrow.csv', '--table', table, '--config', configPath);
    expect(first.code).toBe(0);
    const strict = await floe('write', 'wide.csv', '--table', table, '--strict', '--config', configPath);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('extra');
    expect(strict.stderr).toContain('— or drop --strict to let floe add the new columns to the table\n');
  }, 120_000);

  it('tells the user which CSV row is broken and writes nothing', async () => {
    const result = await floe('write', 'bad.csv', '--table', `${namespace}.bad`, '--config', configPath);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'floe write: reading 1/1 bad.csv (csv), 14 bytes\n✗ bad.csv row 3: 1 fields, but the header has 2\n',
    );
  });

  it('rejects a file whose columns differ from the first file, naming both', async () => {
    const result = await floe(
      'write',
      'data.csv',
      'other.csv',
      '--table',
      `${namespace}.mixed`,
      '--config',
      configPath,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('✗ ');
    expect(result.stderr).toContain(
      'other.csv has columns (id: Int64, name: Utf8) but data.csv has (id: Int64,',
    );
    expect(result.stderr).toContain('the files of one write must have the same columns and types');
  });
});
