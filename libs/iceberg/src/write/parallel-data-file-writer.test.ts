import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { Schema } from '../spec/types.ts';
import { warmUp } from './encode-chunk.ts';
import { EncodeThreads } from './encode-threads.ts';
import { chunkSize, writeDataFilesInParallel } from './parallel-data-file-writer.ts';
import { PARQUET_CREATED_BY } from './parquet-created-by.ts';
import { arrowByteSize } from './parquet-file-writer.ts';
import { parseParquetFooter } from './parquet-footer.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'name', required: false, type: { kind: 'string' } },
  ],
};

function batchOf(from: number, rows: number): arrow.RecordBatch {
  const ids = new BigInt64Array(rows);
  const names: (string | null)[] = [];
  for (let i = 0; i < rows; i++) {
    ids[i] = BigInt(from + i);
    names.push((from + i) % 7 === 0 ? null : `name-${from + i}`);
  }
  return new arrow.Table({
    id: arrow.makeVector(ids),
    name: arrow.vectorFromArray(names, new arrow.Utf8()),
  }).batches[0] as arrow.RecordBatch;
}

const threads = new EncodeThreads(2);
afterAll(() => threads.close());

/** Writes `batches` to `io` on `pool` with the test schema (or `tableSchema`). */
function writeOn(
  pool: EncodeThreads,
  io: MemoryFileIO,
  batches: readonly arrow.RecordBatch[],
  options: { readonly chunkBytes?: number; readonly tableSchema?: Schema } = {},
) {
  return writeDataFilesInParallel(batches, {
    io,
    tableLocation: 'mem://wh/t',
    schema: options.tableSchema ?? schema,
    arrowSchema: (batches[0] as arrow.RecordBatch).schema,
    encodeThreads: pool,
    ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
  });
}

describe('writeDataFilesInParallel', () => {
  it('encodes consecutive row ranges as separate files on the encode threads', async () => {
    const batches = [0, 1, 2, 3, 4, 5].map((i) => batchOf(i * 1_000, 1_000));
    const io = new MemoryFileIO();
    const files = await writeOn(threads, io, batches, {
      chunkBytes: arrowByteSize(batches[0] as arrow.RecordBatch) * 2,
    });

    expect(files.map((f) => f.recordCount)).toEqual([2_000n, 2_000n, 2_000n]);
    expect(new Set(files.map((f) => f.filePath)).size).toBe(3);
    const seen: bigint[] = [];
    for (const [i, file] of files.entries()) {
      expect(file.filePath).toMatch(/^mem:\/\/wh\/t\/data\/00000-[0-9a-f-]+-0000[1-3]\.parquet$/);
      const bytes = await io.read(file.filePath);
      expect(file.fileSizeInBytes).toBe(BigInt(bytes.length));
      const footer = parseParquetFooter(
        bytes.subarray(bytes.length - 8 - footerLength(bytes), -8),
        file.filePath,
      );
      expect(footer.createdBy).toBe(PARQUET_CREATED_BY);
      const back = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
      expect(back.schema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual(['1', '2']);
      seen.push(...((back.getChild('id')?.toArray() ?? []) as BigInt64Array));
      // Bounds, counts and sizes describe this file's own rows.
      expect(deserializeSingleValue({ kind: 'long' }, file.lowerBounds?.get(1) as Uint8Array)).toBe(
        BigInt(i * 2_000),
      );
      expect(deserializeSingleValue({ kind: 'long' }, file.upperBounds?.get(1) as Uint8Array)).toBe(
        BigInt(i * 2_000 + 1_999),
      );
      const nulls = Array.from({ length: 2_000 }, (_, k) => i * 2_000 + k).filter((n) => n % 7 === 0).length;
      expect(file.nullValueCounts?.get(2)).toBe(BigInt(nulls));
      expect(file.valueCounts?.get(2)).toBe(2_000n);
      expect(file.columnSizes?.get(1)).toBeGreaterThan(0n);
      expect(file.splitOffsets).toEqual([4n]);
    }
    expect(seen).toEqual(Array.from({ length: 6_000 }, (_, i) => BigInt(i)));
  });

  it('writes input smaller than one chunk as one file on the calling thread', async () => {
    const batches = [batchOf(0, 500), batchOf(500, 500)];
    const io = new MemoryFileIO();
    const files = await writeOn(threads, io, batches);
    expect(files.map((f) => f.recordCount)).toEqual([1_000n]);
  });

  it("reports a thread's error with its message and leaves no file behind", async () => {
    const wrong: Schema = {
      ...schema,
      fields: [
        schema.fields[0] as Schema['fields'][number],
        { id: 2, name: 'name', required: false, type: { kind: 'long' } },
      ],
    };
    const batches = [0, 1, 2, 3].map((i) => batchOf(i * 1_000, 1_000));
    const io = new MemoryFileIO();
    const write = writeOn(threads, io, batches, {
      tableSchema: wrong,
      chunkBytes: arrowByteSize(batches[0] as arrow.RecordBatch),
    });
    await expect(write).rejects.toMatchObject({
      name: 'IcebergError',
      kind: 'invalid-value',
      retryable: false,
      // Whichever chunk fails first is reported: each starts with a 'name-…' string.
      message: expect.stringMatching(/^value 'name-\d+' is not a valid long: expected a 64-bit bigint$/),
    });
    const left: string[] = [];
    for await (const info of io.list('mem://wh/t/')) left.push(info.location);
    expect(left).toEqual([]);
  });
});

function footerLength(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true);
}

describe('chunkSize', () => {
  const MiB = 1024 * 1024;
  const options = {
    io: new MemoryFileIO(),
    tableLocation: 'mem://wh/t',
    schema,
    arrowSchema: batchOf(0, 1).schema,
  };
  async function* stream(): AsyncGenerator<arrow.RecordBatch> {}

  it('makes the last chunk of a stream the smallest, so its encode (after the last row) is short', () => {
    const size = chunkSize(stream(), { ...options, expectedBytes: 170 * MiB }, 2);
    expect(size).toBe(100 * MiB);
  });

  it('never exceeds the table target file size', () => {
    const properties = { 'write.target-file-size-bytes': String(64 * MiB) };
    expect(chunkSize(stream(), { ...options, properties, expectedBytes: 170 * MiB }, 2)).toBe(64 * MiB);
  });
});

describe('EncodeThreads', () => {
  it('ends a thread that sat idle after encoding and starts one again for the next chunk', async () => {
    const pool = new EncodeThreads(1, { idleReleaseMs: 50 });
    try {
      const batches = [0, 1].map((i) => batchOf(i * 1_000, 1_000));
      const write = () =>
        writeOn(pool, new MemoryFileIO(), batches, { chunkBytes: Math.max(...batches.map(arrowByteSize)) });
      expect((await write()).map((f) => f.recordCount)).toEqual([1_000n, 1_000n]);
      expect(pool.running).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pool.running).toBe(0);
      expect((await write()).map((f) => f.recordCount)).toEqual([1_000n, 1_000n]);
    } finally {
      await pool.close();
    }
  });

  it('keeps the threads `prepare` started warm: one ended after idling is replaced', async () => {
    const pool = new EncodeThreads(2, { idleReleaseMs: 50 });
    try {
      await pool.prepare(1);
      expect(pool.running).toBe(1);
      const batches = [0, 1].map((i) => batchOf(i * 1_000, 1_000));
      const files = await writeOn(pool, new MemoryFileIO(), batches, {
        chunkBytes: Math.max(...batches.map(arrowByteSize)),
      });
      expect(files.map((f) => f.recordCount)).toEqual([1_000n, 1_000n]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Every thread that encoded was ended after idling; the one prepare asked for came back warm
      // (an unprepared pool drops to 0, see the test above).
      expect(pool.running).toBe(1);
      await pool.prepare(1);
      expect(pool.running).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("warms up with a real encode that passes the file's own checks", async () => {
    await expect(warmUp()).resolves.toBeUndefined();
  });
});
