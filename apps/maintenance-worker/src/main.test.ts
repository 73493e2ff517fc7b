// The process entry point's configuration failures: exit code 2 and one line naming what to fix,
// before any connection is opened (so no stack is needed).
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('./main.ts', import.meta.url).pathname;

function runMain(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr });
    });
  });
}

// Unreachable endpoints on purpose: a config error must stop the process before it connects.
const BASE = [
  'catalog: { type: rest, uri: "http://127.0.0.1:1", warehouse: "s3://warehouse/" }',
  'storage: { staging: { bucket: floe-staging } }',
  'queue: { redis_url: "redis://127.0.0.1:1" }',
  '',
].join('\n');

describe('floe-maintenance start-up', () => {
  it('exits 2 naming the config file it cannot read', async () => {
    const result = await runMain(['--config', '/nonexistent/floe.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('floe-maintenance: cannot read /nonexistent/floe.yaml (ENOENT):');
    expect(result.stderr).toContain('pass --config <floe.yaml> or --artifacts <floe.compiled.json>');
  });

  it('exits 2 naming the bad maintenance.worker field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-maint-main-'));
    const config = join(dir, 'floe.yaml');
    await writeFile(config, `${BASE}maintenance:\n  worker:\n    table_lock_ttl_ms: 10\n`);
    const result = await runMain(['--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^floe-maintenance: /);
    expect(result.stderr).toContain('maintenance.worker.table_lock_ttl_ms');
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await runMain(['--confg', 'floe.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("floe-maintenance: Unknown option '--confg'");
    expect(result.stderr).toContain('Usage: node apps/maintenance-worker/src/main.ts');
  });

  it('prints its options for --help and exits 0 without connecting', async () => {
    const result = await runMain(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Usage: node apps/maintenance-worker/src/main.ts [--config floe.yaml | --artifacts floe.compiled.json]',
    );
    for (const option of ['--config <file>', '--artifacts <file>', '-h, --help', 'NODE_EXTRA_CA_CERTS']) {
      expect(result.stdout).toContain(option);
    }
  });
});
