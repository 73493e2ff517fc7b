// The writer side of the fleet bench: a floe.yaml for the local stack (secrets as ${env:…}
// references, a queue of its own per run) and real writer-worker processes started with
// `node apps/writer-worker/src/main.ts --config F`, as scripts/demo.ts starts them. Each
// process's output goes to a log file so a failure can be read afterwards; stopping sends
// SIGTERM (graceful drain) to the processes this module started, by their own handles.

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

/** Writes `dir/floe.yaml` for the stack with a per-run queue, and compiles it. */
export function writeFleetConfig(stack: StackEnv, dir: string, runId: string): FleetConfig {
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
`,
  );
  const env = {
    ...process.env,
    FLOE_S3_ACCESS_KEY_ID: stack.s3AccessKeyId,
    FLOE_S3_SECRET_ACCESS_KEY: stack.s3SecretAccessKey,
  };
  const compiled = compileConfig(readFileSync(configPath, 'utf8'), env, { sourceName: configPath });
  const artifacts = resolveCompiledArtifacts(JSON.parse(JSON.stringify(compiled)), env);
  return { configPath, env, artifacts };
}

/** Starts one writer-worker process; resolves once it logs that it started. */
export async function startWriter(config: FleetConfig, logPath: string): Promise<ChildProcess> {
  const log = createWriteStream(logPath);
  try {
    const child = await startFloeProcess(WRITER_WORKER, {
      configPath: config.configPath,
      env: config.env,
      onOutput: (chunk) => log.write(chunk),
    });
    child.once('exit', () => log.end());
    return child;
  } catch (error) {
    log.end();
    throw error;
  }
}

/** SIGTERM to each writer this bench started, then waits for them to exit (30 s, then SIGKILL). */
export async function stopWriters(writers: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    writers.map(
      (child) =>
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
