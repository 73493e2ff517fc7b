// The stack's state on disk: which service runs with which pid and port (`state.json`), and the
// endpoints that tests, benches and the demo read (`env.json`, plus `env` for shells).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServiceState {
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
}

export interface StackState {
  readonly services: Partial<Record<ServiceName, ServiceState>>;
}

export type ServiceName = 'redis' | 'postgres' | 'minio' | 'catalog';

export interface StackEnv {
  readonly redisUrl: string;
  /** postgresql://floe@127.0.0.1:PORT/postgres — the SQL catalog's team database */
  readonly postgresUri: string;
  readonly s3Endpoint: string;
  readonly s3Region: string;
  readonly s3AccessKeyId: string;
  readonly s3SecretAccessKey: string;
  readonly warehouseBucket: string;
  readonly stagingBucket: string;
  readonly catalogUri: string;
  readonly catalogWarehouse: string;
  readonly python: string;
  readonly sparkPython: string;
  readonly sparkJars: string;
  readonly stackDir: string;
}

export function stackDir(): string {
  return resolve(process.env['FLOE_STACK_DIR'] ?? join(repoRoot, '.stack'));
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

export function readState(dir: string): StackState {
  const file = join(dir, 'state.json');
  if (!existsSync(file)) return { services: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as StackState;
}

export function writeState(dir: string, state: StackState): void {
  writeFileSync(join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

export function writeEnv(dir: string, env: StackEnv): void {
  writeFileSync(join(dir, 'env.json'), `${JSON.stringify(env, null, 2)}\n`);
  writeFileSync(join(dir, 'env'), shellEnv(env));
}

export function shellEnv(env: StackEnv): string {
  const lines: Record<string, string> = {
    FLOE_REDIS_URL: env.redisUrl,
    FLOE_POSTGRES_URI: env.postgresUri,
    FLOE_S3_ENDPOINT: env.s3Endpoint,
    FLOE_S3_REGION: env.s3Region,
    FLOE_S3_ACCESS_KEY_ID: env.s3AccessKeyId,
    FLOE_S3_SECRET_ACCESS_KEY: env.s3SecretAccessKey,
    FLOE_WAREHOUSE_BUCKET: env.warehouseBucket,
    FLOE_STAGING_BUCKET: env.stagingBucket,
    FLOE_CATALOG_URI: env.catalogUri,
    FLOE_CATALOG_WAREHOUSE: env.catalogWarehouse,
    FLOE_PYTHON: env.python,
    FLOE_SPARK_PYTHON: env.sparkPython,
    FLOE_SPARK_JARS: env.sparkJars,
    FLOE_STACK_DIR: env.stackDir,
  };
  return Object.entries(lines)
    .map(([key, value]) => `export ${key}='${value}'`)
    .join('\n')
    .concat('\n');
}

export function clearState(dir: string): void {
  for (const file of ['state.json', 'env.json', 'env']) rmSync(join(dir, file), { force: true });
}
