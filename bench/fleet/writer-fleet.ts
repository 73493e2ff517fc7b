// The writer side of the fleet bench: a floe.yaml for the local stack (secrets as ${env:…}
// references, a queue of its own per run) and real writer-worker processes started with
// `node apps/writer-worker/src/main.ts --config F`, as scripts/demo.ts starts them. Each
// process's output goes to a log file so a failure can be read afterwards; stopping sends
// SIGTERM (graceful drain) to the processes this module started, by their own handles. Each
// writer serves /metrics on a port of its own (logged at start); `readWriterCounters` sums what
// the bench needs from them: CPU seconds (prom-client's process metric, all threads of the
// process), commit attempts and optimistic-concurrency conflicts.

import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CompiledArtifacts, compileConfig, resolveCompiledArtifacts } from '@floe/config';
import { type StackEnv, startFloeProcess, WRITER_WORKER } from '@floe/test-support';

export interface FleetConfig {
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly artifacts: CompiledArtifacts;
}

/**
 * Writes `dir/floe.yaml` for the stack with a per-run queue, and compiles it. `commitLease`
 * false turns writer.commit_lease off (writers meet only through optimistic concurrency).
 */
export function writeFleetConfig(
  stack: StackEnv,
  dir: string,
  runId: string,
  commitLease = true,
): FleetConfig {
  const configPath = join(dir, 'floe.yaml');
  writeFileSync(
    configPath,
    `catalog:
  type: rest
  uri: ${stack.catalogUri}
  warehouse: ${stack.catalogWarehouse}
storage:
  endpoint: ${stack.s3Endpoint}
  region: ${stack.s3Region}
  path_style: true
  access_key_id: \${env:FLOE_S3_ACCESS_KEY_ID}
  secret_access_key: \${env:FLOE_S3_SECRET_ACCESS_KEY}
  staging:
    bucket: ${stack.stagingBucket}
    prefix: bench-fleet
queue:
  redis_url: ${stack.redisUrl}
  prefix: floe-bench
  write_queue: bench-fleet-${runId}
writer:
  metrics_port: 0
  commit_lease:
    enabled: ${commitLease}
`,
  );
  // FLOE_BENCH_WRITER_NODE_OPTIONS reaches the writers only (e.g. `--cpu-prof --cpu-prof-dir=D`
  // to profile them), not the bench process itself.
  const writerNodeOptions = process.env['FLOE_BENCH_WRITER_NODE_OPTIONS'];
  const env = {
    ...process.env,
    FLOE_S3_ACCESS_KEY_ID: stack.s3AccessKeyId,
    FLOE_S3_SECRET_ACCESS_KEY: stack.s3SecretAccessKey,
    ...(writerNodeOptions === undefined ? {} : { NODE_OPTIONS: writerNodeOptions }),
  };
  const compiled = compileConfig(readFileSync(configPath, 'utf8'), env, { sourceName: configPath });
  const artifacts = resolveCompiledArtifacts(JSON.parse(JSON.stringify(compiled)), env);
  return { configPath, env, artifacts };
}

export interface FleetWriter {
  readonly child: ChildProcess;
  /** The writer's Prometheus endpoint. */
  readonly metricsUrl: string;
}

/** Starts one writer-worker process; resolves once it logs that it started. */
export async function startWriter(config: FleetConfig, logPath: string): Promise<FleetWriter> {
  const log = createWriteStream(logPath);
  let output = '';
  try {
    const child = await startFloeProcess(WRITER_WORKER, {
      configPath: config.configPath,
      env: config.env,
      onOutput: (chunk) => {
        log.write(chunk);
        if (output.length < 1_000_000) output += chunk;
      },
    });
    child.once('exit', () => log.end());
    const started = output.split('\n').find((line) => line.includes('writer worker started'));
    const port =
      started === undefined ? undefined : (JSON.parse(started) as { metricsPort?: number }).metricsPort;
    if (port === undefined) {
      child.kill('SIGTERM');
      throw new Error(`writer ${child.pid} logged no metricsPort at start (see ${logPath})`);
    }
    return { child, metricsUrl: `http://127.0.0.1:${port}/metrics` };
  } catch (error) {
    log.end();
    throw error;
  }
}

export interface WriterCounters {
  readonly cpuSeconds: number;
  readonly commitAttempts: number;
  readonly conflicts: number;
}

/** The counters of `writers`, summed over them. */
export async function readWriterCounters(writers: readonly FleetWriter[]): Promise<WriterCounters> {
  const texts = await Promise.all(
    writers.map(async (writer) => {
      const response = await fetch(writer.metricsUrl);
      if (!response.ok) throw new Error(`${writer.metricsUrl} answered ${response.status}`);
      return response.text();
    }),
  );
  const sum = (name: string) => texts.reduce((total, text) => total + metricTotal(text, name), 0);
  return {
    cpuSeconds: sum('floe_process_cpu_seconds_total'),
    commitAttempts: sum('floe_writer_commit_attempts_total'),
    conflicts: sum('floe_writer_commit_conflicts_total'),
  };
}

/** Sum of every sample of `name` in Prometheus text; throws when the metric is absent. */
export function metricTotal(text: string, name: string): number {
  let found = false;
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!rest.startsWith(' ') && !rest.startsWith('{')) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (!Number.isFinite(value)) throw new Error(`unreadable sample of ${name}: ${line}`);
    found = true;
    total += value;
  }
  if (!found) throw new Error(`the writer's /metrics has no ${name}`);
  return total;
}

/** SIGTERM to each process this bench started, then waits for them to exit (30 s, then SIGKILL). */
export async function stopWriters(writers: readonly Pick<FleetWriter, 'child'>[]): Promise<void> {
  await Promise.all(
    writers.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
