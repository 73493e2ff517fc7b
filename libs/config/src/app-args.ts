// The command line every floe process shares: `--config floe.yaml` or `--artifacts
// floe.compiled.json`, and `--help`. `parseAppArgs` turns argv into what to do — print the
// usage, or load the configuration from a source — and an unknown or malformed option into an
// `AppArgsError` whose message names the option and ends with the usage, instead of Node's
// bare ERR_PARSE_ARGS_UNKNOWN_OPTION.
import { parseArgs } from 'node:util';
import type { AppConfigSource } from './load-app-artifacts.ts';

export interface AppUsage {
  /** How the process is started, e.g. `node apps/writer-worker/src/main.ts`. */
  readonly command: string;
  /** One paragraph: what the process does. */
  readonly description: string;
}

export type AppArgs = { readonly help: true } | { readonly help: false; readonly source: AppConfigSource };

export class AppArgsError extends Error {
  override readonly name = 'AppArgsError';
}

/** The usage text `--help` prints (and a bad option's message ends with). */
export function appUsage(usage: AppUsage): string {
  return [
    `Usage: ${usage.command} [--config floe.yaml | --artifacts floe.compiled.json]`,
    '',
    ...wrap(usage.description, 96),
    '',
    'Options:',
    '  --config <file>     the floe.yaml to read (default: floe.yaml in the current directory); it is',
    `                      compiled in memory and its \${env:NAME} references are read from the`,
    '                      environment. Edits take effect on the next start.',
    '  --artifacts <file>  read a floe.compiled.json written by `npm run floe -- compile` instead of',
    `                      floe.yaml (its \${env:NAME} secret references are read from the environment)`,
    '  -h, --help          print this help and exit',
    '',
    'Trusting a private CA (TLS to S3, the catalog or Redis): NODE_EXTRA_CA_CERTS=<ca.pem>;',
    'Redis over TLS: queue.redis_url rediss://host:port.',
    '',
  ].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function parseAppArgs(argv: readonly string[], usage: AppUsage): AppArgs {
  let values: { config?: string | undefined; artifacts?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        artifacts: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new AppArgsError(`${detail}\n\n${appUsage(usage)}`);
  }
  if (values.help === true) return { help: true };
  if (values.config !== undefined && values.artifacts !== undefined) {
    throw new AppArgsError(
      `give --config or --artifacts, not both (--config ${values.config}, --artifacts ${values.artifacts})\n\n${appUsage(usage)}`,
    );
  }
  return { help: false, source: { config: values.config, artifacts: values.artifacts } };
}
