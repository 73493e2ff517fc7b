// The `Catalog` contract: what the rest of floe may ask of an Iceberg catalog — namespaces,
// tables and the atomic commit. `RestCatalog` is the implementation (Iceberg REST, Polaris);
// writers, the CLI and tests depend on this interface only. Table metadata is handed back as
// the parsed wire JSON (BigInt-safe: snapshot ids stay exact) so that the format library can
// turn it into its domain form; requests take wire-form JSON for schema, spec, order, updates
// and requirements for the same reason.

import type { TableIdentifier } from '@floe/iceberg';
import type { JsonObject } from './internal/json-shapes.ts';
import type { StorageCredentials, VendedCredentialsProvider } from './vended-credentials.ts';

/** Namespace levels, outermost first: `['bronze', 'raw']`. */
export type Namespace = readonly string[];

/** A namespace as users write it: levels, or one dotted string (`'bronze.raw'`). */
export type NamespaceInput = string | Namespace;

/** The one table identifier type, defined by @floe/iceberg (the bottom of the graph). */
export type { TableIdentifier };

/** A table as users write it: an identifier, or one dotted string whose last part is the name. */
export type TableIdentifierInput = string | TableIdentifier;

export interface NamespaceInfo {
  readonly namespace: Namespace;
  readonly properties: Readonly<Record<string, string>>;
}

export interface CreateNamespaceOptions {
  /** Create missing parents of a nested namespace first (default true). */
  readonly createParents?: boolean;
  /** Fail with `namespace-already-exists` instead of succeeding when it exists (default false). */
  readonly strict?: boolean;
}

export interface CreateNamespaceResult extends NamespaceInfo {
  /** false when the namespace already existed (non-strict create). */
  readonly created: boolean;
}

export interface NamespacePropertyChanges {
  readonly updates?: Readonly<Record<string, string>>;
  readonly removals?: readonly string[];
}

export interface NamespacePropertyChangeReport {
  readonly updated: readonly string[];
  readonly removed: readonly string[];
  /** Removals asked for that the namespace did not have. */
  readonly missing: readonly string[];
}

export interface CreateTableRequest {
  /** Iceberg schema, JSON wire form (`{ type: 'struct', 'schema-id', fields }`). */
  readonly schema: JsonObject;
  /** Partition spec, JSON wire form; absent = unpartitioned. */
  readonly partitionSpec?: JsonObject;
  /** Sort order, JSON wire form; absent = unsorted. */
  readonly writeOrder?: JsonObject;
  readonly properties?: Readonly<Record<string, string>>;
  readonly location?: string;
  readonly stageCreate?: boolean;
}

/** What a load, create or register returns. */
export interface LoadedTable {
  readonly identifier: TableIdentifier;
  readonly metadataLocation: string | undefined;
  /** Table metadata as parsed wire JSON; longs beyond 2^53 are `bigint`. */
  readonly metadata: JsonObject;
  /** Table-level configuration from the catalog (may carry vended `s3.*` credentials). */
  readonly config: Readonly<Record<string, string>>;
  /** Vended storage credentials by location prefix. */
  readonly storageCredentials: readonly StorageCredentials[];
  /** The response's ETag, used to revalidate the cached copy on the next load. */
  readonly etag: string | undefined;
}

export interface CreateTableResult extends LoadedTable {
  /** false when create-if-not-exists found the table already there. */
  readonly created: boolean;
}

export interface RegisterTableOptions {
  readonly overwrite?: boolean;
}

export interface DropTableOptions {
  /** Ask the catalog to delete data and metadata files too. */
  readonly purge?: boolean;
}

/** Requirements and updates in their JSON wire form (`{ type: 'assert-ref-snapshot-id', … }`). */
export interface CommitTableRequest {
  readonly requirements: readonly JsonObject[];
  readonly updates: readonly JsonObject[];
}

export interface CommitTableResult {
  readonly metadataLocation: string;
  readonly metadata: JsonObject;
}

export interface LoadTableOptions {
  /** `all` (default) or `refs` — the REST `snapshots` query parameter. */
  readonly snapshots?: 'all' | 'refs';
  /** Skip the ETag revalidation and fetch a fresh copy. */
  readonly bypassCache?: boolean;
}

export interface Catalog {
  /** Name for logs and errors (defaults to the catalog URI). */
  readonly name: string;

  listNamespaces(parent?: NamespaceInput): Promise<Namespace[]>;
  createNamespace(
    namespace: NamespaceInput,
    properties?: Readonly<Record<string, string>>,
    options?: CreateNamespaceOptions,
  ): Promise<CreateNamespaceResult>;
  loadNamespace(namespace: NamespaceInput): Promise<NamespaceInfo>;
  namespaceExists(namespace: NamespaceInput): Promise<boolean>;
  updateNamespaceProperties(
    namespace: NamespaceInput,
    changes: NamespacePropertyChanges,
  ): Promise<NamespacePropertyChangeReport>;
  /** Drops an empty namespace; a non-empty one fails with `namespace-not-empty`. */
  dropNamespace(namespace: NamespaceInput): Promise<void>;

  listTables(namespace: NamespaceInput): Promise<TableIdentifier[]>;
  createTable(table: TableIdentifierInput, request: CreateTableRequest): Promise<CreateTableResult>;
  createTableIfNotExists(
    table: TableIdentifierInput,
    request: CreateTableRequest,
  ): Promise<CreateTableResult>;
  loadTable(table: TableIdentifierInput, options?: LoadTableOptions): Promise<LoadedTable>;
  tableExists(table: TableIdentifierInput): Promise<boolean>;
  registerTable(
    table: TableIdentifierInput,
    metadataLocation: string,
    options?: RegisterTableOptions,
  ): Promise<LoadedTable>;
  renameTable(from: TableIdentifierInput, to: TableIdentifierInput): Promise<void>;
  dropTable(table: TableIdentifierInput, options?: DropTableOptions): Promise<void>;
  /** Atomically applies updates if every requirement holds; a failed requirement is `commit-conflict`. */
  commitTable(table: TableIdentifierInput, request: CommitTableRequest): Promise<CommitTableResult>;

  /** Storage credentials for a table, refreshed from the catalog before they expire. */
  credentialsFor(table: TableIdentifierInput): VendedCredentialsProvider;

  close(): Promise<void>;
}
