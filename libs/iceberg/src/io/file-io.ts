// FileIO: the one storage abstraction the table format talks to. Metadata files, manifests,
// manifest lists and Parquet data files are all read and written through it, so the same code
// runs against S3 (production, MinIO in tests), a local folder, or memory (unit tests). The
// contract is object-store shaped on purpose: whole-object writes (bytes or a stream), whole or
// ranged reads, stat, delete and prefix listing; no rename, no append, no directories.
// Implementations raise IcebergError: kind 'not-found' for a missing object, 'storage-auth' when
// the store rejects our credentials, and retryable 'io' for transient failures.

import { IcebergError } from '../errors.ts';

/** What a listing returns for each object under a prefix. */
export interface FileInfo {
  /** Full location in the scheme the prefix was given in (`s3://b/k`, `file:///p`, `mem://…`). */
  readonly location: string;
  readonly size: number;
  readonly lastModifiedMs?: number;
}

/** Bytes handed to a write: one buffer, or a stream of chunks (never both in memory at once). */
export type WriteSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** A file about to be written; the object becomes visible only when `write` resolves. */
export interface OutputFile {
  readonly location: string;
  /** Writes the whole object, replacing any existing one; resolves to the bytes written. */
  write(source: WriteSource): Promise<number>;
}

/** A file to read: stat, read whole, or read a byte range (Parquet footers, Avro blocks). */
export interface InputFile {
  readonly location: string;
  length(): Promise<number>;
  exists(): Promise<boolean>;
  read(): Promise<Uint8Array>;
  readRange(offset: number, length: number): Promise<Uint8Array>;
}

export interface DeleteManyOptions {
  /** Upper bound on deletes in flight at once (default 16). */
  readonly concurrency?: number;
}

export interface DeleteManyResult {
  readonly deleted: number;
  /** Locations that could not be deleted, with why; missing objects count as deleted. */
  readonly failed: readonly { readonly location: string; readonly error: Error }[];
}

export interface FileIO {
  newInputFile(location: string): InputFile;
  newOutputFile(location: string): OutputFile;
  write(location: string, source: WriteSource): Promise<number>;
  read(location: string): Promise<Uint8Array>;
  readRange(location: string, offset: number, length: number): Promise<Uint8Array>;
  length(location: string): Promise<number>;
  exists(location: string): Promise<boolean>;
  /** Deletes one object; deleting a missing object succeeds (deletes are retried by callers). */
  delete(location: string): Promise<void>;
  deleteMany(locations: Iterable<string>, options?: DeleteManyOptions): Promise<DeleteManyResult>;
  /** Every object whose location starts with `prefix` (a plain string prefix, not a glob). */
  list(prefix: string): AsyncIterable<FileInfo>;
}

export const DEFAULT_DELETE_CONCURRENCY = 16;

/**
 * Base for implementations: the per-file objects and deleteMany are the same everywhere, so an
 * implementation only supplies the primitive operations.
 */
export abstract class BaseFileIO implements FileIO {
  abstract write(location: string, source: WriteSource): Promise<number>;
  abstract read(location: string): Promise<Uint8Array>;
  abstract readRange(location: string, offset: number, length: number): Promise<Uint8Array>;
  abstract length(location: string): Promise<number>;
  abstract exists(location: string): Promise<boolean>;
  abstract delete(location: string): Promise<void>;
  abstract list(prefix: string): AsyncIterable<FileInfo>;

  newInputFile(location: string): InputFile {
    return {
      location,
      length: () => this.length(location),
      exists: () => this.exists(location),
      read: () => this.read(location),
      readRange: (offset, length) => this.readRange(location, offset, length),
    };
  }

  newOutputFile(location: string): OutputFile {
    return { location, write: (source) => this.write(location, source) };
  }

  async deleteMany(locations: Iterable<string>, options: DeleteManyOptions = {}): Promise<DeleteManyResult> {
    const failed: { location: string; error: Error }[] = [];
    let deleted = 0;
    await forEachBounded(
      [...locations],
      options.concurrency ?? DEFAULT_DELETE_CONCURRENCY,
      async (location) => {
        try {
          await this.delete(location);
          deleted += 1;
        } catch (error) {
          failed.push({ location, error: error instanceof Error ? error : new Error(String(error)) });
        }
      },
    );
    return { deleted, failed };
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight; rejects on the first failure. */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new IcebergError('invalid-argument', `concurrency must be a positive integer, got ${concurrency}`);
  }
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  });
  await Promise.all(lanes);
}

/** Collects any WriteSource into one buffer (for stores that need the whole body). */
export async function collectBytes(source: WriteSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  const chunks: Uint8Array[] = [];
  for await (const chunk of source as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return concatBytes(chunks);
}

export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function checkRange(location: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new IcebergError(
      'invalid-argument',
      `invalid byte range offset=${offset} length=${length} for ${location}: both must be non-negative integers`,
      { context: { location, offset, length } },
    );
  }
}

/** The error every implementation raises for a missing object, so callers branch on one kind. */
export function notFound(location: string, cause?: unknown): IcebergError {
  return new IcebergError('not-found', `file not found: ${location}`, {
    retryable: false,
    context: { location },
    cause,
  });
}

/** The range [offset, offset+length) must lie inside the object; a short read is a bug upstream. */
export function rangeOutside(location: string, offset: number, length: number, size: number): IcebergError {
  return new IcebergError(
    'invalid-argument',
    `byte range ${offset}+${length} is outside ${location} (${size} bytes)`,
    { context: { location, offset, length, size } },
  );
}
