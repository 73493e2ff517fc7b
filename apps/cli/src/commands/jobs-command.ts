// `floe jobs list|show|retry|remove`: operating the write and maintenance queues of floe.yaml.
// `list` shows jobs per state (waiting, active, delayed, failed, completed) with table, rows,
// age, attempts and the failure reason; `show ID` the payload summary (references and counts,
// never rows), attempts, error and result; `retry ID` or `retry --failed` sends failed jobs back
// to the queue (a writer's commit-marker check keeps a retried job exactly-once); `remove ID`
// deletes a job that is not running. Text for people, `--format json` for scripts. BullMQ and
// Redis load only when a subcommand runs.
import type { CompiledArtifacts } from '@floe/config';
import { redactSecrets } from '@floe/telemetry';
import type { Queue } from 'bullmq';
import { loadArtifactsOrReport } from '../catalog/catalog-command-group.ts';
import { type CliIo, type Command, EXIT_FAILURE, EXIT_OK, parseCommandLine, UsageError } from '../command.ts';
import {
  formatAge,
  JOB_STATES,
  type JobRow,
  type JobStateName,
  jobDetail,
  jobRow,
  type QueuedJob,
} from '../jobs/job-summary.ts';
import { renderProperties, renderTextTable, toJsonOutput } from '../output/text-table.ts';

const DEFAULT_LIMIT = 50;
const RETRY_PAGE = 500;
const QUEUE_KINDS = ['write', 'maintenance'] as const;
type QueueKind = (typeof QUEUE_KINDS)[number];

const HELP = `Usage: floe jobs list|show|retry|remove [options]

Operates the write and maintenance queues named in floe.yaml.
  list               jobs per state, newest first: queue, id, state, table, rows, age, attempts, reason
  show ID            one job: payload summary, attempts, error, result
  retry ID           send a failed job back to its queue (it is committed at most once)
  retry --failed     send every failed job back
  remove ID          delete a job that is not running

Options:
  --waiting, --active, --delayed, --failed, --completed
                     list only these states (default: all); with retry, --failed means all failed jobs
  --queue <write|maintenance>  only this queue (default: both)
  --limit <n>        list at most n jobs per queue and state (default: ${DEFAULT_LIMIT})
  --format <text|json>  output for people (default) or JSON
  --config <path>    floe.yaml (default: floe.yaml)
  --artifacts <path> compiled artifacts instead of floe.yaml
  -h, --help         show this help

Exit codes: 0 done, 1 the config, the queue or the job failed (the line says why), 2 usage error.
`;

const OPTIONS = {
  waiting: { type: 'boolean', default: false },
  active: { type: 'boolean', default: false },
  delayed: { type: 'boolean', default: false },
  failed: { type: 'boolean', default: false },
  completed: { type: 'boolean', default: false },
  queue: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string', default: 'text' },
  config: { type: 'string' },
  artifacts: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export type JobsArgs =
  | { readonly sub: 'help' }
  | {
      readonly sub: 'list' | 'show' | 'retry' | 'remove';
      readonly id: string | undefined;
      readonly states: readonly JobStateName[];
      readonly queues: readonly QueueKind[];
      readonly limit: number;
      readonly format: 'text' | 'json';
      readonly config: string | undefined;
      readonly artifacts: string | undefined;
    };

/** Parses `SUB [ID] [flags]`; exported for unit tests. */
export function parseJobsArgs(argv: readonly string[]): JobsArgs {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (values.help) return { sub: 'help' };
  const [sub, id, ...extra] = positionals;
  if (sub !== 'list' && sub !== 'show' && sub !== 'retry' && sub !== 'remove') {
    throw new UsageError(
      sub === undefined
        ? 'missing subcommand: list, show, retry or remove'
        : `unknown subcommand "${sub}" (expected list, show, retry or remove)`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const states = JOB_STATES.filter((state) => values[state]);
  if (sub === 'list' && id !== undefined)
    throw new UsageError(`list takes no job id (got "${id}"); use show ${id}`);
  if ((sub === 'show' || sub === 'remove') && id === undefined) throw new UsageError(`${sub} needs a job ID`);
  if (sub === 'retry') {
    if (id === undefined && !values.failed)
      throw new UsageError('retry needs a job ID, or --failed for every failed job');
    if (id !== undefined && values.failed) throw new UsageError('give retry a job ID or --failed, not both');
    if (states.some((state) => state !== 'failed'))
      throw new UsageError('retry only sends failed jobs back: drop the other state flags');
  } else if (sub !== 'list' && states.length > 0) {
    throw new UsageError(`state flags (--${states[0]}) only apply to list and retry`);
  }
  if (values.format !== 'text' && values.format !== 'json') {
    throw new UsageError(`--format must be text or json, got "${values.format}"`);
  }
  if (values.queue !== undefined && !QUEUE_KINDS.includes(values.queue as QueueKind)) {
    throw new UsageError(`--queue must be write or maintenance, got "${values.queue}"`);
  }
  const limit =
    values.limit === undefined ? DEFAULT_LIMIT : /^\d+$/.test(values.limit) ? Number(values.limit) : 0;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new UsageError(`--limit must be a whole number >= 1, got "${values.limit}"`);
  }
  return {
    sub,
    id,
    states: states.length > 0 ? states : [...JOB_STATES],
    queues: values.queue === undefined ? [...QUEUE_KINDS] : [values.queue as QueueKind],
    limit,
    format: values.format,
    config: values.config,
    artifacts: values.artifacts,
  };
}

interface OpenQueues {
  readonly queues: readonly { readonly kind: QueueKind; readonly name: string; readonly queue: Queue }[];
  close(): Promise<void>;
}

async function openQueues(artifacts: CompiledArtifacts, kinds: readonly QueueKind[]): Promise<OpenQueues> {
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const { redis_url, prefix } = artifacts.queue;
  const connection = new Redis(redis_url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await connection.connect();
  const names: Record<QueueKind, string> = {
    write: artifacts.queue.write_queue,
    maintenance: artifacts.queue.maintenance_queue,
  };
  const queues = kinds.map((kind) => ({
    kind,
    name: names[kind],
    queue: new Queue(names[kind], { connection, prefix }),
  }));
  return {
    queues,
    async close() {
      await Promise.all(queues.map((q) => q.queue.close().catch(() => undefined)));
      connection.disconnect();
    },
  };
}

type Job = NonNullable<Awaited<ReturnType<Queue['getJob']>>>;

async function findJob(
  open: OpenQueues,
  id: string,
): Promise<{ name: string; job: Job; state: string } | undefined> {
  for (const { name, queue } of open.queues) {
    const job = await queue.getJob(id);
    if (job !== undefined && job !== null) return { name, job, state: await job.getState() };
  }
  return undefined;
}

function notFound(open: OpenQueues, id: string): string {
  return `no job "${id}" on ${open.queues.map((q) => q.name).join(' or ')}: check the id with \`floe jobs list\` (finished jobs may already be removed by the queue's retention)`;
}

function renderRows(rows: readonly JobRow[]): string {
  if (rows.length === 0) return 'no jobs\n';
  const clip = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);
  return renderTextTable(
    ['queue', 'id', 'state', 'table', 'rows', 'age', 'attempts', 'reason'],
    rows.map((r) => [
      r.queue,
      r.id,
      r.state,
      r.table,
      r.rows === undefined ? '' : String(r.rows),
      formatAge(r.ageMs),
      r.attempts,
      clip(r.reason),
    ]),
  );
}

async function list(open: OpenQueues, args: Extract<JobsArgs, { id: unknown }>, io: CliIo): Promise<number> {
  const now = Date.now();
  const rows: JobRow[] = [];
  for (const { name, queue } of open.queues) {
    for (const state of args.states) {
      const jobs = await queue.getJobs([state], 0, args.limit - 1, false);
      for (const job of jobs) rows.push(jobRow(name, state, job as QueuedJob, now));
    }
  }
  io.stdout(args.format === 'json' ? toJsonOutput(rows) : renderRows(rows));
  return EXIT_OK;
}

async function show(open: OpenQueues, args: Extract<JobsArgs, { id: unknown }>, io: CliIo): Promise<number> {
  const id = args.id as string;
  const found = await findJob(open, id);
  if (found === undefined) {
    io.stderr(`✗ ${notFound(open, id)}\n`);
    return EXIT_FAILURE;
  }
  const detail = jobDetail(found.name, found.state, found.job as QueuedJob, Date.now());
  if (args.format === 'json') {
    io.stdout(toJsonOutput(detail));
    return EXIT_OK;
  }
  const fields: Record<string, string> = {
    queue: detail.queue,
    state: detail.state,
    kind: detail.kind,
    table: detail.table,
    rows: detail.rows === undefined ? '' : String(detail.rows),
    attempts: detail.attempts,
    created: `${detail.createdAt} (${formatAge(detail.ageMs)} ago)`,
    ...(detail.processedAt === undefined ? {} : { processed: detail.processedAt }),
    ...(detail.finishedAt === undefined ? {} : { finished: detail.finishedAt }),
  };
  const sections = [
    `job ${detail.id}\n${renderProperties(fields)}`,
    `payload\n${toJsonOutput(detail.payload).replace(/^/gm, '  ')}`,
    ...(detail.error === undefined ? [] : [`error\n  ${detail.error}\n`]),
    ...(detail.result === undefined ? [] : [`result\n${toJsonOutput(detail.result).replace(/^/gm, '  ')}`]),
  ];
  io.stdout(sections.join('\n'));
  return EXIT_OK;
}

async function retry(open: OpenQueues, args: Extract<JobsArgs, { id: unknown }>, io: CliIo): Promise<number> {
  const retried: { queue: string; id: string; reason: string }[] = [];
  if (args.id !== undefined) {
    const found = await findJob(open, args.id);
    if (found === undefined) {
      io.stderr(`✗ ${notFound(open, args.id)}\n`);
      return EXIT_FAILURE;
    }
    if (found.state !== 'failed') {
      io.stderr(
        `✗ job "${args.id}" on ${found.name} is ${found.state}, not failed: only failed jobs can be retried\n`,
      );
      return EXIT_FAILURE;
    }
    await found.job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    retried.push({ queue: found.name, id: args.id, reason: found.job.failedReason ?? '' });
  } else {
    for (const { name, queue } of open.queues) {
      // Retried jobs leave the failed set, so the first page is always the next one.
      for (;;) {
        const jobs = await queue.getJobs(['failed'], 0, RETRY_PAGE - 1, true);
        if (jobs.length === 0) break;
        for (const job of jobs) {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          retried.push({ queue: name, id: job.id ?? '', reason: job.failedReason ?? '' });
        }
      }
    }
  }
  if (args.format === 'json') io.stdout(toJsonOutput({ retried }));
  else if (retried.length === 0) io.stdout('no failed jobs\n');
  else
    io.stdout(
      retried.map((r) => `✓ retrying ${r.id} on ${r.queue} (failed: ${r.reason.split('\n')[0]})\n`).join(''),
    );
  return EXIT_OK;
}

async function remove(
  open: OpenQueues,
  args: Extract<JobsArgs, { id: unknown }>,
  io: CliIo,
): Promise<number> {
  const id = args.id as string;
  const found = await findJob(open, id);
  if (found === undefined) {
    io.stderr(`✗ ${notFound(open, id)}\n`);
    return EXIT_FAILURE;
  }
  if (found.state === 'active') {
    io.stderr(`✗ job "${id}" on ${found.name} is running: wait until it finishes or fails, then remove it\n`);
    return EXIT_FAILURE;
  }
  await found.job.remove();
  if (args.format === 'json')
    io.stdout(toJsonOutput({ removed: { queue: found.name, id, state: found.state } }));
  else io.stdout(`✓ removed ${found.state} job ${id} from ${found.name}\n`);
  return EXIT_OK;
}

export function createJobsCommand(): Command {
  return {
    name: 'jobs',
    summary: 'list, show, retry or remove jobs on the write and maintenance queues',
    help: HELP,
    async run(argv, io) {
      const args = parseJobsArgs(argv);
      if (args.sub === 'help') {
        io.stdout(HELP);
        return EXIT_OK;
      }
      const artifacts = await loadArtifactsOrReport({ config: args.config, artifacts: args.artifacts }, io);
      if (artifacts === undefined) return EXIT_FAILURE;
      const { secretValuesOf } = await import('@floe/config');
      let open: OpenQueues | undefined;
      try {
        open = await openQueues(artifacts, args.queues);
        const run = { list, show, retry, remove }[args.sub];
        return await run(open, args, io);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        io.stderr(`✗ jobs ${args.sub} failed: ${redactSecrets(message, secretValuesOf(artifacts))}\n`);
        return EXIT_FAILURE;
      } finally {
        await open?.close();
      }
    },
  };
}
