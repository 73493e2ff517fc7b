// Spark as an interop peer (Iceberg v3 deletion vectors, row lineage): one warm SparkSession per
// test file in the Spark peer's venv (tests/support/py/spark_peer.py), configured for the stack's
// REST catalog as catalog `floe` and for MinIO. `run` sends a Python snippet (globals `spark`,
// `emit`) and resolves to what it emitted; snippets run one at a time. Starting Spark's JVM
// takes tens of seconds on a shared machine: start it in `beforeAll` with a generous timeout and
// `close` it in `afterAll`.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pythonEnv } from './python.ts';
import { repoRoot, type StackEnv } from './stack-env.ts';

interface Answer {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

export interface SparkPeer {
  run<T>(code: string): Promise<T>;
  close(): Promise<void>;
}

export async function startSparkPeer(stack: StackEnv): Promise<SparkPeer> {
  if (stack.sparkPython === undefined || stack.sparkJars === undefined) {
    throw new Error(
      'the stack has no Spark peer: run `npm run stack:up` again (scripts/install-tools.sh installs it)',
    );
  }
  const child: ChildProcess = spawn(
    stack.sparkPython,
    ['-u', join(repoRoot, 'tests', 'support', 'py', 'spark_peer.py')],
    {
      env: {
        ...process.env,
        ...pythonEnv(stack),
        FLOE_SPARK_JARS: stack.sparkJars,
        AWS_REGION: stack.s3Region,
      },
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  (child.stdio[2] as Readable).on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const answers = child.stdio[3] as Readable;
  answers.setEncoding('utf8');
  let buffer = '';
  const waiting: ((answer: Answer | undefined) => void)[] = [];
  answers.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      waiting.shift()?.(JSON.parse(line) as Answer);
    }
  });
  child.on('exit', () => {
    for (const resolve of waiting.splice(0)) resolve(undefined);
  });
  const next = () => new Promise<Answer | undefined>((resolve) => waiting.push(resolve));
  const ready = await next();
  if (ready?.ok !== true) throw new Error(`the Spark peer did not start:\n${stderr}`);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    run<T>(code: string): Promise<T> {
      const result = queue.then(async () => {
        const answer = next();
        (child.stdio[0] as Writable).write(`${JSON.stringify({ code })}\n`);
        const got = await answer;
        if (got === undefined) throw new Error(`the Spark peer exited:\n${stderr}`);
        if (!got.ok) throw new Error(`Spark snippet failed:\n${got.error}`);
        return got.value as T;
      });
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      (child.stdio[0] as Writable).end();
      await exited;
    },
  };
}
