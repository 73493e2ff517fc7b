// The one error base of the maintenance worker. The processor decides *retry later* vs *fail the
// job now* from `retryable` alone (as the writer fleet does): a run that could not get its table
// lock in time is retried by BullMQ with backoff; a job naming a bad target fails at once with a
// message that says what to fix. `context` holds facts for logs (table, key), never secrets.
import { UnrecoverableError } from 'bullmq';

export type MaintenanceErrorKind =
  /** Another process holds the table's lock longer than `table_lock_wait_ms`. */
  | 'lock-timeout'
  /** The lock expired under a running job (e.g. Redis unreachable for longer than its TTL). */
  | 'lock-lost'
  /** The job names something the worker cannot act on (unknown namespace, bad staging layout). */
  | 'invalid-target';

const RETRYABLE: Readonly<Record<MaintenanceErrorKind, boolean>> = {
  'lock-timeout': true,
  'lock-lost': true,
  'invalid-target': false,
};

export class MaintenanceError extends Error {
  readonly kind: MaintenanceErrorKind;
  readonly retryable: boolean;
  readonly context: Readonly<Record<string, string | number>>;

  constructor(
    kind: MaintenanceErrorKind,
    message: string,
    context: Readonly<Record<string, string | number>> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'MaintenanceError';
    this.kind = kind;
    this.retryable = RETRYABLE[kind];
    this.context = context;
  }
}

/** The `retryable` flag any floe error carries; errors without one (bugs, sockets) count as transient. */
export function retryableFlag(error: unknown): boolean {
  const flag = typeof error === 'object' && error !== null ? Reflect.get(error, 'retryable') : undefined;
  return typeof flag === 'boolean' ? flag : true;
}

/** A short name for logs and metrics: the error's `kind`, else its class name. */
export function kindOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const kind = Reflect.get(error, 'kind');
  if (typeof kind === 'string') return kind;
  const name = Reflect.get(error, 'name');
  return typeof name === 'string' ? name : 'unknown';
}

/** What the BullMQ processor rethrows: permanent failures as `UnrecoverableError`, same message. */
export function asQueueFailure(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UnrecoverableError || retryableFlag(error)) {
    return error instanceof Error ? error : new Error(message);
  }
  return new UnrecoverableError(message);
}
