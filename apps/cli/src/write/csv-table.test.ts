// The CSV column types (csv-table.ts) and the streaming reader over csv-parse (csv-stream.ts).
import { Readable } from 'node:stream';
import { Bool, Float64, Int64, type RecordBatch, Table, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { type CsvField, csvRecordBatches, csvRows, inferCsvColumns } from './csv-stream.ts';
import { inferCsvColumnType, parseTimestampMicros } from './csv-table.ts';

const open = (text: string) => () => Readable.from([Buffer.from(text)]);

async function parseCsvRows(text: string, source = 'CSV'): Promise<CsvField[][]> {
  const rows: CsvField[][] = [];
  for await (const { fields } of csvRows(open(text)(), source)) rows.push(fields);
  return rows;
}

/** Both passes over in-memory text, as `floe write` runs them over a file. */
async function csvToTable(text: string, source = 'CSV', batchRows?: number) {
  const columns = await inferCsvColumns(open(text), source);
  const batches: RecordBatch[] = [];
  for await (const batch of csvRecordBatches(open(text), source, columns, batchRows)) batches.push(batch);
  return { table: new Table(batches), columns };
}

describe('csvRows (csv-parse)', () => {
  it('handles quotes, escaped quotes, embedded commas and newlines, CRLF and a BOM', async () => {
    const rows = await parseCsvRows('\ufeffa,b\r\n"x, y","say ""hi""\nthere"\r\n,""\n');
    expect(rows.map((row) => row.map((field) => field.text))).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
      ['', ''],
    ]);
    expect(rows[2]?.map((field) => field.quoted)).toEqual([false, true]);
  });

  it('skips blank lines and keeps a last row without a newline', async () => {
    expect((await parseCsvRows('a\n\n1\n\n2')).map((row) => row[0]?.text)).toEqual(['a', '1', '2']);
  });

  it('names the line of a malformed field', async () => {
    await expect(parseCsvRows('a,b\n1,x"y"\n', 'in.csv')).rejects.toThrow(
      'in.csv line 2: a quote inside an unquoted field; quote the whole field',
    );
    await expect(parseCsvRows('a\n"x"y\n', 'in.csv')).rejects.toThrow(
      'in.csv line 2: text after a closing quote; quote the whole field',
    );
    await expect(parseCsvRows('a\n"never closed\n', 'in.csv')).rejects.toThrow(
      'in.csv: a quoted field is never closed',
    );
  });
});

describe('inferCsvColumnType', () => {
  it.each([
    [['1', '-2', null, '+3'], 'long'],
    [['9223372036854775807'], 'long'],
    [['9223372036854775808'], 'double'],
    [['1', '2.5', '1e3', '.5'], 'double'],
    [['true', 'FALSE', null], 'boolean'],
    [['2026-11-01T10:00:00Z', '2026-11-01 10:00:00.5+02:00'], 'timestamptz'],
    [['2026-11-01T10:00', '2026-11-01 10:00:00.123456'], 'timestamp'],
    [['2026-11-01T10:00:00Z', '2026-11-01T10:00:00'], 'string'],
    [['2026-02-30T10:00:00Z'], 'string'],
    [['1', 'x'], 'string'],
    [['1', 'true'], 'string'],
    [[null, null], 'string'],
    [[], 'string'],
  ] as const)('%j → %s', (values, expected) => {
    expect(inferCsvColumnType(values)).toBe(expected);
  });
});

describe('parseTimestampMicros', () => {
  it('keeps micro-seconds and applies the zone offset', () => {
    expect(parseTimestampMicros('1970-01-01T00:00:01.000002Z')).toEqual({ micros: 1_000_002n, zoned: true });
    expect(parseTimestampMicros('1970-01-01T02:00:00+02:00')).toEqual({ micros: 0n, zoned: true });
    expect(parseTimestampMicros('1970-01-01T00:00:00-0130')).toEqual({ micros: 5_400_000_000n, zoned: true });
    expect(parseTimestampMicros('1970-01-01 00:01')).toEqual({ micros: 60_000_000n, zoned: false });
    expect(parseTimestampMicros('1970-01-01')).toBeUndefined();
    expect(parseTimestampMicros('1970-13-01T00:00:00')).toBeUndefined();
  });
});

describe('csvToTable (two streaming passes)', () => {
  const text = `id,ts,name,score,ok,local
1,2026-11-01T10:00:00Z,"a, b",1.5,true,2026-11-01 10:00:00
2,,"",,false,
3,2026-11-02T00:00:00.25Z,,2,,2026-11-02 00:00:00
`;

  it('builds typed nullable columns', async () => {
    const { table, columns } = await csvToTable(text, 'in.csv');
    expect(columns).toEqual([
      { name: 'id', type: 'long' },
      { name: 'ts', type: 'timestamptz' },
      { name: 'name', type: 'string' },
      { name: 'score', type: 'double' },
      { name: 'ok', type: 'boolean' },
      { name: 'local', type: 'timestamp' },
    ]);
    const types = table.schema.fields.map((field) => String(field.type));
    expect(types).toEqual([
      String(new Int64()),
      String(new TimestampMicrosecond('UTC')),
      String(new Utf8()),
      String(new Float64()),
      String(new Bool()),
      String(new TimestampMicrosecond(null)),
    ]);
    expect(table.schema.fields.every((field) => field.nullable)).toBe(true);
    expect(table.numRows).toBe(3);
    expect(table.getChild('id')?.toArray()).toEqual(BigInt64Array.from([1n, 2n, 3n]));
    // "" is an empty string in a string column; an unquoted empty field is null.
    expect(table.getChild('name')?.toJSON()).toEqual(['a, b', '', null]);
    expect(table.getChild('score')?.toJSON()).toEqual([1.5, null, 2]);
    expect(table.getChild('ok')?.toJSON()).toEqual([true, false, null]);
    const ts = table.getChild('ts');
    expect(ts?.nullCount).toBe(1);
    expect(ts?.data[0]?.values[2]).toBe(BigInt(Date.UTC(2026, 10, 2)) * 1000n + 250_000n);
    expect(ts?.isValid(1)).toBe(false);
  });

  it('splits large files into bounded record batches', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `${i}`).join('\n');
    const { table } = await csvToTable(`n\n${rows}\n`, 'n.csv', 10);
    expect(table.batches.map((batch) => batch.numRows)).toEqual([10, 10, 5]);
    expect(table.getChild('n')?.get(24)).toBe(24n);
  });

  it('rejects a header problem or a short row with the file and row', async () => {
    await expect(csvToTable('', 'e.csv')).rejects.toThrow('e.csv is empty: it needs a header row');
    await expect(csvToTable('a,,c\n', 'h.csv')).rejects.toThrow('h.csv: column 2 of the header has no name');
    await expect(csvToTable('a,a\n', 'd.csv')).rejects.toThrow(
      'd.csv: column "a" appears twice in the header',
    );
    await expect(csvToTable('a,b\n1,2\n3\n', 'r.csv')).rejects.toThrow(
      'r.csv row 3: 1 fields, but the header has 2',
    );
  });

  it('writes a header-only file as an empty table of string columns', async () => {
    const { table, columns } = await csvToTable('a,b\n', 'x.csv');
    expect(table.numRows).toBe(0);
    expect(columns.map((column) => column.type)).toEqual(['string', 'string']);
  });
});
