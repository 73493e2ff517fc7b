// The one error base of the writer worker: failures that belong to the job pipeline itself —
// a staged object that is missing, corrupt, too large or does not match its declared checksum,
// an object outside the staging area, a table that does not exist and was not asked to be
// created, a request the worker cannot honour. Like the libraries' errors it carries a `kind`, a `retryable` flag and secret-free
// `context`; the BullMQ glue decides retry-vs-fail from `retryable` alone.

export type WriterErrorKind =
  | 'staged-object-missing'
  | 'staged-object-corrupt'
  | 'staged-object-too-large'
  | 'staged-object-mismatch'
  | 'staged-object-io'
  | 'staged-object-outside-staging'
  | 'storage-auth'
  | 'table-missing'
  | 'unsupported-request';

export type WriterErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

export interface WriterErrorOptions {
  readonly retryable?: boolean;
  readonly context?: WriterErrorContext;
  readonly cause?: unknown;
}

/** Only transient storage trouble is worth another attempt; every other kind fails the same way again. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<WriterErrorKind> = new Set<WriterErrorKind>(['staged-object-io']);

export class WriterError extends Error {
  readonly kind: WriterErrorKind;
  readonly retryable: boolean;
  readonly context: WriterErrorContext;

  constructor(kind: WriterErrorKind, message: string, options: WriterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WriterError';
    this.kind = kind;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(kind);
    this.context = options.context ?? {};
  }
}
