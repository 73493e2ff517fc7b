// Namespace operations of the SQL catalog, in the JDBC-catalog layout (jdbc-schema.ts): a
// namespace exists when a property row or a table names it or one of its descendants, children
// are derived from the dotted names, and properties are rows. Multi-row changes run in one
// transaction.

import type {
  CreateNamespaceOptions,
  CreateNamespaceResult,
  Namespace,
  NamespaceInfo,
  NamespacePropertyChangeReport,
  NamespacePropertyChanges,
} from '../catalog.ts';
import { CatalogError } from '../errors.ts';
import { formatNamespace } from '../identifiers.ts';
import {
  type CatalogSchemaInfo,
  descendantsPattern,
  NAMESPACE_EXISTS_PROPERTY,
  NAMESPACE_PROPERTIES,
  TABLES,
  tablesOnly,
} from './jdbc-schema.ts';
import { isSqlFailure, type SqlConnection, type SqlExecutor } from './sql-connection.ts';
import { type SqlFailureFacts, sqlCatalogError } from './sql-errors.ts';

export interface SqlCatalogContext {
  readonly connection: SqlConnection;
  readonly catalogName: string;
  readonly schema: CatalogSchemaInfo;
}

/** A namespace as stored: levels joined by '.'; a level holding '.' cannot be stored unambiguously. */
export function namespaceKey(namespace: Namespace): string {
  for (const level of namespace) {
    if (level.includes('.')) {
      throw new CatalogError(
        'invalid-argument',
        `namespace level "${level}" contains a dot, which the SQL catalog (JDBC layout) cannot store; rename the level`,
        { context: { namespace: namespace.join('.') } },
      );
    }
  }
  return namespace.join('.');
}

export class SqlNamespaces {
  readonly #ctx: SqlCatalogContext;

  constructor(ctx: SqlCatalogContext) {
    this.#ctx = ctx;
  }

  facts(endpoint: SqlFailureFacts['endpoint'], operation: string, namespace: Namespace): SqlFailureFacts {
    return {
      endpoint,
      operation,
      object:
        operation === 'listTables'
          ? `tables in ${formatNamespace(namespace)}`
          : `namespace ${formatNamespace(namespace)}`,
      database: this.#ctx.connection.displayName,
    };
  }

  async exists(namespace: Namespace, db: SqlExecutor = this.#ctx.connection): Promise<boolean> {
    const key = namespaceKey(namespace);
    const pattern = descendantsPattern(key);
    const { catalogName, schema } = this.#ctx;
    const tables = await db.query(
      `SELECT 1 AS found FROM ${TABLES} WHERE catalog_name = ? AND (table_namespace = ? OR table_namespace LIKE ? ESCAPE '!')${tablesOnly(schema)} LIMIT 1`,
      [catalogName, key, pattern],
    );
    if (tables.length > 0) return true;
    const properties = await db.query(
      `SELECT 1 AS found FROM ${NAMESPACE_PROPERTIES} WHERE catalog_name = ? AND (namespace = ? OR namespace LIKE ? ESCAPE '!') LIMIT 1`,
      [catalogName, key, pattern],
    );
    return properties.length > 0;
  }

  async requireExists(
    namespace: Namespace,
    facts: SqlFailureFacts,
    db: SqlExecutor = this.#ctx.connection,
  ): Promise<void> {
    if (!(await this.exists(namespace, db))) {
      throw sqlCatalogError(facts, 404, `no namespace ${formatNamespace(namespace)}`);
    }
  }

  async list(parent: Namespace | undefined): Promise<Namespace[]> {
    const prefix = parent ?? [];
    if (parent !== undefined)
      await this.requireExists(parent, this.facts('listNamespaces', 'listNamespaces', parent));
    const { catalogName, schema } = this.#ctx;
    const rows = await this.#ctx.connection.query(
      `SELECT table_namespace AS ns FROM ${TABLES} WHERE catalog_name = ?${tablesOnly(schema)} ` +
        `UNION SELECT namespace AS ns FROM ${NAMESPACE_PROPERTIES} WHERE catalog_name = ?`,
      [catalogName, catalogName],
    );
    const children = new Map<string, Namespace>();
    for (const row of rows) {
      const levels = String(row['ns']).split('.');
      if (levels.length <= prefix.length || prefix.some((level, i) => levels[i] !== level)) continue;
      const child = levels.slice(0, prefix.length + 1);
      children.set(child.join('.'), Object.freeze(child));
    }
    return [...children.values()].sort((a, b) => (a.join('.') < b.join('.') ? -1 : 1));
  }

  async create(
    namespace: Namespace,
    properties: Readonly<Record<string, string>>,
    options: CreateNamespaceOptions,
  ): Promise<CreateNamespaceResult> {
    const facts = this.facts('createNamespace', 'createNamespace', namespace);
    try {
      return await this.#create(namespace, properties, options, facts);
    } catch (error) {
      // Another process created it between our check and our insert.
      if (!isSqlFailure(error, 'duplicate')) throw error;
      if (options.strict === true)
        throw sqlCatalogError(facts, 409, `namespace ${formatNamespace(namespace)} exists`);
      return { ...(await this.load(namespace)), created: false };
    }
  }

  async #create(
    namespace: Namespace,
    properties: Readonly<Record<string, string>>,
    options: CreateNamespaceOptions,
    facts: SqlFailureFacts,
  ): Promise<CreateNamespaceResult> {
    return this.#ctx.connection.transaction(async (tx) => {
      if (await this.exists(namespace, tx)) {
        if (options.strict === true)
          throw sqlCatalogError(facts, 409, `namespace ${formatNamespace(namespace)} exists`);
        return { ...(await this.load(namespace, tx)), created: false };
      }
      if (options.createParents !== false) {
        for (let depth = 1; depth < namespace.length; depth++) {
          const parent = namespace.slice(0, depth);
          if (!(await this.exists(parent, tx))) await this.#insertProperties(tx, parent, {});
        }
      } else if (namespace.length > 1 && !(await this.exists(namespace.slice(0, -1), tx))) {
        throw sqlCatalogError(
          this.facts('listNamespaces', 'createNamespace', namespace.slice(0, -1)),
          404,
          'the parent namespace is missing and createParents is false',
        );
      }
      await this.#insertProperties(tx, namespace, properties);
      return { namespace, properties: { ...withExistsMarker(properties) }, created: true };
    });
  }

  async load(namespace: Namespace, db: SqlExecutor = this.#ctx.connection): Promise<NamespaceInfo> {
    await this.requireExists(namespace, this.facts('loadNamespace', 'loadNamespace', namespace), db);
    return { namespace, properties: await this.#properties(db, namespace) };
  }

  async updateProperties(
    namespace: Namespace,
    changes: NamespacePropertyChanges,
  ): Promise<NamespacePropertyChangeReport> {
    const facts = this.facts('updateNamespaceProperties', 'updateNamespaceProperties', namespace);
    const updates = changes.updates ?? {};
    const removals = changes.removals ?? [];
    const both = removals.filter((key) => Object.hasOwn(updates, key));
    if (both.length > 0) throw sqlCatalogError(facts, 422, `keys ${both.join(', ')} are in both`);
    const key = namespaceKey(namespace);
    return this.#ctx.connection.transaction(async (tx) => {
      await this.requireExists(namespace, facts, tx);
      const current = await this.#properties(tx, namespace);
      const removed = removals.filter((k) => Object.hasOwn(current, k));
      const missing = removals.filter((k) => !Object.hasOwn(current, k));
      for (const property of [...removed, ...Object.keys(updates)]) {
        await tx.execute(
          `DELETE FROM ${NAMESPACE_PROPERTIES} WHERE catalog_name = ? AND namespace = ? AND property_key = ?`,
          [this.#ctx.catalogName, key, property],
        );
      }
      await this.#insertRows(tx, key, updates);
      return { updated: Object.keys(updates), removed, missing };
    });
  }

  async drop(namespace: Namespace): Promise<void> {
    const facts = this.facts('dropNamespace', 'dropNamespace', namespace);
    const key = namespaceKey(namespace);
    await this.#ctx.connection.transaction(async (tx) => {
      await this.requireExists(namespace, facts, tx);
      const { catalogName, schema } = this.#ctx;
      const tables = await tx.query(
        `SELECT 1 AS found FROM ${TABLES} WHERE catalog_name = ? AND (table_namespace = ? OR table_namespace LIKE ? ESCAPE '!')${tablesOnly(schema)} LIMIT 1`,
        [catalogName, key, descendantsPattern(key)],
      );
      const children = await tx.query(
        `SELECT 1 AS found FROM ${NAMESPACE_PROPERTIES} WHERE catalog_name = ? AND namespace LIKE ? ESCAPE '!' LIMIT 1`,
        [catalogName, descendantsPattern(key)],
      );
      if (tables.length > 0 || children.length > 0) {
        throw sqlCatalogError(facts, 409, 'it still holds tables or child namespaces');
      }
      await tx.execute(`DELETE FROM ${NAMESPACE_PROPERTIES} WHERE catalog_name = ? AND namespace = ?`, [
        catalogName,
        key,
      ]);
    });
  }

  async #properties(db: SqlExecutor, namespace: Namespace): Promise<Record<string, string>> {
    const rows = await db.query(
      `SELECT property_key, property_value FROM ${NAMESPACE_PROPERTIES} WHERE catalog_name = ? AND namespace = ?`,
      [this.#ctx.catalogName, namespaceKey(namespace)],
    );
    const properties: Record<string, string> = {};
    for (const row of rows) properties[String(row['property_key'])] = String(row['property_value'] ?? '');
    return properties;
  }

  async #insertProperties(
    tx: SqlExecutor,
    namespace: Namespace,
    properties: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.#insertRows(tx, namespaceKey(namespace), withExistsMarker(properties));
  }

  async #insertRows(
    tx: SqlExecutor,
    key: string,
    properties: Readonly<Record<string, string>>,
  ): Promise<void> {
    for (const [property, value] of Object.entries(properties)) {
      await tx.execute(
        `INSERT INTO ${NAMESPACE_PROPERTIES} (catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)`,
        [this.#ctx.catalogName, key, property, value],
      );
    }
  }
}

/** A namespace created without properties still needs one row to exist (`exists=true`). */
function withExistsMarker(properties: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return Object.keys(properties).length > 0 ? properties : { [NAMESPACE_EXISTS_PROPERTY]: 'true' };
}
