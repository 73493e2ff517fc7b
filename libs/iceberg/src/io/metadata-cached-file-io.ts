// A FileIO that keeps the bytes of Iceberg's immutable Avro metadata files — manifests and
// manifest lists, `*.avro` under a table's `metadata/` — that it wrote or read, so the next
// commit of the same process reads its parent's manifest list and the manifests it merges from
// memory instead of S3. Safe because Iceberg never rewrites such a file in place: every manifest
// and manifest list gets a fresh name (a UUID, the snapshot id and the attempt), so bytes cached
// under a location stay that location's content until it is deleted (deletes evict). Everything
// else (data files, metadata JSON, listings) passes straight through. Bounded by total bytes,
// least recently used first out; callers get their own copy of cached bytes.
import type { DeleteManyOptions, DeleteManyResult, FileInfo, FileIO, WriteSource } from './file-io.ts';
import { BaseFileIO } from './file-io.ts';

export const DEFAULT_METADATA_CACHE_BYTES = 16 * 1024 * 1024;

/** Whether `location` names an immutable Avro metadata file (manifest or manifest list). */
export function isImmutableMetadataFile(location: string): boolean {
  return location.endsWith('.avro') && location.includes('/metadata/');
}

export class MetadataCachedFileIO extends BaseFileIO {
  readonly inner: FileIO;
  readonly #maxBytes: number;
  readonly #entries = new Map<string, Uint8Array>();
  #bytes = 0;
  #hits = 0;

  constructor(inner: FileIO, maxBytes = DEFAULT_METADATA_CACHE_BYTES) {
    super();
    this.inner = inner;
    this.#maxBytes = maxBytes;
  }

  /** Reads answered from memory (diagnostics, tests). */
  get hits(): number {
    return this.#hits;
  }

  async write(location: string, source: WriteSource): Promise<number> {
    this.#evict(location);
    const written = await this.inner.write(location, source);
    if (source instanceof Uint8Array && isImmutableMetadataFile(location)) this.#remember(location, source);
    return written;
  }

  async read(location: string): Promise<Uint8Array> {
    const cached = this.#entries.get(location);
    if (cached !== undefined) {
      this.#hits++;
      this.#entries.delete(location);
      this.#entries.set(location, cached);
      return cached.slice();
    }
    const bytes = await this.inner.read(location);
    if (isImmutableMetadataFile(location)) this.#remember(location, bytes);
    return bytes;
  }

  readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.readRange(location, offset, length);
  }

  length(location: string): Promise<number> {
    const cached = this.#entries.get(location);
    return cached === undefined ? this.inner.length(location) : Promise.resolve(cached.byteLength);
  }

  exists(location: string): Promise<boolean> {
    return this.inner.exists(location);
  }

  async delete(location: string): Promise<void> {
    this.#evict(location);
    await this.inner.delete(location);
  }

  override async deleteMany(
    locations: Iterable<string>,
    options?: DeleteManyOptions,
  ): Promise<DeleteManyResult> {
    const all = [...locations];
    for (const location of all) this.#evict(location);
    return this.inner.deleteMany(all, options);
  }

  list(prefix: string): AsyncIterable<FileInfo> {
    return this.inner.list(prefix);
  }

  #remember(location: string, bytes: Uint8Array): void {
    if (bytes.byteLength > this.#maxBytes / 4) return;
    this.#evict(location);
    this.#entries.set(location, bytes.slice());
    this.#bytes += bytes.byteLength;
    while (this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next().value as string;
      this.#evict(oldest);
    }
  }

  #evict(location: string): void {
    const cached = this.#entries.get(location);
    if (cached === undefined) return;
    this.#entries.delete(location);
    this.#bytes -= cached.byteLength;
  }
}
