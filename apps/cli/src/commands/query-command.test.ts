// Flags and usage errors of `floe query` and `floe table snapshots|…` (caught before any
// catalog request: no floe.yaml exists here), and how scan rows print (text, CSV, JSON with
// longs as decimal strings, Iceberg JSON forms for dates, decimals and nested values).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as iceberg from '@floe/iceberg';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { cellsOfArrowTable, renderCells } from '../output/arrow-table-output.ts';
import { parseSnapshotId } from './inspect-command.ts';
import { cellsOfScan, parseQueryFlags, parseWhere } from './query-command.ts';

async function floe(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    cwd: await mkdtemp(join(tmpdir(), 'floe-cli-query-')),
  });
  return { exitCode, stdout, stderr };
}

describe('parseQueryFlags', () => {
  it('reads columns, filter, snapshot, time and limit', () => {
    expect(
      parseQueryFlags({
        select: 'id, region',
        where: 'id > 5',
        snapshot: '9223372036854775807',
        limit: '10',
      }),
    ).toEqual({
      columns: ['id', 'region'],
      where: 'id > 5',
      snapshotId: 9223372036854775807n,
      asOfTimestampMs: undefined,
      limit: 10,
    });
    expect(parseQueryFlags({ 'as-of': '2026-01-31T12:00:00Z' }).asOfTimestampMs).toBe(
      BigInt(Date.UTC(2026, 0, 31, 12)),
    );
    expect(parseQueryFlags({ 'as-of': '2026-01-31' }).asOfTimestampMs).toBe(BigInt(Date.UTC(2026, 0, 31)));
  });

  it.each([
    [
      { select: 'id,,region' },
      '--select takes column names separated by commas, e.g. id,region; got "id,,region"',
    ],
    [
      { snapshot: 'latest' },
      '--snapshot must be a snapshot id (an integer, see `floe table snapshots`), got "latest"',
    ],
    [{ snapshot: '1', 'as-of': '2026-01-01' }, 'give either --snapshot or --as-of, not both'],
    [
      { 'as-of': 'yesterday' },
      '--as-of must be an ISO-8601 time such as 2026-01-31T12:00:00Z (a date alone means midnight UTC), got "yesterday"',
    ],
    [{ limit: '0' }, '--limit must be a positive integer, got "0"'],
    [{ limit: '1.5' }, '--limit must be a positive integer, got "1.5"'],
    [{ where: '  ' }, '--where is empty'],
  ])('refuses %j', (flags, message) => {
    expect(() => parseQueryFlags(flags)).toThrow(message);
  });

  it('parses --where as text syntax or REST JSON, and explains a malformed one', () => {
    expect(iceberg.expressionToString(parseWhere(iceberg, "id > 5 and region = 'eu'"))).toContain('id');
    expect(parseWhere(iceberg, '{"type":"gt","term":"id","value":5}')).toEqual(iceberg.gt('id', 5));
    expect(() => parseWhere(iceberg, 'id >')).toThrow(/^--where is not a valid filter: /);
    expect(parseSnapshotId(undefined)).toBeUndefined();
  });
});

describe('usage errors (exit 2, before contacting the catalog)', () => {
  it.each([
    [['query'], 'floe query: query needs NS.TABLE'],
    [
      ['query', 'events'],
      'floe query: table "events" must be written as NAMESPACE.TABLE, e.g. bronze.events',
    ],
    [['query', 'db.t', '--format', 'yaml'], 'floe query: --format must be table, csv or json, got "yaml"'],
    [['query', 'db.t', '--limit', 'x'], 'floe query: --limit must be a positive integer, got "x"'],
    [
      ['table', 'snapshots', 'db.t', '--format', 'xml'],
      'floe table: --format must be table, csv or json, got "xml"',
    ],
    [
      ['table', 'files', 'db'],
      'floe table: table "db" must be written as NAMESPACE.TABLE, e.g. bronze.events',
    ],
    [['table', 'files', 'db.t', '--snapshot', 'abc'], 'floe table: --snapshot must be a snapshot id'],
    [['table', 'history', 'db.t', '--snapshot', '1'], 'floe table: Unknown option'],
  ])('%j', async (argv, message) => {
    const run = await floe(argv);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('lists the inspection subcommands and query in help', async () => {
    const table = await floe(['table', '--help']);
    for (const name of ['snapshots', 'history', 'refs', 'manifests', 'files', 'partitions']) {
      expect(table.stdout).toContain(`floe table ${name} NS.TABLE`);
    }
    const main = await floe(['--help']);
    expect(main.stdout).toMatch(/\n {2}query +read rows of a table/);
    const query = await floe(['query', '--help']);
    expect(query.exitCode).toBe(0);
    expect(query.stdout).toContain('--where <expr>');
    expect(query.stdout.match(/--format/g)).toHaveLength(1);
  });

  it('still refuses csv for commands that print only text or JSON', async () => {
    const run = await floe(['table', 'list', 'db', '--format', 'csv']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--format must be text or json, got "csv"');
  });
});

describe('printing rows', () => {
  const schema: iceberg.Schema = {
    schemaId: 0,
    identifierFieldIds: [],
    fields: [
      { id: 1, name: 'id', required: true, type: { kind: 'long' } },
      { id: 2, name: 'day', required: false, type: { kind: 'date' } },
      { id: 3, name: 'amount', required: false, type: { kind: 'decimal', precision: 10, scale: 2 } },
      {
        id: 4,
        name: 'point',
        required: false,
        type: { kind: 'struct', fields: [{ id: 5, name: 'x', required: false, type: { kind: 'int' } }] },
      },
    ],
  };

  function scanTable(): arrow.Table {
    const arrowSchema = iceberg.icebergToArrowSchema(schema);
    const data = [
      {
        id: 9223372036854775807n,
        day: new Date(Date.UTC(2026, 0, 2)),
        amount: new Uint32Array([1234, 0, 0, 0]),
        point: { x: 3 },
      },
      { id: 2n, day: null, amount: null, point: null },
    ];
    const columns = Object.fromEntries(
      arrowSchema.fields.map((field) => [
        field.name,
        arrow.vectorFromArray(
          data.map((row) => row[field.name as keyof (typeof data)[number]]),
          field.type,
        ),
      ]),
    );
    return new arrow.Table(columns);
  }

  it('prints Iceberg JSON forms, longs as decimal strings in JSON', () => {
    const cells = cellsOfScan(iceberg, scanTable(), schema);
    expect(JSON.parse(renderCells(cells, 'json'))).toEqual([
      { id: '9223372036854775807', day: '2026-01-02', amount: '12.34', point: { x: 3 } },
      { id: '2', day: null, amount: null, point: null },
    ]);
    expect(renderCells(cells, 'csv')).toBe(
      'id,day,amount,point\n9223372036854775807,2026-01-02,12.34,"{""x"":3}"\n2,,,\n',
    );
    expect(renderCells(cells, 'text').split('\n')).toEqual([
      'id                   day         amount  point',
      '-------------------  ----------  ------  -------',
      '9223372036854775807  2026-01-02  12.34   {"x":3}',
      '2                    null        null    null',
      '',
    ]);
  });

  it('prints inspection timestamps as ISO text', () => {
    const table = new arrow.Table({
      committed_at: arrow.vectorFromArray(
        [Date.UTC(2026, 0, 2, 3, 4, 5)],
        new arrow.TimestampMillisecond('UTC'),
      ),
      snapshot_id: arrow.vectorFromArray([123n], new arrow.Int64()),
    });
    expect(cellsOfArrowTable(table)).toEqual({
      columns: ['committed_at', 'snapshot_id'],
      rows: [['2026-01-02T03:04:05.000Z', 123n]],
    });
  });
});
