// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax
// `floe table snapshots|history|files|partitions` and `floe query`, run as the real binary
// against the local stack, judged by PyIceberg: PyIceberg creates a table partitioned by
// region and appends twice, then our listings must name PyIceberg's snapshots and files, our
// filtered, projected scan must equal PyIceberg's, and time travel to the first snapshot must
// return only the first append's rows.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackEnv, runPython, type StackEnv, stackFloeYaml } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FloeRun, runFloeBinary, runFloeInProcess } from './run-floe.test-helper.ts';

const stack: StackEnv = loadStackEnv();
const env = { ...process.env, TEST_S3_KEY_ID: stack.s3AccessKeyId, TEST_S3_SECRET: stack.s3SecretAccessKey };
const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const namespace = `inspect_${suffix}`;
const table = `${namespace}.events`;

const FLOE_YAML = stackFloeYaml(stack, {
  catalogRetry: { max_attempts: 1, timeout_ms: 5000 },
  accessKeyEnv: 'TEST_S3_KEY_ID',
  secretKeyEnv: 'TEST_S3_SECRET',
  queue: { prefix: 'floe-inspect-cli-test' },
});

let cwd: string;

/** `floe …` in-process (see run-floe.test-helper.ts); `floeBinary` runs the real entry point. */
function floe(...argv: string[]): Promise<FloeRun> {
  return runFloeInProcess(argv, { cwd, env });
}

function floeBinary(...argv: string[]): Promise<FloeRun> {
  return runFloeBinary(argv, { cwd, env });
}

async function floeJson<T = Record<string, unknown>[]>(...argv: string[]): Promise<T> {
  const run = await floe(...argv, '--format', 'json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface Peer {
  snapshots: string[];
  files: string[];
  filtered: number[];
}

let peer: Peer;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'floe-inspect-cli-'));
  await writeFile(join(cwd, 'floe.yaml'), FLOE_YAML);
  // Snapshot ids are emitted as strings: they exceed 2^53 and JSON numbers would round them.
  peer = await runPython<Peer>(`
import pyarrow as pa
from floe_peers import catalog, emit
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import LongType, NestedField, StringType
cat = catalog()
cat.create_namespace("${namespace}")
schema = Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "region", StringType(), required=False))
spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="region"))
t = cat.create_table("${table}", schema=schema, partition_spec=spec)
arrow_schema = t.schema().as_arrow()
t.append(pa.Table.from_pylist([{"id": i, "region": ["eu", "us"][i % 2]} for i in range(1, 6)], schema=arrow_schema))
t.append(pa.Table.from_pylist([{"id": i, "region": ["eu", "ap"][i % 2]} for i in range(6, 11)], schema=arrow_schema))
t = cat.load_table("${table}")
filtered = t.scan(row_filter="id > 5", selected_fields=("id",)).to_arrow().column("id").to_pylist()
emit({
  "snapshots": [str(s.snapshot_id) for s in t.snapshots()],
  "files": t.inspect.files().column("file_path").to_pylist(),
  "filtered": sorted(filtered),
})
`);
}, 120_000);

afterAll(async () => {
  await runPython(`
from floe_peers import catalog, emit
cat = catalog()
for ident in cat.list_tables("${namespace}"):
    cat.drop_table(ident)
cat.drop_namespace("${namespace}")
emit(True)
`);
});

describe('floe table inspection and floe query against a PyIceberg table', () => {
  it('lists PyIceberg’s two snapshots with their ids, parents and operations', async () => {
    expect(peer.snapshots).toHaveLength(2);
    const snapshots = await floeJson('table', 'snapshots', table);
    expect(snapshots.map((s) => s['snapshot_id'])).toEqual(peer.snapshots);
    expect(snapshots[1]?.['parent_id']).toBe(peer.snapshots[0]);
    expect(snapshots.map((s) => s['operation'])).toEqual(['append', 'append']);
    // the summary is a JSON object (string values), not JSON text inside the JSON
    expect(snapshots[1]?.['summary']).toMatchObject({ 'added-records': expect.any(String) });

    const history = await floeJson('table', 'history', table);
    expect(history.map((h) => [h['snapshot_id'], h['is_current_ancestor']])).toEqual([
      [peer.snapshots[0], true],
      [peer.snapshots[1], true],
    ]);

    const csv = await floeBinary('table', 'snapshots', table, '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'committed_at,snapshot_id,parent_id,sequence_number,operation,manifest_list,summary',
    );
    expect(lines).toHaveLength(3);

    const text = await floe('table', 'snapshots', table);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(peer.snapshots[1] as string);
  });

  it('lists the files PyIceberg lists, and per-partition totals that add up', async () => {
    const files = await floeJson('table', 'files', table);
    expect(files.map((f) => f['file_path']).sort()).toEqual([...peer.files].sort());
    expect(files.reduce((sum, f) => sum + Number(f['record_count']), 0)).toBe(10);

    const first = await floeJson('table', 'files', table, '--snapshot', peer.snapshots[0] as string);
    expect(first.map((f) => f['partition']).sort()).toEqual(['{"region":"eu"}', '{"region":"us"}']);

    const partitions = await floeJson('table', 'partitions', table);
    expect(partitions.map((p) => [p['partition'], p['record_count']])).toEqual([
      ['{"region":"ap"}', '2'],
      ['{"region":"eu"}', '5'],
      ['{"region":"us"}', '3'],
    ]);
  });

  it('returns the same rows as PyIceberg’s filtered, projected scan', async () => {
    const rows = await floeJson<{ id: string }[]>('query', table, '--where', 'id > 5', '--select', 'id');
    expect(rows.every((row) => Object.keys(row).join() === 'id')).toBe(true);
    expect(rows.map((row) => Number(row.id)).sort((a, b) => a - b)).toEqual(peer.filtered);
    expect(rows.every((row) => typeof row.id === 'string')).toBe(true);

    const limited = await floeJson('query', table, '--limit', '2');
    expect(limited).toHaveLength(2);
  });

  it('reads the first snapshot by id with --snapshot', async () => {
    const rows = await floeJson<{ id: string; region: string }[]>(
      'query',
      table,
      '--snapshot',
      peer.snapshots[0] as string,
    );
    expect(rows.map((row) => Number(row.id)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
  });

  it('explains an unknown snapshot id, naming the snapshots that exist', async () => {
    const run = await floe('query', table, '--snapshot', '123');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`✗ table ${table} has no snapshot 123; its snapshots are `);
    expect(run.stderr).toContain(peer.snapshots[0] as string);
  });

  it('reports an unknown column and a malformed filter', async () => {
    const column = await floe('query', table, '--select', 'nope');
    expect(column.code).toBe(1);
    expect(column.stderr).toMatch(/^✗ .*nope/);
    const where = await floe('query', table, '--where', 'id >');
    expect(where.code).toBe(2);
    expect(where.stderr).toMatch(/^floe query: --where is not a valid filter: /);
  });
});
