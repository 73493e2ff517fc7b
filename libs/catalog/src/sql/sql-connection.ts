// The narrow database seam of the SQL catalog: run a statement, read rows, run a few statements
// as one transaction. Two implementations sit behind it — SQLite through Node's built-in
// `node:sqlite` (sqlite-connection.ts) and PostgreSQL through `pg` (postgres-connection.ts) — so
// the catalog logic is written once. Statements use `?` placeholders; the PostgreSQL side numbers
// them. Every driver failure is classified here into the few outcomes the catalog branches on:
// a duplicate key, a definite failure before the statement ran, and a failure after it was sent
// (the outcome of a write is then unknown, as with a cut HTTP connection).

export type SqlValue = string | number | null;
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlExecutor {
  /** Rows of a query. */
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlConnection extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgresql';
  /** What to show in logs and errors: the file, or the server without credentials. */
  readonly displayName: string;
  /** Runs `work` in one transaction (SQLite: `BEGIN IMMEDIATE`, so writers queue up front). */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * What a driver failure means for the caller:
 * - `duplicate`: a primary-key/unique violation (the row already exists);
 * - `busy`: the database refused before doing anything (locked, cannot connect) — retryable;
 * - `lost`: the connection broke after the statement was sent — a write may have happened;
 * - `missing-table`: the catalog tables do not exist (yet);
 * - `other`: anything else, definite.
 */
export type SqlFailure = 'duplicate' | 'busy' | 'lost' | 'missing-table' | 'other';

/** Raised by the connections, carrying the classified failure and the driver's error as cause. */
export class SqlError extends Error {
  readonly failure: SqlFailure;
  constructor(failure: SqlFailure, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'SqlError';
    this.failure = failure;
  }
}

export function isSqlFailure(error: unknown, failure: SqlFailure): boolean {
  return error instanceof SqlError && error.failure === failure;
}
