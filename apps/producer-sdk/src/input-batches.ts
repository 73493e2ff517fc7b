// Turns whatever a caller hands to `write` into one async stream of Arrow record batches:
// a Table, a RecordBatch, (async) iterables of RecordBatches, Arrow IPC bytes (stream or file
// format) or a Node Readable of IPC stream bytes. Order of the checks matters: a Table and a
// Uint8Array are iterable too (of rows and of numbers), and a Readable is async iterable (of
// Buffers), so those are recognised before the generic iterable cases.
import { Readable } from 'node:stream';
import { RecordBatch, RecordBatchReader, Table } from 'apache-arrow';
import { FloeProducerError } from './errors.ts';

export type WriteData =
  | Table
  | RecordBatch
  | Uint8Array
  | Readable
  | Iterable<RecordBatch>
  | AsyncIterable<RecordBatch>;

function invalidIpc(error: unknown): FloeProducerError {
  return new FloeProducerError(
    'invalid-data',
    `the data is not a readable Arrow IPC stream or file: ${(error as Error).message}`,
    { cause: error },
  );
}

function checkBatch(item: unknown, index: number): RecordBatch {
  if (item instanceof RecordBatch) return item;
  const found =
    item === null ? 'null' : typeof item === 'object' ? (item.constructor?.name ?? 'object') : typeof item;
  throw new FloeProducerError(
    'invalid-data',
    `item ${index} of the data is a ${found}, expected an apache-arrow RecordBatch (is apache-arrow installed twice?)`,
  );
}

async function* readIpc(
  reader: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
): AsyncGenerator<RecordBatch> {
  try {
    for await (const batch of reader) yield batch;
  } catch (error) {
    if (error instanceof FloeProducerError) throw error;
    throw invalidIpc(error);
  }
}

export async function* recordBatchesOf(data: WriteData): AsyncGenerator<RecordBatch> {
  if (data instanceof Table) {
    yield* data.batches;
    return;
  }
  if (data instanceof RecordBatch) {
    yield data;
    return;
  }
  if (data instanceof Uint8Array) {
    let reader: RecordBatchReader;
    try {
      reader = RecordBatchReader.from(data);
    } catch (error) {
      throw invalidIpc(error);
    }
    yield* readIpc(reader);
    return;
  }
  if (data instanceof Readable) {
    let reader: AsyncIterable<RecordBatch>;
    try {
      reader = await RecordBatchReader.from(data as NodeJS.ReadableStream);
    } catch (error) {
      throw invalidIpc(error);
    }
    yield* readIpc(reader);
    return;
  }
  if (
    data !== null &&
    typeof data === 'object' &&
    (Symbol.asyncIterator in data || Symbol.iterator in data)
  ) {
    let index = 0;
    for await (const item of data as AsyncIterable<unknown>) yield checkBatch(item, index++);
    return;
  }
  throw new FloeProducerError(
    'invalid-data',
    'write() data must be an Arrow Table, a RecordBatch, an (async) iterable of RecordBatches, Arrow IPC bytes or a Readable of IPC bytes',
  );
}
