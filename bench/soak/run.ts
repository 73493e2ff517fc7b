// bench/soak: issue 13's sustained-ingestion bench. Does a table stay fast while small jobs
// keep landing? Two writer processes and one maintenance worker on floe's DEFAULT schedules (the
// floe.yaml has no maintenance section) serve a queue of this run's own; small jobs (10 rows by
// default) go into ONE table through @floe/producer-sdk, a few in flight at a time. Every
// window of `--window` jobs records:
//   - job latency p50/p99 (write() call → WriteResult) of the window's jobs;
//   - manifests in the current snapshot and data files it reads (@floe/iceberg tableHealth);
//   - PyIceberg's scan-planning time (`table.scan().plan_files()`, best of 3) on the table as
//     it is then;
//   - the current metadata.json's size.
// At the end PyIceberg counts the rows and distinct ids: every row must be there once, or the
// run fails and writes nothing. The first and last windows are compared in `facts.firstVsLast`.
//
//   node bench/soak/run.ts [--jobs 20000] [--rows-per-job 10] [--window 1000] [--in-flight 4]
//                          [--max-seconds 5400]
//
// `--max-seconds` bounds the run: no job is enqueued after it; the result says `capped: true`.

import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Namespace, RestCatalog, tableMetadataOf } from '@floe/catalog';
import { fileIOFor, tableHealth } from '@floe/iceberg';
import { FloeProducer } from '@floe/producer-sdk';
import {
  loadStackEnv,
  MAINTENANCE_WORKER,
  repoRoot,
  runPython,
  stackS3Properties,
  startFloeProcess,
} from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { type FleetWriter, startWriter, stopWriters, writeFleetConfig } from '../fleet/writer-fleet.ts';
import { BenchRun, summarizeLatencies } from '../support/index.ts';

const WRITERS = 2;
const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    'rows-per-job': { type: 'string', default: '10' },
    window: { type: 'string', default: '1000' },
    'in-flight': { type: 'string', default: '4' },
    'max-seconds': { type: 'string', default: '5400' },
  },
});
const jobCount = positiveInteger('jobs', args.jobs);
const rowsPerJob = positiveInteger('rows-per-job', args['rows-per-job']);
const windowSize = positiveInteger('window', args.window);
const inFlightMax = positiveInteger('in-flight', args['in-flight']);
const maxSeconds = positiveInteger('max-seconds', args['max-seconds']);

function positiveInteger(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`bench/soak: --${name} must be a whole number >= 1, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const stack = loadStackEnv();
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
const namespace: Namespace = [`bench_soak_${runId}`];
const tableName = `${namespace[0]}.events`;
const identifier = { namespace: [...namespace], name: 'events' };
const workDir = mkdtempSync(join(tmpdir(), 'floe-bench-soak-'));
const catalog = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });
const bench = new BenchRun({
  name: 'soak',
  description: `${jobCount} jobs × ${rowsPerJob} rows into one table, ${WRITERS} writer processes + a maintenance worker on its default schedules; per window of ${windowSize} jobs`,
  parameters: {
    writers: WRITERS,
    jobs: jobCount,
    rowsPerJob,
    window: windowSize,
    inFlight: inFlightMax,
    maxSeconds,
  },
  repoRoot,
});

function jobRows(job: number): arrow.Table {
  const ids = Array.from({ length: rowsPerJob }, (_, i) => BigInt(job * rowsPerJob + i));
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids)),
    job: arrow.makeVector(Int32Array.from(ids.map(() => job))),
    payload: arrow.vectorFromArray(
      ids.map((id) => `event ${id}`),
      new arrow.Utf8(),
    ),
  });
}

interface WindowReport {
  readonly window: number;
  readonly jobs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly manifests: number;
  readonly dataFiles: number;
  readonly smallFiles: number;
  readonly snapshots: number;
  readonly metadataJsonBytes: number | null;
  readonly pyicebergPlanSeconds: number;
  readonly jobsPerSecond: number;
}

async function observeTable(): Promise<
  Omit<WindowReport, 'window' | 'jobs' | 'p50Ms' | 'p99Ms' | 'jobsPerSecond'>
> {
  const loaded = await catalog.loadTable(identifier);
  const metadata = tableMetadataOf(loaded);
  const io = fileIOFor(metadata.location, { ...stackS3Properties(stack), ...loaded.config });
  const health = await tableHealth(metadata, io, { metadataLocation: loaded.metadataLocation });
  const planning = await runPython<{ seconds: number }>(`
import time
from floe_peers import catalog, emit
t = catalog().load_table("${tableName}")
best = None
for _ in range(3):
    started = time.perf_counter()
    list(t.scan().plan_files())
    elapsed = time.perf_counter() - started
    best = elapsed if best is None else min(best, elapsed)
emit({"seconds": best})
`);
  return {
    manifests: health.manifests,
    dataFiles: health.dataFiles,
    smallFiles: health.smallFiles,
    snapshots: health.snapshots,
    metadataJsonBytes: health.metadataJsonBytes,
    pyicebergPlanSeconds: Math.round(planning.seconds * 1000) / 1000,
  };
}

const config = writeFleetConfig(stack, workDir, runId);
// Only the ops port is set (several processes share the host); the schedules stay floe's defaults.
appendFileSync(config.configPath, 'maintenance:\n  worker:\n    metrics_port: 0\n');
const writers: FleetWriter[] = [];
let maintenance: ChildProcess | undefined;
let producer: FloeProducer | undefined;
let failed = false;
try {
  await catalog.createNamespace(namespace);
  console.log(`soak: starting ${WRITERS} writers and a maintenance worker (logs in ${workDir}) …`);
  for (let i = 0; i < WRITERS; i++) writers.push(await startWriter(config, join(workDir, `writer-${i}.log`)));
  maintenance = await startFloeProcess(MAINTENANCE_WORKER, {
    configPath: config.configPath,
    env: config.env,
  });
  producer = FloeProducer.fromArtifacts(config.artifacts);

  const windows: WindowReport[] = [];
  const started = performance.now();
  let windowLatencies: number[] = [];
  let windowStarted = performance.now();
  let done = 0;
  let enqueued = 0;
  let capped = false;
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let observing: Promise<void> = Promise.resolve();
  for (let job = 0; job < jobCount; job++) {
    if ((performance.now() - started) / 1000 > maxSeconds) {
      capped = true;
      break;
    }
    const jobStarted = performance.now();
    const handle = await producer.write(tableName, jobRows(job).batches, {
      idempotencyKey: `soak-${runId}-${job}`,
      create: {},
    });
    enqueued++;
    const pending: Promise<void> = handle
      .result(600_000)
      .then(
        () => {
          windowLatencies.push(performance.now() - jobStarted);
        },
        (error: unknown) => {
          failures.push(`${handle.jobId}: ${(error as Error).message}`);
        },
      )
      .finally(() => {
        inFlight.delete(pending);
        done++;
        if (done % windowSize === 0) {
          const latencies = windowLatencies;
          const seconds = (performance.now() - windowStarted) / 1000;
          windowLatencies = [];
          windowStarted = performance.now();
          const index = done / windowSize;
          // Observed while the next window's jobs keep flowing, one observation at a time.
          observing = observing.then(async () => {
            const summary = summarizeLatencies(latencies);
            const table = await observeTable();
            const report: WindowReport = {
              window: index,
              jobs: latencies.length,
              p50Ms: summary.p50Ms,
              p99Ms: summary.p99Ms,
              jobsPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
              ...table,
            };
            windows.push(report);
            console.log(
              `  window ${index}: p50 ${report.p50Ms.toFixed(0)} ms, p99 ${report.p99Ms.toFixed(0)} ms, ` +
                `${report.manifests} manifests, ${report.dataFiles} data files, plan ${report.pyicebergPlanSeconds} s, ` +
                `metadata.json ${report.metadataJsonBytes} B, ${report.snapshots} snapshots`,
            );
          });
        }
      });
    inFlight.add(pending);
    if (inFlight.size >= inFlightMax) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await observing;
  const seconds = (performance.now() - started) / 1000;
  if (failures.length > 0)
    throw new Error(`${failures.length} jobs failed:\n  ${failures.slice(0, 5).join('\n  ')}`);

  const count = await runPython<{ rows: number; distinct: number }>(`
from floe_peers import catalog, emit
import pyarrow.compute as pc
ids = catalog().load_table("${tableName}").scan(selected_fields=("id",)).to_arrow().column("id")
emit({"rows": len(ids), "distinct": len(pc.unique(ids))})
`);
  if (count.rows !== enqueued * rowsPerJob || count.distinct !== count.rows) {
    throw new Error(
      `PyIceberg reads ${count.rows} rows (${count.distinct} distinct ids); expected ${enqueued * rowsPerJob} once each`,
    );
  }
  for (const w of windows) {
    bench.record(`job latency, window ${w.window}`, 'floe', [w.p50Ms, w.p99Ms], {
      warmup: 0,
      detail: { note: 'the two samples are the window p50 and p99', jobs: w.jobs },
    });
  }
  const first = windows[0];
  const last = windows.at(-1);
  bench.fact('windows', windows);
  bench.fact('totals', {
    jobsRequested: jobCount,
    jobsRun: enqueued,
    capped,
    wallSeconds: Math.round(seconds),
    rows: count.rows,
  });
  if (first !== undefined && last !== undefined) {
    bench.fact('firstVsLast', {
      latencyP50Ratio: Math.round((last.p50Ms / first.p50Ms) * 100) / 100,
      manifestsLast: last.manifests,
      dataFilesLast: last.dataFiles,
      pyicebergPlanSecondsFirst: first.pyicebergPlanSeconds,
      pyicebergPlanSecondsLast: last.pyicebergPlanSeconds,
      metadataJsonBytesFirst: first.metadataJsonBytes,
      metadataJsonBytesLast: last.metadataJsonBytes,
    });
  }
  bench.note(
    "Maintenance runs on floe's default schedules (compact every minute on all tables; see floe.example.yaml).",
  );
  bench.note(
    'Loopback on a shared 2-core machine: producer, 2 writers, the maintenance worker, Redis, MinIO and the catalog share it.',
  );
} catch (error) {
  failed = true;
  console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await producer?.close().catch(() => undefined);
  await stopWriters([...writers, ...(maintenance === undefined ? [] : [{ child: maintenance }])]);
  await runPython(`
from floe_peers import catalog, emit
cat = catalog()
for t in cat.list_tables("${namespace[0]}"):
    cat.purge_table(t)
cat.drop_namespace("${namespace[0]}")
emit(None)
`).catch((error: unknown) => console.error(`soak: could not drop ${namespace[0]}: ${String(error)}`));
  await catalog.close();
}
if (failed) process.exit(1);
const { path } = bench.finish();
console.log(`soak: result in ${path}`);
