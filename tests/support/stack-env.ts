// Reads the endpoints of the real local stack. `npm run stack:up` (infra/local) starts Redis,
// PostgreSQL, MinIO and the Iceberg REST catalog as local processes and writes them to `.stack/env.json`
// (and a shell-sourcable `.stack/env`). Integration tests, benches and the demo read them here.
// A missing file is an error, never a skip: integration tests must run against real services.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackEnv {
  /** redis://127.0.0.1:PORT */
  readonly redisUrl: string;
  /** postgresql://floe@127.0.0.1:PORT/postgres — the SQL catalog's team database */
  readonly postgresUri: string;
  /** http://127.0.0.1:PORT — MinIO S3 API, path-style */
  readonly s3Endpoint: string;
  readonly s3Region: string;
  readonly s3AccessKeyId: string;
  readonly s3SecretAccessKey: string;
  /** bucket that holds table data (the catalog's warehouse) */
  readonly warehouseBucket: string;
  /** bucket for staged Arrow batches */
  readonly stagingBucket: string;
  /** http://127.0.0.1:PORT — Apache Iceberg REST catalog server backed by S3 on MinIO */
  readonly catalogUri: string;
  /** s3://warehouse/ */
  readonly catalogWarehouse: string;
  /** python interpreter of the venv with pyiceberg, duckdb, dagster, bullmq */
  readonly python: string;
  /** python of the Spark peer's venv (pyspark); absent in env files written before it existed */
  readonly sparkPython?: string;
  /** Iceberg Spark runtime + AWS bundle jars, comma-separated */
  readonly sparkJars?: string;
  /** folder of the stack's state and logs */
  readonly stackDir: string;
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function stackEnvPath(): string {
  return process.env['FLOE_STACK_ENV'] ?? join(repoRoot, '.stack', 'env.json');
}

export function loadStackEnv(): StackEnv {
  const path = stackEnvPath();
  if (!existsSync(path)) {
    throw new Error(`the local stack is not running (no ${path}): start it with \`npm run stack:up\``);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as StackEnv;
}

/** Iceberg FileIO properties (`s3.*`, `client.region`) for the stack's MinIO. */
export function stackS3Properties(stack: StackEnv): Record<string, string> {
  return {
    's3.endpoint': stack.s3Endpoint,
    's3.path-style-access': 'true',
    's3.access-key-id': stack.s3AccessKeyId,
    's3.secret-access-key': stack.s3SecretAccessKey,
    'client.region': stack.s3Region,
  };
}
