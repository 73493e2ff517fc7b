// Table operations of the REST catalog: list (paginated), create, load (revalidated with ETag /
// If-None-Match so an unchanged table costs a 304), exists (HEAD, falling back to load on
// servers that do not advertise it), register, rename, drop (optionally purging files) and
// commit. Also keeps one vended-credentials provider per table. Operation spans and logs are
// opened by RestCatalog; everything here runs inside them.

import type {
  CommitTableRequest,
  CommitTableResult,
  CreateTableRequest,
  CreateTableResult,
  DropTableOptions,
  LoadedTable,
  LoadTableOptions,
  Namespace,
  RegisterTableOptions,
  TableIdentifier,
} from './catalog.ts';
import { commitOutcomeUnknown, unreadableCommitAnswer } from './commit-outcome.ts';
import { CatalogError, isCatalogError } from './errors.ts';
import { formatTable } from './identifiers.ts';
import type { HttpResponse } from './internal/http.ts';
import { paginate } from './internal/paginate.ts';
import type { AccessDelegation } from './options.ts';
import type { RestSession } from './rest-session.ts';
import type { OperationRecord } from './telemetry.ts';
import {
  RefreshingCredentialsProvider,
  tableLocationOf,
  type VendedCredentialsProvider,
  type VendedCredentialsSource,
} from './vended-credentials.ts';
import {
  commitTableResponseSchema,
  listTablesResponseSchema,
  loadCredentialsResponseSchema,
  loadTableResultSchema,
} from './wire/responses.ts';

export interface RestTablesOptions {
  readonly accessDelegation: AccessDelegation | undefined;
  readonly credentialRefreshMarginMs: number | undefined;
  readonly pageSize: number | undefined;
}

export class RestTables {
  readonly #session: RestSession;
  readonly #options: RestTablesOptions;
  /** Last loaded copy per table and snapshots mode, for If-None-Match revalidation. */
  readonly #cache = new Map<string, LoadedTable>();
  readonly #credentials = new Map<string, VendedCredentialsProvider>();

  constructor(session: RestSession, options: RestTablesOptions) {
    this.#session = session;
    this.#options = options;
  }

  async list(record: OperationRecord, namespace: Namespace): Promise<TableIdentifier[]> {
    const object = `tables in ${namespace.join('.')}`;
    const tables: TableIdentifier[] = [];
    await paginate('listTables', object, async (pageToken) => {
      const response = await this.#session.call({
        endpoint: 'listTables',
        operation: 'listTables',
        object,
        namespace,
        query: { pageToken, pageSize: this.#options.pageSize?.toString() },
        idempotent: true,
        record,
      });
      const page = this.#session.parse(
        response,
        listTablesResponseSchema,
        'listTables',
        object,
        this.#session.baseUri,
      );
      for (const id of page.identifiers) {
        tables.push(Object.freeze({ namespace: Object.freeze([...id.namespace]), name: id.name }));
      }
      return page['next-page-token'] ?? undefined;
    });
    return tables;
  }

  async create(
    record: OperationRecord,
    id: TableIdentifier,
    request: CreateTableRequest,
  ): Promise<CreateTableResult> {
    const body = {
      name: id.name,
      schema: request.schema,
      ...(request.location === undefined ? {} : { location: request.location }),
      ...(request.partitionSpec === undefined ? {} : { 'partition-spec': request.partitionSpec }),
      ...(request.writeOrder === undefined ? {} : { 'write-order': request.writeOrder }),
      ...(request.stageCreate === undefined ? {} : { 'stage-create': request.stageCreate }),
      properties: request.properties ?? {},
    };
    const response = await this.#session.call({
      endpoint: 'createTable',
      operation: 'createTable',
      object: `table ${formatTable(id)}`,
      namespace: id.namespace,
      body,
      headers: this.#delegationHeaders(),
      idempotent: false,
      record,
    });
    const loaded = this.#readLoadResult(response, id, 'createTable');
    this.#remember(id, 'all', loaded);
    return { ...loaded, created: true };
  }

  async load(record: OperationRecord, id: TableIdentifier, options: LoadTableOptions): Promise<LoadedTable> {
    const snapshots = options.snapshots ?? 'all';
    const key = cacheKey(id, snapshots);
    const cached = options.bypassCache ? undefined : this.#cache.get(key);
    const headers: Record<string, string> = { ...this.#delegationHeaders() };
    if (cached?.etag !== undefined) headers['if-none-match'] = cached.etag;
    const response = await this.#session.call({
      endpoint: 'loadTable',
      operation: 'loadTable',
      object: `table ${formatTable(id)}`,
      namespace: id.namespace,
      table: id.name,
      query: { snapshots },
      headers,
      idempotent: true,
      record,
      acceptStatuses: [304],
    });
    if (response.status === 304 && cached !== undefined) return cached;
    const loaded = this.#readLoadResult(response, id, 'loadTable');
    this.#remember(id, snapshots, loaded);
    return loaded;
  }

  async exists(record: OperationRecord, id: TableIdentifier): Promise<boolean> {
    if (!(await this.#session.supports('tableExists', record))) {
      try {
        await this.load(record, id, { snapshots: 'refs' });
        return true;
      } catch (error) {
        if (isCatalogError(error, 'no-such-table') || isCatalogError(error, 'no-such-namespace'))
          return false;
        throw error;
      }
    }
    const response = await this.#session.call({
      endpoint: 'tableExists',
      operation: 'tableExists',
      object: `table ${formatTable(id)}`,
      namespace: id.namespace,
      table: id.name,
      idempotent: true,
      record,
      acceptStatuses: [404],
    });
    return response.status !== 404;
  }

  async register(
    record: OperationRecord,
    id: TableIdentifier,
    metadataLocation: string,
    options: RegisterTableOptions,
  ): Promise<LoadedTable> {
    if (metadataLocation.trim().length === 0) {
      throw new CatalogError(
        'invalid-argument',
        `registerTable ${formatTable(id)}: the metadata location is empty`,
      );
    }
    const response = await this.#session.call({
      endpoint: 'registerTable',
      operation: 'registerTable',
      object: `table ${formatTable(id)} from ${metadataLocation}`,
      namespace: id.namespace,
      body: {
        name: id.name,
        'metadata-location': metadataLocation,
        ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
      },
      headers: this.#delegationHeaders(),
      idempotent: false,
      record,
    });
    const loaded = this.#readLoadResult(response, id, 'registerTable');
    this.#remember(id, 'all', loaded);
    return loaded;
  }

  async rename(
    record: OperationRecord,
    source: TableIdentifier,
    destination: TableIdentifier,
  ): Promise<void> {
    await this.#session.call({
      endpoint: 'renameTable',
      operation: 'renameTable',
      object: `table ${formatTable(source)} to ${formatTable(destination)}`,
      body: { source: wireIdentifier(source), destination: wireIdentifier(destination) },
      idempotent: false,
      record,
    });
    this.#forget(source);
    this.#forget(destination);
  }

  async drop(record: OperationRecord, id: TableIdentifier, options: DropTableOptions): Promise<void> {
    await this.#session.call({
      endpoint: 'dropTable',
      operation: 'dropTable',
      object: `table ${formatTable(id)}`,
      namespace: id.namespace,
      table: id.name,
      query: options.purge ? { purgeRequested: 'true' } : {},
      idempotent: false,
      record,
    });
    this.#forget(id);
  }

  /**
   * Commit contract: POST the requirements and updates once. 200 → the new metadata. 409 →
   * `commit-conflict` (nothing applied; reload, rebase, retry). Any 5xx or a connection lost
   * after sending, or a 2xx whose body cannot be read → `commit-state-unknown` (maybe applied;
   * reload and look for the commit's marker before anything else). Only a refused connection or
   * a 429 is re-sent automatically.
   */
  async commit(
    record: OperationRecord,
    id: TableIdentifier,
    request: CommitTableRequest,
  ): Promise<CommitTableResult> {
    const object = `table ${formatTable(id)}`;
    this.#forget(id, { keepCredentials: true });
    let response: HttpResponse;
    try {
      response = await this.#session.call({
        endpoint: 'commitTable',
        operation: 'commitTable',
        object,
        namespace: id.namespace,
        table: id.name,
        body: {
          identifier: wireIdentifier(id),
          requirements: request.requirements,
          updates: request.updates,
        },
        idempotent: false,
        record,
      });
    } catch (error) {
      throw commitOutcomeUnknown(error, object);
    }
    let wire: ReturnType<typeof commitTableResponseSchema.parse>;
    try {
      wire = this.#session.parse(
        response,
        commitTableResponseSchema,
        'commitTable',
        object,
        this.#session.baseUri,
      );
    } catch (error) {
      // The catalog accepted the commit; only its answer is unreadable.
      throw unreadableCommitAnswer(error, object, response.status);
    }
    return { metadataLocation: wire['metadata-location'], metadata: wire.metadata };
  }

  credentialsFor(id: TableIdentifier): VendedCredentialsProvider {
    const key = formatTable(id);
    let provider = this.#credentials.get(key);
    if (provider === undefined) {
      const cached = this.#cache.get(cacheKey(id, 'all')) ?? this.#cache.get(cacheKey(id, 'refs'));
      provider = new RefreshingCredentialsProvider({
        table: key,
        fetch: () => this.#fetchCredentials(id),
        ...(this.#options.credentialRefreshMarginMs === undefined
          ? {}
          : { refreshMarginMs: this.#options.credentialRefreshMarginMs }),
        ...(cached === undefined ? {} : { initial: sourceOf(cached) }),
      });
      this.#credentials.set(key, provider);
    }
    return provider;
  }

  async #fetchCredentials(id: TableIdentifier): Promise<VendedCredentialsSource> {
    const record: OperationRecord = { attempts: 0, status: undefined };
    const loaded = await this.load(record, id, { snapshots: 'refs', bypassCache: true });
    if (!(await this.#session.supports('loadCredentials', record))) return sourceOf(loaded);
    const object = `credentials of table ${formatTable(id)}`;
    const response = await this.#session.call({
      endpoint: 'loadCredentials',
      operation: 'loadCredentials',
      object,
      namespace: id.namespace,
      table: id.name,
      headers: this.#delegationHeaders(),
      idempotent: true,
      record,
    });
    const wire = this.#session.parse(
      response,
      loadCredentialsResponseSchema,
      'loadCredentials',
      object,
      this.#session.baseUri,
    );
    return { ...sourceOf(loaded), storageCredentials: wire['storage-credentials'] };
  }

  #delegationHeaders(): Record<string, string> {
    const mode = this.#options.accessDelegation;
    return mode === undefined || mode === 'none' ? {} : { 'x-iceberg-access-delegation': mode };
  }

  #readLoadResult(response: HttpResponse, id: TableIdentifier, operation: string): LoadedTable {
    const wire = this.#session.parse(
      response,
      loadTableResultSchema,
      operation,
      `table ${formatTable(id)}`,
      this.#session.baseUri,
    );
    return {
      identifier: id,
      metadataLocation: wire['metadata-location'] ?? undefined,
      metadata: wire.metadata,
      config: wire.config ?? {},
      storageCredentials: wire['storage-credentials'] ?? [],
      etag: response.headers['etag'],
    };
  }

  #remember(id: TableIdentifier, snapshots: 'all' | 'refs', loaded: LoadedTable): void {
    if (loaded.etag === undefined) this.#cache.delete(cacheKey(id, snapshots));
    else this.#cache.set(cacheKey(id, snapshots), loaded);
  }

  #forget(id: TableIdentifier, options: { keepCredentials?: boolean } = {}): void {
    this.#cache.delete(cacheKey(id, 'all'));
    this.#cache.delete(cacheKey(id, 'refs'));
    if (!options.keepCredentials) this.#credentials.delete(formatTable(id));
  }
}

function cacheKey(id: TableIdentifier, snapshots: string): string {
  return `${JSON.stringify(id.namespace)}\u0000${id.name}\u0000${snapshots}`;
}

function wireIdentifier(id: TableIdentifier): { namespace: readonly string[]; name: string } {
  return { namespace: id.namespace, name: id.name };
}

function sourceOf(loaded: LoadedTable): VendedCredentialsSource {
  return {
    location: tableLocationOf(loaded.metadata),
    config: loaded.config,
    storageCredentials: loaded.storageCredentials,
  };
}
