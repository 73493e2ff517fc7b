// Namespace operations of the REST catalog: list (top level or children of a parent, following
// page tokens), create (missing parents first; an existing namespace is success unless strict),
// load, exists (HEAD, falling back to load on servers that do not advertise it), property
// updates with a report of what changed (updates and removals sent apart, a 409 checked by
// reloading), and drop (a non-empty namespace is refused by the
// server with 409 → `namespace-not-empty`). Spans and logs are opened by RestCatalog.

import type {
  CreateNamespaceOptions,
  CreateNamespaceResult,
  Namespace,
  NamespaceInfo,
  NamespacePropertyChangeReport,
  NamespacePropertyChanges,
} from './catalog.ts';
import { CatalogError, isCatalogError } from './errors.ts';
import { formatNamespace } from './identifiers.ts';
import type { HttpResponse } from './internal/http.ts';
import { paginate } from './internal/paginate.ts';
import type { RestSession } from './rest-session.ts';
import type { OperationRecord } from './telemetry.ts';
import {
  listNamespacesResponseSchema,
  namespaceResponseSchema,
  updateNamespacePropertiesResponseSchema,
} from './wire/responses.ts';

export class RestNamespaces {
  readonly #session: RestSession;
  readonly #pageSize: string | undefined;

  constructor(session: RestSession, pageSize: number | undefined) {
    this.#session = session;
    this.#pageSize = pageSize?.toString();
  }

  async list(record: OperationRecord, parent: Namespace | undefined): Promise<Namespace[]> {
    const object =
      parent === undefined ? 'namespaces at top level' : `namespaces under ${formatNamespace(parent)}`;
    const config = await this.#session.config(record);
    const parentParam = parent?.join(config.separator);
    const namespaces: Namespace[] = [];
    await paginate('listNamespaces', object, async (pageToken) => {
      const response = await this.#session.call({
        endpoint: 'listNamespaces',
        operation: 'listNamespaces',
        object,
        query: { parent: parentParam, pageToken, pageSize: this.#pageSize },
        idempotent: true,
        record,
      });
      const page = this.#session.parse(
        response,
        listNamespacesResponseSchema,
        'listNamespaces',
        object,
        this.#session.baseUri,
      );
      for (const levels of page.namespaces) namespaces.push(Object.freeze([...levels]));
      return page['next-page-token'];
    });
    return namespaces;
  }

  async create(
    record: OperationRecord,
    levels: Namespace,
    properties: Readonly<Record<string, string>>,
    options: CreateNamespaceOptions,
  ): Promise<CreateNamespaceResult> {
    if (options.createParents ?? true) {
      for (let depth = 1; depth < levels.length; depth++) {
        await this.#createOne(record, levels.slice(0, depth), {}, false, false);
      }
    }
    return this.#createOne(record, levels, properties, options.strict ?? false, true);
  }

  async #createOne(
    record: OperationRecord,
    levels: Namespace,
    properties: Readonly<Record<string, string>>,
    strict: boolean,
    describeExisting: boolean,
  ): Promise<CreateNamespaceResult> {
    const object = `namespace ${formatNamespace(levels)}`;
    try {
      const response = await this.#session.call({
        endpoint: 'createNamespace',
        operation: 'createNamespace',
        object,
        body: { namespace: levels, properties },
        idempotent: false,
        record,
      });
      const created =
        response.text.length === 0 ? undefined : this.#parse(response, 'createNamespace', object);
      return { namespace: levels, properties: created?.properties ?? { ...properties }, created: true };
    } catch (error) {
      if (strict || !isCatalogError(error, 'namespace-already-exists')) throw error;
      // Parents only need to exist; the namespace asked for is described as it is.
      if (!describeExisting) return { namespace: levels, properties: {}, created: false };
      return { ...(await this.load(record, levels)), created: false };
    }
  }

  async load(record: OperationRecord, levels: Namespace): Promise<NamespaceInfo> {
    const object = `namespace ${formatNamespace(levels)}`;
    const response = await this.#session.call({
      endpoint: 'loadNamespace',
      operation: 'loadNamespace',
      object,
      namespace: levels,
      idempotent: true,
      record,
    });
    return this.#parse(response, 'loadNamespace', object);
  }

  async exists(record: OperationRecord, levels: Namespace): Promise<boolean> {
    if (!(await this.#session.supports('namespaceExists', record))) {
      try {
        await this.load(record, levels);
        return true;
      } catch (error) {
        if (isCatalogError(error, 'no-such-namespace')) return false;
        throw error;
      }
    }
    const response = await this.#session.call({
      endpoint: 'namespaceExists',
      operation: 'namespaceExists',
      object: `namespace ${formatNamespace(levels)}`,
      namespace: levels,
      idempotent: true,
      record,
      acceptStatuses: [404],
    });
    return response.status !== 404;
  }

  /** Refuses a key that is both updated and removed before anything is sent. */
  static checkPropertyChanges(levels: Namespace, changes: NamespacePropertyChanges): void {
    const updates = changes.updates ?? {};
    const both = (changes.removals ?? []).filter((key) => Object.hasOwn(updates, key));
    if (both.length > 0) {
      throw new CatalogError(
        'invalid-argument',
        `updateNamespaceProperties namespace ${formatNamespace(levels)}: ` +
          `${both.map((key) => `"${key}"`).join(', ')} both updated and removed; list each key once`,
        { context: { namespace: formatNamespace(levels) } },
      );
    }
  }

  /**
   * Sends the updates and the removals as two requests (updates first), so that neither half is
   * lost: Polaris 1.4 may answer one request carrying both with a 409 after applying it. After a
   * 409 the namespace is reloaded; a change that is in place counts as applied. When the second
   * half fails after the first landed, the error says which part was applied and which failed.
   */
  async updateProperties(
    record: OperationRecord,
    levels: Namespace,
    changes: NamespacePropertyChanges,
  ): Promise<NamespacePropertyChangeReport> {
    const updates = changes.updates ?? {};
    const removals = changes.removals ?? [];
    const hasUpdates = Object.keys(updates).length > 0;
    const hasRemovals = removals.length > 0;
    if (!hasUpdates || !hasRemovals) return this.#sendPropertyChange(record, levels, updates, removals);
    const partFailed = (error: unknown, applied: string, failed: string, what: string): unknown =>
      isCatalogError(error)
        ? new CatalogError(
            error.kind,
            `updateNamespaceProperties namespace ${formatNamespace(levels)}: ${what}: ${error.message}`,
            { retryable: error.retryable, context: { ...error.context, applied, failed }, cause: error },
          )
        : error;
    const updateKeys = Object.keys(updates).join(', ');
    const updated = await this.#sendPropertyChange(record, levels, updates, []).catch((error: unknown) => {
      throw partFailed(
        error,
        'nothing',
        'updates',
        `setting ${updateKeys} failed, so removing ${removals.join(', ')} was not sent`,
      );
    });
    const removed = await this.#sendPropertyChange(record, levels, {}, removals).catch((error: unknown) => {
      throw partFailed(
        error,
        'updates',
        'removals',
        `the updates (${updateKeys}) were applied, but removing ${removals.join(', ')} failed`,
      );
    });
    return { updated: updated.updated, removed: removed.removed, missing: removed.missing };
  }

  async #sendPropertyChange(
    record: OperationRecord,
    levels: Namespace,
    updates: Readonly<Record<string, string>>,
    removals: readonly string[],
  ): Promise<NamespacePropertyChangeReport> {
    const object = `namespace ${formatNamespace(levels)}`;
    let response: HttpResponse;
    try {
      response = await this.#session.call({
        endpoint: 'updateNamespaceProperties',
        operation: 'updateNamespaceProperties',
        object,
        namespace: levels,
        body: { updates, removals },
        // Setting and removing the same keys again converges to the same state.
        idempotent: true,
        record,
      });
    } catch (error) {
      if (!isCatalogError(error, 'commit-conflict')) throw error;
      const { properties } = await this.load(record, levels);
      const applied =
        Object.entries(updates).every(([key, value]) => properties[key] === value) &&
        removals.every((key) => !Object.hasOwn(properties, key));
      if (!applied) throw error;
      // The catalog applied the change and then reported a conflict; which removals were missing
      // before is unknown, so all of them count as removed.
      return { updated: Object.keys(updates), removed: [...removals], missing: [] };
    }
    const wire = this.#session.parse(
      response,
      updateNamespacePropertiesResponseSchema,
      'updateNamespaceProperties',
      object,
      this.#session.baseUri,
    );
    return { updated: wire.updated ?? [], removed: wire.removed ?? [], missing: wire.missing ?? [] };
  }

  async drop(record: OperationRecord, levels: Namespace): Promise<void> {
    await this.#session.call({
      endpoint: 'dropNamespace',
      operation: 'dropNamespace',
      object: `namespace ${formatNamespace(levels)}`,
      namespace: levels,
      idempotent: false,
      record,
    });
  }

  #parse(response: HttpResponse, operation: string, object: string): NamespaceInfo {
    const wire = this.#session.parse(
      response,
      namespaceResponseSchema,
      operation,
      object,
      this.#session.baseUri,
    );
    return { namespace: Object.freeze([...wire.namespace]), properties: { ...wire.properties } };
  }
}
