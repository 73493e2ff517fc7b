// `floe maintenance run expire|orphans|staging|compact|rewrite-manifests [--table ns.t] …`: enqueues ONE maintenance job
// on `queue.maintenance_queue`, waits until a running maintenance worker (`floe-maintenance`)
// finished it, and prints its report — a short table for people, or the report JSON with
// `--format json` (or its alias `--json`). The job's policy flags are explicit overrides (they
// beat the table's Polaris policy, its `history.expire.*` properties and floe.yaml); the report
// says who decided each setting. Flag mistakes are usage errors (exit 2) found
// before anything is enqueued; a run the worker failed exits 1 with the worker's message.
import { randomUUID } from 'node:crypto';
import type { CompiledArtifacts } from '@floe/config';
import { formatTable } from '@floe/iceberg';
import { type MaintenanceJobInput, type MaintenanceReport, maintenanceJob } from '@floe/jobs';
import { redactSecrets } from '@floe/telemetry';
import { loadArtifactsOrReport } from '../catalog/catalog-command-group.ts';
import { type Command, EXIT_FAILURE, EXIT_OK, parseCommandLine, UsageError } from '../command.ts';
import { renderTextTable, toJsonOutput } from '../output/text-table.ts';

const ACTIONS = ['expire', 'orphans', 'staging', 'compact', 'rewrite-manifests'] as const;
type Action = (typeof ACTIONS)[number];
const DEFAULT_TIMEOUT_MS = 600_000;

const HELP = `Usage: floe maintenance run expire|orphans|staging|compact|rewrite-manifests [options]

Enqueues one maintenance run on the maintenance queue, waits until a running maintenance worker
(floe-maintenance) did it, and prints its report.
  expire   expire snapshots by policy; delete the files only they referenced  (needs --table)
  orphans  delete files under the table location no snapshot references        (needs --table)
  staging  delete staged batches of finished or failed write jobs              (no --table)
  compact  bin-pack small data files per partition, applying and retiring delete files (needs --table)
  rewrite-manifests  cluster the manifests by partition to the target size     (needs --table)

Options:
  --table <ns.table>              the table (nested namespaces: a.b.table)
  --dry-run                       list what would be deleted (compact: rewritten); change nothing
  --max-snapshot-age-ms <ms>      expire snapshots older than this
  --min-snapshots-to-keep <n>     keep at least this many snapshots
  --max-snapshots <n>             keep at most this many snapshots of each branch
  --orphan-older-than-ms <ms>     only delete unreferenced files older than this
  --staging-retention-ms <ms>     only delete staged batches older than this
  --target-file-size-bytes <n>    compact: size of the files written (default: the table's write.target-file-size-bytes)
  --min-file-size-bytes <n>       compact: rewrite files below this (default: 75 % of the target)
  --min-input-files <n>           compact: rewrite a partition once it has this many small files (default 5)
  --target-manifest-size-bytes <n>  rewrite-manifests: manifest size (default: commit.manifest.target-size-bytes)
  --timeout-ms <ms>               how long to wait for the report (default: ${DEFAULT_TIMEOUT_MS})
  --format <text|json>            the report for people (default) or as JSON
  --json                          the same as --format json
  --config <path>                 floe.yaml (default: floe.yaml)
  --artifacts <path>              compiled artifacts instead of floe.yaml
  -h, --help                      show this help

Policy flags override the table's Polaris policy, which overrides its history.expire.* properties,
(and floe.history.expire.max-snapshots), which override floe.yaml's maintenance.retention. A Polaris policy with enable: false skips the run.

Exit codes: 0 done, 1 the config, the queue or the run failed (the line says why), 2 usage error.
`;

const OPTIONS = {
  table: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'max-snapshot-age-ms': { type: 'string' },
  'min-snapshots-to-keep': { type: 'string' },
  'max-snapshots': { type: 'string' },
  'orphan-older-than-ms': { type: 'string' },
  'staging-retention-ms': { type: 'string' },
  'target-file-size-bytes': { type: 'string' },
  'min-file-size-bytes': { type: 'string' },
  'min-input-files': { type: 'string' },
  'target-manifest-size-bytes': { type: 'string' },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean', default: false },
  format: { type: 'string', default: 'text' },
  config: { type: 'string' },
  artifacts: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const POLICY_FLAGS = {
  'max-snapshot-age-ms': 'maxSnapshotAgeMs',
  'min-snapshots-to-keep': 'minSnapshotsToKeep',
  'max-snapshots': 'maxSnapshots',
  'orphan-older-than-ms': 'orphanOlderThanMs',
  'staging-retention-ms': 'stagingRetentionMs',
  'target-file-size-bytes': 'targetFileSizeBytes',
  'min-file-size-bytes': 'minFileSizeBytes',
  'min-input-files': 'minInputFiles',
  'target-manifest-size-bytes': 'targetManifestSizeBytes',
} as const;

function positiveInteger(flag: string, raw: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${flag} must be a whole number >= 1, got "${raw}"`);
  }
  return value;
}

function tableOf(dotted: string): { namespace: string[]; name: string } {
  const parts = dotted.split('.');
  if (parts.length < 2 || parts.some((part) => part.trim() === '')) {
    throw new UsageError(`--table "${dotted}" must be written as NAMESPACE.TABLE, e.g. bronze.events`);
  }
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1] as string };
}

export interface MaintenanceRunArgs {
  readonly help: boolean;
  readonly job: MaintenanceJobInput;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly config: string | undefined;
  readonly artifacts: string | undefined;
}

/** Parses `run ACTION [flags]`; exported for unit tests. */
export function parseMaintenanceArgs(argv: readonly string[]): MaintenanceRunArgs {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (values.format !== 'text' && values.format !== 'json') {
    throw new UsageError(`--format must be text or json, got "${values.format}"`);
  }
  const base = {
    timeoutMs: DEFAULT_TIMEOUT_MS,
    json: values.json || values.format === 'json',
    config: values.config,
    artifacts: values.artifacts,
  };
  if (values.help) return { ...base, help: true, job: { version: 1, action: 'staging' } };
  const [sub, action, ...extra] = positionals;
  if (sub !== 'run') {
    throw new UsageError(
      sub === undefined ? 'missing subcommand: run' : `unknown subcommand "${sub}" (expected run)`,
    );
  }
  if (!ACTIONS.includes(action as Action)) {
    throw new UsageError(
      action === undefined
        ? 'missing action: expire, orphans, staging, compact or rewrite-manifests'
        : `unknown action "${action}" (expected expire, orphans, staging, compact or rewrite-manifests)`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (action === 'staging' && values.table !== undefined) {
    throw new UsageError('--table is not used by staging: it cleans storage.staging, not a table');
  }
  if (action !== 'staging' && values.table === undefined) {
    throw new UsageError(`${action} needs --table NAMESPACE.TABLE`);
  }
  const policy: Record<string, number> = {};
  for (const [flag, field] of Object.entries(POLICY_FLAGS)) {
    const raw = values[flag as keyof typeof POLICY_FLAGS];
    if (raw !== undefined) policy[field] = positiveInteger(flag, raw);
  }
  const job: MaintenanceJobInput = {
    version: 1,
    action: action as Action,
    ...(values.table === undefined ? {} : { table: tableOf(values.table) }),
    dryRun: values['dry-run'],
    policy,
  };
  return {
    ...base,
    help: false,
    job,
    timeoutMs:
      values['timeout-ms'] === undefined
        ? DEFAULT_TIMEOUT_MS
        : positiveInteger('timeout-ms', values['timeout-ms']),
  };
}

/** The human form of a report; exported for unit tests. */
export function renderMaintenanceReport(report: MaintenanceReport): string {
  const rows: [string, string][] = [
    ['action', `${report.action}${report.dryRun ? ' (dry run: nothing was deleted)' : ''}`],
    ...(report.table === undefined ? [] : ([['table', report.table]] as [string, string][])),
    ...(report.skipped === undefined
      ? []
      : ([['skipped', `by policy ${report.skipped.policy}: ${report.skipped.reason}`]] as [
          string,
          string,
        ][])),
    ...Object.entries(report.settings ?? {}).map(([name, setting]): [string, string] => [
      name,
      `${String(setting.value)} (${setting.source}: ${setting.from})`,
    ]),
    ['snapshots expired', String(report.snapshotsExpired)],
    ['kept for pending write jobs', String(report.snapshotsRetainedForPendingJobs)],
    [report.dryRun ? 'files to delete' : 'files deleted', String(report.filesDeleted)],
    [report.dryRun ? 'bytes to delete' : 'bytes deleted', String(report.bytesDeleted)],
    ['failed deletes', String(report.failedDeletes)],
    ...rewriteRows(report),
    ['duration', `${report.durationMs} ms`],
    ['worker', report.worker],
  ];
  const files =
    report.dryRun && report.files.length > 0 ? `\n${report.files.map((f) => `  ${f}\n`).join('')}` : '';
  return renderTextTable(['field', 'value'], rows) + files;
}

function rewriteRows(report: MaintenanceReport): [string, string][] {
  const rewrite = report.rewrite;
  if (rewrite === undefined) return [];
  const what = report.action === 'compact' ? 'data files' : 'manifests';
  return [
    ['snapshot', rewrite.snapshotId ?? (report.dryRun ? '(dry run: nothing committed)' : '(nothing to do)')],
    [report.action === 'compact' ? 'partitions rewritten' : 'manifests written', String(rewrite.groups)],
    [`${what} ${report.dryRun ? 'to rewrite' : 'rewritten'}`, String(rewrite.filesRewritten)],
    [`${what} added`, String(rewrite.filesAdded)],
    ['delete files retired', String(rewrite.deleteFilesRetired)],
  ];
}

async function runOnQueue(
  artifacts: CompiledArtifacts,
  job: MaintenanceJobInput,
  timeoutMs: number,
): Promise<{ id: string; report: MaintenanceReport }> {
  const { Queue, QueueEvents } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const { redis_url, prefix, maintenance_queue } = artifacts.queue;
  const connection = new Redis(redis_url, { maxRetriesPerRequest: null, lazyConnect: true });
  const eventsConnection = connection.duplicate();
  const queue = new Queue(maintenance_queue, { connection, prefix });
  const events = new QueueEvents(maintenance_queue, { connection: eventsConnection, prefix });
  try {
    await events.waitUntilReady();
    const id = `cli-${job.action}-${randomUUID()}`;
    const added = await queue.add(job.action, maintenanceJob.parse(job), {
      jobId: id,
      attempts: 5,
      backoff: { type: 'exponential', delay: 5000 },
    });
    const report = (await added.waitUntilFinished(events, timeoutMs)) as MaintenanceReport;
    return { id, report };
  } finally {
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    eventsConnection.disconnect();
    connection.disconnect();
  }
}

export function createMaintenanceCommand(): Command {
  return {
    name: 'maintenance',
    summary:
      'run expiry, orphan or staging cleanup, compaction or a manifest rewrite now (through a maintenance worker)',
    help: HELP,
    async run(argv, io) {
      const args = parseMaintenanceArgs(argv);
      if (args.help) {
        io.stdout(HELP);
        return EXIT_OK;
      }
      const artifacts = await loadArtifactsOrReport({ config: args.config, artifacts: args.artifacts }, io);
      if (artifacts === undefined) return EXIT_FAILURE;
      const { secretValuesOf } = await import('@floe/config');
      const secrets = secretValuesOf(artifacts);
      const what = `${args.job.action}${args.job.table === undefined ? '' : ` of ${formatTable(args.job.table)}`}`;
      io.stderr(
        `floe maintenance: queued ${what} on ${artifacts.queue.maintenance_queue}; waiting for a maintenance worker\n`,
      );
      try {
        const { report } = await runOnQueue(artifacts, args.job, args.timeoutMs);
        io.stdout(args.json ? toJsonOutput(report) : renderMaintenanceReport(report));
        return EXIT_OK;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const hint = /timed out|timeout/i.test(message)
          ? ` — is floe-maintenance running on queue ${artifacts.queue.maintenance_queue}? The job stays queued`
          : '';
        io.stderr(`✗ maintenance ${what} failed: ${redactSecrets(message, secrets)}${hint}\n`);
        return EXIT_FAILURE;
      }
    },
  };
}
