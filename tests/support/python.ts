// Runs a Python snippet in the stack's venv (PyIceberg, DuckDB, Dagster) and parses the JSON
// it prints on its last stdout line. Used by interop tests: other implementations are the
// judges of what we write.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadStackEnv } from './stack-env.ts';

const execFileAsync = promisify(execFile);

export async function runPython<T = unknown>(
  code: string,
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  const stack = loadStackEnv();
  const { stdout } = await execFileAsync(stack.python, ['-c', code], {
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
}
