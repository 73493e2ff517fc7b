// `floe maintenance run` end to end on the local stack: one REAL maintenance-worker process
// (`node apps/maintenance-worker/src/main.ts --config F`) on queues of its own, a table with
// three snapshots written by PyIceberg, and the `floe` command enqueueing runs and printing what
// the worker reports: a dry run changes nothing, a real run expires, a failed run exits 1 with
// the worker's message.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadStackEnv,
  MAINTENANCE_WORKER,
  runPython,
  stackCredentialEnv,
  stackFloeYaml,
  startFloeProcess,
} from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FloeRun, runFloeBinary, runFloeInProcess } from './run-floe.test-helper.ts';

const stack = loadStackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const namespace = `cli_maint_${run}`;
const env = { ...process.env, ...stackCredentialEnv(stack) };
let dir: string;
let worker: ChildProcess | undefined;

const floe = (...argv: string[]): Promise<FloeRun> => runFloeInProcess(argv, { cwd: dir, env });
/** `floe maintenance run expire --table <the test table> --max-snapshot-age-ms 1 …flags` */
const expireEvents = (...flags: string[]) =>
  floe(
    'maintenance',
    'run',
    'expire',
    '--table',
    `${namespace}.events`,
    '--max-snapshot-age-ms',
    '1',
    ...flags,
  );

function startWorker(configPath: string): Promise<ChildProcess> {
  return startFloeProcess(MAINTENANCE_WORKER, { configPath, env });
}

const snapshots = () =>
  runPython<number>(
    `import json\nfrom floe_peers import catalog\nprint(len(catalog().load_table("${namespace}.events").metadata.snapshots))`,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-cli-maint-'));
  const configPath = join(dir, 'floe.yaml');
  await writeFile(
    configPath,
    `${stackFloeYaml(stack, {
      queue: { prefix: `cli-maint-${run}`, write_queue: 'write', maintenance_queue: 'maintenance' },
    })}maintenance:\n  worker:\n    metrics_port: 0\n  default_schedules: false\n`,
  );
  await runPython(`
import pyarrow as pa
from floe_peers import catalog
cat = catalog()
cat.create_namespace("${namespace}")
schema = pa.schema([pa.field("id", pa.int64(), nullable=False)])
t = cat.create_table("${namespace}.events", schema=schema)
for i in range(3):
    t.append(pa.table({"id": [i]}, schema=schema))
print("null")
`);
  worker = await startWorker(configPath);
});

afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await runPython(
    `from floe_peers import catalog\ncat = catalog()\ncat.purge_table("${namespace}.events")\ncat.drop_namespace("${namespace}")\nprint("null")`,
  ).catch(() => undefined);
});

describe('floe maintenance run', () => {
  it('prints what a dry run would expire, and expires nothing', async () => {
    const result = await expireEvents('--dry-run');
    expect(result.stderr).toContain(`queued expire of ${namespace}.events`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('expire (dry run: nothing was deleted)');
    expect(result.stdout).toMatch(/snapshots expired\s+2/);
    expect(await snapshots()).toBe(3);
  });

  it('expires through the worker and prints the report JSON with --json', async () => {
    const result = await expireEvents('--min-snapshots-to-keep', '2', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      action: 'expire',
      table: `${namespace}.events`,
      dryRun: false,
      snapshotsExpired: 1,
    });
    expect(String(report['worker'])).toMatch(/:\d+$/);
    expect(await snapshots()).toBe(2);
  });

  it('compacts through the worker: the dry run lists the files, the run rewrites them into one', async () => {
    const compact = (...flags: string[]) =>
      floe(
        'maintenance',
        'run',
        'compact',
        '--table',
        `${namespace}.events`,
        '--min-input-files',
        '2',
        ...flags,
      );
    const dry = await compact('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('compact (dry run: nothing was deleted)');
    expect(dry.stdout).toMatch(/data files to rewrite\s+3/);
    expect(dry.stdout.match(/\.parquet/g)).toHaveLength(3);
    const real = await compact('--json');
    expect(real.code).toBe(0);
    const report = JSON.parse(real.stdout) as { rewrite: { filesRewritten: number; filesAdded: number } };
    expect(report.rewrite).toMatchObject({ filesRewritten: 3, filesAdded: 1 });
    const read = await runPython<{ ids: number[]; files: number }>(
      `from floe_peers import catalog, emit\nt = catalog().load_table("${namespace}.events")\nemit({"ids": sorted(t.scan().to_arrow().column("id").to_pylist()), "files": len(t.inspect.files())})`,
    );
    expect(read).toEqual({ ids: [0, 1, 2], files: 1 });
  });

  it('runs the staging cleanup without a table', async () => {
    const result = await floe('maintenance', 'run', 'staging', '--dry-run', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ action: 'staging', dryRun: true });
  });

  it('exits 1 with the worker’s message when the run failed', async () => {
    const result = await runFloeBinary(['maintenance', 'run', 'orphans', '--table', `${namespace}.missing`], {
      cwd: dir,
      env,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `✗ maintenance orphans of ${namespace}.missing failed: maintenance orphans failed: table ${namespace}.missing does not exist in the catalog`,
    );
  });
});
