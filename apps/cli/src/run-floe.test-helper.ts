// How the CLI's integration tests run `floe`: in-process through `runCli` (the same router the
// binary calls, with stdout, stderr, env and cwd captured — no Node start-up per call, and the
// code counts toward coverage), or as the real binary (`node apps/cli/src/main.ts`) for the few
// tests that prove the entry point itself.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@floe/test-support';
import { runCli } from './cli.ts';

export interface FloeRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FloeRunContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const MAIN = join(repoRoot, 'apps/cli/src/main.ts');

export async function runFloeInProcess(argv: readonly string[], context: FloeRunContext): Promise<FloeRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: context.env,
    cwd: context.cwd,
  });
  return { code, stdout, stderr };
}

export function runFloeBinary(argv: readonly string[], context: FloeRunContext): Promise<FloeRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...argv],
      { cwd: context.cwd, env: context.env },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
