// `npm run demo` — floe's main job, on one machine: starts two writer worker processes, produces
// a realistic stream of write jobs into three tables (one partitioned by day) through the producer
// SDK with a progress bar, waits for every result, then prints each table's snapshots and row
// counts and a DuckDB query over the result. Last, a maintenance worker process expires all but
// the newest 10 snapshots of each table (through `floe maintenance run expire`), and PyIceberg
// confirms every row is still there.
// Two set-ups (--stack):
//   embedded (default)  floe's SQL catalog on a SQLite file, warehouse and staging in local
//                       folders, Redis for the queue — no Java, Go or object store; PyIceberg
//                       reads the tables through its SqlCatalog on the same file
//   rest                the full local stack: Iceberg REST catalog, MinIO (S3), Redis
// Options: --jobs N (default 300), --rows N rows per job (default 200), --workers N (default 2).
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { compileAndResolve } from '@floe/config';
import type { MaintenanceReport } from '@floe/jobs';
import { FloeProducer, type WriteHandle, type WriteOptions } from '@floe/producer-sdk';
import {
  loadStackEnv,
  MAINTENANCE_WORKER,
  repoRoot,
  runPython,
  stackCredentialEnv,
  stackFloeYaml,
  startFloeProcess,
  WRITER_WORKER,
} from '@floe/test-support';
import * as arrow from 'apache-arrow';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '300' },
    rows: { type: 'string', default: '200' },
    workers: { type: 'string', default: '2' },
    stack: { type: 'string', default: 'embedded' },
  },
});
if (args.stack !== 'embedded' && args.stack !== 'rest') {
  process.stderr.write(`--stack must be embedded or rest, got "${args.stack}"\n`);
  process.exit(2);
}
const embedded = args.stack === 'embedded';
const jobCount = Number(args.jobs);
const rowsPerJob = Number(args.rows);
const workerCount = Number(args.workers);
const run = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const namespace = `demo_${run}`;

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

// 1. The stack.
execFileSync(
  process.execPath,
  [join(repoRoot, 'infra/local/stack.ts'), 'up', ...(embedded ? ['--services', 'redis'] : [])],
  { stdio: 'inherit' },
);
const stack = loadStackEnv();

// 2. A floe.yaml for the stack; S3 keys stay ${env:…} references.
const demoDir = join(stack.stackDir, 'demo');
mkdirSync(demoDir, { recursive: true });
const configPath = join(demoDir, 'floe.yaml');
const queueSection = {
  prefix: 'floe-demo',
  write_queue: `demo-write-${run}`,
  maintenance_queue: `demo-maintenance-${run}`,
};
// Embedded: everything under .stack/demo — the catalog file, the warehouse, the staging folder.
const sqliteUri = `sqlite:///${join(demoDir, 'catalog.db')}`;
const localWarehouse = pathToFileURL(join(demoDir, 'warehouse')).href;
const embeddedYaml = `catalog:
  type: sql
  uri: ${sqliteUri}
  warehouse: ${localWarehouse}
storage:
  staging:
    location: ${pathToFileURL(join(demoDir, 'staging')).href}
    prefix: demo
queue:
  redis_url: ${stack.redisUrl}
${Object.entries(queueSection)
  .map(([key, value]) => `  ${key}: ${value}\n`)
  .join('')}writer:
  concurrency: 4
  metrics_port: 0
`;
writeFileSync(
  configPath,
  `${
    embedded
      ? embeddedYaml
      : stackFloeYaml(stack, {
          stagingPrefix: 'demo',
          queue: queueSection,
          writer: { concurrency: 4, metrics_port: 0 },
        })
  }maintenance:\n  worker:\n    metrics_port: 0\n`,
);
/** How PyIceberg opens the demo's catalog (tests/support/py/floe_peers.py). */
const pyCatalog = embedded ? `sql_catalog("${sqliteUri}", "${localWarehouse}")` : 'catalog()';
const env = { ...process.env, ...(embedded ? {} : stackCredentialEnv(stack)) };
const artifacts = compileAndResolve(readFileSync(configPath, 'utf8'), env, configPath);

// 3. Writer workers, as separate processes (the maintenance worker of step 6 starts the same way).
say(`starting ${workerCount} writer workers…`);
const workers = await Promise.all(
  Array.from({ length: workerCount }, (_, _i) => startFloeProcess(WRITER_WORKER, { configPath, env })),
);

// 4. The stream: orders (partitioned by day), users, and page views (bucketed by user).
interface TableSpec {
  readonly name: string;
  readonly options: WriteOptions;
  readonly batch: (job: number) => arrow.Table;
}

const countries = ['FR', 'DE', 'US', 'JP', 'BR', 'IN'];
const startMs = Date.UTC(2026, 10, 1);

function timestamps(job: number, n: number): arrow.Vector {
  const micros = BigInt64Array.from({ length: n }, (_, i) => {
    const ms = startMs + ((job * n + i) % (14 * 24 * 60)) * 60_000;
    return BigInt(ms) * 1000n + BigInt(i % 1000);
  });
  return arrow.makeVector(
    arrow.makeData({
      type: new arrow.TimestampMicrosecond('UTC'),
      length: n,
      data: micros as unknown as Int32Array,
    }),
  );
}

const tables: TableSpec[] = [
  {
    name: 'orders',
    options: { create: { partitionSpec: [{ source: 'ts', transform: 'day' }] } },
    batch: (job) =>
      new arrow.Table({
        order_id: arrow.makeVector(
          BigInt64Array.from({ length: rowsPerJob }, (_, i) => BigInt(job * rowsPerJob + i)),
        ),
        ts: timestamps(job, rowsPerJob),
        country: arrow.vectorFromArray(
          Array.from({ length: rowsPerJob }, (_, i) => countries[(job + i) % countries.length] ?? 'FR'),
          new arrow.Utf8(),
        ),
        amount: arrow.vectorFromArray(
          Array.from({ length: rowsPerJob }, (_, i) => ((job * 31 + i * 7) % 10_000) / 100),
          new arrow.Float64(),
        ),
      }),
  },
  {
    name: 'users',
    options: { create: { partitionSpec: [] } },
    batch: (job) =>
      new arrow.Table({
        user_id: arrow.makeVector(
          BigInt64Array.from({ length: rowsPerJob }, (_, i) => BigInt(job * rowsPerJob + i)),
        ),
        email: arrow.vectorFromArray(
          Array.from({ length: rowsPerJob }, (_, i) => `user${job * rowsPerJob + i}@example.com`),
          new arrow.Utf8(),
        ),
        signed_up: timestamps(job, rowsPerJob),
      }),
  },
  {
    name: 'page_views',
    options: { create: { partitionSpec: [{ source: 'user_id', transform: 'bucket[8]' }] } },
    batch: (job) =>
      new arrow.Table({
        user_id: arrow.makeVector(
          BigInt64Array.from({ length: rowsPerJob }, (_, i) => BigInt((job * 7 + i) % 5000)),
        ),
        ts: timestamps(job, rowsPerJob),
        path: arrow.vectorFromArray(
          Array.from({ length: rowsPerJob }, (_, i) => `/products/${(job + i) % 97}`),
          new arrow.Utf8(),
        ),
      }),
  },
];

const producer = FloeProducer.fromArtifacts(artifacts);
const started = Date.now();
let done = 0;
let failed = 0;
function progress(): void {
  const width = 30;
  const filled = Math.round((done / jobCount) * width);
  const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${jobCount} jobs  ${rate.toFixed(1)} jobs/s${failed ? `  ${failed} failed` : ''}`,
  );
}

const inFlight = new Set<Promise<void>>();
const failures: string[] = [];
for (let job = 0; job < jobCount; job++) {
  const spec = tables[job % tables.length] as TableSpec;
  const handle: WriteHandle = await producer.write(`${namespace}.${spec.name}`, spec.batch(job), {
    ...spec.options,
    idempotencyKey: `demo-${run}-${job}`,
    snapshotProperties: { 'demo.job': String(job) },
  });
  const pending: Promise<void> = handle
    .result(300_000)
    .then(
      () => undefined,
      (error: unknown) => {
        failed++;
        failures.push(`${handle.jobId}: ${(error as Error).message}`);
      },
    )
    .finally(() => {
      done++;
      progress();
      inFlight.delete(pending);
    });
  inFlight.add(pending);
  if (inFlight.size >= 32) await Promise.race(inFlight);
}
await Promise.all(inFlight);
process.stderr.write('\n');
const seconds = (Date.now() - started) / 1000;
await producer.close();
for (const worker of workers) worker.kill('SIGTERM');
await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));

say(
  `${jobCount - failed} of ${jobCount} jobs committed in ${seconds.toFixed(1)} s by ${workerCount} workers`,
);
for (const failure of failures.slice(0, 5)) say(`  failed: ${failure}`);

// 5. What landed, as other engines see it.
const report = await runPython<{
  tables: { name: string; snapshots: number; snapshot_id: string; rows: number; files: number }[];
  daily: [string, number, number][];
}>(`
from floe_peers import catalog, sql_catalog, duckdb_connection, emit
cat = ${pyCatalog}
out = []
for name in ["orders", "users", "page_views"]:
    t = cat.load_table("${namespace}." + name)
    snap = t.current_snapshot()
    out.append({"name": "${namespace}." + name, "snapshots": len(t.snapshots()), "snapshot_id": str(snap.snapshot_id),
                "rows": int(snap.summary["total-records"]), "files": int(snap.summary["total-data-files"])})
orders = cat.load_table("${namespace}.orders")
con = duckdb_connection(s3=${embedded ? 'False' : 'True'})
daily = con.execute("""
  SELECT strftime(date_trunc('day', ts), '%Y-%m-%d') AS day, count(*) AS orders, round(sum(amount), 2) AS revenue
  FROM iceberg_scan(?) GROUP BY 1 ORDER BY 1 LIMIT 7""", [orders.metadata_location]).fetchall()
emit({"tables": out, "daily": [list(r) for r in daily]})
`);

console.log('\ntable                                snapshots  rows      files  current snapshot id');
for (const t of report.tables) {
  console.log(
    `${t.name.padEnd(36)} ${String(t.snapshots).padStart(9)}  ${String(t.rows).padEnd(8)}  ${String(t.files).padStart(5)}  ${t.snapshot_id}`,
  );
}
console.log(
  '\nDuckDB: SELECT day, count(*), sum(amount) FROM iceberg_scan(orders) GROUP BY day (first 7 days)',
);
for (const [day, orders, revenue] of report.daily)
  console.log(`  ${day}  ${String(orders).padStart(6)} orders  ${revenue}`);
// 6. Maintenance: expire all but the newest 10 snapshots of each table, through the CLI and a
// maintenance worker process, then let PyIceberg count the rows again.
const KEEP = 10;
say(`\nstarting a maintenance worker; expiring all but the newest ${KEEP} snapshots of each table…`);
const maintenance = await startFloeProcess(MAINTENANCE_WORKER, { configPath, env });
const execFileAsync = promisify(execFile);
for (const t of report.tables) {
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      'apps/cli/src/main.ts',
      'maintenance',
      'run',
      'expire',
      '--table',
      t.name,
      '--max-snapshot-age-ms',
      '1',
      '--min-snapshots-to-keep',
      String(KEEP),
      '--format',
      'json',
      '--config',
      configPath,
    ],
    { cwd: repoRoot, env },
  );
  const expiry = JSON.parse(stdout) as MaintenanceReport;
  const after = await runPython<{ snapshots: number; rows: number }>(`
from floe_peers import catalog, sql_catalog, emit
t = ${pyCatalog}.load_table("${t.name}")
emit({"snapshots": len(t.snapshots()), "rows": t.scan().to_arrow().num_rows})
`);
  console.log(
    `  ${t.name}: expired ${expiry.snapshotsExpired} snapshots, deleted ${expiry.filesDeleted} files ` +
      `(${(expiry.bytesDeleted / 1024).toFixed(0)} KiB) in ${expiry.durationMs} ms; ` +
      `PyIceberg now reads ${after.snapshots} snapshots, ${after.rows} rows`,
  );
  if (after.rows !== t.rows) failed++;
}
maintenance.kill('SIGTERM');
await new Promise((resolve) => maintenance.once('exit', resolve));

console.log(
  `\n${embedded ? `catalog, warehouse and staging are in ${demoDir}; Redis` : 'the stack'} keeps running: \`npm run stack:down\` stops it`,
);
if (failed > 0) process.exit(1);
