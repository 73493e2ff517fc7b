// The writer process's newest known state of each table it writes, so a job does not load and
// parse the table's whole metadata (every snapshot) before it starts: the state comes from the
// catalog's own answers — the last load, every commit response and every reload the commit
// driver makes (on a conflict or an unknown outcome) pass through `committer()` and refresh it.
//
// When a job takes the cached state instead of loading:
//   - the catalog sends ETags: never — every job revalidates (`If-None-Match`, RestCatalog; an
//     unchanged table is a 304) and only a changed metadata location is parsed again;
//   - the delivery is a redelivery (a retry, or a stalled job handed out again): never — a
//     redelivery is the case whose marker may have landed meanwhile (a "marker miss" from a
//     stale copy would cost a needless encode), so it loads;
//   - otherwise when the state is younger than `maxAgeMs` (default 1 s; a busy table's state is
//     refreshed by every commit of this process, an idle one is reloaded) and the table config
//     (FileIO settings, possibly with credentials the catalog put there) younger than
//     `configMaxAgeMs` (default 60 s; commit answers carry no config, only loads do).
// A job that fails before its commit on a cached state runs once more on a fresh load
// (process-write-job.ts), so a failure the cache caused — a redelivery whose staged objects the
// committing delivery already deleted, a table changed meanwhile — gets the answer a fresh load
// gives: for a committed job, already-committed.
//
// EXACTLY-ONCE ARGUMENT. The job's first marker check (process-write-job.ts step 3) may run on
// a cached, possibly stale copy. Its two answers are used differently:
//   - "found": final. A copy only ever holds snapshots the catalog reported as committed, so the
//     job is committed; answering with that snapshot is what a fresh load would answer too.
//   - "absent": provisional, never final. The job encodes and submits its files; every commit
//     attempt the commit driver sends (snapshot-producer.ts) carries `assert-ref-snapshot-id
//     main = <head of the base it was built on>`, and the base is this copy or a newer one
//     (commit-group.ts `freshest`). A snapshot holding the job's marker that the copy lacks was
//     committed after the copy was taken, so `main` has moved past the copy's head: the attempt
//     is rejected (409), the driver reloads from the catalog — never from this cache — and runs
//     the marker check on that fresh table before any further attempt; finding the marker it
//     returns `already-committed` and deletes the files it wrote. After an unknown outcome the
//     driver likewise only decides on reloaded tables. So a job whose marker landed after the
//     cache was filled is answered already-committed and never committed twice; staleness only
//     costs an encode and one rejected attempt. Only full loads (`snapshots=all`) fill the cache:
//     a copy missing snapshots would not satisfy "holds everything up to its head".
import {
  type Catalog,
  CatalogError,
  catalogCommitter,
  type LoadedTable,
  tableMetadataOf,
} from '@floe/catalog';
import {
  type CatalogCommitter,
  type CommittedTable,
  formatTable,
  type TableIdentifier,
  type TableMetadata,
} from '@floe/iceberg';

export const DEFAULT_TABLE_STATE_MAX_AGE_MS = 1000;
export const DEFAULT_TABLE_CONFIG_MAX_AGE_MS = 60_000;
const DEFAULT_MAX_TABLES = 256;

/** A table as a job starts from: its metadata and the catalog's table config (FileIO settings). */
export interface JobTable {
  readonly identifier: TableIdentifier;
  readonly table: CommittedTable;
  /** loadTable `config` (may carry vended `s3.*` settings). */
  readonly config: Readonly<Record<string, string>>;
  /** Whether the state came from this process's cache rather than a load for this job. */
  readonly cached: boolean;
}

export interface TableStateCacheOptions {
  /** How old a state may be and still start a job (no ETags). Default 1 s; 0 = always load. */
  readonly maxAgeMs?: number;
  /** How old the table config may be and still start a job. Default 60 s. */
  readonly configMaxAgeMs?: number;
  readonly maxTables?: number;
  /** For tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly identifier: TableIdentifier;
  table: CommittedTable;
  /** Config of the last full load; commit answers carry none. */
  config: Readonly<Record<string, string>> | undefined;
  configSeenAtMs: number;
  /** Whether the catalog sent an ETag on the last load (then every job revalidates). */
  etags: boolean;
  /** When the catalog last told us this state. */
  seenAtMs: number;
}

/** Whether `a` is at least as new as `b` (same table: sequence number, then last update). */
function notOlder(a: TableMetadata, b: TableMetadata): boolean {
  if (a.tableUuid !== b.tableUuid) return true;
  if (a.lastSequenceNumber !== b.lastSequenceNumber) return a.lastSequenceNumber > b.lastSequenceNumber;
  return a.lastUpdatedMs >= b.lastUpdatedMs;
}

export class TableStateCache {
  readonly #catalog: Pick<Catalog, 'loadTable'>;
  readonly #entries = new Map<string, Entry>();
  readonly #maxAgeMs: number;
  readonly #configMaxAgeMs: number;
  readonly #maxTables: number;
  readonly #now: () => number;
  #loads = 0;

  constructor(catalog: Pick<Catalog, 'loadTable'>, options: TableStateCacheOptions = {}) {
    this.#catalog = catalog;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_TABLE_STATE_MAX_AGE_MS;
    this.#configMaxAgeMs = options.configMaxAgeMs ?? DEFAULT_TABLE_CONFIG_MAX_AGE_MS;
    this.#maxTables = options.maxTables ?? DEFAULT_MAX_TABLES;
    this.#now = options.now ?? Date.now;
  }

  /** Catalog loads made for jobs (diagnostics, tests). */
  get loads(): number {
    return this.#loads;
  }

  /**
   * The state a job starts from (rules in the module header). A missing table throws the
   * catalog's `no-such-table` / `no-such-namespace` error and forgets the table.
   */
  async forJob(
    identifier: TableIdentifier,
    options: { readonly redelivered?: boolean } = {},
  ): Promise<JobTable> {
    const key = formatTable(identifier);
    const entry = this.#entries.get(key);
    const now = this.#now();
    if (
      entry !== undefined &&
      entry.config !== undefined &&
      !entry.etags &&
      options.redelivered !== true &&
      now - entry.seenAtMs < this.#maxAgeMs &&
      now - entry.configSeenAtMs < this.#configMaxAgeMs
    ) {
      return { identifier, table: entry.table, config: entry.config, cached: true };
    }
    let loaded: LoadedTable;
    try {
      this.#loads++;
      loaded = await this.#catalog.loadTable(identifier);
    } catch (error) {
      if (
        error instanceof CatalogError &&
        (error.kind === 'no-such-table' || error.kind === 'no-such-namespace')
      ) {
        this.#entries.delete(key);
      }
      throw error;
    }
    return { ...this.rememberLoad(loaded), cached: false };
  }

  /** Records a full load (or a create); reuses the parsed metadata when the location is unchanged. */
  rememberLoad(loaded: LoadedTable): Omit<JobTable, 'cached'> {
    const key = formatTable(loaded.identifier);
    const entry = this.#entries.get(key);
    const unchanged =
      entry !== undefined &&
      loaded.metadataLocation !== undefined &&
      entry.table.metadataLocation === loaded.metadataLocation;
    const table: CommittedTable = unchanged
      ? entry.table
      : {
          metadata: tableMetadataOf(loaded, entry?.table.metadata),
          metadataLocation: loaded.metadataLocation,
        };
    this.#put(loaded.identifier, table, { config: loaded.config, etags: loaded.etag !== undefined });
    return { identifier: loaded.identifier, table, config: loaded.config };
  }

  /** Records a state the catalog reported (commit answer, reload); an older one is ignored. */
  remember(identifier: TableIdentifier, table: CommittedTable): void {
    this.#put(identifier, table, {});
  }

  /** The newest parse of the table (for `catalogCommitter`'s `knownMetadata`: only new snapshots are read). */
  known(identifier: TableIdentifier): TableMetadata | undefined {
    return this.#entries.get(formatTable(identifier))?.table.metadata;
  }

  forget(identifier: TableIdentifier): void {
    this.#entries.delete(formatTable(identifier));
  }

  /**
   * The process's committer on `catalog`: it reads only the snapshots this cache does not hold
   * yet, and its loads and commit answers refresh the cache.
   */
  catalogCommitter(catalog: Catalog): CatalogCommitter {
    return this.committer(
      catalogCommitter(catalog, { knownMetadata: (identifier) => this.known(identifier) }),
    );
  }

  /** `inner` whose loads and commit answers refresh the cache. */
  committer(inner: CatalogCommitter): CatalogCommitter {
    return {
      loadTable: async (identifier) => {
        const table = await inner.loadTable(identifier);
        this.remember(identifier, table);
        return table;
      },
      commitTable: async (identifier, requirements, updates) => {
        const table = await inner.commitTable(identifier, requirements, updates);
        this.remember(identifier, table);
        return table;
      },
    };
  }

  #put(
    identifier: TableIdentifier,
    table: CommittedTable,
    from: { readonly config?: Readonly<Record<string, string>>; readonly etags?: boolean },
  ): void {
    const key = formatTable(identifier);
    const entry = this.#entries.get(key);
    const now = this.#now();
    if (entry === undefined) {
      this.#entries.set(key, {
        identifier,
        table,
        config: from.config,
        etags: from.etags ?? false,
        seenAtMs: now,
        configSeenAtMs: now,
      });
      if (this.#entries.size > this.#maxTables) {
        this.#entries.delete(this.#entries.keys().next().value as string);
      }
      return;
    }
    if (entry.table.metadata.tableUuid !== table.metadata.tableUuid) entry.config = undefined;
    if (notOlder(table.metadata, entry.table.metadata)) {
      entry.table = table;
      entry.seenAtMs = now;
    }
    if (from.config !== undefined) {
      entry.config = from.config;
      entry.configSeenAtMs = now;
    }
    if (from.etags !== undefined) entry.etags = from.etags;
  }
}
