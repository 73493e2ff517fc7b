// Unpartitioned writes of many rows, encoded on several threads at once. Parquet encoding is the
// bulk of a big write and one file's encoder is single-threaded, so the rows are cut into
// consecutive chunks (row ranges, in arrival order) and each chunk becomes its own data file,
// encoded by one of the shared encode threads (encode-threads.ts) while the caller keeps reading
// input; the caller uploads each finished file through its own FileIO. Memory stays bounded: at
// most `threads` chunks are being encoded and one is being gathered. Input smaller than one chunk
// never leaves the calling thread (small jobs pay no thread hop and stay one file). When every
// row is already in memory the chunk size is the input split evenly over the threads (one file
// per thread); for a stream it is split from the caller's `expectedBytes` so that the last chunk,
// which waits for the end of the input, is the smallest; else DEFAULT_CHUNK_BYTES. A chunk never exceeds the table's target file size.

import { RecordBatch, Table, tableToIPC } from 'apache-arrow';
import type { DataFile } from '../manifest/data-file.ts';
import { withFieldIds } from './arrow-field-ids.ts';
import {
  type DataFileWriterOptions,
  dataFileLocation,
  dataFileOf,
  dataFolder,
  newFileNamePrefix,
  sliceToBound,
  targetFileSize,
  writeDataFiles,
} from './data-file-writer.ts';
import { type EncodeThreads, sharedEncodeThreads } from './encode-threads.ts';
import { arrowByteSize } from './parquet-file-writer.ts';

const MiB = 1024 * 1024;
/** Smallest chunk worth a thread of its own (below it the thread hop costs more than it saves). */
export const MIN_CHUNK_BYTES = 16 * MiB;
/** Chunk size for a stream of unknown length. */
export const DEFAULT_CHUNK_BYTES = 32 * MiB;
/** Largest chunk (what one thread holds as Arrow, IPC and wasm memory at once). */
export const MAX_CHUNK_BYTES = 128 * MiB;
/**
 * How much smaller than the others a stream's last chunk is, as a share of one chunk: with 2
 * threads the first chunk is ~59 % of the input and the last ~41 %.
 */
const STREAM_TAIL_SHORTFALL = 0.3;

export interface ParallelWriteOptions extends DataFileWriterOptions {
  /** Chunks encoded at once (default: the encode threads' size). */
  readonly threads?: number;
  /** Expected Arrow bytes of a streamed input, to size chunks; ignored for in-memory input. */
  readonly expectedBytes?: number;
  /** Fixed chunk size in Arrow bytes instead of the computed one (tests, tuning). */
  readonly chunkBytes?: number;
  /** Encode threads to use (default: the process-wide ones). */
  readonly encodeThreads?: EncodeThreads;
}

/** Writes the batches of an unpartitioned table as one or more data files, encoded in parallel. */
export async function writeDataFilesInParallel(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: ParallelWriteOptions,
): Promise<DataFile[]> {
  const pool = options.encodeThreads ?? sharedEncodeThreads();
  const threads = Math.max(1, Math.min(options.threads ?? pool.size, pool.size));
  const chunkBytes = options.chunkBytes ?? chunkSize(batches, options, threads);
  const folder = dataFolder(options);
  const prefix = options.fileNamePrefix ?? newFileNamePrefix();
  const properties = options.properties ?? {};
  // Stamped here so the thread can hand the IPC bytes to the encoder as they are.
  const fileSchema = withFieldIds(options.arrowSchema, options.schema);
  const files: DataFile[] = [];
  const written: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let fileCount = 0;
  let gathered: RecordBatch[] = [];
  let gatheredBytes = 0;

  const send = async (chunk: readonly RecordBatch[]): Promise<void> => {
    while (inFlight.size >= threads) await Promise.race(inFlight);
    if (failure !== undefined) throw failure.error;
    const index = fileCount++;
    const location = dataFileLocation(folder, prefix, index + 1);
    const ipc = tableToIPC(
      new Table(chunk.map((batch) => new RecordBatch(fileSchema, batch.data))),
      'stream',
    );
    const job = (async () => {
      const { bytes, file } = await pool.encode({
        location,
        schema: options.schema,
        properties,
        ipc: ownBuffer(ipc),
      });
      written.push(location);
      await options.io.write(location, bytes);
      files[index] = dataFileOf(file, options.partition?.tuple ?? []);
    })().catch((error: unknown) => {
      failure ??= { error };
    });
    const tracked = job.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  try {
    for await (const batch of batches) {
      for (const slice of sliceToBound(batch, chunkBytes)) {
        if (slice.numRows === 0) continue;
        const bytes = arrowByteSize(slice);
        // Cut where the chunk lands nearest its size: before a slice that would overshoot by more
        // than half of itself.
        if (gatheredBytes > 0 && gatheredBytes + bytes / 2 > chunkBytes) {
          await send(gathered);
          gathered = [];
          gatheredBytes = 0;
        }
        gathered.push(slice);
        gatheredBytes += bytes;
      }
    }
    // Everything fit in one chunk: encode here, as a plain write does.
    if (fileCount === 0) return await writeDataFiles(gathered, { ...options, fileNamePrefix: prefix });
    if (gathered.length > 0) await send(gathered);
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
    return files;
  } catch (error) {
    failure ??= { error };
    await Promise.all(inFlight);
    await options.io.deleteMany(written).catch(() => undefined);
    throw error;
  }
}

/** The chunk size in Arrow bytes for this input (exported for its unit test). */
export function chunkSize(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: ParallelWriteOptions,
  threads: number,
): number {
  const total = Array.isArray(batches)
    ? (batches as readonly RecordBatch[]).reduce((sum, batch) => sum + arrowByteSize(batch), 0)
    : options.expectedBytes;
  let even = DEFAULT_CHUNK_BYTES;
  if (total !== undefined && Array.isArray(batches)) even = Math.ceil(total / threads);
  // A stream's last chunk can only start once every row has been read, so it is made the
  // smallest: the earlier chunks encode while the rest is still being read.
  else if (total !== undefined) even = Math.ceil(total / Math.max(1, threads - STREAM_TAIL_SHORTFALL));
  const limit = Math.min(MAX_CHUNK_BYTES, targetFileSize(options.properties ?? {}));
  return Math.max(Math.min(MIN_CHUNK_BYTES, limit), Math.min(even, limit));
}

/** The IPC bytes in a buffer of their own (the buffer is transferred to the thread). */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
