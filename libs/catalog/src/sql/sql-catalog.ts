// `SqlCatalog`: the `Catalog` interface over a SQL database in the JDBC-catalog layout — the
// embedded SQLite file for one machine, PostgreSQL for a team — read and written alike by
// PyIceberg's SqlCatalog and Iceberg's JdbcCatalog (jdbc-schema.ts). The database holds only
// names, namespace properties and each table's metadata pointer; metadata files are written by
// the catalog itself through FileIO (local `file://` or S3). Every public method is one observed
// operation, like the REST client's: one span, one log line, structured `CatalogError`s.

import { fileURLToPath } from 'node:url';
import { type FileIO, fileIOFor } from '@floe/iceberg';
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
  Namespace,
  NamespaceInfo,
  NamespaceInput,
  NamespacePropertyChangeReport,
  NamespacePropertyChanges,
  RegisterTableOptions,
  TableIdentifier,
  TableIdentifierInput,
} from '../catalog.ts';
import { CatalogError, isCatalogError } from '../errors.ts';
import { formatNamespace, formatTable, toNamespace, toTableIdentifier } from '../identifiers.ts';
import { type CatalogLogger, type OperationFacts, observeOperation } from '../telemetry.ts';
import type { S3Credentials, VendedCredentialsProvider } from '../vended-credentials.ts';
import { ensureCatalogTables } from './jdbc-schema.ts';
import { PostgresConnection } from './postgres-connection.ts';
import type { SqlConnection } from './sql-connection.ts';
import { fromDriverFailure } from './sql-errors.ts';
import { type SqlCatalogContext, SqlNamespaces } from './sql-namespaces.ts';
import { SqlTables } from './sql-tables.ts';
import { SqliteConnection } from './sqlite-connection.ts';

/** The catalog name PyIceberg and JdbcCatalog must be given to see floe's tables. */
export const DEFAULT_SQL_CATALOG_NAME = 'floe';

export interface SqlCatalogOptions {
  /**
   * The database, in SQLAlchemy's URL form so PyIceberg can be given the same string:
   * `sqlite:////abs/path/catalog.db` (or `sqlite:///relative.db`, a plain path, a `file://` URI),
   * or `postgresql://user:password@host:5432/database`.
   */
  readonly uri: string;
  /** Where new tables go without an explicit location: `file:///…` or `s3://bucket/prefix`. */
  readonly warehouse: string;
  /** The `catalog_name` of every row (default `floe`); one database can hold several catalogs. */
  readonly name?: string;
  /** FileIO properties (`s3.endpoint`, `s3.access-key-id`, …) for metadata files on S3. */
  readonly properties?: Readonly<Record<string, string>>;
  readonly logger?: CatalogLogger;
}

interface Ready {
  readonly namespaces: SqlNamespaces;
  readonly tables: SqlTables;
}

export class SqlCatalog implements Catalog {
  readonly name: string;
  readonly #connection: SqlConnection;
  readonly #options: SqlCatalogOptions;
  readonly #io = new Map<string, FileIO>();
  #ready: Promise<Ready> | undefined;

  constructor(options: SqlCatalogOptions) {
    if (options.warehouse.trim() === '') {
      throw new CatalogError(
        'invalid-config',
        'catalog.warehouse is empty; give the folder or bucket for new tables, e.g. file:///var/lib/floe/warehouse',
      );
    }
    this.#options = options;
    this.#connection = openConnection(options.uri);
    this.name = options.name ?? DEFAULT_SQL_CATALOG_NAME;
  }

  /** The database as shown in logs: the SQLite file, or the PostgreSQL server without credentials. */
  get database(): string {
    return this.#connection.displayName;
  }

  #init(): Promise<Ready> {
    this.#ready ??= ensureCatalogTables(this.#connection).then(
      (schema) => {
        const ctx: SqlCatalogContext = { connection: this.#connection, catalogName: this.name, schema };
        const namespaces = new SqlNamespaces(ctx);
        const tables = new SqlTables(ctx, namespaces, {
          warehouse: this.#options.warehouse,
          ioFor: (location) => this.#ioFor(location),
        });
        return { namespaces, tables };
      },
      (error: unknown) => {
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  #ioFor(location: string): FileIO {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location)?.[1]?.toLowerCase() ?? 'file';
    let io = this.#io.get(scheme);
    if (io === undefined) {
      io = fileIOFor(location, this.#options.properties ?? {});
      this.#io.set(scheme, io);
    }
    return io;
  }

  async #observe<T>(
    facts: Omit<OperationFacts, 'catalogUri'>,
    run: (ready: Ready) => Promise<T>,
  ): Promise<T> {
    return observeOperation(this.#options.logger, { ...facts, catalogUri: this.database }, async (record) => {
      record.attempts = 1;
      const ready = await this.#init().catch((error: unknown) => {
        if (isCatalogError(error)) throw error;
        throw new CatalogError(
          'service-unavailable',
          `${facts.operation} failed: cannot open the SQL catalog ${this.database} (${error instanceof Error ? error.message : String(error)}); check catalog.uri and that the database is up`,
          { cause: error, context: { operation: facts.operation, database: this.database } },
        );
      });
      try {
        return await run(ready);
      } catch (error) {
        if (isCatalogError(error)) throw error;
        throw fromDriverFailure(
          {
            endpoint: 'getConfig',
            operation: facts.operation,
            object: facts.table ?? facts.namespace ?? 'catalog',
            database: this.database,
          },
          error,
        );
      }
    });
  }

  // ---- namespaces -------------------------------------------------------------------------

  listNamespaces(parent?: NamespaceInput): Promise<Namespace[]> {
    const levels = parent === undefined ? undefined : toNamespace(parent);
    const facts = levels === undefined ? {} : { namespace: formatNamespace(levels) };
    return this.#observe({ operation: 'listNamespaces', ...facts }, (r) => r.namespaces.list(levels));
  }

  createNamespace(
    namespace: NamespaceInput,
    properties: Readonly<Record<string, string>> = {},
    options: CreateNamespaceOptions = {},
  ): Promise<CreateNamespaceResult> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'createNamespace', namespace: formatNamespace(levels) }, (r) =>
      r.namespaces.create(levels, properties, options),
    );
  }

  loadNamespace(namespace: NamespaceInput): Promise<NamespaceInfo> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'loadNamespace', namespace: formatNamespace(levels) }, (r) =>
      r.namespaces.load(levels),
    );
  }

  namespaceExists(namespace: NamespaceInput): Promise<boolean> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'namespaceExists', namespace: formatNamespace(levels) }, (r) =>
      r.namespaces.exists(levels),
    );
  }

  updateNamespaceProperties(
    namespace: NamespaceInput,
    changes: NamespacePropertyChanges,
  ): Promise<NamespacePropertyChangeReport> {
    const levels = toNamespace(namespace);
    return this.#observe(
      { operation: 'updateNamespaceProperties', namespace: formatNamespace(levels) },
      (r) => r.namespaces.updateProperties(levels, changes),
    );
  }

  dropNamespace(namespace: NamespaceInput): Promise<void> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'dropNamespace', namespace: formatNamespace(levels) }, (r) =>
      r.namespaces.drop(levels),
    );
  }

  // ---- tables -----------------------------------------------------------------------------

  listTables(namespace: NamespaceInput): Promise<TableIdentifier[]> {
    const levels = toNamespace(namespace);
    return this.#observe({ operation: 'listTables', namespace: formatNamespace(levels) }, (r) =>
      r.tables.list(levels),
    );
  }

  createTable(table: TableIdentifierInput, request: CreateTableRequest): Promise<CreateTableResult> {
    const id = toTableIdentifier(table);
    return this.#observe({ operation: 'createTable', table: formatTable(id) }, (r) =>
      r.tables.create(id, request),
    );
  }

  async createTableIfNotExists(
    table: TableIdentifierInput,
    request: CreateTableRequest,
  ): Promise<CreateTableResult> {
    try {
      return await this.createTable(table, request);
    } catch (error) {
      if (!isCatalogError(error, 'table-already-exists')) throw error;
      return { ...(await this.loadTable(table)), created: false };
    }
  }

  loadTable(table: TableIdentifierInput): Promise<LoadedTable> {
    const id = toTableIdentifier(table);
    return this.#observe({ operation: 'loadTable', table: formatTable(id) }, (r) => r.tables.load(id));
  }

  tableExists(table: TableIdentifierInput): Promise<boolean> {
    const id = toTableIdentifier(table);
    return this.#observe({ operation: 'tableExists', table: formatTable(id) }, (r) => r.tables.exists(id));
  }

  registerTable(
    table: TableIdentifierInput,
    metadataLocation: string,
    options: RegisterTableOptions = {},
  ): Promise<LoadedTable> {
    const id = toTableIdentifier(table);
    return this.#observe({ operation: 'registerTable', table: formatTable(id) }, (r) =>
      r.tables.register(id, metadataLocation, options.overwrite === true),
    );
  }

  renameTable(from: TableIdentifierInput, to: TableIdentifierInput): Promise<void> {
    const source = toTableIdentifier(from);
    const target = toTableIdentifier(to);
    return this.#observe({ operation: 'renameTable', table: formatTable(source) }, (r) =>
      r.tables.rename(source, target),
    );
  }

  dropTable(table: TableIdentifierInput, options: DropTableOptions = {}): Promise<void> {
    const id = toTableIdentifier(table);
    return this.#observe({ operation: 'dropTable', table: formatTable(id) }, (r) =>
      r.tables.drop(id, options),
    );
  }

  commitTable(table: TableIdentifierInput, request: CommitTableRequest): Promise<CommitTableResult> {
    const id = toTableIdentifier(table);
    return this.#observe({ operation: 'commitTable', table: formatTable(id) }, (r) =>
      r.tables.commit(id, request),
    );
  }

  /** A SQL catalog vends no credentials: table IO uses the storage section's own. */
  credentialsFor(table: TableIdentifierInput): VendedCredentialsProvider {
    const shown = formatTable(toTableIdentifier(table));
    return {
      resolve: async () => undefined,
      awsCredentialProvider: async (): Promise<S3Credentials> => {
        throw new CatalogError(
          'invalid-config',
          `table ${shown}: the SQL catalog vends no storage credentials; set catalog.access_delegation to none ` +
            'and give storage.access_key_id/secret_access_key (or the AWS default chain)',
        );
      },
      fetchCount: 0,
    };
  }

  async close(): Promise<void> {
    await this.#ready?.catch(() => undefined);
    await this.#connection.close();
  }
}

/** The connection for a catalog URI (see `SqlCatalogOptions.uri`). */
export function openConnection(uri: string): SqlConnection {
  const scheme = /^([a-zA-Z][a-zA-Z0-9.-]*)(?:\+[a-zA-Z0-9]+)?:/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'postgresql' || scheme === 'postgres') {
    return new PostgresConnection(uri.replace(/^[a-zA-Z]+\+[a-zA-Z0-9]+:/, 'postgresql:'));
  }
  if (scheme === 'sqlite') {
    // SQLAlchemy: sqlite:///relative.db, sqlite:////absolute/path.db, sqlite:// for memory.
    const rest = uri.replace(/^sqlite(?:\+[a-zA-Z0-9]+)?:\/\//i, '');
    if (rest === '' || rest === '/:memory:') return new SqliteConnection(':memory:');
    return new SqliteConnection(rest.slice(1));
  }
  if (scheme === 'file') return new SqliteConnection(fileURLToPath(uri));
  if (scheme === undefined && uri.trim() !== '') return new SqliteConnection(uri);
  throw new CatalogError(
    'invalid-config',
    `catalog.uri '${scheme === undefined ? uri : `${scheme}:…`}' is not a SQL catalog database; write ` +
      'sqlite:////absolute/path/catalog.db (embedded) or postgresql://user:password@host:5432/database',
  );
}
