// Argument parsing and usage errors of `floe namespace …` / `floe table …`, checked before any
// catalog is contacted (no floe.yaml exists in these tests, so reaching the catalog step would
// fail differently), plus the property-flag rules.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { NAMESPACE_SUBCOMMANDS } from '../commands/namespace-command.ts';
import { parseSubcommandLine } from './catalog-command-group.ts';
import { parsePropertyFlags, parseRemovalFlags } from './property-flags.ts';

async function floe(argv: string[], cwd?: string) {
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
    cwd: cwd ?? (await mkdtemp(join(tmpdir(), 'floe-cli-catalog-'))),
  });
  return { exitCode, stdout, stderr };
}

const setCommand = NAMESPACE_SUBCOMMANDS.find((sub) => sub.name === 'set');

describe('parseSubcommandLine', () => {
  it('reads positionals, repeatable flags and the output format', () => {
    if (setCommand === undefined) throw new Error('no set subcommand');
    const parsed = parseSubcommandLine(setCommand, [
      'bronze.raw',
      '--prop',
      'a=1',
      '--prop',
      'b=x=y',
      '--remove',
      'c',
      '--format',
      'json',
    ]);
    expect(parsed.args).toEqual(['bronze.raw']);
    expect(parsed.format).toBe('json');
    expect(parsePropertyFlags(parsed.flags['prop'])).toEqual({ a: '1', b: 'x=y' });
    expect(parseRemovalFlags(parsed.flags['remove'])).toEqual(['c']);
  });
});

describe('property flags', () => {
  it('refuse a missing =, an empty key, a key given twice and a key both set and removed', () => {
    expect(() => parsePropertyFlags(['owner'])).toThrow(
      '--prop "owner" needs a value; write --prop key=value (an empty value is --prop key=)',
    );
    expect(() => parsePropertyFlags(['=v'])).toThrow('--prop "=v" has an empty key; write --prop key=value');
    expect(() => parsePropertyFlags(['a=1', 'a=2'])).toThrow('--prop a is given twice');
    expect(parsePropertyFlags(['empty='])).toEqual({ empty: '' });
    expect(() => parseRemovalFlags(['a'], { a: '1' })).toThrow(
      'property "a" is both set (--prop) and removed (--remove); pick one',
    );
  });
});

describe('floe namespace / table usage errors (exit 2, before contacting the catalog)', () => {
  const cases: [string[], string][] = [
    [['namespace', 'create'], 'floe namespace: create needs NS'],
    [['namespace', 'describe', 'a', 'b'], 'floe namespace: describe takes NS; unexpected "b"'],
    [['namespace', 'set', 'a'], 'floe namespace: set needs at least one --prop key=value or --remove key'],
    [['namespace', 'create', 'a', '--prop', 'x'], 'floe namespace: --prop "x" needs a value'],
    [['namespace', 'list', '--format', 'yaml'], 'floe namespace: --format must be text or json, got "yaml"'],
    [
      ['namespace', 'list', '--config', 'a', '--artifacts', 'b'],
      'floe namespace: give either --config or --artifacts, not both',
    ],
    [['namespace', 'list', '--purge'], "floe namespace: Unknown option '--purge'"],
    [
      ['namespace', 'rename'],
      'floe namespace: unknown subcommand "rename"; use one of list, create, describe, set, drop',
    ],
    [
      ['table', 'describe', 'events'],
      'floe table: table "events" must be written as NAMESPACE.TABLE, e.g. bronze.events',
    ],
    [['table', 'rename', 'a.t', 'a.t'], 'floe table: FROM and TO are both "a.t"'],
    [['table', 'rename', 'a.t'], 'floe table: rename needs TO'],
    [
      ['table', 'register', 'a.t', 'metadata.json'],
      'floe table: METADATA_LOCATION "metadata.json" must be the full URI',
    ],
    [['table', 'list'], 'floe table: list needs NS'],
    [
      ['table', 'health', 'events'],
      'floe table: table "events" must be written as NAMESPACE.TABLE, e.g. bronze.events',
    ],
    [['table', 'health', 'a.t', '--format', 'csv'], 'floe table: --format must be table or json, got "csv"'],
  ];
  for (const [argv, message] of cases) {
    it(`floe ${argv.join(' ')}`, async () => {
      const result = await floe(argv);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(`Run \`floe ${argv[0]} --help\` for usage.`);
    });
  }

  it('prints group and subcommand help with exit 0', async () => {
    const group = await floe(['table', '--help']);
    expect(group.exitCode).toBe(0);
    expect(group.stdout).toContain('floe table drop NS.TABLE [--purge]');
    expect(group.stdout).toContain('--format <text|json>');
    const sub = await floe(['namespace', 'set', '--help']);
    expect(sub.exitCode).toBe(0);
    expect(sub.stdout).toContain('Usage: floe namespace set NS [--prop k=v …] [--remove k …]');
    expect(sub.stdout).toContain('--remove <key>        remove a property (repeatable)');
    const bare = await floe(['namespace']);
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toContain('Usage: floe namespace <subcommand> [options]');
  });
});

describe('floe namespace / table config errors (exit 1)', () => {
  it('points at --config/--artifacts when floe.yaml is missing', async () => {
    const result = await floe(['namespace', 'list']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('✗ cannot read floe.yaml (ENOENT):');
    expect(result.stderr).toContain('pass --config <floe.yaml> or --artifacts <floe.compiled.json>');
  });

  it('lists floe.yaml problems with their paths', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'floe-cli-catalog-'));
    await writeFile(join(cwd, 'floe.yaml'), 'catalog: { type: rest, uri: nope, warehouse: w }\n');
    const result = await floe(['table', 'list', 'a'], cwd);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('catalog.uri: must be a http:// or https:// URL');
  });

  it('explains an invalid namespace name from the catalog client', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'floe-cli-catalog-'));
    await writeFile(
      join(cwd, 'floe.yaml'),
      'catalog: { type: rest, uri: "http://127.0.0.1:1", warehouse: w }\nstorage: { staging: { bucket: floe-staging } }\nqueue: { redis_url: "redis://127.0.0.1:1" }\n',
    );
    const result = await floe(['namespace', 'describe', 'a..b'], cwd);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      '✗ namespace "a..b" has an empty level; write levels separated by single dots, e.g. "bronze.raw"\n',
    );
  });
});
