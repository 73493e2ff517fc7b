import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { Schema } from '../spec/types.ts';
import { ParquetFileWriter } from './parquet-file-writer.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'name', required: false, type: { kind: 'string' } },
    { id: 3, name: 'score', required: false, type: { kind: 'double' } },
    {
      id: 4,
      name: 'tags',
      required: false,
      type: { kind: 'list', elementId: 5, elementRequired: false, element: { kind: 'string' } },
    },
  ],
};

function batchOf(
  ids: bigint[],
  names: (string | null)[],
  scores: (number | null)[],
  tags: (string[] | null)[],
) {
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids)),
    name: arrow.vectorFromArray(names, new arrow.Utf8()),
    score: arrow.vectorFromArray(scores, new arrow.Float64()),
    tags: arrow.vectorFromArray(tags, new arrow.List(new arrow.Field('element', new arrow.Utf8(), true))),
  }).batches[0] as arrow.RecordBatch;
}

describe('ParquetFileWriter', () => {
  it('streams batches into one Parquet file with field ids, metrics and split offsets', async () => {
    const io = new MemoryFileIO();
    const first = batchOf([1n, 2n, 3n], ['ä', null, 'zebra'], [1.5, Number.NaN, null], [['a'], null, []]);
    const writer = new ParquetFileWriter({
      io,
      location: 'mem://wh/t/data/f.parquet',
      schema,
      arrowSchema: first.schema,
      properties: { 'write.parquet.row-group-limit': '2', 'write.parquet.compression-codec': 'snappy' },
    });
    await writer.write(first);
    await writer.write(batchOf([4n], ['𝄞 music'], [-2], [['b', 'c']]));
    await writer.write(first.slice(0, 0));
    expect(writer.rowCount).toBe(4);
    expect(writer.estimatedSize).toBeGreaterThan(0);
    const file = await writer.close();

    expect(file.recordCount).toBe(4n);
    const bytes = await io.read(file.location);
    expect(file.fileSizeInBytes).toBe(BigInt(bytes.length));
    expect(file.footer.rowGroups.map((g) => g.numRows)).toEqual([2n, 2n]);
    expect(file.splitOffsets[0]).toBe(4n);
    expect(file.splitOffsets).toHaveLength(2);

    // parquet-wasm reads it back with the Iceberg ids on every field.
    const back = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
    expect(back.numRows).toBe(4);
    expect(back.schema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual(['1', '2', '3', '4']);
    const element = ((back.schema.fields[3] as arrow.Field).type as arrow.List).children[0];
    expect(element?.metadata.get('PARQUET:field_id')).toBe('5');
    expect(back.getChild('name')?.toArray()).toEqual(['ä', null, 'zebra', '𝄞 music']);
    expect(back.getChild('id')?.get(3)).toBe(4n);

    const m = file.metrics;
    expect(m.valueCounts.get(1)).toBe(4n);
    expect(m.nullValueCounts.get(2)).toBe(1n);
    expect(m.nanValueCounts.get(3)).toBe(1n);
    expect(m.nullValueCounts.get(3)).toBe(1n);
    // list element: a null list and an empty list each count one null value
    expect(m.valueCounts.get(5)).toBe(5n);
    expect(m.nullValueCounts.get(5)).toBe(2n);
    expect(m.lowerBounds.has(5)).toBe(false);
    expect(deserializeSingleValue({ kind: 'long' }, m.lowerBounds.get(1) as Uint8Array)).toBe(1n);
    expect(deserializeSingleValue({ kind: 'long' }, m.upperBounds.get(1) as Uint8Array)).toBe(4n);
    expect(deserializeSingleValue({ kind: 'double' }, m.lowerBounds.get(3) as Uint8Array)).toBe(-2);
    expect(deserializeSingleValue({ kind: 'double' }, m.upperBounds.get(3) as Uint8Array)).toBe(1.5);
    // code point order: U+1D11E sorts after 'zebra' and 'ä'
    expect(deserializeSingleValue({ kind: 'string' }, m.upperBounds.get(2) as Uint8Array)).toBe('𝄞 music');
    expect(deserializeSingleValue({ kind: 'string' }, m.lowerBounds.get(2) as Uint8Array)).toBe('zebra');
    expect([...m.columnSizes.keys()].sort()).toEqual([1, 2, 3, 5]);
    for (const size of m.columnSizes.values()) expect(size).toBeGreaterThan(0n);
  });

  it('refuses empty files, writes after close, and unknown codecs', async () => {
    const io = new MemoryFileIO();
    const batch = batchOf([1n], ['a'], [1], [null]);
    const writer = new ParquetFileWriter({
      io,
      location: 'mem://e.parquet',
      schema,
      arrowSchema: batch.schema,
    });
    await expect(writer.close()).rejects.toThrow(
      'no rows were written to mem://e.parquet: refusing an empty data file',
    );
    await expect(writer.write(batch)).rejects.toThrow('ParquetFileWriter for mem://e.parquet is closed');
    expect(
      () =>
        new ParquetFileWriter({
          io,
          location: 'mem://x',
          schema,
          arrowSchema: batch.schema,
          properties: { 'write.parquet.compression-codec': 'lzo' },
        }),
    ).toThrow(/unsupported write.parquet.compression-codec 'lzo': use one of zstd, snappy/);
  });

  it('rejects a batch whose Arrow types differ from the file schema, naming the column', async () => {
    const io = new MemoryFileIO();
    const good = batchOf([1n], ['a'], [1], [null]);
    const writer = new ParquetFileWriter({
      io,
      location: 'mem://d.parquet',
      schema,
      arrowSchema: good.schema,
    });
    await writer.write(good);
    // Same names, but `id` arrives as int32: parquet-wasm cannot append it to the int64 column.
    const wrong = new arrow.Table({
      id: arrow.makeVector(Int32Array.from([2])),
      name: arrow.vectorFromArray(['b'], new arrow.Utf8()),
      score: arrow.vectorFromArray([2], new arrow.Float64()),
      tags: arrow.vectorFromArray([null], new arrow.List(new arrow.Field('element', new arrow.Utf8(), true))),
    }).batches[0] as arrow.RecordBatch;
    await expect(writer.write(wrong)).rejects.toThrow(
      "batch does not match the schema of mem://d.parquet: 'id' expected Int64, got 'id' Int32",
    );
    const file = await writer.close();
    expect(file.recordCount).toBe(1n);
  });

  it('abort removes the partial file', async () => {
    const io = new MemoryFileIO();
    const batch = batchOf([1n], ['a'], [1], [null]);
    const writer = new ParquetFileWriter({
      io,
      location: 'mem://a.parquet',
      schema,
      arrowSchema: batch.schema,
    });
    await writer.write(batch);
    await writer.abort();
    expect(await io.exists('mem://a.parquet')).toBe(false);
  });
});
