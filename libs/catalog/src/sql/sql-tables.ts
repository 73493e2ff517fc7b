// Table operations of the SQL catalog: the row in `iceberg_tables` is the pointer to the current
// metadata file, and this module owns both. The commit contract, the same as the REST catalog's:
//
//   1. read the row and the metadata file it points at (no row: `no-such-table`, unless the
//      request asserts create);
//   2. check every requirement against that metadata — a failure is a `commit-conflict`;
//   3. apply the updates with the format library's metadata builder and write the result as the
//      next `<n>-<uuid>.metadata.json` through FileIO (nothing is visible yet);
//   4. compare-and-swap the pointer:
//        UPDATE iceberg_tables SET metadata_location = <new>, previous_metadata_location = <old>
//         WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = <old>
//      1 row  → committed;
//      0 rows → another writer moved the pointer first: `commit-conflict` (retryable; the new
//               file is deleted, no snapshot can reference it);
//      the connection broke after the statement was sent → `commit-state-unknown`: the file is
//               kept, because the swap may have landed; the caller reloads and looks.
//
// PyIceberg's SqlCatalog and Iceberg's JdbcCatalog commit with the same statement, so all three
// can write one table concurrently without lost updates.

import {
  applyUpdates,
  checkRequirements,
  type FileIO,
  newMetadataLocation,
  nextMetadataLocation,
  referencedFiles,
  type TableMetadata,
  tableMetadataToJson,
  tableRequirementsFromJson,
  tableUpdatesFromJson,
} from '@floe/iceberg';
import type {
  CommitTableRequest,
  CommitTableResult,
  CreateTableRequest,
  CreateTableResult,
  DropTableOptions,
  LoadedTable,
  Namespace,
  TableIdentifier,
} from '../catalog.ts';
import type { EndpointId } from '../endpoints.ts';
import { CatalogError } from '../errors.ts';
import { formatTable } from '../identifiers.ts';
import type { JsonObject } from '../internal/json-shapes.ts';
import { TABLES, tablesOnly } from './jdbc-schema.ts';
import { newTableMetadata, readMetadataFile, writeMetadataFile } from './metadata-files.ts';
import { isSqlFailure, SqlError } from './sql-connection.ts';
import { fromDriverFailure, type SqlFailureFacts, sqlCatalogError } from './sql-errors.ts';
import { namespaceKey, type SqlCatalogContext, type SqlNamespaces } from './sql-namespaces.ts';

const PURGE_CONCURRENCY = 8;

export interface SqlTablesOptions {
  /** Where tables without an explicit location go: `<warehouse>/<ns levels>/<table>`. */
  readonly warehouse: string;
  /** The FileIO for a location (the catalog's storage properties applied). */
  readonly ioFor: (location: string) => FileIO;
}

interface TableRow {
  readonly metadataLocation: string;
}

export class SqlTables {
  readonly #ctx: SqlCatalogContext;
  readonly #namespaces: SqlNamespaces;
  readonly #options: SqlTablesOptions;

  constructor(ctx: SqlCatalogContext, namespaces: SqlNamespaces, options: SqlTablesOptions) {
    this.#ctx = ctx;
    this.#namespaces = namespaces;
    this.#options = options;
  }

  #facts(endpoint: EndpointId, operation: string, id: TableIdentifier): SqlFailureFacts {
    return {
      endpoint,
      operation,
      object: `table ${formatTable(id)}`,
      database: this.#ctx.connection.displayName,
    };
  }

  async #row(id: TableIdentifier): Promise<TableRow | undefined> {
    const rows = await this.#ctx.connection.query(
      `SELECT metadata_location FROM ${TABLES} WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?${tablesOnly(this.#ctx.schema)}`,
      [this.#ctx.catalogName, namespaceKey(id.namespace), id.name],
    );
    const location = rows[0]?.['metadata_location'];
    if (rows.length === 0) return undefined;
    if (typeof location !== 'string' || location === '') {
      throw new CatalogError(
        'invalid-response',
        `table ${formatTable(id)} has no metadata_location in the SQL catalog ${this.#ctx.connection.displayName}; ` +
          'register it again with its current metadata file (floe table register)',
        { context: { table: formatTable(id) } },
      );
    }
    return { metadataLocation: location };
  }

  async list(namespace: Namespace): Promise<TableIdentifier[]> {
    await this.#namespaces.requireExists(
      namespace,
      this.#namespaces.facts('listTables', 'listTables', namespace),
    );
    const rows = await this.#ctx.connection.query(
      `SELECT table_name FROM ${TABLES} WHERE catalog_name = ? AND table_namespace = ?${tablesOnly(this.#ctx.schema)} ORDER BY table_name`,
      [this.#ctx.catalogName, namespaceKey(namespace)],
    );
    return rows.map((row) => Object.freeze({ namespace, name: String(row['table_name']) }));
  }

  async exists(id: TableIdentifier): Promise<boolean> {
    return (await this.#row(id)) !== undefined;
  }

  async load(id: TableIdentifier, operation = 'loadTable'): Promise<LoadedTable> {
    const facts = this.#facts('loadTable', operation, id);
    const row = await this.#row(id);
    if (row === undefined) throw sqlCatalogError(facts, 404, `no table ${formatTable(id)}`);
    return this.#loadedFrom(id, row.metadataLocation, facts);
  }

  async #loadedFrom(
    id: TableIdentifier,
    metadataLocation: string,
    facts: SqlFailureFacts,
  ): Promise<LoadedTable> {
    let json: JsonObject;
    try {
      json = (await readMetadataFile(this.#options.ioFor(metadataLocation), metadataLocation)).json;
    } catch (error) {
      throw fromDriverFailure(facts, error);
    }
    return this.#loaded(id, metadataLocation, json);
  }

  async create(id: TableIdentifier, request: CreateTableRequest): Promise<CreateTableResult> {
    const facts = this.#facts('createTable', 'createTable', id);
    // Like the JDBC catalog behind Iceberg's REST server, a table may be created in a namespace
    // nobody created: its row makes the namespace exist (writers create tables from data).
    if (await this.exists(id)) throw sqlCatalogError(facts, 409, `table ${formatTable(id)} exists`);
    const location = trimSlash(request.location ?? this.#defaultLocation(id));
    let metadata: TableMetadata;
    try {
      metadata = newTableMetadata(request, location);
    } catch (error) {
      throw sqlCatalogError(facts, 400, error instanceof Error ? error.message : String(error));
    }
    if (request.stageCreate === true) {
      return { ...this.#loaded(id, undefined, tableMetadataToJson(metadata) as JsonObject), created: true };
    }
    const metadataLocation = newMetadataLocation(location, 0, { properties: metadata.properties });
    const io = this.#options.ioFor(metadataLocation);
    let json: JsonObject;
    try {
      json = await writeMetadataFile(io, metadataLocation, metadata);
      await this.#insert(id, metadataLocation);
    } catch (error) {
      await io.delete(metadataLocation).catch(() => undefined);
      if (isSqlFailure(error, 'duplicate'))
        throw sqlCatalogError(facts, 409, `table ${formatTable(id)} exists`);
      throw fromDriverFailure(facts, error);
    }
    return { ...this.#loaded(id, metadataLocation, json), created: true };
  }

  async register(id: TableIdentifier, metadataLocation: string, overwrite: boolean): Promise<LoadedTable> {
    const facts = this.#facts('registerTable', 'registerTable', id);
    await this.#namespaces.requireExists(id.namespace, facts);
    const loaded = await this.#loadedFrom(id, metadataLocation, facts);
    try {
      const existing = overwrite ? await this.#row(id) : undefined;
      if (existing === undefined) await this.#insert(id, metadataLocation);
      else await this.#swap(id, existing.metadataLocation, metadataLocation);
    } catch (error) {
      if (isSqlFailure(error, 'duplicate'))
        throw sqlCatalogError(facts, 409, `table ${formatTable(id)} exists`);
      throw fromDriverFailure(facts, error);
    }
    return loaded;
  }

  async rename(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    const facts = this.#facts('renameTable', 'renameTable', from);
    await this.#namespaces.requireExists(to.namespace, this.#facts('createTable', 'renameTable', to));
    let changed: number;
    try {
      changed = await this.#ctx.connection.execute(
        `UPDATE ${TABLES} SET table_namespace = ?, table_name = ? WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?${tablesOnly(this.#ctx.schema)}`,
        [namespaceKey(to.namespace), to.name, this.#ctx.catalogName, namespaceKey(from.namespace), from.name],
      );
    } catch (error) {
      if (isSqlFailure(error, 'duplicate'))
        throw sqlCatalogError(facts, 409, `table ${formatTable(to)} exists`);
      throw fromDriverFailure(facts, error);
    }
    if (changed === 0) throw sqlCatalogError(facts, 404, `no table ${formatTable(from)}`);
  }

  async drop(id: TableIdentifier, options: DropTableOptions): Promise<void> {
    const facts = this.#facts('dropTable', 'dropTable', id);
    const row = await this.#row(id);
    if (row === undefined) throw sqlCatalogError(facts, 404, `no table ${formatTable(id)}`);
    // Read what to purge before the pointer goes away; the pointer goes first, so a reader never
    // finds a table whose files are half deleted.
    const io = this.#options.ioFor(row.metadataLocation);
    const metadata =
      options.purge === true ? (await readMetadataFile(io, row.metadataLocation)).metadata : undefined;
    const changed = await this.#ctx.connection.execute(
      `DELETE FROM ${TABLES} WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?`,
      [this.#ctx.catalogName, namespaceKey(id.namespace), id.name, row.metadataLocation],
    );
    if (changed === 0)
      throw sqlCatalogError(
        this.#facts('commitTable', 'dropTable', id),
        409,
        'the table changed while it was dropped',
      );
    if (metadata !== undefined) {
      const files = await referencedFiles({
        io,
        metadata,
        metadataLocation: row.metadataLocation,
        concurrency: PURGE_CONCURRENCY,
      });
      await io.deleteMany(files, { concurrency: PURGE_CONCURRENCY });
    }
  }

  async commit(id: TableIdentifier, request: CommitTableRequest): Promise<CommitTableResult> {
    const facts = this.#facts('commitTable', 'commitTable', id);
    let requirements: ReturnType<typeof tableRequirementsFromJson>;
    let updates: ReturnType<typeof tableUpdatesFromJson>;
    try {
      requirements = tableRequirementsFromJson(request.requirements);
      updates = tableUpdatesFromJson(request.updates);
    } catch (error) {
      throw sqlCatalogError(facts, 400, error instanceof Error ? error.message : String(error));
    }
    const row = await this.#row(id);
    if (row === undefined && !requirements.some((r) => r.type === 'assert-create')) {
      throw sqlCatalogError(facts, 404, `no table ${formatTable(id)}`);
    }
    let base: TableMetadata | undefined;
    try {
      base =
        row === undefined
          ? undefined
          : (await readMetadataFile(this.#options.ioFor(row.metadataLocation), row.metadataLocation))
              .metadata;
    } catch (error) {
      throw fromDriverFailure(facts, error);
    }
    const failures = checkRequirements(base, requirements);
    if (failures.length > 0) {
      throw sqlCatalogError(facts, 409, failures.map((f) => `${f.requirement.type}: ${f.reason}`).join('; '));
    }
    let next: TableMetadata;
    try {
      next = applyUpdates(
        base,
        updates,
        row === undefined ? {} : { previousMetadataLocation: row.metadataLocation },
      );
    } catch (error) {
      throw sqlCatalogError(facts, 400, error instanceof Error ? error.message : String(error));
    }
    const location = nextMetadataLocation(next.location, row?.metadataLocation, {
      properties: next.properties,
      metadataLogLength: base?.metadataLog.length ?? 0,
    });
    const io = this.#options.ioFor(location);
    let json: JsonObject;
    try {
      json = await writeMetadataFile(io, location, next);
    } catch (error) {
      await io.delete(location).catch(() => undefined);
      throw fromDriverFailure(facts, error);
    }
    let swapped: boolean;
    try {
      if (row === undefined) {
        await this.#insert(id, location);
        swapped = true;
      } else {
        swapped = await this.#swap(id, row.metadataLocation, location);
      }
    } catch (error) {
      if (error instanceof SqlError && error.failure === 'lost') throw fromDriverFailure(facts, error, true);
      await io.delete(location).catch(() => undefined);
      if (isSqlFailure(error, 'duplicate'))
        throw sqlCatalogError(facts, 409, 'the table was created concurrently');
      throw fromDriverFailure(facts, error);
    }
    if (!swapped) {
      await io.delete(location).catch(() => undefined);
      throw sqlCatalogError(
        facts,
        409,
        'the table has been updated by another process (metadata_location moved)',
      );
    }
    return { metadataLocation: location, metadata: json };
  }

  async #insert(id: TableIdentifier, metadataLocation: string): Promise<void> {
    const typed = this.#ctx.schema.hasIcebergType;
    await this.#ctx.connection.execute(
      `INSERT INTO ${TABLES} (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location${typed ? ', iceberg_type' : ''}) ` +
        `VALUES (?, ?, ?, ?, NULL${typed ? ", 'TABLE'" : ''})`,
      [this.#ctx.catalogName, namespaceKey(id.namespace), id.name, metadataLocation],
    );
  }

  /** The compare-and-swap of the module header; true when this call moved the pointer. */
  async #swap(id: TableIdentifier, expected: string, next: string): Promise<boolean> {
    const changed = await this.#ctx.connection.execute(
      `UPDATE ${TABLES} SET metadata_location = ?, previous_metadata_location = ? ` +
        'WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND metadata_location = ?',
      [next, expected, this.#ctx.catalogName, namespaceKey(id.namespace), id.name, expected],
    );
    return changed === 1;
  }

  #loaded(id: TableIdentifier, metadataLocation: string | undefined, metadata: JsonObject): LoadedTable {
    return {
      identifier: id,
      metadataLocation,
      metadata,
      config: {},
      storageCredentials: [],
      etag: undefined,
    };
  }

  #defaultLocation(id: TableIdentifier): string {
    return [trimSlash(this.#options.warehouse), ...id.namespace, id.name].join('/');
  }
}

function trimSlash(location: string): string {
  return location.replace(/\/+$/, '');
}
