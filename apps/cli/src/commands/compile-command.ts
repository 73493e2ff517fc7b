// `floe compile`: floe.yaml → CompiledArtifacts, then connectivity checks.
//   1. validate floe.yaml (every problem listed with its path and fix) — exit 1 on any;
//   2. write the artifacts (secrets stay `${env:…}` references in the file);
//   3. resolve the artifacts exactly as an app would, and run the checks in checks/ (catalog
//      /v1/config and auth, Redis PING, S3 staging bucket), one ✓/✗ line each — exit 1 when
//      one fails.
// Secrets exist only in memory: every printed line and every log line is scrubbed of the
// resolved secret values, on top of the logger's field redaction.
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import {
  type CompiledArtifacts,
  ConfigError,
  compileConfig,
  DEFAULT_ARTIFACTS_FILE,
  type Env,
  redactConfig,
  resolveCompiledArtifacts,
  secretValuesOf,
  serializeCompiledArtifacts,
  writeCompiledArtifacts,
} from '@floe/config';
import { createLogger, type Logger, type LogLevel, redactSecrets } from '@floe/telemetry';
import { defaultChecks } from '../checks/registry.ts';
import type { CheckResult, ServiceCheck } from '../checks/service-check.ts';
import { type CliIo, type Command, EXIT_FAILURE, EXIT_OK, parseFlags, UsageError } from '../command.ts';
import { toJsonOutput } from '../output/text-table.ts';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DEFAULT_TIMEOUT_MS = 3000;

const HELP = `Usage: floe compile [--config floe.yaml] [--out ${DEFAULT_ARTIFACTS_FILE}] [--skip-checks]

Validates floe.yaml, writes CompiledArtifacts (JSON read by every floe app), then checks that
the Iceberg REST catalog answers GET /v1/config for the warehouse (authenticating when
credentials are configured), that Redis answers and that the S3 staging bucket exists.

Options:
  --config <path>       floe.yaml to compile (default: floe.yaml)
  --out <path>          where to write the artifacts (default: ${DEFAULT_ARTIFACTS_FILE})
  --skip-checks         write the artifacts without contacting the catalog, Redis or S3
  --format <text|json>  ✓/✗ lines for people (default), or one JSON document on stdout
  --timeout-ms <ms>     time budget of each check (default: ${DEFAULT_TIMEOUT_MS})
  --log-level <level>   JSON logs on stderr: fatal, error, warn, info, debug, trace, silent
                        (default: $FLOE_LOG_LEVEL, else silent)
  -h, --help            show this help

Secrets are written in floe.yaml as \${env:NAME}; the artifacts keep the references and each
app resolves them from its environment. Exit codes: 0 ok, 1 invalid config or failed check,
2 usage error.
`;

interface CompileFlags {
  readonly configPath: string;
  readonly outPath: string;
  readonly skipChecks: boolean;
  readonly json: boolean;
  readonly timeoutMs: number;
  readonly logLevel: LogLevel;
  readonly help: boolean;
}

function readFlags(argv: readonly string[], cwd: string, env: Env): CompileFlags {
  const values = parseFlags(argv, {
    config: { type: 'string', default: 'floe.yaml' },
    out: { type: 'string', default: DEFAULT_ARTIFACTS_FILE },
    'skip-checks': { type: 'boolean', default: false },
    format: { type: 'string', default: 'text' },
    'timeout-ms': { type: 'string', default: String(DEFAULT_TIMEOUT_MS) },
    // The ✓/✗ lines are the interface for people; JSON logs are opt-in for diagnosis.
    'log-level': { type: 'string', default: env['FLOE_LOG_LEVEL'] ?? 'silent' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new UsageError(
      `--timeout-ms must be a positive integer (milliseconds), got "${values['timeout-ms']}"`,
    );
  }
  if (values.format !== 'text' && values.format !== 'json') {
    throw new UsageError(`--format must be text or json, got "${values.format}"`);
  }
  const logLevel = LOG_LEVELS.find((level) => level === values['log-level']);
  if (logLevel === undefined) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${values['log-level']}"`);
  }
  return {
    configPath: resolve(cwd, values.config),
    outPath: resolve(cwd, values.out),
    skipChecks: values['skip-checks'],
    json: values.format === 'json',
    timeoutMs,
    logLevel,
    help: values.help,
  };
}

function loggerFor(io: CliIo, level: LogLevel, secrets: readonly string[] = []): Logger {
  return createLogger({
    name: 'floe-cli',
    level,
    secrets,
    destination: io.logDestination ?? { write: (line: string) => io.stderr(line) },
  });
}

async function runChecks(
  checks: readonly ServiceCheck[],
  artifacts: CompiledArtifacts,
  timeoutMs: number,
  logger: Logger,
): Promise<CheckResult[]> {
  return Promise.all(
    checks.map((check) =>
      check.run(artifacts, { timeoutMs, logger: logger.child({ check: check.name }) }).catch(
        (error: unknown): CheckResult => ({
          ok: false,
          message: `${check.name} check crashed: ${error instanceof Error ? error.message : String(error)}`,
        }),
      ),
    ),
  );
}

export function createCompileCommand(checks: readonly ServiceCheck[] = defaultChecks()): Command {
  return {
    name: 'compile',
    summary: 'validate floe.yaml, write CompiledArtifacts, check the catalog, Redis and S3',
    help: HELP,
    async run(argv, io) {
      const flags = readFlags(argv, io.cwd, io.env);
      if (flags.help) {
        io.stdout(HELP);
        return EXIT_OK;
      }
      const shownConfig = relative(io.cwd, flags.configPath) || flags.configPath;
      const shownOut = relative(io.cwd, flags.outPath) || flags.outPath;
      let logger = loggerFor(io, flags.logLevel);

      let yamlText: string;
      try {
        yamlText = await readFile(flags.configPath, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        io.stderr(
          code === 'ENOENT'
            ? `✗ ${shownConfig} does not exist: pass --config <path>, or copy floe.example.yaml to floe.yaml\n`
            : `✗ cannot read ${shownConfig} (${code ?? 'error'}): check the file's permissions\n`,
        );
        return EXIT_FAILURE;
      }

      let artifacts: CompiledArtifacts;
      try {
        artifacts = compileConfig(yamlText, io.env, { sourceName: shownConfig });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        logger.error({ kind: error.kind, issues: error.issues }, 'floe.yaml rejected');
        io.stderr(`✗ ${error.message}\n`);
        return EXIT_FAILURE;
      }
      // JSON: one document at the end instead of the ✓ lines; failures stay ✗ lines on stderr.
      const say = (line: string) => {
        if (!flags.json) io.stdout(line);
      };
      say(`✓ ${shownConfig} is valid\n`);

      try {
        await writeCompiledArtifacts(flags.outPath, artifacts);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        io.stderr(
          `✗ cannot write ${shownOut} (${code}): check that its folder exists and is writable, or pass --out\n`,
        );
        return EXIT_FAILURE;
      }
      say(
        `✓ wrote ${shownOut} (CompiledArtifacts v${artifacts.version}; secrets kept as \${env:…} references)\n`,
      );

      // Resolve the file's content as an app will, so the checks exercise the real load path.
      const resolved = resolveCompiledArtifacts(
        JSON.parse(serializeCompiledArtifacts(artifacts)),
        io.env,
        shownOut,
      );
      const secrets = secretValuesOf(resolved);
      logger = loggerFor(io, flags.logLevel, secrets);
      logger.info({ out: flags.outPath, artifacts: redactConfig(resolved) }, 'compiled artifacts written');

      const document = { config: shownConfig, out: shownOut, version: artifacts.version };
      if (flags.skipChecks) {
        say('- connectivity checks skipped (--skip-checks)\n');
        if (flags.json) io.stdout(toJsonOutput({ ...document, checks: 'skipped' }));
        return EXIT_OK;
      }
      const results = await runChecks(checks, resolved, flags.timeoutMs, logger);
      for (const result of results) {
        say(`${result.ok ? '✓' : '✗'} ${redactSecrets(result.message, secrets)}\n`);
      }
      if (flags.json) {
        io.stdout(
          toJsonOutput({
            ...document,
            checks: results.map((result, index) => ({
              name: checks[index]?.name,
              ok: result.ok,
              message: redactSecrets(result.message, secrets),
            })),
          }),
        );
      }
      const failed = results.filter((result) => !result.ok).length;
      if (failed > 0) {
        logger.warn({ failed, total: results.length }, 'connectivity checks failed');
        io.stderr(`✗ ${failed} of ${results.length} checks failed; the artifacts were written anyway\n`);
        return EXIT_FAILURE;
      }
      return EXIT_OK;
    },
  };
}
