// The write fleet as the fleet tests run it: a floe.yaml for the local stack (its own queue, so
// test files never share jobs), N REAL writer processes (`node apps/writer-worker/src/main.ts
// --config F`) started, killed and stopped by pid, a FloeProducer on the same queue, small
// Arrow batches with a unique key per row, and PyIceberg's view of what landed (row counts,
// distinct keys, rows per job, and the `floe.job-ids` marker of every snapshot).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompiledArtifacts, compileConfig, resolveCompiledArtifacts } from '@floe/config';
import { FloeProducer, type WriteHandle } from '@floe/producer-sdk';
import { loadStackEnv, repoRoot, runPython, type StackEnv } from '@floe/test-support';
import * as arrow from 'apache-arrow';

export interface FleetConfigOptions {
  /** Catalog URI the workers use (default: the stack's catalog; tests put proxies here). */
  readonly catalogUri?: string;
  /** OAuth2 client credentials for the catalog (secret passed through ${env:…}). */
  readonly catalogCredential?: { readonly clientId: string; readonly clientSecret: string };
  /** catalog.retry.timeout_ms: one request's timeout (default 10 s). */
  readonly catalogTimeoutMs?: number;
  /** S3 secret the workers use (default: the stack's). */
  readonly s3SecretAccessKey?: string;
  readonly concurrency?: number;
  readonly shutdownDeadlineMs?: number;
  readonly commitLingerMs?: number;
  /** writer.commit_lease (absent: the defaults). */
  readonly commitLease?: {
    readonly enabled?: boolean;
    readonly ttlMs?: number;
    readonly answerTimeoutMs?: number;
  };
  /** catalog.retry overrides (breaker opens sooner, probes sooner in outage tests). */
  readonly breakerThreshold?: number;
  readonly breakerHalfOpenAfterMs?: number;
  readonly catalogMaxAttempts?: number;
  /** writer.catalog_recheck_ms: how often a writer refused by the catalog asks again. */
  readonly catalogRecheckMs?: number;
  /** Top-level floe.yaml sections appended as written (e.g. a `maintenance:` section). */
  readonly extraYaml?: string;
  /** An embedded SQL catalog instead of the stack's REST catalog. */
  readonly sqlCatalog?: { readonly uri: string; readonly warehouse: string; readonly name?: string };
  /** Stage in this local folder (`file:///…`) instead of the stack's staging bucket. */
  readonly localStaging?: string;
}

export interface WorkerProcess {
  readonly index: number;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything the process printed so far (stdout + stderr, pino JSON lines). */
  output(): string;
  readonly metricsPort: number | undefined;
  /** Resolves when the process exits, with its code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  isAlive(): boolean;
}

export interface Fleet {
  readonly stack: StackEnv;
  readonly run: string;
  readonly namespace: string;
  readonly queueName: string;
  readonly artifacts: CompiledArtifacts;
  readonly workers: WorkerProcess[];
  /** Where configs and (after close) worker logs are written. */
  readonly dir: string;
  /** Writes a floe.yaml for this fleet's queue (overrides per call) and returns its path. */
  writeConfig(overrides?: FleetConfigOptions): string;
  startWorker(overrides?: FleetConfigOptions): Promise<WorkerProcess>;
  startWorkers(count: number, overrides?: FleetConfigOptions): Promise<WorkerProcess[]>;
  producer(): FloeProducer;
  /** SIGTERM every live worker, wait for exits, close the producer. */
  close(): Promise<void>;
}

const PREFIX = 'floe-fleet';

export function createFleet(name: string, base: FleetConfigOptions = {}): Fleet {
  const stack = loadStackEnv();
  const run = `${name}_${randomUUID().slice(0, 8)}`.replace(/[^a-z0-9_]/g, '_');
  const namespace = `fleet_${run}`;
  const queueName = `fleet-${run}`;
  const dir = mkdtempSync(join(tmpdir(), 'floe-fleet-'));
  const workers: WorkerProcess[] = [];
  let configs = 0;
  let started = 0;
  let producer: FloeProducer | undefined;

  function yamlFor(options: FleetConfigOptions): string {
    const credential =
      options.catalogCredential === undefined
        ? ''
        : `  credential:
    client_id: ${options.catalogCredential.clientId}
    client_secret: \${env:FLEET_CATALOG_SECRET}
`;
    const sql = options.sqlCatalog;
    const target =
      sql === undefined
        ? `  type: rest\n  uri: ${options.catalogUri ?? stack.catalogUri}\n  warehouse: ${stack.catalogWarehouse}\n`
        : `  type: sql\n  uri: ${sql.uri}\n  warehouse: ${sql.warehouse}\n  name: ${sql.name ?? 'floe'}\n`;
    return `catalog:
${target}${credential}  retry:
    max_attempts: ${options.catalogMaxAttempts ?? 5}
    initial_delay_ms: 100
    max_delay_ms: 2000
    timeout_ms: ${options.catalogTimeoutMs ?? 10_000}
    breaker:
      threshold: ${options.breakerThreshold ?? 5}
      half_open_after_ms: ${options.breakerHalfOpenAfterMs ?? 30_000}
storage:
  endpoint: ${stack.s3Endpoint}
  region: ${stack.s3Region}
  path_style: true
  access_key_id: \${env:FLEET_S3_ACCESS_KEY_ID}
  secret_access_key: \${env:FLEET_S3_SECRET_ACCESS_KEY}
  staging:
    ${options.localStaging === undefined ? `bucket: ${stack.stagingBucket}` : `location: ${options.localStaging}`}
    prefix: fleet-${run}
queue:
  redis_url: ${stack.redisUrl}
  prefix: ${PREFIX}
  write_queue: ${queueName}
  maintenance_queue: fleet-maint-${run}
writer:
  concurrency: ${options.concurrency ?? 4}
  commit_linger_ms: ${options.commitLingerMs ?? 200}
  shutdown_deadline_ms: ${options.shutdownDeadlineMs ?? 20_000}
  lock_duration_ms: 5000
  stalled_interval_ms: 2000
  max_stalled_count: 5
  metrics_port: 0
${commitLeaseYaml(options.commitLease)}${options.catalogRecheckMs === undefined ? '' : `  catalog_recheck_ms: ${options.catalogRecheckMs}\n`}${options.extraYaml ?? ''}`;
  }

  function envFor(options: FleetConfigOptions): NodeJS.ProcessEnv {
    return {
      ...process.env,
      FLEET_S3_ACCESS_KEY_ID: stack.s3AccessKeyId,
      FLEET_S3_SECRET_ACCESS_KEY: options.s3SecretAccessKey ?? stack.s3SecretAccessKey,
      ...(options.catalogCredential === undefined
        ? {}
        : { FLEET_CATALOG_SECRET: options.catalogCredential.clientSecret }),
    };
  }

  function writeConfig(overrides: FleetConfigOptions = {}): string {
    const path = join(dir, `floe-${configs++}.yaml`);
    writeFileSync(path, yamlFor({ ...base, ...overrides }));
    return path;
  }

  const baseEnv = envFor(base);
  const baseYaml = yamlFor(base);
  const artifacts = resolveCompiledArtifacts(
    JSON.parse(JSON.stringify(compileConfig(baseYaml, baseEnv, { sourceName: 'fleet floe.yaml' }))),
    baseEnv,
  );

  function startWorker(overrides: FleetConfigOptions = {}): Promise<WorkerProcess> {
    const options = { ...base, ...overrides };
    const config = writeConfig(overrides);
    const child = spawn(process.execPath, ['apps/writer-worker/src/main.ts', '--config', config], {
      cwd: repoRoot,
      env: envFor(options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    let alive = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>(
      (resolve) => {
        child.once('exit', (code, signal) => {
          alive = false;
          resolve({ code, signal, atMs: Date.now() });
        });
      },
    );
    const index = started++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`writer ${index} did not start within 60 s:\n${text}`));
      }, 60_000);
      const poll = setInterval(() => {
        const line = text.split('\n').find((l) => l.includes('writer worker started'));
        if (line === undefined) return;
        clearInterval(poll);
        clearTimeout(timer);
        const port = (JSON.parse(line) as { metricsPort?: number }).metricsPort;
        const worker: WorkerProcess = {
          index,
          child,
          pid: child.pid as number,
          output: () => text,
          metricsPort: port,
          exited,
          isAlive: () => alive,
        };
        workers.push(worker);
        resolve(worker);
      }, 50);
      void exited.then(({ code, signal }) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`writer ${index} exited (${code ?? signal}) before starting:\n${text}`));
      });
    });
  }

  return {
    stack,
    run,
    namespace,
    queueName,
    artifacts,
    workers,
    dir,
    writeConfig,
    startWorker,
    startWorkers: (count, overrides) =>
      Promise.all(Array.from({ length: count }, () => startWorker(overrides))),
    producer() {
      // Short backoff so retried jobs come back within a test's time; enough attempts to ride
      // out a 20 s outage (1+2+4+8+16 s of backoff before the 6th attempt).
      producer ??= FloeProducer.fromArtifacts(artifacts, { job: { attempts: 10, backoffMs: 1000 } });
      return producer;
    },
    async close() {
      const live = workers.filter((w) => w.isAlive());
      for (const worker of live) worker.child.kill('SIGTERM');
      await Promise.all(
        live.map((w) =>
          Promise.race([
            w.exited,
            new Promise((resolve) =>
              setTimeout(() => {
                if (w.isAlive()) w.child.kill('SIGKILL');
                resolve(undefined);
              }, 30_000),
            ),
          ]),
        ),
      );
      await producer?.close();
      // Keep the processes' logs for whoever reads a failure.
      for (const worker of workers) writeFileSync(join(dir, `worker-${worker.index}.log`), worker.output());
    },
  };
}

function commitLeaseYaml(lease: FleetConfigOptions['commitLease']): string {
  if (lease === undefined) return '';
  const lines = [
    lease.enabled === undefined ? '' : `    enabled: ${lease.enabled}\n`,
    lease.ttlMs === undefined ? '' : `    ttl_ms: ${lease.ttlMs}\n`,
    lease.answerTimeoutMs === undefined ? '' : `    answer_timeout_ms: ${lease.answerTimeoutMs}\n`,
  ];
  return `  commit_lease:\n${lines.join('')}`;
}

/** `rows` rows of job `job`: a unique `id` (job * rowsPerJob + i), the job number and a label. */
export function jobBatch(job: number, rows: number): arrow.Table {
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(job * rows + i))),
    job: arrow.makeVector(Int32Array.from({ length: rows }, () => job)),
    label: arrow.vectorFromArray(
      Array.from({ length: rows }, (_, i) => `job-${job}-row-${i}`),
      new arrow.Utf8(),
    ),
  });
}

export interface WriteJobsOptions {
  /** The table of job `job` (namespace.table); created from the data when missing. */
  readonly table: (job: number) => string;
  /** Idempotency key of job `job`. */
  readonly key: (job: number) => string;
  readonly rows: number;
  /** Writes (stage + enqueue) in flight at most. */
  readonly inFlight: number;
}

/** Stages and enqueues `count` jobs of `jobBatch` rows through the fleet's producer. */
export async function writeJobs(
  fleet: Fleet,
  count: number,
  options: WriteJobsOptions,
): Promise<{ job: number; handle: WriteHandle }[]> {
  const producer = fleet.producer();
  const handles: { job: number; handle: WriteHandle }[] = [];
  const inFlight = new Set<Promise<void>>();
  for (let job = 0; job < count; job++) {
    const task = producer
      .write(options.table(job), jobBatch(job, options.rows), {
        create: { partitionSpec: [] },
        idempotencyKey: options.key(job),
      })
      .then((handle) => {
        handles.push({ job, handle });
      });
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= options.inFlight) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return handles;
}

export interface Outcome {
  readonly job: number;
  readonly jobId: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly result?: unknown;
}

/** Awaits every handle's result; failures are collected, not thrown. */
export async function settle(
  handles: readonly { job: number; handle: WriteHandle }[],
  timeoutMs: number,
): Promise<Outcome[]> {
  // Progress on stderr, so a slow run shows how far it got.
  let settled = 0;
  const started = Date.now();
  const progress = setInterval(() => {
    process.stderr.write(
      `fleet: ${settled}/${handles.length} jobs settled after ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }, 10_000);
  const all = Promise.all(
    handles.map(({ job, handle }) =>
      handle
        .result(timeoutMs)
        .finally(() => settled++)
        .then(
          (result): Outcome => ({ job, jobId: handle.jobId, ok: true, result }),
          (error: unknown): Outcome => ({
            job,
            jobId: handle.jobId,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
    ),
  );
  return all.finally(() => clearInterval(progress));
}

export interface TableReport {
  readonly rows: number;
  readonly distinctIds: number;
  /** [job, rows] for every job whose row count is not the expected one (empty = every job exactly once). */
  readonly wrongJobs: [number, number][];
  readonly jobsPresent: number;
  readonly snapshots: number;
  /** `floe.job-ids` of every snapshot, in order. */
  readonly jobIdsPerSnapshot: string[][];
}

/** PyIceberg reads the table (from `pyCatalog`, a floe_peers expression): counts, distinct keys, rows per job, snapshot markers. */
export function tableReport(
  table: string,
  rowsPerJob: number,
  pyCatalog = 'catalog()',
): Promise<TableReport> {
  return runPython<TableReport>(`
from floe_peers import catalog, sql_catalog, emit
import pyarrow.compute as pc
t = ${pyCatalog}.load_table("${table}")
data = t.scan(selected_fields=("id", "job")).to_arrow()
ids = data.column("id")
counts = data.group_by("job").aggregate([("id", "count")]).to_pylist()
wrong = [[c["job"], c["id_count"]] for c in counts if c["id_count"] != ${rowsPerJob}]
snaps = [s.summary.additional_properties.get("floe.job-ids", "") if s.summary else "" for s in t.snapshots()]
emit({"rows": data.num_rows, "distinctIds": len(pc.unique(ids)), "wrongJobs": wrong,
      "jobsPresent": len(counts), "snapshots": len(t.snapshots()),
      "jobIdsPerSnapshot": [[x for x in s.split(",") if x] for s in snaps]})
`);
}

/** Jobs as a label list for messages: first few failures. */
export function describeFailures(outcomes: readonly Outcome[]): string {
  return outcomes
    .filter((o) => !o.ok)
    .slice(0, 5)
    .map((o) => `job ${o.job} (${o.jobId}): ${o.error}`)
    .join('\n');
}

export async function fetchText(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
