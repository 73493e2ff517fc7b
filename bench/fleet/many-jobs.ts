// Part (b) of bench/fleet: many small jobs into one table, served by a given set of writer
// processes. Enqueues through the producer SDK with at most `inFlight` jobs outstanding: first
// `warmUpJobs` untimed ones, then the timed ones without a pause, so timing starts with the
// fleet warm (JIT, encode threads, table state, commit lease) and busy, as a running fleet is;
// the warm-up jobs' own p99 is reported beside the timed one. Stops enqueueing after
// `maxSeconds`, checks the table's row count, and measures over the timed part jobs/s, commits
// (snapshots since it began), commit conflicts, p50/p99 latency from `write()` to the result,
// the writers' CPU seconds per job (their CPU counters read before and after, so the idle
// writers of another variant and the producer's own work are not counted) and the machine's CPU
// per job by process (machine-cpu.ts).

import type { Namespace, RestCatalog } from '@floe/catalog';
import { tableMetadataOf } from '@floe/catalog';
import type { FloeProducer, WriteHandle } from '@floe/producer-sdk';
import { type BenchRun, nearestRankPercentile } from '../support/index.ts';
import { generateBenchRows } from '../write-throughput/bench-rows.ts';
import { cpuMsPerJob, type MachineCpu, readMachineCpu } from './machine-cpu.ts';
import { type FleetWriter, readWriterCounters, type WriterCounters } from './writer-fleet.ts';

export interface ManyJobsOptions {
  readonly bench: BenchRun;
  readonly producer: FloeProducer;
  readonly catalog: RestCatalog;
  readonly namespace: Namespace;
  readonly table: string;
  readonly writers: readonly FleetWriter[];
  /** Timed jobs. */
  readonly jobCount: number;
  /** Jobs run first, untimed, on the same table: the fleet is warm and busy when timing starts. */
  readonly warmUpJobs: number;
  readonly rowsPerJob: number;
  readonly inFlight: number;
  readonly maxSeconds: number;
  /** Prefix of the jobs' idempotency keys (unique per run and variant). */
  readonly keyPrefix: string;
  /** Pids of the stack's services by name (machine-cpu.ts `stackServicePids`). */
  readonly servicePids: Readonly<Record<string, number>>;
}

/** Runs the jobs, records the latency operation and returns the variant's facts. */
export async function runManyJobs(options: ManyJobsOptions): Promise<Record<string, unknown>> {
  const { bench, producer, jobCount, rowsPerJob, inFlight: maxInFlight, maxSeconds, warmUpJobs } = options;
  const writers = options.writers.length;
  const tableName = `${options.namespace[0]}.${options.table}`;
  const small = generateBenchRows(rowsPerJob, rowsPerJob);
  console.log(
    `  (b) ${warmUpJobs} warm-up + ${jobCount} timed jobs × ${rowsPerJob} rows into ${options.table}, ${writers} writers, ≤ ${maxInFlight} in flight, cap ${maxSeconds} s …`,
  );
  const latencies: number[] = [];
  const warmUpLatencies: number[] = [];
  const snapshotIds = new Set<string>();
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const timed: Promise<void>[] = [];
  const cpuComponents = {
    writers: options.writers.flatMap((writer) => (writer.child.pid === undefined ? [] : [writer.child.pid])),
    'producer (bench process)': [process.pid],
    ...Object.fromEntries(Object.entries(options.servicePids).map(([name, pid]) => [name, [pid]])),
  };
  let machineBefore: MachineCpu | undefined;
  let before: WriterCounters | undefined;
  let started = performance.now();
  let startedAtEpochMs = Date.now();
  let enqueued = 0;
  let capped = false;
  for (let job = 0; job < warmUpJobs + jobCount; job++) {
    const warmUp = job < warmUpJobs;
    if (job === warmUpJobs) {
      // The timed part starts with the fleet warm and busy: the warm-up jobs still in flight
      // keep it loaded, as a running fleet is, instead of a cold burst of 64 at once.
      machineBefore = readMachineCpu(cpuComponents);
      before = await readWriterCounters(options.writers);
      started = performance.now();
      startedAtEpochMs = Date.now();
    }
    if (!warmUp && (performance.now() - started) / 1000 > maxSeconds) {
      capped = true;
      break;
    }
    const jobStarted = performance.now();
    const key = `${options.keyPrefix}-${job}`;
    if (!warmUp) enqueued++;
    // A job is in flight from its write() call (staging, enqueue) to its result, so staging
    // runs concurrently too, as it does with many producers; awaiting each write() before the
    // next one would cap the run at one producer's staging rate.
    const pending: Promise<void> = producer
      .write(tableName, small.batches, { idempotencyKey: key })
      .then((handle: WriteHandle) => handle.result(600_000))
      .then(
        (result) => {
          (warmUp ? warmUpLatencies : latencies).push(performance.now() - jobStarted);
          if (!warmUp) snapshotIds.add(result.snapshotId);
        },
        (error: unknown) => {
          failures.push(`${key}: ${(error as Error).message}`);
        },
      )
      .finally(() => {
        inFlight.delete(pending);
        const done = latencies.length + warmUpLatencies.length + failures.length;
        if (done % 100 === 0) process.stdout.write(`      ${done}/${warmUpJobs + jobCount} done\n`);
      });
    inFlight.add(pending);
    if (!warmUp) timed.push(pending);
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
  }
  await Promise.all(timed);
  const seconds = (performance.now() - started) / 1000;
  const after = await readWriterCounters(options.writers);
  const machineAfter = readMachineCpu(cpuComponents);
  await Promise.all(inFlight);
  if (failures.length > 0)
    throw new Error(`${failures.length} jobs failed:\n  ${failures.slice(0, 5).join('\n  ')}`);
  if (before === undefined) throw new Error('no timed job ran (--jobs must be at least 1)');

  const loaded = tableMetadataOf(
    await options.catalog.loadTable({ namespace: [...options.namespace], name: options.table }),
  );
  const current = loaded.snapshots.find((s) => s.snapshotId === loaded.currentSnapshotId);
  const totalRecords = Number(current?.summary['total-records'] ?? 0);
  const expectedRecords = (warmUpJobs + enqueued) * rowsPerJob;
  if (totalRecords !== expectedRecords) {
    throw new Error(`table ${options.table} holds ${totalRecords} rows, expected ${expectedRecords}`);
  }

  // Snapshots committed since the timed part began (a few also hold late warm-up jobs).
  const commits = loaded.snapshots.filter((s) => Number(s.timestampMs) >= startedAtEpochMs).length;
  const conflicts = after.conflicts - before.conflicts;
  const writerCpuSeconds = after.cpuSeconds - before.cpuSeconds;
  const jobsPerSecond = Math.round((enqueued / seconds) * 10) / 10;
  const latency = bench.record(
    `job latency (write() → result), ${rowsPerJob} rows, ${writers} writers`,
    'floe',
    latencies,
    {
      warmup: warmUpJobs,
      detail: { jobs: enqueued, writers, jobsPerSecond, commits, conflicts },
    },
  );
  const warmUpP99Ms =
    warmUpLatencies.length === 0
      ? 0
      : round3(
          nearestRankPercentile(
            [...warmUpLatencies].sort((a, b) => a - b),
            99,
          ),
        );
  console.log(
    `      ${enqueued} jobs in ${seconds.toFixed(1)} s = ${jobsPerSecond} jobs/s, ${commits} commits, ` +
      `${conflicts} conflicts, p50 ${latency.p50Ms.toFixed(0)} ms, p99 ${latency.p99Ms.toFixed(0)} ms ` +
      `(warm-up p99 ${warmUpP99Ms.toFixed(0)} ms), writer CPU ${((writerCpuSeconds / enqueued) * 1000).toFixed(1)} ms/job${capped ? ' (CAPPED)' : ''}`,
  );
  const machineCpu =
    machineBefore === undefined || machineAfter === undefined
      ? undefined
      : cpuMsPerJob(machineBefore, machineAfter, enqueued);
  if (machineCpu !== undefined) {
    const parts = Object.entries(machineCpu).map(([name, ms]) => `${name} ${ms}`);
    console.log(`      machine CPU ms per job: ${parts.join(', ')}`);
  }
  return {
    jobsRequested: jobCount,
    jobsRun: enqueued,
    warmUpJobs,
    capped,
    maxSeconds,
    rowsPerJob,
    writers,
    inFlight: maxInFlight,
    wallSeconds: round3(seconds),
    jobsPerSecond,
    rowsPerSecond: Math.round((enqueued * rowsPerJob) / seconds),
    commits,
    distinctSnapshotsInResults: snapshotIds.size,
    jobsPerCommit: Math.round((enqueued / commits) * 10) / 10,
    commitAttempts: after.commitAttempts - before.commitAttempts,
    conflicts,
    conflictsPerCommit: round3(conflicts / commits),
    p50LatencyMs: latency.p50Ms,
    p99LatencyMs: latency.p99Ms,
    warmUpP99LatencyMs: warmUpP99Ms,
    writerCpuSeconds: round3(writerCpuSeconds),
    writerCpuMsPerJob: round3((writerCpuSeconds / enqueued) * 1000),
    writerCpuCoresBusy: round3(writerCpuSeconds / seconds),
    ...(machineCpu === undefined ? {} : { machineCpuMsPerJob: machineCpu }),
    totalRecords,
  };
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
