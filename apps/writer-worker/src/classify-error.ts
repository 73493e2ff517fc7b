// Retry or fail? The fleet decides from one flag (DESIGN §7): every floe error (JobContractError,
// WriterError, IcebergError with SchemaMismatchError, CatalogError) carries `retryable`. A
// non-retryable error becomes BullMQ's `UnrecoverableError` carrying the original, readable
// message, so the job fails at once instead of burning its attempts; anything else is rethrown
// and BullMQ retries it with backoff. Errors that carry no flag (bugs, raw network errors) are
// treated as transient: a retry is cheap and the marker check makes it safe.
import { UnrecoverableError } from 'bullmq';

export type JobOutcome = 'committed' | 'already-committed' | 'failed' | 'retry' | 'requeued';

export function isRetryable(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const flag = (error as { retryable?: unknown }).retryable;
    if (typeof flag === 'boolean') return flag;
  }
  return true;
}

export function errorKind(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const kind = (error as { kind?: unknown }).kind;
    if (typeof kind === 'string') return kind;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error the BullMQ processor throws: `UnrecoverableError` for permanent failures. */
export function toQueueError(error: unknown): Error {
  if (error instanceof UnrecoverableError) return error;
  if (!isRetryable(error)) {
    const unrecoverable = new UnrecoverableError(messageOf(error));
    (unrecoverable as { cause?: unknown }).cause = error;
    return unrecoverable;
  }
  return error instanceof Error ? error : new Error(messageOf(error));
}
