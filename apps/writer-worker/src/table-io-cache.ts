// One FileIO (and so one S3 client, with its connection pool and signing-key cache) per table
// storage setting, reused by every job of a process or encode thread instead of a new client per
// job: building an S3 client and warming it up (config resolution, signing key, TCP connections)
// cost more CPU than a small job's own S3 calls. A FileIO is keyed by what it is built from — the
// location's scheme, the merged `s3.*` properties and the credential source (a vended-credentials
// provider by identity, or plain credentials by value) — so a table whose config or vended
// credentials change gets a new FileIO, and a refreshing provider keeps refreshing inside the one
// it serves. Optionally each FileIO keeps the manifests and manifest lists it wrote or read
// (`MetadataCachedFileIO`), so a commit reads its parent's manifest list — usually written by
// this process's previous commit — from memory. The cache is bounded: the least recently used FileIO is dropped (not destroyed: a
// job still holding it finishes with it; its idle sockets close on their own).
import {
  type FileIO,
  fileIOFor,
  MetadataCachedFileIO,
  type S3Credentials,
  type S3CredentialsProvider,
} from '@floe/iceberg';

/** FileIOs kept per cache; tables × credential sets a process writes to at once. */
export const DEFAULT_TABLE_IO_ENTRIES = 64;

/** What a table FileIO is built from. */
export interface TableIOSource {
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Refreshing credentials (kept by identity) or credentials valid now (kept by value). */
  readonly credentials?: S3CredentialsProvider | S3Credentials;
}

export class TableIOCache {
  readonly #entries = new Map<string, FileIO>();
  readonly #providerIds = new WeakMap<S3CredentialsProvider, number>();
  readonly #maxEntries: number;
  readonly #cacheMetadata: boolean;
  #nextProviderId = 1;

  /** `cacheMetadata`: keep manifests and manifest lists in memory (the committing thread). */
  constructor(options: { readonly maxEntries?: number; readonly cacheMetadata?: boolean } = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_TABLE_IO_ENTRIES);
    this.#cacheMetadata = options.cacheMetadata ?? false;
  }

  /** The FileIO for `source`, built on first use. */
  fileIO(source: TableIOSource): FileIO {
    const key = this.#key(source);
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      // Re-insert: Map order is the recency order.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const credentials = source.credentials;
    const built =
      credentials === undefined
        ? fileIOFor(source.location, source.properties)
        : fileIOFor(source.location, source.properties, {
            s3Credentials: typeof credentials === 'function' ? credentials : async () => credentials,
          });
    const io = this.#cacheMetadata ? new MetadataCachedFileIO(built) : built;
    this.#entries.set(key, io);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return io;
  }

  /** FileIOs held (for tests). */
  get size(): number {
    return this.#entries.size;
  }

  #key(source: TableIOSource): string {
    const { location, properties, credentials } = source;
    const scheme = location.slice(0, Math.max(0, location.indexOf(':')));
    const sorted = Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let credentialKey: unknown = null;
    if (typeof credentials === 'function') {
      let id = this.#providerIds.get(credentials);
      if (id === undefined) {
        id = this.#nextProviderId++;
        this.#providerIds.set(credentials, id);
      }
      credentialKey = { provider: id };
    } else if (credentials !== undefined) {
      credentialKey = credentials;
    }
    return JSON.stringify([scheme, sorted, credentialKey]);
  }
}
