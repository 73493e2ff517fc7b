// `RestCatalog`: the `Catalog` interface over the Iceberg REST protocol (apache/iceberg
// open-api/rest-catalog-open-api.yaml), ready for Apache Polaris. This file wires the parts
// together (auth manager, resilience, session, telemetry) and implements the namespace
// operations; table operations live in rest-tables.ts. Every public method is one observed
// operation: one span, one log line, structured `CatalogError`s.

import { Agent, type Dispatcher } from 'undici';
import type { AuthManager } from './auth/auth-manager.ts';
import { BearerTokenAuthManager, NoAuthManager } from './auth/auth-manager.ts';
import { OAuth2ClientCredentialsAuthManager, splitCredential } from './auth/oauth2-client-credentials.ts';
import type {
  Catalog,
  CommitTableRequest,
  CommitTableResult,
  CreateNamespaceOptions,
  CreateNamespaceResult,
  CreateTableRequest,
  CreateTableResult,
  DropTableOptions,
  LoadedTable,
  LoadTableOptions,
  Namespace,
  NamespaceInfo,
  NamespaceInput,
  NamespacePropertyChangeReport,
  NamespacePropertyChanges,
  RegisterTableOptions,
  TableIdentifier,
  TableIdentifierInput,
} from './catalog.ts';
import { CatalogError, isCatalogError } from './errors.ts';
import { formatNamespace, formatTable, toNamespace, toTableIdentifier } from './identifiers.ts';
import { type RestCatalogOptions, resolveRetryOptions } from './options.ts';
import type { TablePolicies } from './policy-types.ts';
import { CatalogResilience } from './resilience.ts';
import { RestNamespaces } from './rest-namespaces.ts';
import { loadApplicablePolicies } from './rest-policies.ts';
import { RestSession } from './rest-session.ts';
import { RestTables } from './rest-tables.ts';
import { type OperationFacts, type OperationRecord, observeOperation } from './telemetry.ts';
import type { VendedCredentialsProvider } from './vended-credentials.ts';

export class RestCatalog implements Catalog {
  readonly name: string;
  readonly #options: RestCatalogOptions;
  readonly #session: RestSession;
  readonly #resilience: CatalogResilience;
  readonly #auth: AuthManager;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #tables: RestTables;
  readonly #namespaces: RestNamespaces;

  constructor(options: RestCatalogOptions) {
    if (options.type !== undefined && options.type !== 'rest') {
      throw new CatalogError(
        'invalid-config',
        `catalog.type '${String(options.type)}' is not supported; use 'rest'`,
      );
    }
    let base: URL;
    try {
      base = new URL(options.uri);
    } catch {
      throw new CatalogError(
        'invalid-config',
        `catalog.uri '${options.uri}' is not a URL; write it like http://localhost:8181 (Polaris: http://host:8181/api/catalog)`,
      );
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new CatalogError('invalid-config', `catalog.uri '${options.uri}' must use http or https`);
    }
    if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1)) {
      throw new CatalogError(
        'invalid-config',
        `catalog page size must be a positive integer, got ${options.pageSize}`,
      );
    }
    const uri = options.uri.replace(/\/+$/, '');
    this.name = options.name ?? uri;
    this.#options = options;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 4_000, connections: 16 });
    this.#auth = options.auth ?? createAuthManager(options, uri, this.#dispatcher);
    this.#resilience = new CatalogResilience(resolveRetryOptions(options.retry));
    this.#session = new RestSession({
      uri,
      warehouse: options.warehouse,
      prefix: options.prefix,
      clientProperties: options.properties ?? {},
      headers: options.headers ?? {},
      auth: this.#auth,
      resilience: this.#resilience,
      dispatcher: this.#dispatcher,
      logger: options.logger,
      onCall: options.onCall,
    });
    this.#namespaces = new RestNamespaces(this.#session, options.pageSize);
    this.#tables = new RestTables(this.#session, {
      accessDelegation: options.accessDelegation,
      credentialRefreshMarginMs: options.credentialRefreshMarginMs,
      pageSize: options.pageSize,
      logger: options.logger,
    });
  }

  /** The circuit breaker's state, for health checks. */
  get breakerState(): 'closed' | 'open' | 'half-open' | 'isolated' {
    return this.#resilience.breakerState;
  }

  /** The catalog properties after merging server defaults, client properties and server overrides. */
  async properties(): Promise<Readonly<Record<string, string>>> {
    return this.#observe(
      { operation: 'getConfig' },
      async (record) => (await this.#session.config(record)).properties,
    );
  }

  /**
   * Asks the catalog now (GET /v1/config, not the cached answer, with a token fetched if needed):
   * resolves when it answers and accepts our credentials, else rejects with the CatalogError —
   * `token-request-failed` / `unauthorized` when it refuses them. Workers probe with it at start
   * and while the credentials are refused.
   */
  async checkAccess(): Promise<void> {
    await this.#observe({ operation: 'getConfig' }, (record) => this.#session.reloadConfig(record));
  }

  // ---- namespaces -------------------------------------------------------------------------

  async listNamespaces(parent?: NamespaceInput): Promise<Namespace[]> {
    const levels = parent === undefined ? undefined : toNamespace(parent);
    const facts = levels === undefined ? {} : { namespace: formatNamespace(levels) };
    return this.#observe({ operation: 'listNamespaces', ...facts }, (record) =>
      this.#namespaces.list(record, levels),
    );
  }

  async createNamespace(
    namespace: NamespaceInput,
    properties: Readonly<Record<string, string>> = {},
    options: CreateNamespaceOptions = {},
  ): Promise<CreateNamespaceResult> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'createNamespace', namespace: formatNamespace(levels) }, (record) =>
      this.#namespaces.create(record, levels, properties, options),
    );
  }

  async loadNamespace(namespace: NamespaceInput): Promise<NamespaceInfo> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'loadNamespace', namespace: formatNamespace(levels) }, (record) =>
      this.#namespaces.load(record, levels),
    );
  }

  async namespaceExists(namespace: NamespaceInput): Promise<boolean> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'namespaceExists', namespace: formatNamespace(levels) }, (record) =>
      this.#namespaces.exists(record, levels),
    );
  }

  async updateNamespaceProperties(
    namespace: NamespaceInput,
    changes: NamespacePropertyChanges,
  ): Promise<NamespacePropertyChangeReport> {
    const levels = toNamespace(namespace);
    RestNamespaces.checkPropertyChanges(levels, changes);
    return this.#observe(
      { operation: 'updateNamespaceProperties', namespace: formatNamespace(levels) },
      (record) => this.#namespaces.updateProperties(record, levels, changes),
    );
  }

  async dropNamespace(namespace: NamespaceInput): Promise<void> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'dropNamespace', namespace: formatNamespace(levels) }, (record) =>
      this.#namespaces.drop(record, levels),
    );
  }

  // ---- tables -----------------------------------------------------------------------------

  async listTables(namespace: NamespaceInput): Promise<TableIdentifier[]> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'listTables', namespace: formatNamespace(levels) }, (record) =>
      this.#tables.list(record, levels),
    );
  }

  async createTable(table: TableIdentifierInput, request: CreateTableRequest): Promise<CreateTableResult> {
    const id = toTableIdentifier(table);
    return this.#observeTable('createTable', id, (record) => this.#tables.create(record, id, request));
  }

  async createTableIfNotExists(
    table: TableIdentifierInput,
    request: CreateTableRequest,
  ): Promise<CreateTableResult> {
    const id = toTableIdentifier(table);
    return this.#observeTable('createTableIfNotExists', id, async (record) => {
      try {
        return await this.#tables.create(record, id, request);
      } catch (error) {
        if (!isCatalogError(error, 'table-already-exists')) throw error;
        return { ...(await this.#tables.load(record, id, {})), created: false };
      }
    });
  }

  async loadTable(table: TableIdentifierInput, options: LoadTableOptions = {}): Promise<LoadedTable> {
    const id = toTableIdentifier(table);
    return this.#observeTable('loadTable', id, (record) => this.#tables.load(record, id, options));
  }

  async tableExists(table: TableIdentifierInput): Promise<boolean> {
    const id = toTableIdentifier(table);
    return this.#observeTable('tableExists', id, (record) => this.#tables.exists(record, id));
  }

  async registerTable(
    table: TableIdentifierInput,
    metadataLocation: string,
    options: RegisterTableOptions = {},
  ): Promise<LoadedTable> {
    const id = toTableIdentifier(table);
    return this.#observeTable('registerTable', id, (record) =>
      this.#tables.register(record, id, metadataLocation, options),
    );
  }

  async renameTable(from: TableIdentifierInput, to: TableIdentifierInput): Promise<void> {
    const source = toTableIdentifier(from);
    const destination = toTableIdentifier(to);
    return this.#observeTable('renameTable', source, (record) =>
      this.#tables.rename(record, source, destination),
    );
  }

  async dropTable(table: TableIdentifierInput, options: DropTableOptions = {}): Promise<void> {
    const id = toTableIdentifier(table);
    return this.#observeTable('dropTable', id, (record) => this.#tables.drop(record, id, options));
  }

  async commitTable(table: TableIdentifierInput, request: CommitTableRequest): Promise<CommitTableResult> {
    const id = toTableIdentifier(table);
    return this.#observeTable('commitTable', id, (record) => this.#tables.commit(record, id, request));
  }

  async applicablePolicies(table: TableIdentifierInput): Promise<TablePolicies | undefined> {
    const id = toTableIdentifier(table);
    return this.#observeTable('getApplicablePolicies', id, (record) =>
      loadApplicablePolicies(this.#session, record, id),
    );
  }

  credentialsFor(table: TableIdentifierInput): VendedCredentialsProvider {
    return this.#tables.credentialsFor(toTableIdentifier(table));
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  // ---- plumbing ---------------------------------------------------------------------------

  #observe<T>(
    facts: Omit<OperationFacts, 'catalogUri'>,
    run: (record: OperationRecord) => Promise<T>,
  ): Promise<T> {
    return observeOperation(this.#options.logger, { ...facts, catalogUri: this.#session.baseUri }, run);
  }

  #observeTable<T>(
    operation: string,
    id: TableIdentifier,
    run: (record: OperationRecord) => Promise<T>,
  ): Promise<T> {
    return this.#observe(
      { operation, namespace: formatNamespace(id.namespace), table: formatTable(id) },
      run,
    );
  }
}

/** The auth manager the options ask for: OAuth2 with a credential, bearer with a token, else none. */
export function createAuthManager(
  options: RestCatalogOptions,
  uri: string,
  dispatcher: Dispatcher,
): AuthManager {
  const pair =
    options.credential !== undefined
      ? splitCredential(options.credential)
      : options.clientId !== undefined || options.clientSecret !== undefined
        ? { clientId: options.clientId ?? '', clientSecret: options.clientSecret ?? '' }
        : undefined;
  if (pair !== undefined) {
    return new OAuth2ClientCredentialsAuthManager({
      tokenEndpoint: options.tokenEndpoint ?? `${uri}/v1/oauth/tokens`,
      clientId: pair.clientId,
      clientSecret: pair.clientSecret,
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(options.tokenRefreshMarginMs === undefined
        ? {}
        : { refreshMarginMs: options.tokenRefreshMarginMs }),
      ...(options.retry?.timeoutMs === undefined ? {} : { timeoutMs: options.retry.timeoutMs }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.onCall === undefined ? {} : { onCall: options.onCall }),
      dispatcher,
    });
  }
  if (options.token !== undefined) return new BearerTokenAuthManager(options.token);
  return new NoAuthManager();
}
