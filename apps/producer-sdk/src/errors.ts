// The one error base of the producer SDK. Every failure a caller can see is a
// `FloeProducerError` with a `kind` to branch on, a `retryable` flag (true when the same call
// may succeed later without changing anything) and a structured `context` for logs. Context
// and messages name buckets, endpoints and access key ids, never secrets.
import type { FailureReason } from '@floe/jobs';

export type FloeProducerErrorKind =
  | 'invalid-options'
  | 'invalid-data'
  | 'empty-write'
  | 'storage-auth'
  | 'storage-bucket-missing'
  | 'storage-unavailable'
  | 'storage-error'
  | 'queue-unavailable'
  | 'result-timeout'
  | 'write-failed'
  | 'closed';

export type ErrorContext = Readonly<Record<string, string | number | boolean>>;

export interface FloeProducerErrorOptions {
  readonly retryable?: boolean;
  readonly context?: ErrorContext;
  readonly cause?: unknown;
}

export class FloeProducerError extends Error {
  readonly kind: FloeProducerErrorKind;
  readonly retryable: boolean;
  readonly context: ErrorContext;

  constructor(kind: FloeProducerErrorKind, message: string, options: FloeProducerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FloeProducerError';
    this.kind = kind;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/**
 * A write job that the worker fleet gave up on. `message` is the worker's message; when the
 * worker reported a structured failure reason (JSON in BullMQ's failedReason) it is in `reason`.
 */
export class FloeWriteError extends FloeProducerError {
  readonly jobId: string;
  readonly reason: FailureReason | undefined;

  constructor(jobId: string, message: string, reason: FailureReason | undefined) {
    super('write-failed', message, {
      retryable: false,
      context: { jobId, ...(reason ? { reasonKind: reason.kind } : {}) },
    });
    this.name = 'FloeWriteError';
    this.jobId = jobId;
    this.reason = reason;
  }
}
