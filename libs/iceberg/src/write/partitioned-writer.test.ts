import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { bindPartitionSpec, partitionKey, partitionTupleForRow } from '../spec/partition.ts';
import type { PartitionSpec } from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import { type PartitionedWriterOptions, writePartitionedDataFiles } from './partitioned-writer.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'ts', required: false, type: { kind: 'timestamptz' } },
    { id: 3, name: 'tag', required: false, type: { kind: 'string' } },
  ],
};

const spec: PartitionSpec = {
  specId: 0,
  fields: [
    { sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' },
    { sourceId: 1, fieldId: 1001, name: 'id_bucket', transform: 'bucket[4]' },
    { sourceId: 3, fieldId: 1002, name: 'tag', transform: 'identity' },
  ],
};

const arrowSchema = new arrow.Schema([
  new arrow.Field('id', new arrow.Int64(), false),
  new arrow.Field('ts', new arrow.TimestampMicrosecond('UTC'), true),
  new arrow.Field('tag', new arrow.Utf8(), true),
]);

// A type alias (not an interface) so rows pass as the plain records partitionTupleForRow takes.
type Row = {
  readonly id: bigint;
  readonly ts: bigint | null;
  readonly tag: string | null;
};

const MICROS_PER_HOUR = 3_600_000_000n;

function batchOf(rows: readonly Row[]): arrow.RecordBatch {
  const nullBitmap = new Uint8Array(Math.ceil(rows.length / 8));
  rows.forEach((row, i) => {
    if (row.ts !== null) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  const children = [
    arrow.makeData({
      type: new arrow.Int64(),
      length: rows.length,
      data: BigInt64Array.from(rows, (r) => r.id),
    }),
    arrow.makeData({
      type: new arrow.TimestampMicrosecond('UTC'),
      length: rows.length,
      nullCount: rows.filter((r) => r.ts === null).length,
      nullBitmap,
      data: BigInt64Array.from(rows, (r) => r.ts ?? 0n) as unknown as Int32Array,
    }),
    arrow.vectorFromArray(
      rows.map((r) => r.tag),
      new arrow.Utf8(),
    ).data[0] as arrow.Data,
  ] as arrow.Data[];
  const struct = arrow.makeData({
    type: new arrow.Struct(arrowSchema.fields),
    length: rows.length,
    children,
  });
  return new arrow.RecordBatch(arrowSchema, struct);
}

function batchesOf(rows: readonly Row[], sizes: readonly number[]): arrow.RecordBatch[] {
  const batches: arrow.RecordBatch[] = [];
  let start = 0;
  for (let i = 0; start < rows.length; i++) {
    const size = Math.max(1, sizes[i % Math.max(1, sizes.length)] ?? rows.length);
    batches.push(batchOf(rows.slice(start, start + size)));
    start += size;
  }
  return batches;
}

/** Partition key → sorted ids of the rows in that partition's files (read back from Parquet). */
async function rowsByPartition(io: MemoryFileIO, files: readonly DataFile[]): Promise<Map<string, bigint[]>> {
  const byPartition = new Map<string, bigint[]>();
  for (const file of files) {
    const table = arrow.tableFromIPC(parquet.readParquet(await io.read(file.filePath)).intoIPCStream());
    const ids = [...(table.getChild('id') as arrow.Vector)].map((id) => BigInt(id as bigint));
    expect(ids.length).toBe(Number(file.recordCount));
    const key = partitionKey(file.partition);
    byPartition.set(key, [...(byPartition.get(key) ?? []), ...ids]);
  }
  for (const ids of byPartition.values()) ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return byPartition;
}

async function write(
  batches: readonly arrow.RecordBatch[],
  options: Partial<PartitionedWriterOptions> = {},
): Promise<{ io: MemoryFileIO; files: DataFile[] }> {
  const io = new MemoryFileIO();
  const files = await writePartitionedDataFiles(batches, {
    io,
    tableLocation: 'memory://warehouse/t',
    schema,
    spec,
    arrowSchema,
    ...options,
  });
  return { io, files };
}

const rowArbitrary = fc.record({
  hour: fc.option(fc.integer({ min: 0, max: 24 * 4 }), { freq: 8 }),
  tag: fc.option(fc.constantFrom('a', 'b', 'ü'), { freq: 4 }),
});

describe('PartitionedDataWriter', () => {
  it('writes shuffled rows into the same partitions, with the same rows, as sorted rows', async () => {
    const bound = bindPartitionSpec(spec, schema);
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArbitrary, { minLength: 1, maxLength: 120 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        async (specs, sizes, maxOpenFiles, tight) => {
          const rows: Row[] = specs.map((s, i) => ({
            id: BigInt(i * 7919 - 300),
            ts: s.hour === null ? null : 1_730_419_200_000_000n + BigInt(s.hour) * MICROS_PER_HOUR,
            tag: s.tag,
          }));
          const sorted = [...rows].sort((a, b) =>
            partitionKey(partitionTupleForRow(bound, a)).localeCompare(
              partitionKey(partitionTupleForRow(bound, b)),
            ),
          );
          const shuffled =
            fc.sample(fc.shuffledSubarray(rows, { minLength: rows.length }), { numRuns: 1 })[0] ?? [];
          const fromSorted = await write(batchesOf(sorted, [rows.length]));
          // `tight`: flush every piece at once and close files as soon as anything is unencoded,
          // so files open, close for room and roll mid-stream.
          const limits = tight ? { flushBytes: 1, maxUnflushedBytes: 1 } : {};
          const fromShuffled = await write(batchesOf(shuffled, sizes), { maxOpenFiles, ...limits });
          const expected = await rowsByPartition(fromSorted.io, fromSorted.files);
          const actual = await rowsByPartition(fromShuffled.io, fromShuffled.files);
          expect(actual).toEqual(expected);
          // And every row sits in the partition its own values give.
          const byId = new Map(rows.map((row) => [row.id, row]));
          for (const [key, ids] of actual) {
            for (const id of ids)
              expect(partitionKey(partitionTupleForRow(bound, byId.get(id) as Row))).toBe(key);
          }
          expect([...actual.values()].flat().length).toBe(rows.length);
        },
      ),
      { numRuns: 20 },
    );
  }, 60_000);

  it('passes a batch that lies in one partition through whole, one file for it', async () => {
    const rows: Row[] = Array.from({ length: 50 }, (_, i) => ({
      id: 8n, // one bucket
      ts: 1_730_419_200_000_000n + BigInt(i),
      tag: 'same',
    }));
    const { io, files } = await write([batchOf(rows)]);
    expect(files).toHaveLength(1);
    expect(files[0]?.recordCount).toBe(50n);
    expect((await rowsByPartition(io, files)).size).toBe(1);
  });

  it('reports a bad partition source value with the column named, and leaves no files', async () => {
    const io = new MemoryFileIO();
    const wrongSchema = new arrow.Schema([
      new arrow.Field('id', new arrow.Int64(), false),
      new arrow.Field('tag', new arrow.Utf8(), true),
    ]);
    const struct = arrow.makeData({
      type: new arrow.Struct(wrongSchema.fields),
      length: 1,
      children: [
        arrow.makeData({ type: new arrow.Int64(), length: 1, data: BigInt64Array.of(1n) }),
        arrow.vectorFromArray(['x'], new arrow.Utf8()).data[0] as arrow.Data,
      ] as arrow.Data[],
    });
    await expect(
      writePartitionedDataFiles([new arrow.RecordBatch(wrongSchema, struct)], {
        io,
        tableLocation: 'memory://warehouse/t',
        schema,
        spec,
        arrowSchema: wrongSchema,
      }),
    ).rejects.toThrow("partition source column 'ts' is missing from the batch");
    const left: string[] = [];
    for await (const file of io.list('memory://warehouse/t')) left.push(file.location);
    expect(left).toEqual([]);
  });
});
