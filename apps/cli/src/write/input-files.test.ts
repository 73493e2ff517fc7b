import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Int64, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import {
  conformBatch,
  detectFormat,
  InputFileError,
  inspectInputFile,
  nullableSchema,
  type ReadProgress,
  readInputFile,
} from './input-files.ts';

/** Inspects and streams a file whole, as `floe write` does part by part. */
async function loadInputFile(path: string, shownAs?: string) {
  const file = await inspectInputFile(path, shownAs);
  const progress: ReadProgress = { bytes: 0, rows: 0, batches: 0 };
  const batches = [];
  for await (const batch of readInputFile(file, progress)) batches.push(batch);
  return { format: file.format, size: file.size, progress, table: new Table(batches) };
}

const sample = () =>
  new Table({
    id: makeVector(BigInt64Array.from([1n, 2n])),
    name: vectorFromArray(['a', 'b'], new Utf8()),
  });

describe('detectFormat', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  it('trusts magic bytes over the extension, then the extension', () => {
    expect(detectFormat('x.csv', bytes('PAR1....'))).toBe('parquet');
    expect(detectFormat('x.csv', bytes('ARROW1'))).toBe('arrow');
    expect(detectFormat('x.bin', new Uint8Array([0xff, 0xff, 0xff, 0xff, 8, 0]))).toBe('arrow');
    expect(detectFormat('x.CSV', bytes('a,b'))).toBe('csv');
    expect(detectFormat('x.arrows', bytes('....'))).toBe('arrow');
    expect(detectFormat('x.txt', bytes('a,b'))).toBeUndefined();
  });
});

describe('inspectInputFile + readInputFile', () => {
  it('reads Arrow IPC stream and file bytes, Parquet and CSV', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-input-'));
    const table = sample();
    await writeFile(join(dir, 'a.arrows'), tableToIPC(table, 'stream'));
    await writeFile(join(dir, 'a.arrow'), tableToIPC(table, 'file'));
    await writeFile(
      join(dir, 'a.parquet'),
      parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream'))),
    );
    await writeFile(join(dir, 'a.csv'), 'id,name\n1,a\n2,b\n');
    for (const [file, format] of [
      ['a.arrows', 'arrow'],
      ['a.arrow', 'arrow'],
      ['a.parquet', 'parquet'],
      ['a.csv', 'csv'],
    ] as const) {
      const loaded = await loadInputFile(join(dir, file));
      expect(loaded.format).toBe(format);
      expect(loaded.table.numRows).toBe(2);
      expect(loaded.table.getChild('id')?.get(1)).toBe(2n);
      expect(String(loaded.table.getChild('name')?.get(0))).toBe('a');
      expect(loaded.progress.rows).toBe(2);
      // Every byte is counted once (CSV and Arrow exactly; Parquet estimated from its rows).
      expect(loaded.progress.bytes).toBeGreaterThan(0);
      if (format !== 'arrow') expect(loaded.progress.bytes).toBe(loaded.size);
    }
  });

  it('explains a missing, unknown or corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-input-'));
    await expect(loadInputFile(join(dir, 'nope.csv'), 'nope.csv')).rejects.toThrow(
      new InputFileError('nope.csv does not exist'),
    );
    await writeFile(join(dir, 'x.txt'), 'hello');
    await expect(loadInputFile(join(dir, 'x.txt'), 'x.txt')).rejects.toThrow(
      'cannot tell the format of x.txt: floe write reads CSV (.csv), Parquet (.parquet) and Arrow IPC (.arrow, .arrows)',
    );
    await writeFile(join(dir, 'x.parquet'), 'PAR1 definitely not parquet');
    await expect(loadInputFile(join(dir, 'x.parquet'), 'x.parquet')).rejects.toThrow(
      /^x\.parquet is not a readable parquet file: /,
    );
    await writeFile(join(dir, 'short.csv'), 'a,b\n1\n');
    await expect(loadInputFile(join(dir, 'short.csv'), 'short.csv')).rejects.toThrow(
      new InputFileError('short.csv row 2: 1 fields, but the header has 2'),
    );
  });
});

describe('conformBatch', () => {
  it("reorders columns to the first file's schema and makes them nullable", () => {
    const target = nullableSchema(sample().schema);
    const other = new Table({
      name: vectorFromArray(['c'], new Utf8()),
      id: makeVector(BigInt64Array.from([3n])),
    });
    const batch = conformBatch(other.batches[0] as never, target, 'b.csv', 'a.csv');
    expect(batch.schema.fields.map((field) => [field.name, field.nullable])).toEqual([
      ['id', true],
      ['name', true],
    ]);
    expect(batch.getChild('id')?.get(0)).toBe(3n);
    expect(batch.getChild('name')?.get(0)).toBe('c');
  });

  it('rejects other names or types, naming both files', () => {
    const target = nullableSchema(sample().schema);
    const wrongType = new Table({
      id: vectorFromArray([1.5], new Float64()),
      name: vectorFromArray(['c'], new Utf8()),
    });
    expect(() => conformBatch(wrongType.batches[0] as never, target, 'b.csv', 'a.csv')).toThrow(
      `b.csv has columns (id: Float64, name: Utf8) but a.csv has (id: ${String(new Int64())}, name: Utf8): ` +
        'the files of one write must have the same columns and types; write them separately',
    );
    const extra = new Table({ id: makeVector(BigInt64Array.from([1n])) });
    expect(() => conformBatch(extra.batches[0] as never, target, 'c.csv', 'a.csv')).toThrow(InputFileError);
  });
});
