// The SQL catalog's failures as `CatalogError`s worded exactly like the REST client's: the
// outcome rules (what went wrong, what to do) come from the per-endpoint error maps, looked up by
// the status a REST catalog would have answered, so "the table does not exist" reads the same
// whichever catalog a user runs. Driver failures map by when they happened: before anything ran
// (retryable `service-unavailable`), after a write was sent (`commit-state-unknown` for commits,
// `network` otherwise), or a definite database error.

import type { EndpointId } from '../endpoints.ts';
import { errorRuleFor } from '../error-maps.ts';
import { CatalogError } from '../errors.ts';
import { SqlError } from './sql-connection.ts';

export interface SqlFailureFacts {
  readonly endpoint: EndpointId;
  /** The operation as users know it (`loadTable`). */
  readonly operation: string;
  /** The object acted on (`table bronze.events`). */
  readonly object: string;
  /** The database, as shown to users (no credentials). */
  readonly database: string;
}

/** The error a REST catalog would give for `status` on this endpoint, said about the SQL catalog. */
export function sqlCatalogError(facts: SqlFailureFacts, status: number, detail: string): CatalogError {
  const rule = errorRuleFor(facts.endpoint, status, undefined);
  return new CatalogError(
    rule.kind,
    `${facts.operation} ${facts.object} failed: ${rule.what}; ${rule.fix} (SQL catalog ${facts.database}: ${detail})`,
    {
      ...(rule.retryable === undefined ? {} : { retryable: rule.retryable }),
      context: { operation: facts.operation, object: facts.object, database: facts.database },
    },
  );
}

/** A driver or storage failure during an operation, as a `CatalogError` (passes those through). */
export function fromDriverFailure(facts: SqlFailureFacts, error: unknown, writeSent = false): CatalogError {
  if (error instanceof CatalogError) return error;
  const context = { operation: facts.operation, object: facts.object, database: facts.database };
  const reason = error instanceof Error ? error.message : String(error);
  const head = `${facts.operation} ${facts.object} failed`;
  if (error instanceof SqlError && error.failure === 'lost') {
    if (writeSent && facts.endpoint === 'commitTable') {
      return new CatalogError(
        'commit-state-unknown',
        `${head}: the database connection broke after the commit was sent, so it may or may not have been applied; ` +
          `reload the table and check whether the commit landed before retrying (SQL catalog ${facts.database}: ${reason})`,
        { context, cause: error },
      );
    }
    return new CatalogError(
      'network',
      `${head}: the database connection broke (SQL catalog ${facts.database}: ${reason}); check that the database is up`,
      { context, cause: error },
    );
  }
  if (error instanceof SqlError && error.failure === 'busy') {
    return new CatalogError(
      'service-unavailable',
      `${head}: the database is busy or unreachable (SQL catalog ${facts.database}: ${reason}); retry, and check the database`,
      { context, cause: error },
    );
  }
  if (error instanceof SqlError && error.failure === 'missing-table') {
    return new CatalogError(
      'invalid-config',
      `${head}: the catalog tables are missing from the database (SQL catalog ${facts.database}: ${reason}); ` +
        'check catalog.uri points at the catalog database',
      { context, cause: error },
    );
  }
  const kind = (error as { kind?: unknown } | null)?.kind;
  const retryable = (error as { retryable?: unknown } | null)?.retryable === true;
  return new CatalogError(
    retryable ? 'service-unavailable' : 'server-error',
    `${head}: ${reason}${typeof kind === 'string' ? ` (${kind})` : ''} (SQL catalog ${facts.database})`,
    { context, cause: error, retryable },
  );
}
