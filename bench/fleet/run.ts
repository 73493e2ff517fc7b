// bench/fleet: issue 6's fleet benchmark, the whole pipeline with real processes. Two writer
// worker processes (apps/writer-worker, started as scripts/demo.ts starts them) serve a queue
// of this run's own; jobs go in through @floe/producer-sdk (stage Arrow in S3, enqueue in
// BullMQ) and come back as the worker's WriteResult.
//   (a) one 1,000,000-row job (the write-throughput bench's 10-column rows): time from the
//       `write()` call to its result, next to PyIceberg's `table.append` of the same rows in the
//       same run (PyIceberg's time is the append alone: no staging, no queue, no second process);
//   (b) 1,000 jobs × 1,000 rows into one table, at most 64 in flight, first with the 2 writers,
//       then with 2 more started (4 on one fresh table), each variant timed after 200 warm-up
//       jobs that flow straight into the timed ones: jobs/s, commits made (snapshots; group
//       commit folds several jobs into one), commit conflicts, p50/p99 job latency from the
//       `write()` call to the result (and the warm-up's p99), and the writers' and the machine's
//       CPU per job (bench/fleet/many-jobs.ts).
// Tables are pre-created with the bench schema. Every table's row count is checked afterwards;
// a wrong count fails the run and writes nothing. Everything lives under `bench_fleet_<runid>`,
// purged at the end; the writers are stopped (SIGTERM) also when a measurement fails.
//
//   node bench/fleet/run.ts [--jobs 1000] [--warmup-jobs 200] [--rows-per-job 1000] [--max-seconds 900]
//                           [--big-rows 1000000] [--commit-lease on|off]
//
// `--max-seconds` caps each variant of part (b): no new job is enqueued after it, the in-flight
// ones finish, and the result records `capped: true` with the jobs that did run. `--big-rows`
// shrinks part (a) for a quick check that the bench works (its figures are then not comparable).
// `--commit-lease off` runs the writers without the per-table commit lease (writer.commit_lease),
// for a before/after comparison with the same code.

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Namespace, RestCatalog, tableMetadataOf } from '@floe/catalog';
import { FloeProducer } from '@floe/producer-sdk';
import { loadStackEnv, repoRoot } from '@floe/test-support';
import { BenchRun } from '../support/index.ts';
import {
  BENCH_SCHEMA,
  generateBenchRows,
  UNPARTITIONED_SPEC,
  writeIpcFile,
} from '../write-throughput/bench-rows.ts';
import { pyicebergAppend } from '../write-throughput/pyiceberg-peer.ts';
import { stackServicePids } from './machine-cpu.ts';
import { round3, runManyJobs } from './many-jobs.ts';
import { type FleetWriter, startWriter, stopWriters, writeFleetConfig } from './writer-fleet.ts';

const WRITERS = 2;
const FOUR_WRITERS = 4;
const IN_FLIGHT = 64;
const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    'warmup-jobs': { type: 'string', default: '200' },
    'rows-per-job': { type: 'string', default: '1000' },
    'max-seconds': { type: 'string', default: '900' },
    'big-rows': { type: 'string', default: '1000000' },
    'commit-lease': { type: 'string', default: 'on' },
  },
});
const jobCount = positiveInteger('jobs', args.jobs);
const warmUpJobs = nonNegativeInteger('warmup-jobs', args['warmup-jobs']);
const rowsPerJob = positiveInteger('rows-per-job', args['rows-per-job']);
const maxSeconds = positiveInteger('max-seconds', args['max-seconds']);
const bigRows = positiveInteger('big-rows', args['big-rows']);
if (args['commit-lease'] !== 'on' && args['commit-lease'] !== 'off')
  throw new Error(`--commit-lease needs on or off, got '${args['commit-lease']}'`);
const commitLease = args['commit-lease'] === 'on';

const stack = loadStackEnv();
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
const namespace: Namespace = [`bench_fleet_${runId}`];
const workDir = mkdtempSync(join(tmpdir(), 'floe-bench-fleet-'));
const catalog = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });
const bench = new BenchRun({
  name: 'fleet',
  description: `producer SDK → writer processes → commit: one ${bigRows.toLocaleString('en')}-row job vs PyIceberg append (${WRITERS} writers); ${jobCount} jobs × ${rowsPerJob} rows with ${WRITERS} and with ${FOUR_WRITERS} writers`,
  parameters: {
    writers: WRITERS,
    writersLargeVariant: FOUR_WRITERS,
    bigJobRows: bigRows,
    jobs: jobCount,
    warmUpJobs,
    rowsPerJob,
    inFlight: IN_FLIGHT,
    maxSeconds,
    commitLease,
  },
  repoRoot,
});

const config = writeFleetConfig(stack, workDir, runId, commitLease);
const writers: FleetWriter[] = [];
let producer: FloeProducer | undefined;
let failed = false;
try {
  await catalog.createNamespace(namespace);
  for (const name of ['big', 'small', 'small_4w']) {
    await catalog.createTable(
      { namespace: [...namespace], name },
      {
        schema: BENCH_SCHEMA,
        partitionSpec: UNPARTITIONED_SPEC,
        properties: { 'format-version': '2' },
      },
    );
  }
  console.log(`fleet: starting ${WRITERS} writer processes (logs in ${workDir}) …`);
  for (let i = 0; i < WRITERS; i++) writers.push(await startWriter(config, join(workDir, `writer-${i}.log`)));
  producer = FloeProducer.fromArtifacts(config.artifacts);

  // (a) one big job, then PyIceberg's append of the same rows.
  const big = generateBenchRows(bigRows);
  const ipcPath = join(workDir, 'big.arrow');
  writeIpcFile(big, ipcPath);
  console.log(`  (a) one ${bigRows.toLocaleString('en')}-row job …`);
  const bigStarted = performance.now();
  const bigHandle = await producer.write(`${namespace[0]}.big`, big.batches, {
    idempotencyKey: `fleet-${runId}-big`,
  });
  const staged = performance.now();
  const bigResult = await bigHandle.result(600_000);
  const bigMs = performance.now() - bigStarted;
  if (bigResult.addedRows !== bigRows) throw new Error(`the big job added ${bigResult.addedRows} rows`);
  console.log(
    `      floe ${(bigMs / 1000).toFixed(2)} s (staging + enqueue ${((staged - bigStarted) / 1000).toFixed(2)} s)`,
  );
  const py = await pyicebergAppend({ table: `${namespace[0]}.pyiceberg_big`, partitioned: false, ipcPath });
  console.log(`      pyiceberg append ${py.seconds.toFixed(2)} s`);
  rmSync(ipcPath, { force: true });
  bench.record(`one ${bigRows.toLocaleString('en')}-row write`, 'floe', [bigMs], {
    warmup: 0,
    detail: {
      scope: 'write() call → WriteResult: stage in S3, enqueue, worker reads, encodes, uploads, commits',
      stagingAndEnqueueMs: Math.round(staged - bigStarted),
      dataFiles: bigResult.addedFiles,
      bytes: bigResult.addedBytes,
    },
  });
  bench.record(`one ${bigRows.toLocaleString('en')}-row write`, 'pyiceberg', [py.seconds * 1000], {
    warmup: 0,
    detail: { scope: 'table.append() in one process', dataFiles: py.dataFiles, bytes: py.bytes },
  });
  const bigComparison = bench.compare(
    `one ${bigRows.toLocaleString('en')}-row write: floe end to end / pyiceberg append`,
    { operation: `one ${bigRows.toLocaleString('en')}-row write`, client: 'floe' },
    { operation: `one ${bigRows.toLocaleString('en')}-row write`, client: 'pyiceberg' },
  );

  // (b) many small jobs into one table: with 2 writers, then with 4 on a fresh table.
  const common = {
    bench,
    producer,
    catalog,
    namespace,
    jobCount,
    warmUpJobs,
    rowsPerJob,
    inFlight: IN_FLIGHT,
    maxSeconds,
    servicePids: stackServicePids(stack.stackDir),
  };
  const two = await runManyJobs({ ...common, table: 'small', writers, keyPrefix: `fleet-${runId}-2w` });
  console.log(`fleet: starting ${FOUR_WRITERS - WRITERS} more writer processes …`);
  for (let i = WRITERS; i < FOUR_WRITERS; i++)
    writers.push(await startWriter(config, join(workDir, `writer-${i}.log`)));
  const four = await runManyJobs({ ...common, table: 'small_4w', writers, keyPrefix: `fleet-${runId}-4w` });

  const bigLoaded = tableMetadataOf(await catalog.loadTable({ namespace: [...namespace], name: 'big' }));
  const bigCurrent = bigLoaded.snapshots.find((s) => s.snapshotId === bigLoaded.currentSnapshotId);
  if (Number(bigCurrent?.summary['total-records'] ?? 0) !== bigRows)
    throw new Error('table big has the wrong row count');

  bench.fact('bigJob', {
    rows: bigRows,
    floeEndToEndSeconds: round3(bigMs / 1000),
    floeStagingAndEnqueueSeconds: round3((staged - bigStarted) / 1000),
    pyicebergAppendSeconds: round3(py.seconds),
    ratioFloeOverPyiceberg: bigComparison.ratioP50,
    commitAttempts: bigResult.attempts,
    pyiceberg: { version: py.pyicebergVersion, pyarrow: py.pyarrowVersion, python: py.pythonVersion },
  });
  bench.fact('manyJobs', two);
  bench.fact('manyJobsFourWriters', four);
  bench.note(
    'The big-job ratio compares unlike scopes on purpose: floe end to end (staging in S3, BullMQ, a separate ' +
      'worker process that reads, encodes, uploads and commits) against PyIceberg appending from memory.',
  );
  bench.note(
    `Writers use the default writer config (concurrency 4, commit linger 200 ms, ≤ 32 jobs per commit), commit lease ${commitLease ? 'on' : 'off (--commit-lease off)'}.`,
  );
  bench.note(
    'Writer CPU is the sum over the serving writers of floe_process_cpu_seconds_total (all threads of each ' +
      'process, from their /metrics) read before and after the variant; conflicts and commit attempts ' +
      'likewise from floe_writer_commit_conflicts_total / floe_writer_commit_attempts_total.',
  );
  bench.note(
    'Part (b) keeps 64 jobs in flight from their write() call (staging, enqueue) to their result, so the ' +
      'producer stages up to 64 jobs concurrently, as many producers would. machineCpuMsPerJob splits the ' +
      "machine's CPU per job by process (from /proc: the writers, this bench process as the producer, " +
      'MinIO, the catalog, Redis; everything else is the rest of the machine): on a shared machine jobs/s is ' +
      'bounded by its cores divided by the machine total.',
  );
  bench.note(
    'The 4-writer variant adds 2 processes to the same queue and writes a fresh table, so both variants ' +
      'start from an empty table.',
  );
  bench.note(
    `Loopback on a shared ${cpus().length}-core machine: producer, writers, Redis, MinIO and the catalog share it.`,
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

function nonNegativeInteger(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`--${name} needs an integer >= 0, got '${raw}'`);
  return value;
}
