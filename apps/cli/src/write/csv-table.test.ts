import { Bool, Float64, Int64, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  CsvFormatError,
  csvToTable,
  inferCsvColumnType,
  parseCsvRows,
  parseTimestampMicros,
} from './csv-table.ts';

describe('parseCsvRows', () => {
  it('handles quotes, escaped quotes, embedded commas and newlines, CRLF and a BOM', () => {
    const rows = parseCsvRows('\ufeffa,b\r\n"x, y","say ""hi""\nthere"\r\n,""\n');
    expect(rows.map((row) => row.map((field) => field.text))).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
      ['', ''],
    ]);
    expect(rows[2]?.map((field) => field.quoted)).toEqual([false, true]);
  });

  it('skips blank lines and keeps a last row without a newline', () => {
    expect(parseCsvRows('a\n\n1\n\n2').map((row) => row[0]?.text)).toEqual(['a', '1', '2']);
  });

  it('names the line of a malformed field', () => {
    expect(() => parseCsvRows('a,b\n1,x"y"\n', 'in.csv')).toThrow(
      new CsvFormatError('in.csv line 2: a quote inside an unquoted field; quote the whole field'),
    );
    expect(() => parseCsvRows('a\n"x"y\n', 'in.csv')).toThrow(
      'in.csv line 2: text after a closing quote; quote the whole field',
    );
    expect(() => parseCsvRows('a\n"never closed\n', 'in.csv')).toThrow(
      'in.csv: a quoted field is never closed (it starts before line 3)',
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

describe('csvToTable', () => {
  const text = `id,ts,name,score,ok,local
1,2026-11-01T10:00:00Z,"a, b",1.5,true,2026-11-01 10:00:00
2,,"",,false,
3,2026-11-02T00:00:00.25Z,,2,,2026-11-02 00:00:00
`;

  it('builds typed nullable columns', () => {
    const { table, columns } = csvToTable(text, 'in.csv');
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

  it('splits large files into bounded record batches', () => {
    const rows = Array.from({ length: 25 }, (_, i) => `${i}`).join('\n');
    const { table } = csvToTable(`n\n${rows}\n`, 'n.csv', 10);
    expect(table.batches.map((batch) => batch.numRows)).toEqual([10, 10, 5]);
    expect(table.getChild('n')?.get(24)).toBe(24n);
  });

  it('rejects a header problem or a short row with the file and row', () => {
    expect(() => csvToTable('', 'e.csv')).toThrow('e.csv is empty: it needs a header row');
    expect(() => csvToTable('a,,c\n', 'h.csv')).toThrow('h.csv: column 2 of the header has no name');
    expect(() => csvToTable('a,a\n', 'd.csv')).toThrow('d.csv: column "a" appears twice in the header');
    expect(() => csvToTable('a,b\n1,2\n3\n', 'r.csv')).toThrow('r.csv row 3: 1 fields, but the header has 2');
  });

  it('writes a header-only file as an empty table of string columns', () => {
    const { table, columns } = csvToTable('a,b\n', 'x.csv');
    expect(table.numRows).toBe(0);
    expect(columns.map((column) => column.type)).toEqual(['string', 'string']);
  });
});
