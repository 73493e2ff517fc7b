import type { ParseArgsConfig } from 'node:util';
import type { Catalog } from '@floe/catalog';
import {
  type CompiledArtifacts,
  ConfigError,
  catalogOptionsFrom,
  loadAppArtifacts,
  secretValuesOf,
} from '@floe/config';
import { createLogger, type LogLevel, redactSecrets } from '@floe/telemetry';
import {
  type CliIo,
  type Command,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  parseCommandLine,
  UsageError,
} from '../command.ts';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;
export type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
export type OutputFormat = 'text' | 'json' | 'csv';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const COMMON_FLAGS = {
  config: { type: 'string' },
  artifacts: { type: 'string' },
  format: { type: 'string', default: 'text' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies FlagOptions;

export const COMMON_OPTIONS_HELP = `Common options:
  --config <path>       floe.yaml to read the catalog section from (default: floe.yaml)
  --artifacts <path>    read compiled artifacts (floe.compiled.json) instead of floe.yaml
  --format <text|json>  output for people (default) or JSON (longs as decimal strings)
  --log-level <level>   JSON logs on stderr (default: $FLOE_LOG_LEVEL, else silent)
  -h, --help            show help`;

export interface Invocation {
  readonly args: readonly string[];
  readonly flags: FlagValues;
  readonly format: OutputFormat;
  readonly io: CliIo;
  readonly catalog: Catalog;
}

export interface Subcommand {
  readonly name: string;
  /** Arguments as shown in help: `create NS [--prop k=v …]`. */
  readonly usage: string;
  readonly summary: string;
  /** Named positional arguments; a trailing `?` marks an optional one. */
  readonly args: readonly string[];
  readonly flags?: FlagOptions;
  /** Output formats it prints (default text and json); `--format table` means text. */
  readonly formats?: readonly OutputFormat[];
  /** Extra help lines (what the options mean). */
  readonly details?: string;
  /** Checks arguments before the catalog is contacted; throw `UsageError` on a mistake. */
  validate?(args: readonly string[], flags: FlagValues): void;
  run(invocation: Invocation): Promise<number>;
}

export function groupHelp(group: string, summary: string, subcommands: readonly Subcommand[]): string {
  const width = Math.max(...subcommands.map((sub) => sub.usage.length));
  const lines = subcommands.map((sub) => `  floe ${group} ${sub.usage.padEnd(width)}  ${sub.summary}`);
  return `Usage: floe ${group} <subcommand> [options]

${summary}

${lines.join('\n')}

${COMMON_OPTIONS_HELP}

Exit codes: 0 ok, 1 the catalog refused or failed (the line says why), 2 usage error.
`;
}

function subcommandHelp(group: string, sub: Subcommand): string {
  return `Usage: floe ${group} ${sub.usage}

${sub.summary}.
${sub.details === undefined ? '' : `\n${sub.details}\n`}
${COMMON_OPTIONS_HELP}
`;
}

/** Parses one subcommand's command line; exported for unit tests. */
export function parseSubcommandLine(sub: Subcommand, argv: readonly string[]) {
  const { values, positionals } = parseCommandLine(argv, { ...COMMON_FLAGS, ...sub.flags });
  const flags = values as FlagValues;
  if (flags['help'] === true) return { help: true, args: positionals, flags, format: 'text' as const };
  const required = sub.args.filter((arg) => !arg.endsWith('?'));
  if (positionals.length < required.length) {
    const missing = required.slice(positionals.length);
    throw new UsageError(`${sub.name} needs ${missing.join(' and ')}`);
  }
  if (positionals.length > sub.args.length) {
    const extra = positionals.slice(sub.args.length).map((arg) => `"${arg}"`);
    throw new UsageError(`${sub.name} takes ${describeArity(sub.args)}; unexpected ${extra.join(' ')}`);
  }
  const format = flags['format'] === 'table' && sub.formats !== undefined ? 'text' : flags['format'];
  const formats = sub.formats ?? ['text', 'json'];
  if (!formats.includes(format as OutputFormat)) {
    const names = formats.map((name) => (name === 'text' && sub.formats !== undefined ? 'table' : name));
    const listed = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
    throw new UsageError(`--format must be ${listed}, got "${String(format)}"`);
  }
  if (flags['config'] !== undefined && flags['artifacts'] !== undefined) {
    throw new UsageError('give either --config or --artifacts, not both');
  }
  const level = flags['log-level'];
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${String(level)}"`);
  }
  sub.validate?.(positionals, flags);
  return { help: false, args: positionals, flags, format: format as OutputFormat };
}

function describeArity(args: readonly string[]): string {
  if (args.length === 0) return 'no arguments';
  return args.map((arg) => (arg.endsWith('?') ? `[${arg.slice(0, -1)}]` : arg)).join(' ');
}

/** CompiledArtifacts from `--artifacts` or `--config` (default floe.yaml), secrets resolved from `io.env`. */
export function loadArtifacts(flags: FlagValues, io: CliIo): Promise<CompiledArtifacts> {
  const artifacts = flags['artifacts'];
  const config = flags['config'];
  return loadAppArtifacts(
    {
      cwd: io.cwd,
      artifacts: typeof artifacts === 'string' ? artifacts : undefined,
      config: typeof config === 'string' ? config : undefined,
    },
    io.env,
  );
}

/** `loadArtifacts`, with a config problem printed as one ✗ line: undefined then means exit 1. */
export async function loadArtifactsOrReport(
  flags: FlagValues,
  io: CliIo,
): Promise<CompiledArtifacts | undefined> {
  try {
    return await loadArtifacts(flags, io);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`✗ ${error.message}\n`);
    return undefined;
  }
}

/** Runs one subcommand against the configured catalog and turns failures into ✗ lines. */
export async function runAgainstCatalog(
  sub: Subcommand,
  parsed: { args: readonly string[]; flags: FlagValues; format: OutputFormat },
  io: CliIo,
): Promise<number> {
  let artifacts: CompiledArtifacts;
  try {
    artifacts = await loadArtifacts(parsed.flags, io);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`✗ ${error.message}\n`);
    return EXIT_FAILURE;
  }
  const secrets = secretValuesOf(artifacts);
  const level = (parsed.flags['log-level'] as LogLevel | undefined) ?? io.env['FLOE_LOG_LEVEL'] ?? 'silent';
  const logger = createLogger({
    name: 'floe-cli',
    level: LOG_LEVELS.includes(level as LogLevel) ? (level as LogLevel) : 'silent',
    secrets,
    destination: io.logDestination ?? { write: (line: string) => io.stderr(line) },
  });
  const { createCatalog, isCatalogError } = await import('@floe/catalog');
  let catalog: Catalog | undefined;
  try {
    catalog = createCatalog(catalogOptionsFrom(artifacts.catalog, artifacts.storage, { logger }));
    return await sub.run({ ...parsed, io, catalog });
  } catch (error) {
    if (!isCatalogError(error)) throw error;
    io.stderr(`✗ ${redactSecrets(error.message, secrets)}\n`);
    return EXIT_FAILURE;
  } finally {
    await catalog?.close();
  }
}

export function createCommandGroup(
  group: string,
  summary: string,
  subcommands: readonly Subcommand[],
): Command {
  const help = groupHelp(group, summary, subcommands);
  return {
    name: group,
    summary,
    help,
    async run(argv, io) {
      const [first, ...rest] = argv;
      if (first === undefined) {
        io.stderr(help);
        return EXIT_USAGE;
      }
      if (first === '--help' || first === '-h' || first === 'help') {
        io.stdout(help);
        return EXIT_OK;
      }
      const sub = subcommands.find((candidate) => candidate.name === first);
      if (sub === undefined) {
        const names = subcommands.map((candidate) => candidate.name).join(', ');
        throw new UsageError(`unknown subcommand "${first}"; use one of ${names}`);
      }
      const parsed = parseSubcommandLine(sub, rest);
      if (parsed.help) {
        io.stdout(subcommandHelp(group, sub));
        return EXIT_OK;
      }
      return runAgainstCatalog(sub, parsed, io);
    },
  };
}
