// Every way a commit request can end without a readable verdict, classified once: the request
// was sent (or may have been) and no definite answer came back, so the commit may or may not have
// been applied — `commit-state-unknown`, which the commit driver in @floe/iceberg resolves by
// reloading the table. Covered: 5xx (error-maps.ts), a connection lost or timed out after
// sending, retries exhausted on a timeout, and a 2xx whose body or metadata cannot be read.
// Not covered (definite): a refused connection (never sent), 409, other 4xx, an open breaker.
import { CatalogError, isCatalogError } from './errors.ts';

/** A commit that may have reached the server but got no answer is in an unknown state. */
export function commitOutcomeUnknown(error: unknown, object: string): unknown {
  if (!isCatalogError(error)) return error;
  const mayHaveLanded =
    (error.kind === 'network' && error.context['notSent'] !== true) ||
    error.kind === 'timeout' ||
    (error.kind === 'retries-exhausted' && error.context['lastKind'] === 'timeout');
  if (!mayHaveLanded) return error;
  return new CatalogError(
    'commit-state-unknown',
    `commitTable ${object}: the request was sent but no answer came back (${error.message}), so the commit may or ` +
      `may not have been applied; reload the table and check whether it landed before retrying`,
    { context: { ...error.context, operation: 'commitTable', object }, cause: error },
  );
}

/** A 2xx answer to a commit that cannot be read: the commit was accepted, its result is unknown. */
export function unreadableCommitAnswer(error: unknown, object: string, status: number): CatalogError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CatalogError(
    'commit-state-unknown',
    `commitTable ${object}: the catalog answered HTTP ${status} but its answer could not be read (${reason}), so ` +
      'the commit may have been applied; reload the table and check whether it landed before retrying',
    { context: { operation: 'commitTable', object, status }, cause: error },
  );
}
