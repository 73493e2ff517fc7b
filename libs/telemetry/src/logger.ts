// The pino logger every floe process uses: JSON lines, ISO timestamps, and redaction of
// credentials in every finished line, in two complementary layers:
//  - by field name (redact-fields.ts): fields named like a secret (client_secret, token,
//    secret_access_key, authorization headers, in snake_case and camelCase) are replaced at any
//    depth — `{ config: { catalog: { credential: { client_secret } } } }`,
//    `{ req: { headers: { authorization } } }`, child-logger bindings;
//  - by value (`secrets`): the known secret values of this process (resolved from `${env:…}`
//    references) are removed, which catches a secret echoed inside an error message or a URL
//    where no field name gives it away.
// Extra pino `redact` paths (`redactPaths`) are applied by pino itself, as before.
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { redactSecretFields } from './redact-fields.ts';
import { REDACTED, redactSecrets } from './redact-secrets.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CreateLoggerOptions {
  /** Minimum level written. Default `info`. */
  readonly level?: LogLevel;
  /** Component name, written as `name` on every line (e.g. `writer-worker`). */
  readonly name: string;
  /** Where lines go. Default: stdout (file descriptor 1). Tests pass a capturing stream. */
  readonly destination?: DestinationStream;
  /** Known secret values scrubbed from every line, wherever they appear. */
  readonly secrets?: readonly string[];
  /** Extra field paths to redact, in pino's path syntax. */
  readonly redactPaths?: readonly string[];
  /** Fields written on every line (e.g. `{ workerId }`). */
  readonly base?: Readonly<Record<string, string | number | boolean>>;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const pinoOptions: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    base: { pid: process.pid, ...options.base },
    formatters: {
      // Levels as words ("info") read better in aggregated JSON than pino's numbers.
      level: (label) => ({ level: label }),
    },
    ...(options.redactPaths === undefined || options.redactPaths.length === 0
      ? {}
      : { redact: { paths: [...options.redactPaths], censor: REDACTED } }),
    hooks: {
      streamWrite: (line) => redactSecrets(redactSecretFields(line), secrets),
    },
  };
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
}

export type { DestinationStream, Logger } from 'pino';
