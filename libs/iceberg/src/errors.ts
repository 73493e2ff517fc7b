// The one error base of @floe/iceberg. Callers (the writer fleet above all) decide *retry* vs
// *fail* from `retryable` alone, and branch on `kind` rather than on message text. `context`
// carries structured facts about what failed (field path, table, file) so logs and users see the
// object at fault; it must never hold secrets.

export type IcebergErrorKind =
  | 'invalid-schema'
  | 'invalid-metadata'
  | 'invalid-value'
  | 'invalid-argument'
  | 'unsupported'
  | 'schema-mismatch'
  | 'commit-conflict'
  | 'commit-state-unknown'
  | 'not-found'
  /** Object storage rejected our credentials (distinct from catalog auth failures). */
  | 'storage-auth'
  | 'io';

export type IcebergErrorContext = Readonly<
  Record<string, string | number | boolean | bigint | null | undefined>
>;

export interface IcebergErrorOptions {
  readonly retryable?: boolean;
  readonly context?: IcebergErrorContext;
  readonly cause?: unknown;
}

/** Kinds that are worth retrying unless the thrower says otherwise. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<IcebergErrorKind> = new Set([
  'commit-conflict',
  'commit-state-unknown',
  'io',
]);

export class IcebergError extends Error {
  readonly kind: IcebergErrorKind;
  readonly retryable: boolean;
  readonly context: IcebergErrorContext;

  constructor(kind: IcebergErrorKind, message: string, options: IcebergErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IcebergError';
    this.kind = kind;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(kind);
    this.context = options.context ?? {};
  }
}

export function isIcebergError(error: unknown, kind?: IcebergErrorKind): error is IcebergError {
  return error instanceof IcebergError && (kind === undefined || error.kind === kind);
}
