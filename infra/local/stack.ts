// `npm run stack:up|down|status|env` — the real services floe's tests, benches and demo run
// against, as plain local processes on loopback (no Docker needed). `up` is idempotent: healthy
// services recorded in the state file are reused, dead ones are restarted on fresh free ports.
// `down` stops every process the stack started. Set FLOE_STACK_DIR to run a second, separate stack.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postgresHealthy, postgresUri, startPostgres } from './postgres.ts';
import { isAlive, stopGroup } from './processes.ts';
import {
  type Credentials,
  catalogHealthy,
  minioHealthy,
  redisHealthy,
  S3_REGION,
  STAGING_BUCKET,
  startCatalog,
  startMinio,
  startRedis,
  WAREHOUSE_BUCKET,
} from './services.ts';
import {
  clearState,
  ensureDir,
  readState,
  type ServiceName,
  type ServiceState,
  type StackEnv,
  shellEnv,
  stackDir,
  writeEnv,
  writeState,
} from './state.ts';
import { ensureTools, type StackTools } from './tools.ts';

const ORDER: readonly ServiceName[] = ['redis', 'postgres', 'minio', 'catalog'];

function credentials(dir: string): Credentials {
  const file = join(dir, 'credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const creds = { accessKeyId: 'floe-local', secretAccessKey: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
  return creds;
}

async function healthy(
  name: ServiceName,
  state: ServiceState | undefined,
  tools?: StackTools,
): Promise<boolean> {
  if (!state || !isAlive(state.pid)) return false;
  if (name === 'redis') return redisHealthy(state);
  if (name === 'postgres') return postgresHealthy(tools, state);
  if (name === 'minio') return minioHealthy(state);
  return catalogHealthy(state);
}

async function up(wanted: readonly ServiceName[] = ORDER): Promise<StackEnv> {
  const dir = ensureDir(stackDir());
  // A partial stack (the embedded demo) gets the readers-only venv; the full one the whole venv
  // and the Spark peer the tests read and write with.
  const full = wanted.length === ORDER.length;
  const tools = ensureTools([...wanted, ...(full ? ['python', 'spark'] : ['python-peers'])]);
  const creds = credentials(dir);
  const services: Partial<Record<ServiceName, ServiceState>> = { ...readState(dir).services };
  let restartDownstream = false;
  for (const name of ORDER) {
    const current = services[name];
    if (!wanted.includes(name)) {
      // Not asked for: keep one that already runs, start nothing.
      if (!(await healthy(name, current))) delete services[name];
      continue;
    }
    if (!restartDownstream && (await healthy(name, current, tools))) {
      log(`${name}: reusing pid ${current?.pid} on port ${current?.port}`);
      continue;
    }
    if (current && isAlive(current.pid)) await stopGroup(current.pid);
    const s3Endpoint = `http://127.0.0.1:${services.minio?.port}`;
    const started =
      name === 'redis'
        ? await startRedis(tools, dir)
        : name === 'postgres'
          ? await startPostgres(tools, dir)
          : name === 'minio'
            ? await startMinio(tools, dir, creds)
            : await startCatalog(tools, dir, s3Endpoint, creds);
    services[name] = started;
    writeState(dir, { services });
    log(`${name}: started pid ${started.pid} on port ${started.port}`);
    // The catalog is configured with MinIO's port, so a new MinIO means a new catalog.
    if (name === 'minio') restartDownstream = true;
  }
  const env: StackEnv = {
    redisUrl: `redis://127.0.0.1:${services.redis?.port}`,
    postgresUri: services.postgres === undefined ? '' : postgresUri(services.postgres.port),
    s3Endpoint: services.minio === undefined ? '' : `http://127.0.0.1:${services.minio.port}`,
    s3Region: S3_REGION,
    s3AccessKeyId: creds.accessKeyId,
    s3SecretAccessKey: creds.secretAccessKey,
    warehouseBucket: WAREHOUSE_BUCKET,
    stagingBucket: STAGING_BUCKET,
    catalogUri: services.catalog === undefined ? '' : `http://127.0.0.1:${services.catalog.port}`,
    catalogWarehouse: `s3://${WAREHOUSE_BUCKET}/`,
    python: tools.python,
    sparkPython: tools.sparkPython,
    sparkJars: tools.sparkJars,
    stackDir: dir,
  };
  writeEnv(dir, env);
  log(`stack is up; endpoints in ${join(dir, 'env.json')}`);
  return env;
}

async function down(): Promise<void> {
  const dir = stackDir();
  const { services } = readState(dir);
  for (const name of [...ORDER].reverse()) {
    const state = services[name];
    if (state && isAlive(state.pid)) {
      await stopGroup(state.pid);
      log(`${name}: stopped pid ${state.pid}`);
    }
  }
  clearState(dir);
}

async function status(): Promise<boolean> {
  const { services } = readState(stackDir());
  let allUp = true;
  for (const name of ORDER) {
    const state = services[name];
    const ok = await healthy(name, state);
    allUp &&= ok;
    console.log(
      `${name.padEnd(8)} ${ok ? 'up  ' : 'down'} ${state ? `pid ${state.pid} port ${state.port}` : ''}`,
    );
  }
  return allUp;
}

function log(message: string): void {
  console.error(`stack: ${message}`);
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      // `up --services redis,postgres`: only these (the embedded demo needs Redis alone).
      const flag = process.argv.indexOf('--services');
      const listed = flag === -1 ? undefined : (process.argv[flag + 1] ?? '').split(',');
      const unknown = listed?.filter((name) => !ORDER.includes(name as ServiceName)) ?? [];
      if (unknown.length > 0) {
        log(`unknown service ${unknown.join(', ')}: pick from ${ORDER.join(', ')}`);
        return 2;
      }
      await up(listed === undefined ? ORDER : (listed as ServiceName[]));
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    case 'env': {
      const file = join(stackDir(), 'env.json');
      if (!existsSync(file)) {
        log('not running: start it with `npm run stack:up`');
        return 1;
      }
      process.stdout.write(shellEnv(JSON.parse(readFileSync(file, 'utf8')) as StackEnv));
      return 0;
    }
    default:
      console.error(
        'usage: node infra/local/stack.ts up [--services redis,postgres,minio,catalog]|down|status|env',
      );
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
