// What a `floe` subcommand is: a name, a one-line summary for `floe --help`, its own help
// text, and a `run` that returns the exit code. Commands parse their flags with node:util
// `parseArgs` (strict) through `parseFlags`, which turns every flag mistake into a
// `UsageError` — exit code 2 with a pointer to `--help`.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Env } from '@floe/config';
import type { DestinationStream } from '@floe/telemetry';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Env;
  /** Relative --config/--out paths resolve against this folder. */
  readonly cwd: string;
  /** stderr is a terminal: progress lines may be redrawn in place. */
  readonly isTerminal?: boolean;
  /** Where JSON log lines go. Default: stderr. */
  readonly logDestination?: DestinationStream;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagOptions>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Like `parseFlags`, for commands that also take positional arguments (names, locations). */
export function parseCommandLine<T extends FlagOptions>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
