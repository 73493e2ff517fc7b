// The writer process's command line: --help lists the options, an unknown option or an unreadable
// config exits 2 naming it, before any connection is opened (so no stack is needed).
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('./main.ts', import.meta.url).pathname;

function runMain(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr });
    });
  });
}

describe('floe-writer start-up', () => {
  it('exits 2 naming the config file it cannot read', async () => {
    const result = await runMain(['--config', '/nonexistent/floe.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('floe-writer: cannot read /nonexistent/floe.yaml (ENOENT):');
    expect(result.stderr).toContain('pass --config <floe.yaml> or --artifacts <floe.compiled.json>');
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await runMain(['--confg', 'floe.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("floe-writer: Unknown option '--confg'");
    expect(result.stderr).toContain('Usage: node apps/writer-worker/src/main.ts');
  });

  it('prints its options for --help and exits 0 without connecting', async () => {
    const result = await runMain(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Usage: node apps/writer-worker/src/main.ts [--config floe.yaml | --artifacts floe.compiled.json]',
    );
    for (const option of ['--config <file>', '--artifacts <file>', '-h, --help', 'NODE_EXTRA_CA_CERTS']) {
      expect(result.stdout).toContain(option);
    }
  });
});
