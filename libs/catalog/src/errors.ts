// The one error base of @floe/catalog. Every failure a catalog call can produce — an HTTP error
// mapped through the endpoint's error map, a rejected OAuth2 token request, a timeout, an open
// circuit breaker, a response we cannot read — is a `CatalogError`. Callers branch on `kind` and
// decide retry-or-fail from `retryable` alone; `context` holds structured, secret-free facts
// (operation, object, URI, HTTP status, server error type, attempts) for logs and spans. The
// message is written for the person who has to fix it: what failed, on what, what the server
// said, and what to do.

export type CatalogErrorKind =
  | 'no-such-namespace'
  | 'no-such-table'
  | 'namespace-already-exists'
  | 'table-already-exists'
  | 'namespace-not-empty'
  | 'commit-conflict'
  | 'commit-state-unknown'
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'auth-expired'
  | 'token-request-failed'
  | 'unsupported-endpoint'
  | 'not-found'
  | 'rate-limited'
  | 'server-error'
  | 'service-unavailable'
  | 'timeout'
  | 'network'
  | 'circuit-open'
  | 'retries-exhausted'
  | 'invalid-response'
  | 'invalid-argument'
  | 'invalid-config'
  | 'credential-vending-failed';

/** How one failed answer reads to a user: kind, what went wrong, what to do. */
export interface ErrorRule {
  readonly kind: CatalogErrorKind;
  /** What went wrong, in the user's terms. */
  readonly what: string;
  /** What to do about it. */
  readonly fix: string;
  readonly retryable?: boolean;
  /** Quote the server's reason right after the failed operation, before what it means and the fix. */
  readonly reasonFirst?: boolean;
}

export type CatalogErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

export interface CatalogErrorOptions {
  readonly retryable?: boolean;
  readonly context?: CatalogErrorContext;
  readonly cause?: unknown;
}

/** Kinds that a caller may retry (after backoff, or after reloading the table for commits). */
const RETRYABLE_BY_DEFAULT: ReadonlySet<CatalogErrorKind> = new Set<CatalogErrorKind>([
  'commit-conflict',
  'commit-state-unknown',
  'rate-limited',
  'server-error',
  'service-unavailable',
  'timeout',
  'network',
  'circuit-open',
  'retries-exhausted',
  'auth-expired',
]);

export class CatalogError extends Error {
  readonly kind: CatalogErrorKind;
  readonly retryable: boolean;
  readonly context: CatalogErrorContext;

  constructor(kind: CatalogErrorKind, message: string, options: CatalogErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CatalogError';
    this.kind = kind;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(kind);
    this.context = options.context ?? {};
  }

  /** HTTP status of the response that caused this error, when there was one. */
  get status(): number | undefined {
    const status = this.context['status'];
    return typeof status === 'number' ? status : undefined;
  }
}

export function isCatalogError(error: unknown, kind?: CatalogErrorKind): error is CatalogError {
  return error instanceof CatalogError && (kind === undefined || error.kind === kind);
}
