import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WriteResult } from '@floe/jobs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { parseWriteArgs, renderWriteResult, writeOptionsOf } from './write-command.ts';

async function floe(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['write', ...argv], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    cwd,
  });
  return { code, stdout, stderr };
}

describe('parseWriteArgs', () => {
  it('reads files and every option', () => {
    const args = parseWriteArgs([
      'a.csv',
      'b.parquet',
      '--table',
      'bronze.raw.events',
      '--mode',
      'overwrite',
      '--filter',
      "country = 'FR'",
      '--partition-by',
      'day(ts)',
      '--partition-by',
      'bucket[16](id)',
      '--strict',
      '--idempotency-key',
      'etl/load@2026-11-01',
      '--no-wait',
      '--timeout-ms',
      '5000',
      '--format',
      'json',
      '--config',
      'prod.yaml',
    ]);
    expect(args).toEqual({
      files: ['a.csv', 'b.parquet'],
      table: 'bronze.raw.events',
      mode: 'overwrite',
      filter: "country = 'FR'",
      partitionBy: [
        { source: 'ts', transform: 'day' },
        { source: 'id', transform: 'bucket[16]' },
      ],
      create: true,
      strict: true,
      idempotencyKey: 'etl/load@2026-11-01',
      wait: false,
      timeoutMs: 5000,
      format: 'json',
      config: 'prod.yaml',
      artifacts: undefined,
      help: false,
    });
  });

  it('defaults to an append that creates the table, waits and prints text', () => {
    const args = parseWriteArgs(['a.csv', '--table', 'ns.t']);
    expect(args).toMatchObject({ mode: 'append', create: true, strict: false, wait: true, format: 'text' });
    expect(writeOptionsOf(args, undefined)).toEqual({
      mode: 'append',
      schemaEvolution: 'add-columns',
      create: { partitionSpec: [] },
    });
  });

  it('maps flags to the write options of the job', () => {
    const args = parseWriteArgs([
      'a.csv',
      '--table',
      'ns.t',
      '--mode',
      'overwrite',
      '--filter',
      'x',
      '--strict',
      '--idempotency-key',
      'k1',
    ]);
    const filter = { type: 'eq', term: 'x', value: 1 } as const;
    expect(writeOptionsOf(args, filter)).toEqual({
      mode: 'overwrite',
      schemaEvolution: 'strict',
      create: { partitionSpec: [] },
      overwriteFilter: filter,
      idempotencyKey: 'k1',
    });
    expect(
      writeOptionsOf(
        parseWriteArgs(['a.csv', '--table', 'ns.t', '--mode', 'upsert', '--key', 'region, id']),
        undefined,
      ),
    ).toMatchObject({ mode: 'upsert', keys: ['region', 'id'] });
    expect(
      writeOptionsOf(parseWriteArgs(['a.csv', '--table', 'ns.t', '--format-version', '3']), undefined).create,
    ).toEqual({ partitionSpec: [], properties: { 'format-version': '3' } });
    expect(writeOptionsOf(parseWriteArgs(['a.csv', '--table', 'ns.t', '--no-create']), undefined)).toEqual({
      mode: 'append',
      schemaEvolution: 'add-columns',
    });
  });

  it.each([
    [['--table', 'ns.t'], 'write needs at least one FILE (CSV, Parquet or Arrow IPC)'],
    [['a.csv'], 'write needs --table NS.TABLE'],
    [['a.csv', '--table', 'events'], '--table "events" must be namespace.table, e.g. bronze.events'],
    [['a.csv', '--table', 'ns..t'], '--table "ns..t" must be namespace.table, e.g. bronze.events'],
    [
      ['a.csv', '--table', 'ns.t', '--mode', 'merge'],
      '--mode must be one of append, overwrite, replace-partitions, upsert, got "merge"',
    ],
    [['a.csv', '--table', 'ns.t', '--key', 'id'], '--key only applies to --mode upsert (the mode is append)'],
    [['a.csv', '--table', 'ns.t', '--format-version', '4'], '--format-version must be 2 or 3, got "4"'],
    [
      ['a.csv', '--table', 'ns.t', '--mode', 'upsert', '--key', 'id,'],
      '--key takes column names separated by commas, e.g. --key region,id; got "id,"',
    ],
    [
      ['a.csv', '--table', 'ns.t', '--filter', 'x = 1'],
      '--filter only applies to --mode overwrite (the mode is append)',
    ],
    [
      ['a.csv', '--table', 'ns.t', '--partition-by', 'day(ts)', '--no-create'],
      '--partition-by describes the table to create; it cannot be combined with --no-create',
    ],
    [
      ['a.csv', '--table', 'ns.t', '--idempotency-key', 'a b'],
      '--idempotency-key takes 1-200 letters, digits and . _ ~ @ = + - / and is not a plain integer, got "a b"',
    ],
    [
      ['a.csv', '--table', 'ns.t', '--idempotency-key', '42'],
      '--idempotency-key takes 1-200 letters, digits and . _ ~ @ = + - / and is not a plain integer, got "42"',
    ],
    [
      ['a.csv', '--table', 'ns.t', '--timeout-ms', '0'],
      '--timeout-ms must be a positive integer (milliseconds), got "0"',
    ],
    [['a.csv', '--table', 'ns.t', '--format', 'yaml'], '--format must be text or json, got "yaml"'],
    [
      ['a.csv', '--table', 'ns.t', '--config', 'a', '--artifacts', 'b'],
      'give either --config or --artifacts, not both',
    ],
    [['a.csv', '--table', 'ns.t', '--bogus'], "Unknown option '--bogus'"],
  ])('%j → usage error', (argv, message) => {
    expect(() => parseWriteArgs(argv)).toThrow(message);
  });
});

describe('renderWriteResult', () => {
  const result: WriteResult = {
    table: 'ns.t',
    snapshotId: '9223372036854775807',
    sequenceNumber: '3',
    operation: 'append',
    addedRows: 6,
    addedFiles: 4,
    addedBytes: 5120,
    removedFiles: 0,
    deletedRows: 0,
    schemaId: 0,
    attempts: 1,
    coalescedJobs: 2,
    committedAt: '2026-11-24T05:00:00.000Z',
    alreadyCommitted: false,
  };

  it('prints the snapshot id exactly and every counter', () => {
    expect(renderWriteResult(result, 'job-1')).toBe(`✓ wrote 6 rows to ns.t in snapshot 9223372036854775807
  job id           job-1
  snapshot id      9223372036854775807
  sequence number  3
  operation        append
  added rows       6
  added files      4
  added bytes      5120
  removed files    0
  deleted rows     0
  schema id        0
  commit attempts  1
  jobs in commit   2
  committed at     2026-11-24T05:00:00.000Z
`);
  });

  it('says how many rows an upsert replaced and a delete removed', () => {
    expect(
      renderWriteResult({ ...result, operation: 'overwrite', deletedRows: 2 }, 'job-1').split('\n')[0],
    ).toBe('✓ wrote 6 rows to ns.t (replacing or deleting 2 rows) in snapshot 9223372036854775807');
    expect(
      renderWriteResult({ ...result, operation: 'delete', addedRows: 0, deletedRows: 3 }, 'job-1').split(
        '\n',
      )[0],
    ).toBe('✓ deleted 3 rows of ns.t in snapshot 9223372036854775807');
  });

  it('says when the job had already been committed', () => {
    expect(renderWriteResult({ ...result, alreadyCommitted: true }, 'job-1').split('\n')[0]).toBe(
      '✓ job job-1 was already committed to ns.t in snapshot 9223372036854775807; nothing new was written',
    );
  });
});

describe('floe write through the router', () => {
  it('lists write in the main help and shows its own help', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'floe-write-'));
    const main = await runCli(['--help'], { stdout: () => {}, stderr: () => {}, env: {}, cwd });
    expect(main).toBe(0);
    const help = await floe(['--help'], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: floe write FILE… --table NS.TABLE [options]');
  });

  it('turns a flag mistake into exit 2 with a pointer to --help', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'floe-write-'));
    const run = await floe(['a.csv'], cwd);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'floe write: write needs --table NS.TABLE\nRun `floe write --help` for usage.\n',
    });
    const badFilter = await floe(
      ['a.csv', '--table', 'ns.t', '--mode', 'overwrite', '--filter', 'id ='],
      cwd,
    );
    expect(badFilter.code).toBe(2);
    expect(badFilter.stderr).toMatch(/^floe write: --filter is not a valid filter: /);
  });

  it('reports a missing floe.yaml, then a missing file, as ✗ lines (exit 1)', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'floe-write-'));
    const noConfig = await floe(['a.csv', '--table', 'ns.t'], cwd);
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toMatch(/^✗ cannot read floe\.yaml \(ENOENT\)/);
    await writeFile(
      join(cwd, 'floe.yaml'),
      'catalog: { type: rest, uri: "http://127.0.0.1:1", warehouse: w }\nstorage: { staging: { bucket: staging } }\nqueue: { redis_url: "redis://127.0.0.1:1" }\n',
    );
    const noFile = await floe(['nope.csv', '--table', 'ns.t'], cwd);
    expect(noFile).toEqual({ code: 1, stdout: '', stderr: '✗ nope.csv does not exist\n' });
  });

  it('says when Redis is unreachable, before anything is staged', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'floe-write-'));
    await writeFile(
      join(cwd, 'floe.yaml'),
      'catalog: { type: rest, uri: "http://127.0.0.1:1", warehouse: w }\nstorage: { staging: { bucket: staging } }\nqueue: { redis_url: "redis://127.0.0.1:1" }\n',
    );
    await writeFile(join(cwd, 'a.csv'), 'id\n1\n');
    const run = await floe(['a.csv', '--table', 'ns.t'], cwd);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      '✗ cannot reach Redis at redis://127.0.0.1:1 (ECONNREFUSED): check queue.redis_url and that Redis is running; nothing was staged\n',
    );
  });
});
