// The unit of work an encode thread runs: one chunk of rows, sent as Arrow IPC stream bytes,
// encoded into ONE complete Parquet file in memory (the same ParquetFileWriter, field ids, metrics
// and footer checks as the in-process path). The file's bytes and its WrittenParquetFile facts go
// back to the caller, which uploads them through its own FileIO; so a thread needs no storage
// client, and everything crossing the thread boundary is structured-clone data (bigints, Maps,
// byte arrays; the byte buffers are transferred, not copied).

import {
  makeVector,
  RecordBatch,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { IcebergError, type IcebergErrorContext, type IcebergErrorKind, isIcebergError } from '../errors.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { Schema } from '../spec/types.ts';
import { withFieldIds } from './arrow-field-ids.ts';
import { ParquetFileWriter, type WrittenParquetFile } from './parquet-file-writer.ts';

export interface EncodeChunkRequest {
  readonly id: number;
  /** Where the file will be uploaded (also named in every message about it). */
  readonly location: string;
  readonly schema: Schema;
  readonly properties: Readonly<Record<string, string>>;
  /** Arrow IPC stream of the chunk's rows, its schema stamped with field ids (withFieldIds). */
  readonly ipc: Uint8Array;
}

export interface EncodedChunk {
  readonly bytes: Uint8Array;
  readonly file: WrittenParquetFile;
}

export type EncodeChunkReply =
  | { readonly id: number; readonly ok: true; readonly chunk: EncodedChunk }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: {
        readonly name: string;
        readonly message: string;
        readonly kind?: IcebergErrorKind;
        readonly retryable?: boolean;
        readonly context?: IcebergErrorContext;
      };
    };

/** Encodes the chunk into one Parquet file held in memory. */
export async function encodeChunk(request: EncodeChunkRequest): Promise<EncodedChunk> {
  const table = tableFromIPC(request.ipc);
  const io = new MemoryFileIO();
  const writer = new ParquetFileWriter({
    io,
    location: request.location,
    schema: request.schema,
    arrowSchema: table.schema,
    properties: request.properties,
  });
  try {
    await writer.writeBatches(table.batches, request.ipc);
    const file = await writer.close();
    return { bytes: await io.read(request.location), file };
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

type ChunkFailure = Extract<EncodeChunkReply, { ok: false }>['error'];

/** An error as plain data for the trip back from the thread. */
export function flattenChunkError(error: unknown): ChunkFailure {
  if (isIcebergError(error)) {
    return {
      name: error.name,
      message: error.message,
      kind: error.kind,
      retryable: error.retryable,
      context: error.context,
    };
  }
  const plain = error instanceof Error ? error : new Error(String(error));
  return { name: plain.name, message: plain.message };
}

const WARM_UP_ROWS = 50_000;
const WARM_UP_SCHEMA: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'value', required: false, type: { kind: 'double' } },
    { id: 3, name: 'count', required: false, type: { kind: 'int' } },
    { id: 4, name: 'label', required: false, type: { kind: 'string' } },
  ],
};

/**
 * Encodes a throwaway chunk of typical columns, so the encoder's wasm and the metrics code are
 * compiled by V8's optimizing tiers before the first real chunk (a cold thread encodes about half
 * as fast).
 */
export async function warmUp(): Promise<void> {
  const table = new Table({
    id: makeVector(BigInt64Array.from({ length: WARM_UP_ROWS }, (_, i) => BigInt(i))),
    value: makeVector(Float64Array.from({ length: WARM_UP_ROWS }, (_, i) => i / 7)),
    count: makeVector(Int32Array.from({ length: WARM_UP_ROWS }, (_, i) => i % 20)),
    label: vectorFromArray(
      Array.from({ length: WARM_UP_ROWS }, (_, i) => `label ${i % 5_000}`),
      new Utf8(),
    ),
  });
  // Stamped with the field ids as a real chunk is (encodeChunk's footer check insists on them).
  const stamped = withFieldIds(table.schema, WARM_UP_SCHEMA);
  await encodeChunk({
    id: 0,
    location: 'mem://floe-warm-up/warm-up.parquet',
    schema: WARM_UP_SCHEMA,
    properties: {},
    ipc: tableToIPC(new Table(table.batches.map((batch) => new RecordBatch(stamped, batch.data))), 'stream'),
  });
}

/** Rebuilds a thread's error on the caller's side, kind, retryability and context kept. */
export function chunkError(error: ChunkFailure): Error {
  if (error.kind === undefined) return Object.assign(new Error(error.message), { name: error.name });
  return new IcebergError(error.kind, error.message, {
    retryable: error.retryable ?? false,
    ...(error.context === undefined ? {} : { context: error.context }),
  });
}
