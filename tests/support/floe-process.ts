// Starts a floe app (writer or maintenance worker) as the real process tests, benches and the
// demo run: `node <main.ts> --config <floe.yaml>` from the repo root, resolved once it logs that
// it is ready; it rejects with everything the process printed if it exits or stays silent first.
import { type ChildProcess, spawn } from 'node:child_process';
import { repoRoot } from './stack-env.ts';

export const WRITER_WORKER = {
  script: 'apps/writer-worker/src/main.ts',
  readyMessage: 'writer worker started',
};
export const MAINTENANCE_WORKER = {
  script: 'apps/maintenance-worker/src/main.ts',
  readyMessage: 'maintenance worker started',
};

export interface FloeApp {
  /** Entry point relative to the repo root. */
  readonly script: string;
  /** Text of the log line that says the process is ready. */
  readonly readyMessage: string;
}

export interface StartFloeProcessOptions {
  readonly configPath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Every chunk the process prints (stdout and stderr), e.g. to keep a log file. */
  readonly onOutput?: (chunk: string) => void;
  /** Default 60 s. */
  readonly startTimeoutMs?: number;
}

export function startFloeProcess(app: FloeApp, options: StartFloeProcessOptions): Promise<ChildProcess> {
  const child = spawn(process.execPath, [app.script, '--config', options.configPath], {
    cwd: repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let ready = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${app.script} did not log "${app.readyMessage}" in time:\n${output}`));
    }, options.startTimeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      options.onOutput?.(text);
      if (ready) return;
      output += text;
      if (output.includes(app.readyMessage)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready)
        reject(new Error(`${app.script} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}
