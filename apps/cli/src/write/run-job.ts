// What `floe write` and `floe delete` do once they know their job: load the configuration, hand
// the job to the producer SDK, then either print that it is queued (--no-wait) or follow its
// queue state on stderr and print the write result. Failures are one ✗ line with secrets
// redacted: a config problem, a queue or producer error, or the worker's reason for a failed job.
import type { WriteResult } from '@floe/jobs';
import type { FloeProducer, FloeWriteError, WriteHandle } from '@floe/producer-sdk';
import { redactSecrets } from '@floe/telemetry';
import { loadArtifactsOrReport } from '../catalog/catalog-command-group.ts';
import { type CliIo, EXIT_FAILURE, EXIT_OK, UsageError } from '../command.ts';
import { toJsonOutput } from '../output/text-table.ts';

const STATE_POLL_MS = 500;

export interface JobRunArgs {
  readonly config: string | undefined;
  readonly artifacts: string | undefined;
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly format: 'text' | 'json';
}

export interface JobRun<T> {
  /** Work before the producer exists (e.g. reading input files); an error it names is returned. */
  readonly prepare: () => Promise<T>;
  /** Queues the job. */
  readonly enqueue: (producer: FloeProducer, prepared: T) => Promise<WriteHandle>;
  /** The stderr line once queued. */
  readonly queued: (handle: WriteHandle, prepared: T) => string;
  /** The stdout of --no-wait: text, and the JSON object. */
  readonly queuedText: (handle: WriteHandle) => string;
  readonly queuedJson: (handle: WriteHandle) => Record<string, unknown>;
  readonly render: (result: WriteResult, jobId: string) => string;
  /** Producer settings beyond floe.yaml's (e.g. smaller parts for bounded memory). */
  readonly producerOptions?: Parameters<typeof FloeProducer.fromArtifacts>[1];
  /** Appended to the ✗ line of a job the writer rejected (e.g. the flag that would avoid it). */
  readonly failureHint?: (error: FloeWriteError) => string;
  /** Errors of `prepare` that are the user's (printed as one ✗ line). */
  readonly isInputError?: (error: unknown) => boolean;
}

/** Runs a job command after its arguments were checked; returns the exit code. */
export async function runJobCommand<T>(
  args: JobRunArgs,
  io: CliIo,
  progress: (line: string) => void,
  job: JobRun<T>,
): Promise<number> {
  const artifacts = await loadArtifactsOrReport({ config: args.config, artifacts: args.artifacts }, io);
  if (artifacts === undefined) return EXIT_FAILURE;
  const { secretValuesOf } = await import('@floe/config');
  const secrets = secretValuesOf(artifacts);
  let prepared: T;
  try {
    prepared = await job.prepare();
  } catch (error) {
    if (job.isInputError?.(error) !== true) throw error;
    io.stderr(`✗ ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
  const { FloeProducer, FloeProducerError, FloeWriteError } = await import('@floe/producer-sdk');
  const producer = FloeProducer.fromArtifacts(artifacts, job.producerOptions);
  try {
    const handle = await job.enqueue(producer, prepared);
    progress(job.queued(handle, prepared));
    if (!args.wait) {
      io.stdout(args.format === 'json' ? toJsonOutput(job.queuedJson(handle)) : job.queuedText(handle));
      return EXIT_OK;
    }
    const result = await awaitWithState(producer, handle.jobId, handle.result(args.timeoutMs), progress);
    io.stdout(
      args.format === 'json'
        ? toJsonOutput({ jobId: handle.jobId, deduplicated: handle.deduplicated, result })
        : job.render(result, handle.jobId),
    );
    return EXIT_OK;
  } catch (error) {
    if (error instanceof FloeWriteError) {
      const hint = job.failureHint?.(error) ?? '';
      io.stderr(`✗ job ${error.jobId} failed: ${redactSecrets(error.message, secrets)}${hint}\n`);
      return EXIT_FAILURE;
    }
    if (error instanceof FloeProducerError || error instanceof UsageError) {
      const hint =
        error instanceof FloeProducerError && error.kind === 'result-timeout'
          ? ' (the job stays queued; a writer will still commit it)'
          : '';
      io.stderr(`✗ ${redactSecrets(error.message, secrets)}${hint}\n`);
      return EXIT_FAILURE;
    }
    if (job.isInputError?.(error) === true) {
      io.stderr(`✗ ${(error as Error).message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  } finally {
    await producer.close();
  }
}

/** Awaits the result while reporting the job's queue state changes on stderr. */
async function awaitWithState(
  producer: FloeProducer,
  jobId: string,
  result: Promise<WriteResult>,
  progress: (line: string) => void,
): Promise<WriteResult> {
  let last = '';
  let done = false;
  const poll = async () => {
    while (!done) {
      const state = await (await producer.queue.getJob(jobId))?.getState().catch(() => undefined);
      if (!done && state !== undefined && state !== last && state !== 'completed' && state !== 'failed') {
        last = state;
        progress(`job ${jobId}: ${state === 'active' ? 'a writer is committing it' : state}`);
      }
      await new Promise((wake) => setTimeout(wake, STATE_POLL_MS));
    }
  };
  const polling = poll().catch(() => undefined);
  try {
    return await result;
  } finally {
    done = true;
    await polling;
  }
}
