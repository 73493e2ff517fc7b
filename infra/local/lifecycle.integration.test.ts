// The stack's lifecycle on a second, private stack dir: `up` twice reuses the running
// services, `down` leaves no process of ours behind, and a stack restarted on its old data dir
// still takes concurrent catalog writes (the SQLite-backed catalog once locked itself up there).
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

interface StackEndpoints {
  readonly catalogUri: string;
}

function catalogUri(): string {
  return (JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) as StackEndpoints).catalogUri;
}

async function catalogPost(path: string, body: unknown): Promise<number> {
  const response = await fetch(`${catalogUri()}/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Creates `count` tables in `namespace` at once; returns the HTTP status of each. */
function createTables(namespace: string, prefix: string, count: number): Promise<number[]> {
  const schema = {
    type: 'struct',
    'schema-id': 0,
    fields: [{ id: 1, name: 'id', required: false, type: 'long' }],
  };
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      catalogPost(`namespaces/${namespace}/tables`, { name: `${prefix}${i}`, schema }),
    ),
  );
}

afterAll(async () => {
  await stack('down').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

it('reuses running services on a second up, and down stops every one of them', async () => {
  await stack('up');
  const first = pids();
  expect(first).toHaveLength(4);
  expect(first.every(isAlive)).toBe(true);

  const again = await stack('up');
  expect(pids()).toEqual(first);
  expect(again.stderr).toMatch(/redis: reusing pid/);
  expect(again.stderr).toMatch(/catalog: reusing pid/);
  expect(again.stderr).toMatch(/postgres: reusing pid/);

  await stack('down');
  expect(first.filter(isAlive)).toEqual([]);
  expect(processesMentioningDir()).toEqual([]);
  await expect(stack('status')).rejects.toMatchObject({ code: 1 });
});

it('a stack restarted on its old data dir keeps its tables and takes concurrent commits', async () => {
  await stack('up');
  expect(await catalogPost('namespaces', { namespace: ['restart'] })).toBe(200);
  expect(await createTables('restart', 'before_', 6)).toEqual(Array(6).fill(200));
  await stack('down');

  await stack('up');
  const listed = await fetch(`${catalogUri()}/v1/namespaces/restart/tables`).then((r) => r.json());
  expect((listed as { identifiers: { name: string }[] }).identifiers.map((t) => t.name).sort()).toEqual(
    Array.from({ length: 6 }, (_, i) => `before_${i}`),
  );
  expect(await createTables('restart', 'after_', 12)).toEqual(Array(12).fill(200));
  await stack('down');
});
