// Per-endpoint error maps: what an HTTP status means depends on what was asked. A 404 from
// loadTable is "no such table", from createTable "no such namespace"; a 409 is "already exists"
// on create, "not empty" on drop namespace and "commit conflict, retry" on commit; any 5xx on a
// commit means nobody knows whether it landed. Apache Polaris's answers that need another reading
// than their status (storage credentials, catalog settings, the realm header) are recognised
// first (polaris-error-rules.ts). `errorFromResponse` turns a failed response into a
// `CatalogError` whose message names the operation, the object, the URL, the status, the
// server's own words, and the fix.

import type { EndpointId } from './endpoints.ts';
import { CatalogError, type ErrorRule } from './errors.ts';
import { polarisRuleFor } from './polaris-error-rules.ts';

export type { ErrorRule } from './errors.ts';

type StatusRules = Readonly<Partial<Record<number, ErrorRule>>>;

const NO_SUCH_NAMESPACE: ErrorRule = {
  kind: 'no-such-namespace',
  what: 'the namespace does not exist',
  fix: 'check the namespace name, or create it first (`floe namespace create`)',
};
const NO_SUCH_TABLE: ErrorRule = {
  kind: 'no-such-table',
  what: 'the table does not exist',
  fix: 'check the table name and namespace (`floe table list <namespace>`)',
};
const TABLE_EXISTS: ErrorRule = {
  kind: 'table-already-exists',
  what: 'a table with that name already exists',
  fix: 'pick another name, load the existing table, or use create-if-not-exists',
};
const COMMIT_STATE_UNKNOWN: ErrorRule = {
  kind: 'commit-state-unknown',
  what: 'the catalog failed while committing, so the commit may or may not have been applied',
  fix: 'reload the table and check whether the commit landed before retrying; never re-send it blindly',
  retryable: true,
};

const GENERIC: StatusRules = {
  400: {
    kind: 'bad-request',
    what: 'the catalog rejected the request as invalid',
    fix: "correct the value the catalog's reason names",
    reasonFirst: true,
  },
  401: {
    kind: 'unauthorized',
    what: 'the catalog did not accept our credentials',
    fix: 'check catalog.credential.client_id / catalog.credential.client_secret (or catalog.credential.token) in floe.yaml',
  },
  403: {
    kind: 'forbidden',
    what: 'the principal is not allowed to do this',
    fix: 'grant the principal role the needed privilege on this catalog/namespace/table (Polaris: catalog role grants), or check catalog.scope',
  },
  404: {
    kind: 'not-found',
    what: 'the catalog has no such resource',
    fix: 'check catalog.uri and catalog.warehouse',
  },
  409: {
    kind: 'bad-request',
    what: 'the catalog reported a conflict with its current state',
    fix: "reload what you changed and try again; the catalog's reason says what conflicted",
    reasonFirst: true,
  },
  422: {
    kind: 'bad-request',
    what: 'the catalog could not process the request',
    fix: "correct what the catalog's reason names",
    reasonFirst: true,
  },
  406: {
    kind: 'unsupported-endpoint',
    what: 'the catalog does not support this operation',
    fix: 'upgrade the catalog server or avoid this operation',
  },
  419: {
    kind: 'auth-expired',
    what: 'the catalog says our token has expired',
    fix: 'check that the OAuth2 token endpoint issues fresh tokens (catalog.oauth2_server_uri)',
  },
  429: {
    kind: 'rate-limited',
    what: 'the catalog is rate limiting us',
    fix: 'reduce request concurrency or raise the catalog rate limit',
  },
  500: {
    kind: 'server-error',
    what: 'the catalog failed with an internal error',
    fix: 'check the catalog server logs',
  },
  502: {
    kind: 'service-unavailable',
    what: 'a gateway in front of the catalog could not reach it',
    fix: 'check that the catalog server is up and reachable',
  },
  503: {
    kind: 'service-unavailable',
    what: 'the catalog is temporarily unavailable',
    fix: 'wait and retry; check the catalog server health',
  },
  504: {
    kind: 'service-unavailable',
    what: 'a gateway in front of the catalog timed out',
    fix: 'check catalog server load and network latency',
  },
};

const NAMESPACE_SCOPED: StatusRules = { 404: NO_SUCH_NAMESPACE };
const TABLE_SCOPED: StatusRules = { 404: NO_SUCH_TABLE };

const BY_ENDPOINT: Readonly<Partial<Record<EndpointId, StatusRules>>> = {
  listNamespaces: NAMESPACE_SCOPED,
  loadNamespace: NAMESPACE_SCOPED,
  namespaceExists: NAMESPACE_SCOPED,
  updateNamespaceProperties: {
    ...NAMESPACE_SCOPED,
    422: {
      kind: 'bad-request',
      what: 'the same property key was both updated and removed',
      fix: 'list each key in either updates or removals, not both',
    },
  },
  createNamespace: {
    409: {
      kind: 'namespace-already-exists',
      what: 'the namespace already exists',
      fix: 'use it as it is, or create without strict mode to treat this as success',
    },
  },
  dropNamespace: {
    ...NAMESPACE_SCOPED,
    409: {
      kind: 'namespace-not-empty',
      what: 'the namespace is not empty',
      fix: 'drop or rename its tables and child namespaces first',
    },
  },
  listTables: NAMESPACE_SCOPED,
  createTable: { ...NAMESPACE_SCOPED, 409: TABLE_EXISTS },
  registerTable: { ...NAMESPACE_SCOPED, 409: TABLE_EXISTS },
  loadTable: TABLE_SCOPED,
  tableExists: TABLE_SCOPED,
  dropTable: TABLE_SCOPED,
  loadCredentials: TABLE_SCOPED,
  getApplicablePolicies: TABLE_SCOPED,
  renameTable: { ...TABLE_SCOPED, 409: TABLE_EXISTS },
  commitTable: {
    ...TABLE_SCOPED,
    409: {
      kind: 'commit-conflict',
      what: 'a commit requirement failed because the table changed concurrently',
      fix: 'reload the table, rebase the change on the new state and commit again',
      retryable: true,
    },
    500: COMMIT_STATE_UNKNOWN,
    502: COMMIT_STATE_UNKNOWN,
    503: COMMIT_STATE_UNKNOWN,
    504: COMMIT_STATE_UNKNOWN,
  },
};

/**
 * The rule for a status on an endpoint: a Polaris answer recognised by its type and message
 * first, then endpoint-specific, then generic, then by class.
 */
export function errorRuleFor(
  endpoint: EndpointId,
  status: number,
  serverType: string | undefined,
  serverMessage?: string,
): ErrorRule {
  const polaris = polarisRuleFor(endpoint, status, serverType, serverMessage);
  if (polaris !== undefined) return polaris;
  // Table endpoints answer 404 both for a missing table and a missing namespace; the server's
  // error type tells them apart.
  if (status === 404 && serverType !== undefined && /NoSuchNamespace/i.test(serverType))
    return NO_SUCH_NAMESPACE;
  const specific = BY_ENDPOINT[endpoint]?.[status];
  if (specific !== undefined) return specific;
  if (endpoint === 'commitTable' && status >= 500) return COMMIT_STATE_UNKNOWN;
  const generic = GENERIC[status];
  if (generic !== undefined) return generic;
  if (status >= 500) return GENERIC[500]!;
  return {
    kind: 'bad-request',
    what: `the catalog answered with unexpected status ${status}`,
    fix: 'check catalog.uri points at an Iceberg REST catalog',
  };
}

export interface FailedResponse {
  readonly endpoint: EndpointId;
  /** The operation as users know it (`loadTable`). */
  readonly operation: string;
  /** The object acted on (`table bronze.events`). */
  readonly object: string;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly serverType: string | undefined;
  readonly serverMessage: string | undefined;
  readonly attempts?: number;
  readonly extraContext?: Readonly<Record<string, string | number | boolean | undefined>>;
}

const MAX_SERVER_MESSAGE = 400;

export function errorFromResponse(failure: FailedResponse): CatalogError {
  const rule = errorRuleFor(failure.endpoint, failure.status, failure.serverType, failure.serverMessage);
  const reason = clip(failure.serverMessage);
  const message =
    rule.reasonFirst && reason !== undefined
      ? `${failure.operation} ${failure.object} failed: ${reason} — ${rule.what}; ${rule.fix} ` +
        `(${failure.method} ${failure.url} answered ${describeServerAnswer(failure.status, failure.serverType, undefined)})`
      : `${failure.operation} ${failure.object} failed: ${rule.what}; ${rule.fix} ` +
        `(${failure.method} ${failure.url} answered ${describeServerAnswer(failure.status, failure.serverType, failure.serverMessage)})`;
  return new CatalogError(rule.kind, message, {
    ...(rule.retryable === undefined ? {} : { retryable: rule.retryable }),
    context: {
      operation: failure.operation,
      object: failure.object,
      method: failure.method,
      url: failure.url,
      status: failure.status,
      serverType: failure.serverType,
      serverMessage: clip(failure.serverMessage),
      attempts: failure.attempts,
      ...failure.extraContext,
    },
  });
}

function describeServerAnswer(status: number, type: string | undefined, message: string | undefined): string {
  const head = type === undefined ? `HTTP ${status}` : `HTTP ${status} ${type}`;
  const said = clip(message);
  return said === undefined ? head : `${head}: ${said}`;
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length === 0) return undefined;
  return oneLine.length > MAX_SERVER_MESSAGE ? `${oneLine.slice(0, MAX_SERVER_MESSAGE)}…` : oneLine;
}
