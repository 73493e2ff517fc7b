// Runs a Python snippet in the stack's venv (PyIceberg, DuckDB, Dagster) and parses the JSON
// it prints on its last stdout line. Interop tests use it: other implementations judge what
// we write. The snippet can `from floe_peers import catalog, duckdb_connection, emit`.
//
// Snippets run in warm interpreters (py/peer_server.py): importing PyIceberg, PyArrow and DuckDB
// costs about a second per process, and the suites run a hundred or more snippets. Each snippet
// still gets fresh globals and its own environment; concurrent calls get their own interpreter
// (a pool that grows on demand), so a snippet may wait for another one running at the same time.
// FLOE_PY_FRESH=1 runs every snippet in a new process instead (to rule the pool out).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { loadStackEnv, repoRoot, type StackEnv } from './stack-env.ts';

const execFileAsync = promisify(execFile);
const PEER_SERVER = join(repoRoot, 'tests', 'support', 'py', 'peer_server.py');
/** A warm interpreter is replaced after this many snippets, so memory cannot creep. */
const SNIPPETS_PER_INTERPRETER = 40;

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

interface SnippetOutcome {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** One warm interpreter: runs one snippet at a time; `undefined` from run() means it died. */
class PeerInterpreter {
  readonly #child: ChildProcess;
  #buffer = '';
  #waiting: ((outcome: SnippetOutcome | undefined) => void) | undefined;
  #dead = false;
  served = 0;
  busy = false;

  constructor(stack: StackEnv) {
    this.#child = spawn(stack.python, ['-u', PEER_SERVER], {
      env: { ...process.env, ...pythonEnv(stack) },
      stdio: ['pipe', 'ignore', 'ignore', 'pipe'],
    });
    const answers = this.#child.stdio[3] as Readable;
    answers.setEncoding('utf8');
    answers.on('data', (chunk: string) => this.#receive(chunk));
    this.#child.on('exit', () => this.#die());
    this.#child.on('error', () => this.#die());
    this.#setKeepsProcessAlive(false);
  }

  /** A running snippet keeps the process alive; an idle interpreter must not (it exits on EOF). */
  #setKeepsProcessAlive(alive: boolean): void {
    const handles = [this.#child, this.#child.stdin, this.#child.stdio[3]] as unknown as {
      ref?: () => void;
      unref?: () => void;
    }[];
    for (const handle of handles) (alive ? handle?.ref : handle?.unref)?.call(handle);
  }

  get usable(): boolean {
    return !this.#dead && !this.busy && this.served < SNIPPETS_PER_INTERPRETER;
  }

  run(code: string, env: Readonly<Record<string, string>>): Promise<SnippetOutcome | undefined> {
    if (this.#dead) return Promise.resolve(undefined);
    this.busy = true;
    this.served++;
    this.#setKeepsProcessAlive(true);
    return new Promise<SnippetOutcome | undefined>((resolve) => {
      this.#waiting = resolve;
      (this.#child.stdin as Writable).write(`${JSON.stringify({ code, env })}\n`);
    }).finally(() => {
      this.busy = false;
      this.#setKeepsProcessAlive(false);
    });
  }

  close(): void {
    this.#child.stdin?.end();
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    const newline = this.#buffer.indexOf('\n');
    if (newline < 0) return;
    const line = this.#buffer.slice(0, newline);
    this.#buffer = this.#buffer.slice(newline + 1);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(JSON.parse(line) as SnippetOutcome);
  }

  #die(): void {
    this.#dead = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(undefined);
  }
}

const pool: PeerInterpreter[] = [];

function interpreter(stack: StackEnv): PeerInterpreter {
  for (let i = pool.length - 1; i >= 0; i--) {
    const candidate = pool[i] as PeerInterpreter;
    if (candidate.usable) return candidate;
    if (!candidate.busy) {
      candidate.close();
      pool.splice(i, 1);
    }
  }
  const fresh = new PeerInterpreter(stack);
  pool.push(fresh);
  return fresh;
}

async function runFresh(
  stack: StackEnv,
  code: string,
  env: Readonly<Record<string, string>>,
): Promise<SnippetOutcome> {
  try {
    const { stdout, stderr } = await execFileAsync(stack.python, ['-c', code], {
      env: { ...process.env, ...pythonEnv(stack), ...env },
      maxBuffer: 256 * 1024 * 1024,
    });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
}

async function runWarm(
  stack: StackEnv,
  code: string,
  env: Readonly<Record<string, string>>,
): Promise<SnippetOutcome> {
  const outcome = await interpreter(stack).run(code, env);
  // Not retried: the snippet may have written before the interpreter died.
  return (
    outcome ?? { ok: false, stdout: '', stderr: 'the Python interpreter died while running the snippet' }
  );
}

export async function runPython<T = unknown>(
  code: string,
  env: Readonly<Record<string, string>> = {},
): Promise<T> {
  const stack = loadStackEnv();
  const outcome =
    process.env['FLOE_PY_FRESH'] === '1' ? await runFresh(stack, code, env) : await runWarm(stack, code, env);
  if (!outcome.ok) {
    throw new Error(`python failed: ${outcome.stderr.trim().split('\n').slice(-15).join('\n')}`);
  }
  const lines = outcome.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
}
