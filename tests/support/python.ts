// Runs a Python snippet in the stack's venv (PyIceberg, DuckDB, Dagster) and parses the JSON
// it prints on its last stdout line. Interop tests use it: other implementations judge what
// we write. The snippet can `from floe_peers import catalog, duckdb_connection, emit`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadStackEnv, repoRoot, type StackEnv } from './stack-env.ts';

const execFileAsync = promisify(execFile);

export function pythonEnv(stack: StackEnv): Record<string, string> {
  return {
    PYTHONPATH: join(repoRoot, 'tests', 'support', 'py'),
    FLOE_REDIS_URL: stack.redisUrl,
    FLOE_S3_ENDPOINT: stack.s3Endpoint,
    FLOE_S3_REGION: stack.s3Region,
    FLOE_S3_ACCESS_KEY_ID: stack.s3AccessKeyId,
    FLOE_S3_SECRET_ACCESS_KEY: stack.s3SecretAccessKey,
    FLOE_CATALOG_URI: stack.catalogUri,
    FLOE_CATALOG_WAREHOUSE: stack.catalogWarehouse,
  };
}

export async function runPython<T = unknown>(
  code: string,
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  const stack = loadStackEnv();
  try {
    const { stdout } = await execFileAsync(stack.python, ['-c', code], {
      env: { ...process.env, ...pythonEnv(stack), ...env },
      maxBuffer: 256 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`python failed: ${stderr.trim().split('\n').slice(-15).join('\n')}`, { cause: error });
  }
}
