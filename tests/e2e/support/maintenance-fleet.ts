// The maintenance worker as the #7 acceptance tests run it: REAL `floe-maintenance` processes
// (`node apps/maintenance-worker/src/main.ts --config F`) on a write fleet's floe.yaml plus a
// `maintenance:` section, started and stopped (or kill -9'd) by pid; on-demand maintenance jobs
// added to the fleet's maintenance queue and awaited through BullMQ; and the `maintenance run
// finished` log lines every process prints, parsed, because those lines (with the job return
// values) are the evidence for "no two runs of one table overlap".
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MAINTENANCE_JOB_VERSION,
  type MaintenanceJob,
  type MaintenanceReport,
  maintenanceJob,
} from '@floe/jobs';
import { repoRoot } from '@floe/test-support';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Fleet } from './fleet.ts';

/** One `- name: …` entry of `maintenance.schedules`. */
export interface ScheduleYaml {
  readonly name: string;
  readonly everyMs: number;
  readonly action: MaintenanceJob['action'];
  readonly tables?: readonly string[];
  readonly namespaces?: readonly string[];
}

export interface MaintenanceWorkerOptions {
  /** Catalog URI of this process (default the stack's; a commit proxy in crash tests). */
  readonly catalogUri?: string;
  readonly concurrency?: number;
  /** BullMQ job lock: a killed process's job comes back once it expires. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** The per-table Redis lock's TTL: a killed process's table lock frees itself after it. */
  readonly tableLockTtlMs?: number;
  readonly tableLockWaitMs?: number;
  readonly schedules?: readonly ScheduleYaml[];
  /** floe's default schedules (all tables of the shared catalog): off unless a test asks. */
  readonly defaultSchedules?: boolean;
}

/** The fields of a `maintenance run finished` line (and of a job's return value) the tests read. */
export interface MaintenanceRun {
  /** BullMQ id of the job (from the log line, or the id `run`/`wait` awaited) */
  readonly jobId: string;
  readonly action: MaintenanceJob['action'];
  readonly table?: string;
  readonly dryRun: boolean;
  readonly snapshotsExpired: number;
  readonly filesDeleted: number;
  readonly bytesDeleted: number;
  readonly failedDeletes: number;
  readonly snapshotsRetainedForPendingJobs?: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly worker: string;
  readonly files: readonly string[];
  readonly durationMs: number;
  /** compact / rewrite-manifests: what the run rewrote */
  readonly rewrite?: MaintenanceReport['rewrite'];
}

export interface MaintenanceProcess {
  readonly index: number;
  readonly pid: number;
  readonly child: ChildProcess;
  output(): string;
  /** Every `maintenance run finished` line this process printed so far. */
  runs(): MaintenanceRun[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isAlive(): boolean;
}

export interface Maintenance {
  readonly queueName: string;
  readonly processes: MaintenanceProcess[];
  start(options?: MaintenanceWorkerOptions): Promise<MaintenanceProcess>;
  /** Adds one maintenance job (validated against the v1 contract) and returns its BullMQ id. */
  enqueue(job: MaintenanceJobRequest): Promise<string>;
  /** Adds one job and waits for its report; rejects with the worker's message when it failed. */
  run(job: MaintenanceJobRequest, timeoutMs?: number): Promise<MaintenanceRun>;
  wait(jobId: string, timeoutMs?: number): Promise<MaintenanceRun>;
  /** When BullMQ handed the job to a process (its latest attempt), in ms. */
  processedOn(jobId: string): Promise<number | undefined>;
  /**
   * Takes `table`'s maintenance lock as another process would (the key layout helper A documented:
   * `<queue.prefix>:maintenance-lock:<parts URI-encoded, joined by '.'>`), waiting while a run
   * holds it; resolves with the function that releases it (compare-and-delete).
   */
  holdTableLock(table: string): Promise<() => Promise<void>>;
  /** Runs `floe <args> --config <this fleet's floe.yaml>` (the CLI) to completion. */
  cli(args: readonly string[]): Promise<CliOutcome>;
  /** Every run finished line of every process (live or not). */
  allRuns(): MaintenanceRun[];
  /** SIGTERM every live process (SIGKILL after 30 s), close the queue, keep the logs. */
  close(): Promise<void>;
}

export interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MaintenanceJobRequest {
  readonly action: MaintenanceJob['action'];
  /** `namespace.table` (namespace levels with dots) */
  readonly table?: string;
  readonly dryRun?: boolean;
  readonly policy?: MaintenanceJob['policy'];
}

const RUN_FINISHED = 'maintenance run finished';
const STARTED = 'maintenance worker started';

/** The `maintenance:` floe.yaml section for `options`. */
export function maintenanceYaml(options: MaintenanceWorkerOptions = {}): string {
  const schedules = (options.schedules ?? []).map((schedule) => {
    const targets =
      schedule.tables !== undefined
        ? `      tables: [${schedule.tables.join(', ')}]\n`
        : schedule.namespaces !== undefined
          ? `      namespaces: [${schedule.namespaces.join(', ')}]\n`
          : '';
    return `    - name: ${schedule.name}\n      every_ms: ${schedule.everyMs}\n${targets}      action: ${schedule.action}\n`;
  });
  return `maintenance:
  worker:
    concurrency: ${options.concurrency ?? 2}
    lock_duration_ms: ${options.lockDurationMs ?? 5000}
    stalled_interval_ms: ${options.stalledIntervalMs ?? 2000}
    table_lock_ttl_ms: ${options.tableLockTtlMs ?? 3000}
    table_lock_wait_ms: ${options.tableLockWaitMs ?? 60_000}
    metrics_port: 0
  default_schedules: ${options.defaultSchedules ?? false}
${schedules.length === 0 ? '' : `  schedules:\n${schedules.join('')}`}`;
}

export function tableIdentifierOf(table: string): { namespace: string[]; name: string } {
  const parts = table.split('.');
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1] as string };
}

/** Every `maintenance run finished` JSON line of a process's output. */
export function runLines(output: string): MaintenanceRun[] {
  const runs: MaintenanceRun[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes(RUN_FINISHED)) continue;
    try {
      const parsed = JSON.parse(line) as { msg?: string } & MaintenanceRun;
      if (parsed.msg === RUN_FINISHED) runs.push(parsed);
    } catch {
      // a line cut by a kill -9 is not a finished run
    }
  }
  return runs;
}

/** Pairs of runs of the same table whose [startedAt, finishedAt] intervals intersect. */
export function overlappingRuns(runs: readonly MaintenanceRun[]): [MaintenanceRun, MaintenanceRun][] {
  const byTable = new Map<string, MaintenanceRun[]>();
  for (const run of runs) {
    if (run.table === undefined) continue;
    byTable.set(run.table, [...(byTable.get(run.table) ?? []), run]);
  }
  const overlaps: [MaintenanceRun, MaintenanceRun][] = [];
  for (const tableRuns of byTable.values()) {
    const sorted = [...tableRuns].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1] as MaintenanceRun;
      const next = sorted[i] as MaintenanceRun;
      if (Date.parse(next.startedAt) < Date.parse(previous.finishedAt)) overlaps.push([previous, next]);
    }
  }
  return overlaps;
}

function spawnMaintenance(
  config: string,
  env: NodeJS.ProcessEnv,
  index: number,
): Promise<MaintenanceProcess> {
  const child = spawn(process.execPath, ['apps/maintenance-worker/src/main.ts', '--config', config], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const append = (chunk: Buffer) => {
    text += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
  });
  const handle: MaintenanceProcess = {
    index,
    pid: child.pid as number,
    child,
    output: () => text,
    runs: () => runLines(text),
    exited,
    isAlive: () => alive,
  };
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(watch);
      child.kill('SIGKILL');
      reject(new Error(`maintenance worker ${index} did not start within 60 s:\n${text}`));
    }, 60_000);
    const watch = setInterval(() => {
      if (!text.includes(STARTED)) return;
      clearInterval(watch);
      clearTimeout(deadline);
      resolve(handle);
    }, 50);
    void exited.then(({ code, signal }) => {
      clearInterval(watch);
      clearTimeout(deadline);
      reject(new Error(`maintenance worker ${index} exited (${code ?? signal}) before starting:\n${text}`));
    });
  });
}

export function createMaintenance(fleet: Fleet): Maintenance {
  const queueSettings = fleet.artifacts.queue;
  const redis = () => new Redis(queueSettings.redis_url, { maxRetriesPerRequest: null });
  const queueConnection = redis();
  const queue = new Queue(queueSettings.maintenance_queue, {
    connection: queueConnection,
    prefix: queueSettings.prefix,
  });
  // A burst of concurrent run() calls each adds a short-lived 'closing' listener (BullMQ).
  queue.setMaxListeners(0);
  let eventsConnection: Redis | undefined;
  let events: QueueEvents | undefined;
  const processes: MaintenanceProcess[] = [];
  let spawned = 0;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLEET_S3_ACCESS_KEY_ID: fleet.stack.s3AccessKeyId,
    FLEET_S3_SECRET_ACCESS_KEY: fleet.stack.s3SecretAccessKey,
  };

  async function queueEvents(): Promise<QueueEvents> {
    if (events === undefined) {
      eventsConnection = redis();
      events = new QueueEvents(queueSettings.maintenance_queue, {
        connection: eventsConnection,
        prefix: queueSettings.prefix,
      });
      await events.waitUntilReady();
    }
    return events;
  }

  async function enqueue(request: MaintenanceJobRequest): Promise<string> {
    const data = maintenanceJob.parse({
      version: MAINTENANCE_JOB_VERSION,
      action: request.action,
      ...(request.table === undefined ? {} : { table: tableIdentifierOf(request.table) }),
      dryRun: request.dryRun ?? false,
      policy: request.policy ?? {},
    });
    const id = `test-${request.action}-${randomUUID()}`;
    // Retries with a short backoff, so a run that waited too long for a table lock comes back soon.
    await queue.add(request.action, data, {
      jobId: id,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    });
    return id;
  }

  async function wait(jobId: string, timeoutMs = 90_000): Promise<MaintenanceRun> {
    const job = await queue.getJob(jobId);
    if (job === undefined) throw new Error(`maintenance job ${jobId} is not in the queue`);
    const report = (await job.waitUntilFinished(await queueEvents(), timeoutMs)) as Omit<
      MaintenanceRun,
      'jobId'
    >;
    return { ...report, jobId };
  }

  return {
    queueName: queueSettings.maintenance_queue,
    processes,
    start(options = {}) {
      const config = fleet.writeConfig({
        extraYaml: maintenanceYaml(options),
        ...(options.catalogUri === undefined ? {} : { catalogUri: options.catalogUri }),
      });
      return spawnMaintenance(config, env, spawned++).then((started) => {
        processes.push(started);
        return started;
      });
    },
    enqueue,
    wait,
    processedOn: async (jobId) => (await queue.getJob(jobId))?.processedOn,
    run: async (request, timeoutMs) => wait(await enqueue(request), timeoutMs),
    allRuns: () => processes.flatMap((p) => p.runs()),
    async holdTableLock(table) {
      const { namespace, name } = tableIdentifierOf(table);
      const key = `${queueSettings.prefix}:maintenance-lock:${[...namespace, name].map(encodeURIComponent).join('.')}`;
      const token = randomUUID();
      for (let attempt = 0; ; attempt++) {
        if ((await queueConnection.set(key, token, 'PX', 60_000, 'NX')) === 'OK') break;
        if (attempt > 300) throw new Error(`could not take ${key} within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return async () => {
        const release = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
        const released = await queueConnection.eval(release, 1, key, token);
        if (released !== 1) throw new Error(`the test's hold on ${key} was lost before release`);
      };
    },
    cli(args) {
      const config = fleet.writeConfig({ extraYaml: maintenanceYaml() });
      const child = spawn(process.execPath, ['apps/cli/src/main.ts', ...args, '--config', config], {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
      // Bounded: the CLI's own --timeout-ms should end it first.
      const force = setTimeout(() => child.kill('SIGKILL'), 180_000);
      return new Promise((resolve) => {
        child.once('close', (code) => {
          clearTimeout(force);
          resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
        });
      });
    },
    async close() {
      const live = processes.filter((p) => p.isAlive());
      for (const p of live) p.child.kill('SIGTERM');
      await Promise.all(
        live.map((p) => {
          const force = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
          return p.exited.finally(() => clearTimeout(force));
        }),
      );
      await events?.close();
      await queue.close();
      eventsConnection?.disconnect();
      queueConnection.disconnect();
      for (const p of processes) writeFileSync(join(fleet.dir, `maintenance-${p.index}.log`), p.output());
    },
  };
}
