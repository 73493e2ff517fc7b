import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { PartitionSpec } from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import { RollingDataFileWriter, writeDataFiles } from './data-file-writer.ts';
import { writePartitionedDataFiles } from './partitioned-writer.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'category', required: false, type: { kind: 'string' } },
    { id: 3, name: 'payload', required: false, type: { kind: 'string' } },
  ],
};

function batch(start: number, count: number, category: (i: number) => string | null) {
  const ids = Array.from({ length: count }, (_, i) => BigInt(start + i));
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids)),
    category: arrow.vectorFromArray(
      ids.map((_, i) => category(start + i)),
      new arrow.Utf8(),
    ),
    payload: arrow.vectorFromArray(
      ids.map((id) => `row-${id}-${'x'.repeat(200)}`),
      new arrow.Utf8(),
    ),
  }).batches[0] as arrow.RecordBatch;
}

async function rowsOf(io: MemoryFileIO, location: string): Promise<number> {
  return arrow.tableFromIPC(parquet.readParquet(await io.read(location)).intoIPCStream()).numRows;
}

describe('RollingDataFileWriter', () => {
  it('rolls to a new file at the target size and returns one DataFile per file', async () => {
    const io = new MemoryFileIO();
    async function* batches() {
      for (let k = 0; k < 6; k++) yield batch(k * 500, 500, () => 'a');
    }
    const files = await writeDataFiles(batches(), {
      io,
      tableLocation: 'mem://wh/db/t/',
      schema,
      arrowSchema: batch(0, 1, () => 'a').schema,
      properties: { 'write.target-file-size-bytes': '150000' },
    });
    expect(files.length).toBeGreaterThan(1);
    expect(files.reduce((sum, f) => sum + f.recordCount, 0n)).toBe(3000n);
    for (const file of files) {
      expect(file.filePath).toMatch(/^mem:\/\/wh\/db\/t\/data\/00000-[0-9a-f-]{36}-\d{5}\.parquet$/);
      expect(file.content).toBe('data');
      expect(file.fileFormat).toBe('parquet');
      expect(file.partition).toEqual([]);
      expect(file.fileSizeInBytes).toBe(BigInt((await io.read(file.filePath)).length));
      expect(await rowsOf(io, file.filePath)).toBe(Number(file.recordCount));
      expect(file.valueCounts?.get(1)).toBe(file.recordCount);
    }
    expect(new Set(files.map((f) => f.filePath)).size).toBe(files.length);
  });

  it('honours write.data.path, rejects a bad target size, and cleans up on abort', async () => {
    const io = new MemoryFileIO();
    const arrowSchema = batch(0, 1, () => 'a').schema;
    const writer = new RollingDataFileWriter({
      io,
      tableLocation: 'mem://wh/t',
      schema,
      arrowSchema,
      properties: { 'write.data.path': 'mem://elsewhere/data/' },
      fileNamePrefix: 'job-1',
    });
    await writer.write(batch(0, 10, () => 'a'));
    await writer.closeCurrentFile();
    expect(writer.completedFiles.map((f) => f.filePath)).toEqual([
      'mem://elsewhere/data/job-1-00001.parquet',
    ]);
    await writer.write(batch(10, 10, () => 'a'));
    expect(writer.hasOpenFile).toBe(true);
    await writer.abort();
    expect(io.locations()).toEqual([]);
    expect(
      () =>
        new RollingDataFileWriter({
          io,
          tableLocation: 'mem://wh/t',
          schema,
          arrowSchema,
          properties: { 'write.target-file-size-bytes': '0' },
        }),
    ).toThrow("write.target-file-size-bytes must be a positive integer, got '0'");
  });

  it('deletes what it wrote when the input stream fails', async () => {
    const io = new MemoryFileIO();
    async function* failing() {
      yield batch(0, 10, () => 'a');
      throw new Error('staging object vanished');
    }
    await expect(
      writeDataFiles(failing(), {
        io,
        tableLocation: 'mem://wh/t',
        schema,
        arrowSchema: batch(0, 1, () => 'a').schema,
      }),
    ).rejects.toThrow('staging object vanished');
    expect(io.locations()).toEqual([]);
  });
});

describe('partitioned fanout writer', () => {
  const spec: PartitionSpec = {
    specId: 0,
    fields: [{ sourceId: 2, fieldId: 1000, name: 'category', transform: 'identity' }],
  };

  it('splits interleaved rows into one file set per partition with partition values', async () => {
    const io = new MemoryFileIO();
    const cats = ['a', 'b b', null];
    async function* batches() {
      yield batch(0, 300, (i) => cats[i % 3] ?? null);
      yield batch(300, 300, (i) => cats[Math.floor(i / 100) % 3] ?? null);
    }
    const files = await writePartitionedDataFiles(batches(), {
      io,
      tableLocation: 'mem://wh/t',
      schema,
      spec,
      arrowSchema: batch(0, 1, () => 'a').schema,
      flushBytes: 20_000,
      maxBufferedBytes: 50_000,
      maxOpenFiles: 2,
    });
    const byPartition = new Map<string, bigint>();
    for (const file of files) {
      const value = file.partition[0] ?? null;
      byPartition.set(String(value), (byPartition.get(String(value)) ?? 0n) + file.recordCount);
      expect(file.filePath).toContain(
        value === null ? '/data/category=null/' : `/data/category=${value === 'b b' ? 'b+b' : value}/`,
      );
      expect(await rowsOf(io, file.filePath)).toBe(Number(file.recordCount));
      // every row of a file belongs to its partition: the string bounds say so
      if (value !== null) {
        expect(new TextDecoder().decode(file.lowerBounds?.get(2))).toBe(value);
        expect(new TextDecoder().decode(file.upperBounds?.get(2))).toBe(value);
      } else {
        expect(file.nullValueCounts?.get(2)).toBe(file.recordCount);
      }
    }
    expect(Object.fromEntries(byPartition)).toEqual({ a: 200n, 'b b': 200n, null: 200n });
  });

  it('names a partition source column missing from the batch', async () => {
    const io = new MemoryFileIO();
    const noCategory = new arrow.Table({ id: arrow.makeVector(BigInt64Array.from([1n])) })
      .batches[0] as arrow.RecordBatch;
    await expect(
      writePartitionedDataFiles([noCategory], {
        io,
        tableLocation: 'mem://wh/t',
        schema,
        spec,
        arrowSchema: noCategory.schema,
      }),
    ).rejects.toThrow("partition source column 'category' is missing from the batch");
  });
});
