import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { Schema } from '../spec/types.ts';
import { writeDataFiles } from '../write/data-file-writer.ts';
import { readDataFile, readParquetBatches } from './read-data-file.ts';

const written: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'int' } },
    { id: 2, name: 'region', required: false, type: { kind: 'string' } },
  ],
};

function batch(ids: readonly number[]): arrow.RecordBatch {
  return new arrow.Table({
    id: arrow.makeVector(Int32Array.from(ids)),
    region: arrow.vectorFromArray(
      ids.map((id) => (id % 3 === 0 ? null : `r${id}`)),
      new arrow.Utf8(),
    ),
  }).batches[0] as arrow.RecordBatch;
}

async function writeFile(io: MemoryFileIO, properties: Record<string, string> = {}): Promise<string> {
  const ids = Array.from({ length: 10 }, (_, i) => i);
  const [file] = await writeDataFiles([batch(ids.slice(0, 5)), batch(ids.slice(5))], {
    io,
    tableLocation: 'mem://wh/t',
    schema: written,
    arrowSchema: batch([0]).schema,
    properties,
  });
  return file!.filePath;
}

async function collect(batches: AsyncIterable<arrow.RecordBatch>): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const b of batches) {
    for (const row of new arrow.Table(b)) rows.push({ ...row.toJSON() });
  }
  return rows;
}

describe('readParquetBatches', () => {
  it('decodes every row group of the file in order', async () => {
    const io = new MemoryFileIO();
    const location = await writeFile(io, { 'write.parquet.row-group-limit': '4' });
    const batches: arrow.RecordBatch[] = [];
    for await (const b of readParquetBatches(io, location)) batches.push(b);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    const ids = batches.flatMap((b) => [...(b.getChild('id') as arrow.Vector)]);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('says which file is not Parquet', async () => {
    const io = new MemoryFileIO();
    await io.write('mem://wh/t/data/bad.parquet', new TextEncoder().encode('not a parquet file at all'));
    await expect(collect(readParquetBatches(io, 'mem://wh/t/data/bad.parquet'))).rejects.toThrow(
      /mem:\/\/wh\/t\/data\/bad\.parquet.*PAR1/,
    );
  });

  it('says when the footer length runs past the file start', async () => {
    const io = new MemoryFileIO();
    const bytes = new Uint8Array([0x50, 0x41, 0x52, 0x31, 0xff, 0xff, 0, 0, 0x50, 0x41, 0x52, 0x31]);
    await io.write('mem://wh/t/data/short.parquet', bytes);
    await expect(collect(readParquetBatches(io, 'mem://wh/t/data/short.parquet'))).rejects.toThrow(
      'cannot read data file mem://wh/t/data/short.parquet: its footer length runs past the start of the file',
    );
  });
});

describe('readDataFile', () => {
  it('reads a file as written when the schema is unchanged', async () => {
    const io = new MemoryFileIO();
    const rows = await collect(readDataFile(io, await writeFile(io), written));
    expect(rows).toHaveLength(10);
    expect(rows[1]).toEqual({ id: 1, region: 'r1' });
    expect(rows[3]).toEqual({ id: 3, region: null });
  });

  it('projects an old file onto the evolved schema by field id: rename, widen, add', async () => {
    const io = new MemoryFileIO();
    const location = await writeFile(io);
    const evolved: Schema = {
      schemaId: 3,
      identifierFieldIds: [],
      fields: [
        { id: 1, name: 'id', required: true, type: { kind: 'long' } },
        { id: 2, name: 'area', required: false, type: { kind: 'string' } },
        { id: 3, name: 'note', required: false, type: { kind: 'string' } },
      ],
    };
    const batches: arrow.RecordBatch[] = [];
    for await (const b of readDataFile(io, location, evolved)) batches.push(b);
    const first = batches[0]!;
    expect(first.schema.fields.map((f) => f.name)).toEqual(['id', 'area', 'note']);
    expect(first.schema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual(['1', '2', '3']);
    expect(first.getChild('id')?.get(2)).toBe(2n);
    expect(first.getChild('area')?.get(2)).toBe('r2');
    expect(first.getChild('note')?.nullCount).toBe(first.numRows);
  });

  it('leaves out columns the table has dropped', async () => {
    const io = new MemoryFileIO();
    const location = await writeFile(io);
    const dropped: Schema = { ...written, schemaId: 1, fields: [written.fields[0]!] };
    const rows = await collect(readDataFile(io, location, dropped));
    expect(rows[4]).toEqual({ id: 4 });
  });

  it('names the file and the column when the file cannot be read as the table schema', async () => {
    const io = new MemoryFileIO();
    const location = await writeFile(io);
    const incompatible: Schema = {
      ...written,
      schemaId: 2,
      fields: [{ id: 1, name: 'id', required: true, type: { kind: 'boolean' } }],
    };
    await expect(collect(readDataFile(io, location, incompatible))).rejects.toThrow(
      new RegExp(
        `data file ${location.replace(/[.]/g, '\\.')} cannot be read as the table schema: column 'id' is Int32 in the data but boolean in the table`,
      ),
    );
  });

  it('matches columns by name in files written without field ids', async () => {
    const io = new MemoryFileIO();
    const table = new arrow.Table({
      id: arrow.makeVector(Int32Array.from([7, 8])),
      legacy: arrow.vectorFromArray(['x', 'y'], new arrow.Utf8()),
    });
    const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
    await io.write('mem://wh/t/data/plain.parquet', bytes);
    const rows = await collect(readDataFile(io, 'mem://wh/t/data/plain.parquet', written));
    expect(rows).toEqual([
      { id: 7, region: null },
      { id: 8, region: null },
    ]);
  });
});
