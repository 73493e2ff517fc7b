// `floe delete NS.TABLE --where <filter>`: removes the rows matching a filter through the write
// fleet, as ONE delete job (one snapshot) the producer SDK queues and a writer worker commits
// merge-on-read — position delete files on v2 tables, deletion vectors on v3; no data file is
// rewritten, and files whose partition or column statistics rule the filter out are not even
// opened. The filter is the CLI text syntax or Iceberg REST expression JSON, like `floe write
// --filter`. Flag mistakes are usage errors (exit 2); a config problem, an unreachable queue or
// a job the worker rejected is one ✗ line (exit 1).
import { type Command, EXIT_OK, parseCommandLine, UsageError } from '../command.ts';
import { checkJobFlags, DEFAULT_TIMEOUT_MS, JOB_FLAG_OPTIONS, type JobArgs } from '../write/job-flags.ts';
import { runJobCommand } from '../write/run-job.ts';
import { renderWriteResult } from './write-command.ts';

const HELP = `Usage: floe delete NS.TABLE --where <filter> [options]

Deletes the rows of an Iceberg table that match a filter, through the write fleet: ONE delete
job (one snapshot), committed merge-on-read (position delete files on format v2 tables,
deletion vectors on v3). Rows deleted earlier are not counted again.

Options:
  --where <filter>             the rows to delete, as text (id = 3, ts < '2026-01-01T00:00:00'
                               and country = 'FR') or as Iceberg REST expression JSON  (required)
  --idempotency-key <key>      job id; deleting again with the same key does not delete twice
  --no-wait                    return once the job is queued; print its id
  --timeout-ms <ms>            how long to wait for the result (default: ${DEFAULT_TIMEOUT_MS})
  --config <path>              floe.yaml (default: floe.yaml)
  --artifacts <path>           compiled artifacts instead of floe.yaml
  --format <text|json>         output for people (default) or JSON (longs as decimal strings)
  -h, --help                   show this help

Exit codes: 0 deleted (or queued with --no-wait), 1 the config, the queue or the job failed
(the line says why), 2 usage error.
`;

export interface DeleteArgs extends JobArgs {
  readonly table: string;
  readonly where: string;
}

/** Parses and checks the command line; every mistake is a UsageError. Exported for unit tests. */
export function parseDeleteArgs(argv: readonly string[]): DeleteArgs {
  const { values, positionals } = parseCommandLine(argv, {
    where: { type: 'string' },
    ...JOB_FLAG_OPTIONS,
  });
  const common = {
    table: positionals[0] ?? '',
    where: values.where ?? '',
    idempotencyKey: values['idempotency-key'],
    wait: !values['no-wait'],
    config: values.config,
    artifacts: values.artifacts,
  };
  if (values.help) return { ...common, timeoutMs: DEFAULT_TIMEOUT_MS, format: 'text', help: true };
  if (positionals.length !== 1) throw new UsageError('delete needs exactly one NS.TABLE');
  const parts = common.table.split('.');
  if (parts.length < 2 || parts.some((part) => part === '')) {
    throw new UsageError(`table "${common.table}" must be written as NAMESPACE.TABLE, e.g. bronze.events`);
  }
  if (values.where === undefined || values.where.trim() === '') {
    throw new UsageError(
      'delete needs --where <filter> (the rows to delete); to empty a table use `floe write --mode overwrite`',
    );
  }
  const { timeoutMs, format } = checkJobFlags(values);
  return { ...common, timeoutMs, format, help: false };
}

export function createDeleteCommand(): Command {
  return {
    name: 'delete',
    summary: 'delete the rows of an Iceberg table that match a filter (merge-on-read)',
    help: HELP,
    async run(argv, io) {
      const args = parseDeleteArgs(argv);
      if (args.help) {
        io.stdout(HELP);
        return EXIT_OK;
      }
      const progress = (line: string) => io.stderr(`floe delete: ${line}\n`);
      const { filterToExpressionJson } = await import('../write/filter-flag.ts');
      const filter = await filterToExpressionJson(args.where, '--where');
      return runJobCommand(args, io, progress, {
        prepare: async () => undefined,
        enqueue: (producer) =>
          producer.delete(
            args.table,
            filter,
            args.idempotencyKey === undefined ? {} : { idempotencyKey: args.idempotencyKey },
          ),
        queued: (handle) =>
          handle.deduplicated
            ? `job ${handle.jobId} already exists (same --idempotency-key)`
            : `queued delete job ${handle.jobId}`,
        queuedText: (handle) => `✓ queued delete job ${handle.jobId} for ${args.table}\n`,
        queuedJson: (handle) => ({ jobId: handle.jobId, deduplicated: handle.deduplicated }),
        render: renderWriteResult,
      });
    },
  };
}
