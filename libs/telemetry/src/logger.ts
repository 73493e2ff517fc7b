// The pino logger every floe process uses: JSON lines, ISO timestamps, and redaction of
// credentials wherever they commonly sit in a log object. Two complementary layers:
//  - path redaction (pino `redact`): fields named like a secret (client_secret, token,
//    secret_access_key, authorization headers, in snake_case and camelCase) are replaced at
//    the top level and up to four levels deep — deep enough for `{ config: { catalog:
//    { credential: { client_secret } } } }` and `{ req: { headers: { authorization } } }`;
//  - value scrubbing (`secrets`): the known secret values of this process (resolved from
//    `${env:…}` references) are removed from the finished line, which catches a secret echoed
//    inside an error message or a URL where no path rule can see it.
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
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

/** Field names that hold secrets, in the spellings floe and its dependencies use. */
export const SECRET_FIELD_NAMES: readonly string[] = [
  'client_secret',
  'clientSecret',
  'secret_access_key',
  'secretAccessKey',
  'session_token',
  'sessionToken',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'password',
  'passwd',
  'secret',
  'credentials',
];

const HEADER_NAMES: readonly string[] = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-amz-security-token',
];

/** How deep below the top level a secret field name is still redacted by path. */
const MAX_WILDCARD_DEPTH = 4;

function atAnyCommonDepth(key: string): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth <= MAX_WILDCARD_DEPTH; depth += 1) {
    paths.push([...Array.from({ length: depth }, () => '*'), key].join('.'));
  }
  return paths;
}

/** The pino redact paths applied by `createLogger`. Exported for tests and for custom loggers. */
export function secretRedactPaths(): string[] {
  const headerKeys = HEADER_NAMES.map((name) => (/^[A-Za-z_]+$/.test(name) ? name : `["${name}"]`));
  const headerPaths = headerKeys.flatMap((key) =>
    atAnyCommonDepth(`headers${key.startsWith('[') ? key : `.${key}`}`),
  );
  return [...SECRET_FIELD_NAMES.flatMap(atAnyCommonDepth), ...headerPaths];
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
    redact: { paths: [...secretRedactPaths(), ...(options.redactPaths ?? [])], censor: REDACTED },
    hooks: {
      streamWrite: (line) => redactSecrets(line, secrets),
    },
  };
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
}

export type { DestinationStream, Logger } from 'pino';
