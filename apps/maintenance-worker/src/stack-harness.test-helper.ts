// What the maintenance worker's integration tests share: a floe.yaml for the real local stack
// with queues and a staging prefix of their own (so test files never see each other's jobs),
// maintenance workers started IN-PROCESS with a capturing logger (several per test, as several
// pods), the maintenance and write queues, waiting for a job's report or failure, and PyIceberg
// to build tables whose snapshots the tests expire. Everything started here is closed by close().
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { type CompiledArtifacts, compileAndResolve } from '@floe/config';
import type { MaintenanceJobInput, MaintenanceReport } from '@floe/jobs';
import { createLogger } from '@floe/telemetry';
import {
  loadStackEnv,
  runPython,
  type StackEnv,
  stackCredentialEnv,
  stackFloeYaml,
} from '@floe/test-support';
import { type JobsOptions, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { type MaintenanceWorker, startMaintenanceWorker } from './worker.ts';

export interface StartedWorker {
  readonly worker: MaintenanceWorker;
  /** Parsed JSON log lines so far. */
  lines(): Record<string, unknown>[];
}

export interface Harness {
  readonly stack: StackEnv;
  readonly namespace: string;
  readonly prefix: string;
  readonly stagingPrefix: string;
  readonly queue: Queue;
  readonly writeQueue: Queue;
  readonly redis: Redis;
  artifacts(maintenanceYaml?: string): CompiledArtifacts;
  startWorker(maintenanceYaml?: string): Promise<StartedWorker>;
  enqueue(job: MaintenanceJobInput | Record<string, unknown>, options?: JobsOptions): Promise<string>;
  /** Waits for the job's report; rejects with the worker's message when the job failed. */
  wait(jobId: string, timeoutMs?: number): Promise<MaintenanceReport>;
  /** Runs PyIceberg code with `cat` (the catalog) and `ns` (this harness's namespace) defined. */
  python<T>(code: string): Promise<T>;
  close(): Promise<void>;
}

export const WORKER_YAML = `maintenance:
  worker:
    concurrency: 2
    lock_duration_ms: 10000
    stalled_interval_ms: 5000
    table_lock_ttl_ms: 3000
    table_lock_wait_ms: 60000
    metrics_port: 0
  # Tests schedule what they need; floe's defaults would compact every table of the shared catalog.
  default_schedules: false
`;

export function createHarness(name: string): Harness {
  const stack = loadStackEnv();
  const run = `${name}_${randomUUID().slice(0, 8)}`;
  const prefix = `floe-mt-${run}`;
  const namespace = `mt_${run}`;
  const stagingPrefix = `mt-${run}/`;
  const env = { ...process.env, ...stackCredentialEnv(stack) };
  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('maintenance', { connection: redis, prefix });
  const writeQueue = new Queue('write', { connection: redis, prefix });
  const workers: MaintenanceWorker[] = [];
  let events: QueueEvents | undefined;
  let eventsConnection: Redis | undefined;

  function artifacts(maintenanceYaml = WORKER_YAML): CompiledArtifacts {
    const yaml = `${stackFloeYaml(stack, {
      stagingPrefix,
      queue: { prefix, write_queue: 'write', maintenance_queue: 'maintenance' },
    })}${maintenanceYaml}`;
    return compileAndResolve(yaml, env, `${name}.floe.yaml`);
  }

  return {
    stack,
    namespace,
    prefix,
    stagingPrefix,
    queue,
    writeQueue,
    redis,
    artifacts,
    async startWorker(maintenanceYaml) {
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk, _encoding, done) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          done();
        },
      });
      const logger = createLogger({ name: 'maintenance-worker', destination });
      const worker = await startMaintenanceWorker(artifacts(maintenanceYaml), logger);
      workers.push(worker);
      return { worker, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
    },
    async enqueue(job, options = {}) {
      const id = `test-${randomUUID()}`;
      await queue.add(String(job['action']), job, {
        attempts: 5,
        backoff: { type: 'fixed', delay: 500 },
        ...options,
        jobId: id,
      });
      return id;
    },
    async wait(jobId, timeoutMs = 90_000) {
      if (events === undefined) {
        eventsConnection = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
        events = new QueueEvents('maintenance', { connection: eventsConnection, prefix });
        await events.waitUntilReady();
      }
      const job = await queue.getJob(jobId);
      if (job === undefined) throw new Error(`job ${jobId} is not in the queue`);
      return (await job.waitUntilFinished(events, timeoutMs)) as MaintenanceReport;
    },
    python: <T>(code: string) =>
      runPython<T>(
        `import json\nfrom floe_peers import catalog\ncat = catalog()\nns = ${JSON.stringify(namespace)}\n${code}`,
      ),
    async close() {
      await Promise.allSettled(workers.map((w) => w.shutdown()));
      await events?.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await writeQueue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await writeQueue.close();
      await runPython(
        `from floe_peers import catalog\ncat = catalog()\nns = ${JSON.stringify(namespace)}\n` +
          'if cat.namespace_exists(ns):\n' +
          '    for t in cat.list_tables(ns):\n        cat.purge_table(t)\n' +
          '    cat.drop_namespace(ns)\nprint("null")',
      ).catch(() => undefined);
      eventsConnection?.disconnect();
      redis.disconnect();
    },
  };
}

/** PyIceberg code creating `ns.<table>` with `appends` single-row appends (one snapshot each). */
export function tableWithSnapshots(
  table: string,
  appends: number,
  properties: Readonly<Record<string, string>> = {},
  snapshotProperties: Readonly<Record<string, string>> = {},
  /** Which append (0-based) carries `snapshotProperties`; default the last. */
  markedAppend: number = appends - 1,
): string {
  return `
import pyarrow as pa
if not cat.namespace_exists(ns):
    cat.create_namespace(ns)
schema = pa.schema([pa.field("id", pa.int64(), nullable=False)])
t = cat.create_table(f"{ns}.${table}", schema=schema, properties=${JSON.stringify(properties)})
for i in range(${appends}):
    t.append(pa.table({"id": [i]}, schema=schema), snapshot_properties=${JSON.stringify(snapshotProperties)} if i == ${markedAppend} else {})
t = cat.load_table(f"{ns}.${table}")
print(json.dumps([str(s.snapshot_id) for s in t.metadata.snapshots]))
`;
}

/** PyIceberg code printing the snapshot ids of `ns.<table>`. */
export function snapshotIdsOf(table: string): string {
  return `print(json.dumps([str(s.snapshot_id) for s in cat.load_table(f"{ns}.${table}").metadata.snapshots]))`;
}
