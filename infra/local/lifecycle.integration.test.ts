// The stack's lifecycle on a second, private stack dir: `up` twice reuses the running
// services, `down` leaves no process of ours behind.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { isAlive } from './processes.ts';
import type { StackState } from './state.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'floe-stack-lifecycle-'));
const stackScript = join(import.meta.dirname, 'stack.ts');

function stack(command: string) {
  return run(process.execPath, [stackScript, command], { env: { ...process.env, FLOE_STACK_DIR: dir } });
}

function pids(): number[] {
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StackState;
  return Object.values(state.services).map((s) => s.pid);
}

/** Processes whose command line or environment mentions our private stack dir. */
function processesMentioningDir(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if ((cmdline.includes(dir) || environ.includes(dir)) && Number(entry) !== process.pid) {
        found.push(Number(entry));
      }
    } catch {
      /* process ended while we looked */
    }
  }
  return found;
}

afterAll(async () => {
  await stack('down').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

it('reuses running services on a second up, and down stops every one of them', async () => {
  await stack('up');
  const first = pids();
  expect(first).toHaveLength(3);
  expect(first.every(isAlive)).toBe(true);

  const again = await stack('up');
  expect(pids()).toEqual(first);
  expect(again.stderr).toMatch(/redis: reusing pid/);
  expect(again.stderr).toMatch(/catalog: reusing pid/);

  await stack('down');
  expect(first.filter(isAlive)).toEqual([]);
  expect(processesMentioningDir()).toEqual([]);
  await expect(stack('status')).rejects.toMatchObject({ code: 1 });
});
