// Reads chosen top-level columns of a Parquet file while fetching only their byte ranges. The
// synchronous `readParquet` of parquet-wasm 0.8 decodes every column whatever `columns` says, so
// it needs the whole object; its async `ParquetFile` honours the column projection and pulls
// bytes through a Blob's `size`/`slice()`/`arrayBuffer()`. We hand it a Blob-shaped view over
// FileIO, so only the footer and the column chunks of the selected columns leave storage.
//
// One trap shapes the design: a fetch that fails while parquet-wasm 0.8 streams row groups
// panics inside wasm and the read never settles. So before streaming we fetch the selected
// chunks ourselves (their offsets come from our own footer parser, write/parquet-footer.ts),
// where a storage error surfaces as itself, and the blob serves parquet-wasm from that cache. A
// fetch that still fails inside wasm (only possible while opening, which handles it) answers
// with no bytes, and the original error is what the caller sees.

import { type Schema as ArrowSchema, type RecordBatch, tableFromIPC } from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import { footerLength, type ParquetFooter, parseParquetFooter } from '../write/parquet-footer.ts';

/** Bytes and requests a scan sent to storage. */
export class RangeCounter {
  bytes = 0;
  requests = 0;
}

/** The subset of the DOM Blob that parquet-wasm's `ParquetFile.fromFile` calls. */
interface RangeBlob {
  readonly size: number;
  slice(start?: number, end?: number): RangeBlob;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The byte ranges of one file fetched so far, and the first storage error. */
class FileBytes {
  readonly #io: FileIO;
  readonly location: string;
  readonly size: number;
  readonly #counter: RangeCounter;
  readonly #segments: { start: number; bytes: Uint8Array }[] = [];
  failure: unknown;

  constructor(io: FileIO, location: string, size: number, counter: RangeCounter) {
    this.#io = io;
    this.location = location;
    this.size = size;
    this.#counter = counter;
  }

  /** Bytes [start, end), from the cache when it covers them, else one ranged read. */
  async get(start: number, end: number): Promise<Uint8Array> {
    const cached = this.#covering(start, end);
    if (cached !== undefined) return cached;
    const bytes =
      end === start ? new Uint8Array(0) : await this.#io.readRange(this.location, start, end - start);
    this.#counter.requests++;
    this.#counter.bytes += bytes.length;
    this.#segments.push({ start, bytes });
    return bytes;
  }

  #covering(start: number, end: number): Uint8Array | undefined {
    const out = new Uint8Array(end - start);
    let filled = start;
    // Segments may be adjacent pieces of one request; walk them in order of start.
    for (const segment of [...this.#segments].sort((a, b) => a.start - b.start)) {
      const segmentEnd = segment.start + segment.bytes.length;
      if (segment.start > filled || segmentEnd <= filled) continue;
      const take = Math.min(segmentEnd, end) - filled;
      out.set(segment.bytes.subarray(filled - segment.start, filled - segment.start + take), filled - start);
      filled += take;
      if (filled >= end) return out;
    }
    return filled >= end ? out : undefined;
  }

  blob(start = 0, end = this.size): RangeBlob {
    return {
      size: end - start,
      slice: (from = 0, to = end - start) => {
        const clamp = (n: number) => Math.min(Math.max(n < 0 ? end - start + n : n, 0), end - start);
        return this.blob(start + clamp(from), start + Math.max(clamp(from), clamp(to)));
      },
      arrayBuffer: async () => {
        try {
          // parquet-wasm copies out of the ArrayBuffer, so it must hold exactly these bytes.
          return (await this.get(start, end)).slice().buffer as ArrayBuffer;
        } catch (error) {
          this.failure ??= error;
          return new ArrayBuffer(0);
        }
      },
    };
  }
}

/** An open Parquet file whose columns can be read selectively. Call `close()` when done. */
export class RangedParquetFile {
  readonly location: string;
  /** The file's Arrow schema (with `PARQUET:field_id` metadata where the writer set ids). */
  readonly schema: ArrowSchema;
  readonly #file: parquet.ParquetFile;
  readonly #bytes: FileBytes;
  readonly #footer: ParquetFooter;

  private constructor(
    file: parquet.ParquetFile,
    schema: ArrowSchema,
    bytes: FileBytes,
    footer: ParquetFooter,
  ) {
    this.location = bytes.location;
    this.#file = file;
    this.schema = schema;
    this.#bytes = bytes;
    this.#footer = footer;
  }

  /** Opens the file (fetching its footer); `size` comes from the manifest, saving a HEAD. */
  static async open(
    io: FileIO,
    location: string,
    size: number,
    counter: RangeCounter,
  ): Promise<RangedParquetFile> {
    const length = size > 0 ? size : await io.length(location);
    const bytes = new FileBytes(io, location, length, counter);
    let file: parquet.ParquetFile | undefined;
    try {
      file = await parquet.ParquetFile.fromFile(bytes.blob() as unknown as Blob);
      const schema = tableFromIPC(file.schema().intoIPCStream()).schema;
      // parquet-wasm has just read the footer, so these come from the cache.
      const footerSize = footerLength(await bytes.get(length - 8, length), location);
      const footer = parseParquetFooter(await bytes.get(length - 8 - footerSize, length - 8), location);
      return new RangedParquetFile(file, schema, bytes, footer);
    } catch (cause) {
      file?.free();
      throw unreadable(location, bytes.failure ?? cause, 'open');
    }
  }

  /** Batches of the named top-level columns, in file order. */
  async *read(columns: readonly string[]): AsyncGenerator<RecordBatch> {
    await this.#prefetch(new Set(columns));
    let stream: ReadableStream<parquet.RecordBatch>;
    try {
      stream = (await this.#file.stream({ columns: [...columns] })) as ReadableStream<parquet.RecordBatch>;
    } catch (cause) {
      throw this.#unreadable(cause);
    }
    const reader = stream.getReader();
    try {
      for (;;) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (cause) {
          throw this.#unreadable(cause);
        }
        if (next.done) {
          // Bytes that never arrived must not pass for a short file.
          if (this.#bytes.failure !== undefined) throw this.#unreadable(this.#bytes.failure);
          return;
        }
        const ipc = next.value.intoIPCStream();
        for (const batch of tableFromIPC(ipc).batches) yield batch;
      }
    } finally {
      reader.releaseLock();
    }
  }

  close(): void {
    this.#file.free();
  }

  /** Fetches the chunks of `columns` (adjacent ones in one request) into the cache. */
  async #prefetch(columns: ReadonlySet<string>): Promise<void> {
    const ranges: [number, number][] = [];
    for (const group of this.#footer.rowGroups) {
      for (const chunk of group.columns) {
        if (!columns.has(chunk.path[0] ?? '')) continue;
        const start = Number(chunk.startOffset);
        const end = start + Number(chunk.compressedSize);
        const last = ranges[ranges.length - 1];
        if (last !== undefined && last[1] === start) last[1] = end;
        else ranges.push([start, end]);
      }
    }
    await Promise.all(ranges.map(([start, end]) => this.#bytes.get(start, end)));
  }

  #unreadable(cause: unknown): IcebergError {
    return unreadable(this.location, this.#bytes.failure ?? cause, 'read');
  }
}

/** Storage errors pass through as they are (they carry `retryable`); decode errors are wrapped. */
function unreadable(location: string, cause: unknown, verb: 'open' | 'read'): IcebergError {
  if (cause instanceof IcebergError) return cause;
  return new IcebergError('io', `cannot ${verb} data file ${location}: ${String(cause)}`, {
    retryable: false,
    context: { file: location },
    cause,
  });
}
