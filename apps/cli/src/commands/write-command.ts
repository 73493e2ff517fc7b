// `floe write FILE… --table ns.t`: streams CSV, Parquet and Arrow IPC files (bounded memory,
// write/input-files.ts) to the write fleet as ONE write job (one snapshot) through the producer
// SDK: the files are staged, the job is queued on BullMQ, and a writer worker commits it. Progress
// (bytes, rows and batches read — redrawn in place on a terminal — then the job's queue state)
// goes to stderr, the write result to stdout as text or JSON. Flag
// mistakes are usage errors (exit 2) caught before any file is read; unreadable files, a config
// problem, an unreachable queue or a job the worker rejected are one ✗ line each (exit 1).
// The producer SDK, Arrow, parquet-wasm and @floe/iceberg load only when a write actually runs.
import { relative, resolve } from 'node:path';
import type { WriteResult } from '@floe/jobs';
import type { WriteOptions } from '@floe/producer-sdk';
import type { Schema } from 'apache-arrow';
import { type CliIo, type Command, EXIT_OK, parseCommandLine, UsageError } from '../command.ts';
import type { InputFile, ReadProgress } from '../write/input-files.ts';
import { checkJobFlags, DEFAULT_TIMEOUT_MS, JOB_FLAG_OPTIONS, type JobArgs } from '../write/job-flags.ts';
import { type PartitionFieldRequest, parsePartitionBy } from '../write/partition-by.ts';
import { runJobCommand } from '../write/run-job.ts';

const MODES = ['append', 'overwrite', 'replace-partitions', 'upsert'] as const;
type WriteMode = (typeof MODES)[number];
// Bounded memory for files of any size: one part of 8 MiB uploading while the next one fills
// (a 1.6 GB Arrow file with 16 MB batches peaked at 290 MB RSS).
const CLI_PART_BYTES = 8 * 1024 * 1024;
const CLI_PART_CONCURRENCY = 1;

const HELP = `Usage: floe write FILE… --table NS.TABLE [options]

Writes CSV, Parquet and Arrow IPC files to an Iceberg table through the write fleet: the files
are staged in S3 and queued as ONE write job (one snapshot); a writer worker commits it. The
table is created when missing (with --partition-by), and new columns are added unless --strict.

Options:
  --table <ns.table>           target table (nested namespaces: a.b.table)           (required)
  --mode <mode>                append (default), overwrite, replace-partitions, or upsert
  --key <cols>                 with --mode upsert: the key columns (id or region,id); rows with
                               a key already in the table replace those rows, the others are
                               inserted; a key may appear only once in the files. Default: the
                               table's identifier fields
  --filter <expr>              with --mode overwrite: replace only the rows matching it, as
                               text (ts >= '2026-01-01T00:00:00' and country = 'FR') or as
                               Iceberg REST expression JSON; without it the whole table
  --partition-by <terms>       partition spec of a created table: day(ts),bucket[16](id),country
                               transforms: identity year month day hour void bucket[N] truncate[W]
  --format-version <2|3>       format version of a created table (default 2; 3 for deletion
                               vectors and row lineage)
  --no-create                  fail when the table does not exist instead of creating it
  --strict                     reject columns the table does not have (default: add them)
  --idempotency-key <key>      job id; writing again with the same key does not write twice
                               (default: random)
  --no-wait                    return once the job is queued; print its id
  --timeout-ms <ms>            how long to wait for the result (default: ${DEFAULT_TIMEOUT_MS})
  --config <path>              floe.yaml (default: floe.yaml)
  --artifacts <path>           compiled artifacts instead of floe.yaml
  --format <text|json>         output for people (default) or JSON (longs as decimal strings)
  -h, --help                   show this help

Files: the format is read from the first bytes (Parquet, Arrow IPC file or stream), else from
the extension (.csv, .parquet, .arrow, .arrows). Each file is read into memory. All files must
have the same column names and types (the order may differ).
CSV: the first row is the header; fields are separated by commas, "quoted" when they hold
commas, quotes ("") or newlines; an empty field is null. Each column gets the first type all its
values fit: long, double, boolean (true/false), timestamp (ISO 8601 date-time; with a Z/±hh:mm
zone on every value it is a timestamptz), else string. A column of whole numbers is a long:
write 1.0 where an existing table column is a double.

Exit codes: 0 written (or queued with --no-wait), 1 a file, the config, the queue or the job
failed (the line says why), 2 usage error.
`;

export interface WriteArgs extends JobArgs {
  readonly files: readonly string[];
  readonly table: string;
  readonly mode: WriteMode;
  readonly filter: string | undefined;
  readonly keys: readonly string[] | undefined;
  readonly partitionBy: readonly PartitionFieldRequest[];
  readonly create: boolean;
  readonly formatVersion: '2' | '3' | undefined;
  readonly strict: boolean;
}

/** Parses and checks the command line; every mistake is a UsageError. Exported for unit tests. */
export function parseWriteArgs(argv: readonly string[]): WriteArgs {
  const { values, positionals } = parseCommandLine(argv, {
    table: { type: 'string' },
    mode: { type: 'string', default: 'append' },
    filter: { type: 'string' },
    key: { type: 'string' },
    'partition-by': { type: 'string', multiple: true },
    'no-create': { type: 'boolean', default: false },
    'format-version': { type: 'string' },
    strict: { type: 'boolean', default: false },
    ...JOB_FLAG_OPTIONS,
  });
  const base = {
    files: positionals,
    table: values.table ?? '',
    filter: values.filter,
    keys: values.key?.split(',').map((name) => name.trim()),
    create: !values['no-create'],
    formatVersion: undefined,
    strict: values.strict,
    idempotencyKey: values['idempotency-key'],
    wait: !values['no-wait'],
    config: values.config,
    artifacts: values.artifacts,
  };
  if (values.help) {
    return {
      ...base,
      mode: 'append',
      partitionBy: [],
      timeoutMs: DEFAULT_TIMEOUT_MS,
      format: 'text',
      help: true,
    };
  }
  if (positionals.length === 0)
    throw new UsageError('write needs at least one FILE (CSV, Parquet or Arrow IPC)');
  if (values.table === undefined) throw new UsageError('write needs --table NS.TABLE');
  const parts = values.table.split('.');
  if (parts.length < 2 || parts.some((part) => part === '')) {
    throw new UsageError(`--table "${values.table}" must be namespace.table, e.g. bronze.events`);
  }
  const mode = MODES.find((candidate) => candidate === values.mode);
  if (mode === undefined)
    throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got "${values.mode}"`);
  if (values.filter !== undefined && mode !== 'overwrite') {
    throw new UsageError(`--filter only applies to --mode overwrite (the mode is ${mode})`);
  }
  if (values.key !== undefined && mode !== 'upsert') {
    throw new UsageError(`--key only applies to --mode upsert (the mode is ${mode})`);
  }
  if (base.keys?.some((name) => name === '')) {
    throw new UsageError(
      `--key takes column names separated by commas, e.g. --key region,id; got "${values.key}"`,
    );
  }
  const version = values['format-version'];
  if (version !== undefined && version !== '2' && version !== '3') {
    throw new UsageError(`--format-version must be 2 or 3, got "${version}"`);
  }
  if (version !== undefined && values['no-create']) {
    throw new UsageError(
      '--format-version describes the table to create; it cannot be combined with --no-create',
    );
  }
  const partitionBy = parsePartitionBy(values['partition-by'] ?? []);
  if (partitionBy.length > 0 && values['no-create']) {
    throw new UsageError(
      '--partition-by describes the table to create; it cannot be combined with --no-create',
    );
  }
  const key = values['idempotency-key'];
  // The job contract's rule (@floe/jobs idempotencyKey), checked here so a typo is a usage error.
  if (key !== undefined && (!/^[A-Za-z0-9._~@=+\-/]{1,200}$/.test(key) || /^\d+$/.test(key))) {
    throw new UsageError(
      `--idempotency-key takes 1-200 letters, digits and . _ ~ @ = + - / and is not a plain integer, got "${key}"`,
    );
  }
  const { timeoutMs, format } = checkJobFlags(values);
  return {
    ...base,
    formatVersion: version,
    mode,
    partitionBy,
    timeoutMs,
    format,
    help: false,
  };
}

/** The write options of the job, from the parsed flags and the normalised filter. */
export function writeOptionsOf(
  args: WriteArgs,
  overwriteFilter: WriteOptions['overwriteFilter'],
): WriteOptions {
  return {
    mode: args.mode,
    schemaEvolution: args.strict ? 'strict' : 'add-columns',
    ...(args.create
      ? {
          create: {
            partitionSpec: [...args.partitionBy],
            ...(args.formatVersion === undefined
              ? {}
              : { properties: { 'format-version': args.formatVersion } }),
          },
        }
      : {}),
    ...(overwriteFilter === undefined ? {} : { overwriteFilter }),
    ...(args.keys === undefined ? {} : { keys: [...args.keys] }),
    ...(args.idempotencyKey === undefined ? {} : { idempotencyKey: args.idempotencyKey }),
  };
}

/** Human output of a committed write; exported for unit tests. */
export function renderWriteResult(result: WriteResult, jobId: string): string {
  const replaced = result.deletedRows > 0 ? ` (replacing or deleting ${result.deletedRows} rows)` : '';
  const headline = result.alreadyCommitted
    ? `✓ job ${jobId} was already committed to ${result.table} in snapshot ${result.snapshotId}; nothing new was written`
    : result.operation === 'delete'
      ? `✓ deleted ${result.deletedRows} rows of ${result.table} in snapshot ${result.snapshotId}`
      : `✓ wrote ${result.addedRows} rows to ${result.table}${replaced} in snapshot ${result.snapshotId}`;
  const rows: [string, string][] = [
    ['job id', jobId],
    ['snapshot id', result.snapshotId],
    ['sequence number', result.sequenceNumber],
    ['operation', result.operation],
    ['added rows', String(result.addedRows)],
    ['added files', String(result.addedFiles)],
    ['added bytes', String(result.addedBytes)],
    ['removed files', String(result.removedFiles)],
    ['deleted rows', String(result.deletedRows)],
    ['schema id', String(result.schemaId)],
    ['commit attempts', String(result.attempts)],
    ['jobs in commit', String(result.coalescedJobs)],
    ['committed at', result.committedAt],
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return `${headline}\n${rows.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`).join('\n')}\n`;
}

function shown(io: CliIo, path: string): string {
  return relative(io.cwd, path) || path;
}

async function inspectFiles(args: WriteArgs, io: CliIo): Promise<InputFile[]> {
  const { inspectInputFile } = await import('../write/input-files.ts');
  const files: InputFile[] = [];
  for (const file of args.files) {
    const path = resolve(io.cwd, file);
    files.push(await inspectInputFile(path, shown(io, path)));
  }
  return files;
}

function mebibytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes} bytes` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The files' batches in one stream, read as the producer stages them (bounded memory), conformed
 * to the first file's schema. On a terminal a progress line (bytes, rows, batches) is redrawn
 * twice a second; elsewhere each file gets one line.
 */
async function* batchesOf(
  files: readonly InputFile[],
  read: ReadProgress,
  io: CliIo,
  progress: (line: string) => void,
) {
  const { conformBatch, nullableSchema, readInputFile } = await import('../write/input-files.ts');
  const total = files.reduce((sum, file) => sum + file.size, 0);
  let target: Schema | undefined;
  let current = '';
  const draw = () =>
    io.stderr(
      `\rfloe write: ${current}  ${mebibytes(read.bytes)} of ${mebibytes(total)} (${Math.floor((100 * read.bytes) / Math.max(1, total))}%)  ${read.rows} rows  ${read.batches} batches\u001b[K`,
    );
  const timer = io.isTerminal === true ? setInterval(draw, 500) : undefined;
  try {
    for (const [index, file] of files.entries()) {
      current = `reading ${index + 1}/${files.length} ${file.shownAs} (${file.format})`;
      if (timer === undefined) progress(`${current}, ${mebibytes(file.size)}`);
      for await (const batch of readInputFile(file, read)) {
        target ??= nullableSchema(batch.schema);
        yield conformBatch(batch, target, file.shownAs, (files[0] as InputFile).shownAs);
      }
    }
  } finally {
    if (timer !== undefined) {
      clearInterval(timer);
      draw();
      io.stderr('\n');
    }
  }
}

export function createWriteCommand(): Command {
  return {
    name: 'write',
    summary: 'write CSV, Parquet or Arrow IPC files to an Iceberg table through the write fleet',
    help: HELP,
    async run(argv, io) {
      const args = parseWriteArgs(argv);
      if (args.help) {
        io.stdout(HELP);
        return EXIT_OK;
      }
      const progress = (line: string) => io.stderr(`floe write: ${line}\n`);
      const { filterToExpressionJson } = await import('../write/filter-flag.ts');
      const overwriteFilter =
        args.filter === undefined ? undefined : await filterToExpressionJson(args.filter);
      const { InputFileError } = await import('../write/input-files.ts');
      const read: ReadProgress = { bytes: 0, rows: 0, batches: 0 };
      return runJobCommand(args, io, progress, {
        prepare: () => inspectFiles(args, io),
        producerOptions: { partBytes: CLI_PART_BYTES, concurrency: CLI_PART_CONCURRENCY },
        enqueue: (producer, files) =>
          producer.write(
            args.table,
            batchesOf(files, read, io, progress),
            writeOptionsOf(args, overwriteFilter),
          ),
        queued: (handle, files) =>
          handle.deduplicated
            ? `job ${handle.jobId} already exists (same --idempotency-key); nothing new was staged`
            : `staged ${files.length} file(s), ${read.rows} rows in ${handle.batches.length} part(s); queued job ${handle.jobId}`,
        queuedText: (handle) =>
          `✓ queued job ${handle.jobId} for ${args.table} (${handle.batches.length} staged part(s))\n`,
        queuedJson: (handle) => ({
          jobId: handle.jobId,
          deduplicated: handle.deduplicated,
          batches: handle.batches,
        }),
        render: renderWriteResult,
        // The writer's advice speaks of producers; on the command line the switch is the flag.
        failureHint: (error) =>
          args.strict &&
          (error.reason?.kind === 'schema-mismatch' || /does not match table/.test(error.message))
            ? ' — or drop --strict to let floe add the new columns to the table'
            : '',
        isInputError: (error) => error instanceof InputFileError,
      });
    },
  };
}
