// What `write` returns: the job id, the staged batches the job references, whether the enqueue
// was deduplicated against an existing job with the same idempotency key, `result()` to await
// the worker's outcome and `cancel()` to take the job back. Outcomes are read from BullMQ's
// QueueEvents; a worker failure becomes a FloeWriteError carrying the worker's message (and its
// structured reason when the worker sent one as JSON). A producer that stops waiting (timeout,
// shutdown) should `cancel()`: a job no worker has taken is removed and never written; one a
// worker holds cannot be removed (BullMQ refuses to remove a locked job), and `cancel()` says so.
import {
  type FailureReason,
  failureReason,
  parseWriteResult,
  type StagedBatch,
  type WriteResult,
} from '@floe/jobs';
import type { Job, Queue, QueueEvents } from 'bullmq';
import { FloeProducerError, FloeWriteError } from './errors.ts';

export interface WriteHandle {
  /** the BullMQ job id, equal to the idempotency key */
  readonly jobId: string;
  /** the staged batches the queued job references (the existing job's, when deduplicated) */
  readonly batches: readonly StagedBatch[];
  /** true when a job with this idempotency key already existed and no new job was added */
  readonly deduplicated: boolean;
  /** resolves with the write result, or rejects with a FloeWriteError carrying the worker's reason */
  result(timeoutMs?: number): Promise<WriteResult>;
  /**
   * Takes the job back if no worker has started it: `'removed'` (its staged parts are deleted;
   * nothing will be written). Otherwise says what it found and changes nothing: `'running'` (a
   * worker holds it and may still commit: await `result()` or look for the commit later),
   * `'finished'` (completed or failed: `result()` tells which) or `'gone'` (no longer queued).
   */
  cancel(): Promise<CancelOutcome>;
}

/** What `WriteHandle.cancel()` found; only `'removed'` means the write will never happen. */
export type CancelOutcome = 'removed' | 'running' | 'finished' | 'gone';

/** Reads a worker's failedReason: a JSON FailureReason, or a plain message. */
export function failureFromMessage(message: string): { message: string; reason: FailureReason | undefined } {
  if (message.startsWith('{')) {
    try {
      const parsed = failureReason.safeParse(JSON.parse(message));
      if (parsed.success) return { message: parsed.data.message, reason: parsed.data };
    } catch {
      // not JSON after all: use it as the message
    }
  }
  return { message, reason: undefined };
}

export interface ResultSource {
  readonly queue: Queue;
  queueEvents(): Promise<QueueEvents>;
  /** How long finished jobs stay in the queue (the exactly-once window). */
  readonly keepFinishedSeconds: number;
}

/** Removes the job when it is still waiting for a worker (see `WriteHandle.cancel`). */
export async function cancelWrite(
  queue: Queue,
  jobId: string,
  deleteStaged: () => Promise<void>,
): Promise<CancelOutcome> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') return 'gone';
  if (state === 'completed' || state === 'failed') return 'finished';
  if (state === 'active') return 'running';
  // 0: a worker locked the job between the state check and the removal.
  if ((await queue.remove(jobId)) !== 1) return 'running';
  await deleteStaged();
  return 'removed';
}

export async function awaitWriteResult(
  source: ResultSource,
  jobId: string,
  timeoutMs?: number,
): Promise<WriteResult> {
  const events = await source.queueEvents();
  const job: Job | undefined = await source.queue.getJob(jobId);
  if (job === undefined) {
    throw new FloeProducerError(
      'write-failed',
      `job ${jobId} is no longer in the queue: finished jobs are kept ${source.keepFinishedSeconds} s (the exactly-once window) before removal`,
      { context: { jobId } },
    );
  }
  let returnValue: unknown;
  try {
    returnValue = await job.waitUntilFinished(events, timeoutMs);
  } catch (error) {
    const text = (error as Error).message ?? String(error);
    if (/timed out before finishing/.test(text)) {
      const hint = 'it may still be written: cancel() removes it if no worker has started it';
      throw new FloeProducerError(
        'result-timeout',
        `job ${jobId} did not finish within ${timeoutMs} ms; ${hint}`,
        {
          retryable: true,
          context: { jobId, timeoutMs: timeoutMs ?? 0 },
        },
      );
    }
    if (text === 'closing') {
      throw new FloeProducerError('closed', `the producer was closed while waiting for job ${jobId}`, {
        context: { jobId },
      });
    }
    const { message, reason } = failureFromMessage(text);
    throw new FloeWriteError(jobId, message, reason);
  }
  try {
    return parseWriteResult(returnValue);
  } catch (error) {
    throw new FloeWriteError(
      jobId,
      `the worker returned an invalid write result: ${(error as Error).message}`,
      undefined,
    );
  }
}
