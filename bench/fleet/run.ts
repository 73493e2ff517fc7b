// bench/fleet: issue 6's fleet benchmark, the whole pipeline with real processes. Two writer
// worker processes (apps/writer-worker, started as scripts/demo.ts starts them) serve a queue
// of this run's own; jobs go in through @floe/producer-sdk (stage Arrow in S3, enqueue in
// BullMQ) and come back as the worker's WriteResult.
//   (a) one 1,000,000-row job (the write-throughput bench's 10-column rows): time from the
//       `write()` call to its result, next to PyIceberg's `table.append` of the same rows in the
//       same run (PyIceberg's time is the append alone: no staging, no queue, no second process);
//   (b) 1,000 jobs × 1,000 rows into one table, at most 64 in flight: jobs/s, commits made
//       (snapshots; group commit folds several jobs into one), p50/p99 job latency from the
//       `write()` call to the result.
// Tables are pre-created with the bench schema. Every table's row count is checked afterwards;
// a wrong count fails the run and writes nothing. Everything lives under `bench_fleet_<runid>`,
// purged at the end; the writers are stopped (SIGTERM) also when a measurement fails.
//
//   node bench/fleet/run.ts [--jobs 1000] [--rows-per-job 1000] [--max-seconds 900]
//
// `--max-seconds` caps part (b): no new job is enqueued after it, the in-flight ones finish,
// and the result records `capped: true` with the jobs that did run.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Namespace, RestCatalog, tableMetadataOf } from '@floe/catalog';
import { FloeProducer, type WriteHandle } from '@floe/producer-sdk';
import { loadStackEnv, repoRoot } from '@floe/test-support';
import { BenchRun } from '../support/index.ts';
import {
  BENCH_SCHEMA,
  generateBenchRows,
  UNPARTITIONED_SPEC,
  writeIpcFile,
} from '../write-throughput/bench-rows.ts';
import { pyicebergAppend } from '../write-throughput/pyiceberg-peer.ts';
import { startWriter, stopWriters, writeFleetConfig } from './writer-fleet.ts';

const BIG_ROWS = 1_000_000;
const WRITERS = 2;
const IN_FLIGHT = 64;
const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    'rows-per-job': { type: 'string', default: '1000' },
    'max-seconds': { type: 'string', default: '900' },
  },
});
const jobCount = positiveInteger('jobs', args.jobs);
const rowsPerJob = positiveInteger('rows-per-job', args['rows-per-job']);
const maxSeconds = positiveInteger('max-seconds', args['max-seconds']);

const stack = loadStackEnv();
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
const namespace: Namespace = [`bench_fleet_${runId}`];
const workDir = mkdtempSync(join(tmpdir(), 'floe-bench-fleet-'));
const catalog = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });
const bench = new BenchRun({
  name: 'fleet',
  description: `producer SDK → ${WRITERS} writer processes → commit: one ${BIG_ROWS.toLocaleString('en')}-row job vs PyIceberg append; ${jobCount} jobs × ${rowsPerJob} rows`,
  parameters: {
    writers: WRITERS,
    bigJobRows: BIG_ROWS,
    jobs: jobCount,
    rowsPerJob,
    inFlight: IN_FLIGHT,
    maxSeconds,
  },
  repoRoot,
});

const config = writeFleetConfig(stack, workDir, runId);
const writers: ChildProcess[] = [];
let producer: FloeProducer | undefined;
let failed = false;
try {
  await catalog.createNamespace(namespace);
  for (const name of ['big', 'small']) {
    await catalog.createTable(
      { namespace: [...namespace], name },
      {
        schema: BENCH_SCHEMA as never,
        partitionSpec: UNPARTITIONED_SPEC as never,
        properties: { 'format-version': '2' },
      },
    );
  }
  console.log(`fleet: starting ${WRITERS} writer processes (logs in ${workDir}) …`);
  for (let i = 0; i < WRITERS; i++) writers.push(await startWriter(config, join(workDir, `writer-${i}.log`)));
  producer = FloeProducer.fromArtifacts(config.artifacts);

  // (a) one big job, then PyIceberg's append of the same rows.
  const big = generateBenchRows(BIG_ROWS);
  const ipcPath = join(workDir, 'big.arrow');
  writeIpcFile(big, ipcPath);
  console.log(`  (a) one ${BIG_ROWS.toLocaleString('en')}-row job …`);
  const bigStarted = performance.now();
  const bigHandle = await producer.write(`${namespace[0]}.big`, big.batches, {
    idempotencyKey: `fleet-${runId}-big`,
  });
  const staged = performance.now();
  const bigResult = await bigHandle.result(600_000);
  const bigMs = performance.now() - bigStarted;
  if (bigResult.addedRows !== BIG_ROWS) throw new Error(`the big job added ${bigResult.addedRows} rows`);
  console.log(
    `      floe ${(bigMs / 1000).toFixed(2)} s (staging + enqueue ${((staged - bigStarted) / 1000).toFixed(2)} s)`,
  );
  const py = await pyicebergAppend({ table: `${namespace[0]}.pyiceberg_big`, partitioned: false, ipcPath });
  console.log(`      pyiceberg append ${py.seconds.toFixed(2)} s`);
  rmSync(ipcPath, { force: true });
  bench.record(`one ${BIG_ROWS.toLocaleString('en')}-row write`, 'floe', [bigMs], {
    warmup: 0,
    detail: {
      scope: 'write() call → WriteResult: stage in S3, enqueue, worker reads, encodes, uploads, commits',
      stagingAndEnqueueMs: Math.round(staged - bigStarted),
      dataFiles: bigResult.addedFiles,
      bytes: bigResult.addedBytes,
    },
  });
  bench.record(`one ${BIG_ROWS.toLocaleString('en')}-row write`, 'pyiceberg', [py.seconds * 1000], {
    warmup: 0,
    detail: { scope: 'table.append() in one process', dataFiles: py.dataFiles, bytes: py.bytes },
  });
  const bigComparison = bench.compare(
    `one ${BIG_ROWS.toLocaleString('en')}-row write: floe end to end / pyiceberg append`,
    { operation: `one ${BIG_ROWS.toLocaleString('en')}-row write`, client: 'floe' },
    { operation: `one ${BIG_ROWS.toLocaleString('en')}-row write`, client: 'pyiceberg' },
  );

  // (b) many small jobs into one table.
  const small = generateBenchRows(rowsPerJob, rowsPerJob);
  console.log(`  (b) ${jobCount} jobs × ${rowsPerJob} rows, ≤ ${IN_FLIGHT} in flight, cap ${maxSeconds} s …`);
  const latencies: number[] = [];
  const snapshotIds = new Set<string>();
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let enqueued = 0;
  let capped = false;
  for (let job = 0; job < jobCount; job++) {
    if ((performance.now() - started) / 1000 > maxSeconds) {
      capped = true;
      break;
    }
    const jobStarted = performance.now();
    const handle: WriteHandle = await producer.write(`${namespace[0]}.small`, small.batches, {
      idempotencyKey: `fleet-${runId}-${job}`,
    });
    enqueued++;
    const pending: Promise<void> = handle
      .result(600_000)
      .then(
        (result) => {
          latencies.push(performance.now() - jobStarted);
          snapshotIds.add(result.snapshotId);
        },
        (error: unknown) => {
          failures.push(`${handle.jobId}: ${(error as Error).message}`);
        },
      )
      .finally(() => {
        inFlight.delete(pending);
        const done = latencies.length + failures.length;
        if (done % 50 === 0) process.stdout.write(`      ${done}/${jobCount} done\n`);
      });
    inFlight.add(pending);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  if (failures.length > 0)
    throw new Error(`${failures.length} jobs failed:\n  ${failures.slice(0, 5).join('\n  ')}`);

  const loaded = tableMetadataOf(await catalog.loadTable({ namespace: [...namespace], name: 'small' }));
  const current = loaded.snapshots.find((s) => s.snapshotId === loaded.currentSnapshotId);
  const totalRecords = Number(current?.summary['total-records'] ?? 0);
  if (totalRecords !== enqueued * rowsPerJob) {
    throw new Error(`table small holds ${totalRecords} rows, expected ${enqueued * rowsPerJob}`);
  }
  const bigLoaded = tableMetadataOf(await catalog.loadTable({ namespace: [...namespace], name: 'big' }));
  const bigCurrent = bigLoaded.snapshots.find((s) => s.snapshotId === bigLoaded.currentSnapshotId);
  if (Number(bigCurrent?.summary['total-records'] ?? 0) !== BIG_ROWS)
    throw new Error('table big has the wrong row count');

  const jobsPerSecond = Math.round((enqueued / seconds) * 10) / 10;
  const latency = bench.record(`job latency (write() → result), ${rowsPerJob} rows`, 'floe', latencies, {
    warmup: 0,
    detail: { jobs: enqueued, writers: WRITERS, jobsPerSecond, commits: loaded.snapshots.length },
  });
  console.log(
    `      ${enqueued} jobs in ${seconds.toFixed(1)} s = ${jobsPerSecond} jobs/s, ${loaded.snapshots.length} commits, ` +
      `p50 ${latency.p50Ms.toFixed(0)} ms, p99 ${latency.p99Ms.toFixed(0)} ms${capped ? ' (CAPPED)' : ''}`,
  );
  bench.fact('bigJob', {
    rows: BIG_ROWS,
    floeEndToEndSeconds: round3(bigMs / 1000),
    floeStagingAndEnqueueSeconds: round3((staged - bigStarted) / 1000),
    pyicebergAppendSeconds: round3(py.seconds),
    ratioFloeOverPyiceberg: bigComparison.ratioP50,
    commitAttempts: bigResult.attempts,
    pyiceberg: { version: py.pyicebergVersion, pyarrow: py.pyarrowVersion, python: py.pythonVersion },
  });
  bench.fact('manyJobs', {
    jobsRequested: jobCount,
    jobsRun: enqueued,
    capped,
    maxSeconds,
    rowsPerJob,
    writers: WRITERS,
    inFlight: IN_FLIGHT,
    wallSeconds: round3(seconds),
    jobsPerSecond,
    rowsPerSecond: Math.round((enqueued * rowsPerJob) / seconds),
    commits: loaded.snapshots.length,
    distinctSnapshotsInResults: snapshotIds.size,
    jobsPerCommit: Math.round((enqueued / loaded.snapshots.length) * 10) / 10,
    p50LatencyMs: latency.p50Ms,
    p99LatencyMs: latency.p99Ms,
    totalRecords,
  });
  bench.note(
    'The big-job ratio compares unlike scopes on purpose: floe end to end (staging in S3, BullMQ, a separate ' +
      'worker process that reads, encodes, uploads and commits) against PyIceberg appending from memory.',
  );
  bench.note(
    'Writers use the default writer config (concurrency 4, commit linger 200 ms, ≤ 32 jobs per commit).',
  );
  bench.note(
    'Loopback on a shared 2-core machine: producer, 2 writers, Redis, MinIO and the catalog share 2 cores.',
  );
} catch (error) {
  failed = true;
  process.exitCode = 1;
  console.error('fleet failed; no result written:', error);
} finally {
  await producer?.close();
  await stopWriters(writers);
  await cleanUp();
  await catalog.close();
}
if (!failed) {
  bench.finish();
  rmSync(workDir, { recursive: true, force: true });
}

async function cleanUp(): Promise<void> {
  try {
    for (const table of await catalog.listTables(namespace)) await catalog.dropTable(table, { purge: true });
    await catalog.dropNamespace(namespace);
  } catch (error) {
    process.exitCode = 1;
    console.error(`fleet: clean-up of ${namespace[0]} failed:`, error);
  }
}

function positiveInteger(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`--${name} needs an integer >= 1, got '${raw}'`);
  return value;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
