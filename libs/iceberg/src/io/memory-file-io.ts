// In-memory FileIO for unit tests and dry runs: objects live in a Map keyed by their full
// location, so any scheme works (`mem://`, `s3://` strings in tests). It honours the same
// contract as the real stores: missing objects raise 'not-found', range reads are checked,
// deletes of missing objects succeed, and a write is visible only once it completed.

import {
  BaseFileIO,
  checkRange,
  collectBytes,
  type FileInfo,
  notFound,
  rangeOutside,
  type WriteSource,
} from './file-io.ts';

export class MemoryFileIO extends BaseFileIO {
  readonly #objects = new Map<string, { bytes: Uint8Array; lastModifiedMs: number }>();

  async write(location: string, source: WriteSource): Promise<number> {
    // Copy so later mutation of the caller's buffer cannot change what was "stored".
    const bytes = (await collectBytes(source)).slice();
    this.#objects.set(location, { bytes, lastModifiedMs: Date.now() });
    return bytes.byteLength;
  }

  async read(location: string): Promise<Uint8Array> {
    return this.#get(location).slice();
  }

  async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(location, offset, length);
    const bytes = this.#get(location);
    if (offset + length > bytes.byteLength) throw rangeOutside(location, offset, length, bytes.byteLength);
    return bytes.slice(offset, offset + length);
  }

  async length(location: string): Promise<number> {
    return this.#get(location).byteLength;
  }

  async exists(location: string): Promise<boolean> {
    return this.#objects.has(location);
  }

  async delete(location: string): Promise<void> {
    this.#objects.delete(location);
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    const matches = [...this.#objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    for (const location of matches) {
      const entry = this.#objects.get(location);
      if (entry) yield { location, size: entry.bytes.byteLength, lastModifiedMs: entry.lastModifiedMs };
    }
  }

  /** Every stored location (tests assert on what was written). */
  locations(): string[] {
    return [...this.#objects.keys()].sort();
  }

  #get(location: string): Uint8Array {
    const entry = this.#objects.get(location);
    if (!entry) throw notFound(location);
    return entry.bytes;
  }
}
