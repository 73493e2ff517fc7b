import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { Schema } from '../spec/types.ts';
import { plainEncodedColumns } from './dictionary-choice.ts';
import { ParquetFileWriter } from './parquet-file-writer.ts';

const ROWS = 20_000;
const COUNTRIES = ['US', 'DE', 'FR', 'JP'];

function eventBatch(rows = ROWS): arrow.RecordBatch {
  const ids = new BigInt64Array(rows);
  const users: string[] = [];
  const countries: (string | null)[] = [];
  const notes: string[] = [];
  const amounts = new Float64Array(rows);
  const qty = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    ids[i] = BigInt(i + 1);
    users.push(`user-${(i * 7919) % 1_000}`);
    countries.push(i % 10 === 0 ? null : (COUNTRIES[i % COUNTRIES.length] as string));
    notes.push(`order ${i} shipped`);
    amounts[i] = i * 1.25;
    qty[i] = i % 20;
  }
  return new arrow.Table({
    id: arrow.makeVector(ids),
    user: arrow.vectorFromArray(users, new arrow.Utf8()),
    country: arrow.vectorFromArray(countries, new arrow.Utf8()),
    note: arrow.vectorFromArray(notes, new arrow.Utf8()),
    amount: arrow.makeVector(amounts),
    qty: arrow.makeVector(qty),
    flag: arrow.vectorFromArray(
      Array.from({ length: rows }, (_, i) => i % 3 === 0),
      new arrow.Bool(),
    ),
  }).batches[0] as arrow.RecordBatch;
}

describe('plainEncodedColumns', () => {
  it('writes mostly distinct columns plain and keeps dictionaries where values repeat', () => {
    expect(plainEncodedColumns(eventBatch())).toEqual(['id', 'note', 'amount']);
  });

  it('keeps the default when the batch is too small to judge', () => {
    expect(plainEncodedColumns(eventBatch(500))).toEqual([]);
  });

  it('judges a slice by its own rows', () => {
    const batch = eventBatch();
    const slice = batch.slice(5_000, 15_000);
    expect(plainEncodedColumns(slice)).toEqual(['id', 'note', 'amount']);
  });
});

describe('ParquetFileWriter dictionary choice', () => {
  it('writes the chosen columns without a dictionary page and reads back every value', async () => {
    const batch = eventBatch();
    const schema: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [
        { id: 1, name: 'id', required: true, type: { kind: 'long' } },
        { id: 2, name: 'user', required: false, type: { kind: 'string' } },
        { id: 3, name: 'country', required: false, type: { kind: 'string' } },
        { id: 4, name: 'note', required: false, type: { kind: 'string' } },
        { id: 5, name: 'amount', required: false, type: { kind: 'double' } },
        { id: 6, name: 'qty', required: false, type: { kind: 'int' } },
        { id: 7, name: 'flag', required: false, type: { kind: 'boolean' } },
      ],
    };
    const io = new MemoryFileIO();
    const writer = new ParquetFileWriter({
      io,
      location: 'mem://wh/t/data/dict.parquet',
      schema,
      arrowSchema: batch.schema,
    });
    await writer.write(batch);
    const file = await writer.close();
    const bytes = await io.read(file.location);

    const metadata = (await parquet.ParquetFile.fromFile(new Blob([bytes]))).metadata();
    const encodings = new Map(
      metadata
        .rowGroup(0)
        .columns()
        .map((column) => [column.columnPath().join('.'), column.encodings()]),
    );
    const dictionary = (name: string) =>
      (encodings.get(name) ?? []).some(
        (e) => e === parquet.Encoding.RLE_DICTIONARY || e === parquet.Encoding.PLAIN_DICTIONARY,
      );
    expect(['id', 'note', 'amount'].map(dictionary)).toEqual([false, false, false]);
    expect(['user', 'country', 'qty'].map(dictionary)).toEqual([true, true, true]);

    const back = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
    expect(back.numRows).toBe(ROWS);
    for (const name of ['id', 'user', 'country', 'note', 'amount', 'qty', 'flag']) {
      expect(back.getChild(name)?.toArray()).toEqual(batch.getChild(name)?.toArray());
    }
    expect(file.metrics.lowerBounds.get(1)).toBeDefined();
    expect(file.metrics.nullValueCounts.get(3)).toBe(BigInt(ROWS / 10));
  });
});
