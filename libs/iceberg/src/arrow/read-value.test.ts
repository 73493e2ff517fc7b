import { readFileSync } from 'node:fs';
import {
  Bool,
  DateMillisecond,
  Decimal,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float16,
  Int32,
  Int64,
  makeData,
  makeVector,
  Struct,
  type Table,
  TimestampMicrosecond,
  tableFromIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../spec/decimal.ts';
import { parseTimestamp } from '../spec/temporal.ts';
import type { IcebergType } from '../spec/types.ts';
import { arrowToIcebergSchema } from './arrow-schema.ts';
import { readArrowColumn, readArrowValue } from './read-value.ts';

// Written by pyarrow (testdata/make-golden.py) in two record batches of 2 and 1 rows.
const golden: Table = tableFromIPC(readFileSync(new URL('./testdata/pyarrow-golden.arrow', import.meta.url)));
const schema = arrowToIcebergSchema(golden.schema, { formatVersion: 3 });

function column(name: string, type?: IcebergType): unknown[] {
  const vector = golden.getChild(name)!;
  const field = schema.fields.find((f) => f.name === name)!;
  return readArrowColumn(vector, type ?? field.type, name);
}

describe('readArrowValue on a pyarrow-written table', () => {
  it('crosses record batch boundaries', () => {
    expect(golden.batches.length).toBe(2);
    expect(golden.getChild('i32')!.data.length).toBe(2);
  });

  it('reads booleans and integers', () => {
    expect(column('b')).toEqual([true, null, false]);
    expect(column('i8')).toEqual([-128, null, 127]);
    expect(column('i32')).toEqual([-(2 ** 31), null, 2 ** 31 - 1]);
    expect(column('i64')).toEqual([-(2n ** 63n), null, 2n ** 63n - 1n]);
    expect(column('u32')).toEqual([0n, null, 2n ** 32n - 1n]);
    // int → long promotion
    expect(column('i32', { kind: 'long' })).toEqual([-(2n ** 31n), null, 2n ** 31n - 1n]);
  });

  it('reads floats and decimals (unscaled, rescaled on precision/scale widening)', () => {
    expect(column('f32')).toEqual([1.5, null, -0.25]);
    expect(column('f64')).toEqual([1e300, null, -2.5]);
    expect(column('f32', { kind: 'double' })).toEqual([1.5, null, -0.25]);
    expect(column('dec')).toEqual([parseDecimal('-12345678901234567890.12', 2), null, 5n]);
    expect(column('dec', { kind: 'decimal', precision: 38, scale: 4 })).toEqual([
      parseDecimal('-12345678901234567890.12', 4),
      null,
      500n,
    ]);
  });

  it('normalises dates and times', () => {
    expect(column('d32')).toEqual([-1, null, 19724]);
    expect(column('d64')).toEqual([-1, null, 19724]);
    expect(column('t32ms')).toEqual([81068123000n, null, 0n]);
    expect(column('t64us')).toEqual([81068123456n, null, 0n]);
  });

  it('normalises every timestamp unit to µs (floor) or ns', () => {
    expect(column('ts_s')).toEqual([-1_000_000n, null, 1510871468000000n]);
    expect(column('ts_ms')).toEqual([-1000n, null, 1510871468123000n]);
    expect(column('ts_us')).toEqual([-1n, null, 1510871468123456n]);
    expect(column('ts_ns', { kind: 'timestamp' })).toEqual([-1n, null, 1510871468123456n]);
    expect(column('ts_ns')).toEqual([-1n, null, 1510871468123456789n]);
    expect(column('tstz_us')).toEqual([-1n, null, 1510871468123456n]);
    expect(column('tstz_ns')).toEqual([-1n, null, 1510871468123456789n]);
    expect(column('ts_us', { kind: 'timestamp_ns' })).toEqual([-1000n, null, 1510871468123456000n]);
    expect(column('ts_us')[2]).toBe(parseTimestamp('2017-11-16T22:31:08.123456', 'micros', 'forbidden'));
  });

  it('reads strings, binaries, uuids and dictionary-encoded columns', () => {
    expect(column('s')).toEqual(['iceberg', null, 'ü😀']);
    expect(column('ls')).toEqual(['a', null, '']);
    expect(column('bin')).toEqual([Uint8Array.of(0, 1), null, new Uint8Array(0)]);
    expect(column('lbin')).toEqual([Uint8Array.of(255), null, Uint8Array.of(120)]);
    expect(column('fixed', { kind: 'uuid' })).toEqual([
      'f79c3e09-677c-4bbd-a479-3f349cb785e7',
      null,
      '00000000-0000-0000-0000-000000000000',
    ]);
    expect((column('fixed')[0] as Uint8Array).length).toBe(16);
    expect(column('fixed', { kind: 'binary' })[2]).toEqual(new Uint8Array(16));
    expect(column('dict')).toEqual(['x', null, 'x']);
  });

  it('reads structs, lists and maps, including nulls inside them', () => {
    expect(column('point')).toEqual([{ x: 1, y: 2 }, null, { x: -1, y: null }]);
    expect(column('nums')).toEqual([[1n, null, 3n], null, []]);
    expect(column('attrs')).toEqual([
      new Map<string, number | null>([
        ['a', 1],
        ['b', null],
      ]),
      null,
      new Map(),
    ]);
  });

  it('matches struct children by field id, then by name, and fills missing ones with null', () => {
    const renamed: IcebergType = {
      kind: 'struct',
      fields: [
        { id: 31, name: 'renamed_x', required: true, type: { kind: 'double' } },
        { id: 99, name: 'y', required: false, type: { kind: 'int' } },
        { id: 98, name: 'gone', required: false, type: { kind: 'string' } },
      ],
    };
    expect(readArrowValue(golden.getChild('point')!, 0, renamed, 'point')).toEqual({
      renamed_x: 1,
      y: 2,
      gone: null,
    });
  });
});

describe('readArrowValue on hand-built vectors', () => {
  it('reads exact µs timestamps built from BigInt64Array', () => {
    const data = makeData({
      type: new TimestampMicrosecond(),
      length: 2,
      data: BigInt64Array.of(-1n, 1_700_000_000_123_456n),
    });
    expect(readArrowColumn(makeVector(data), { kind: 'timestamp' })).toEqual([-1n, 1_700_000_000_123_456n]);
  });

  it('reads sliced vectors and Date(ms) with floor semantics', () => {
    const ints = vectorFromArray([1, 2, 3, 4], new Int32()).slice(1, 3);
    expect(readArrowColumn(ints, { kind: 'int' })).toEqual([2, 3]);
    const bools = vectorFromArray([true, false, true, true], new Bool()).slice(1);
    expect(readArrowColumn(bools, { kind: 'boolean' })).toEqual([false, true, true]);
    const dates = makeVector(
      makeData({ type: new DateMillisecond(), length: 1, data: BigInt64Array.of(-1n) }),
    );
    expect(readArrowValue(dates, 0, { kind: 'date' })).toBe(-1);
  });

  it('reads half floats, 256-bit-free decimal128 words and fixed-size lists', () => {
    const halves = makeVector(
      makeData({ type: new Float16(), length: 4, data: Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7c00) }),
    );
    expect(readArrowColumn(halves, { kind: 'float' })).toEqual([1, -2, 2 ** -24, Number.POSITIVE_INFINITY]);
    const nan = makeVector(makeData({ type: new Float16(), length: 1, data: Uint16Array.of(0x7e00) }));
    expect(readArrowValue(nan, 0, { kind: 'float' })).toBeNaN();
    const decimals = makeVector(
      makeData({
        type: new Decimal(2, 9, 128),
        length: 1,
        data: Uint32Array.of(0xffffff85, 0xffffffff, 0xffffffff, 0xffffffff),
      }),
    );
    expect(readArrowValue(decimals, 0, { kind: 'decimal', precision: 9, scale: 2 })).toBe(-123n);
    const child = makeData({ type: new Int64(), length: 4, data: BigInt64Array.of(1n, 2n, 3n, 4n) });
    const pairType = new FixedSizeList(2, new Field('element', new Int64(), false));
    const pairs = makeVector(makeData({ type: pairType, length: 2, child }));
    const listType: IcebergType = {
      kind: 'list',
      elementId: 2,
      elementRequired: true,
      element: { kind: 'long' },
    };
    expect(readArrowColumn(pairs, listType)).toEqual([
      [1n, 2n],
      [3n, 4n],
    ]);
  });

  it('reads uuid strings and rejects malformed ones', () => {
    const strings = vectorFromArray(['F79C3E09-677C-4BBD-A479-3F349CB785E7', 'nope'], new Utf8());
    expect(readArrowValue(strings, 0, { kind: 'uuid' })).toBe('f79c3e09-677c-4bbd-a479-3f349cb785e7');
    expect(() => readArrowValue(strings, 1, { kind: 'uuid' }, 'id')).toThrow(
      "column 'id': value 'nope' does not fit Iceberg uuid",
    );
  });

  it('raises schema-mismatch naming the column and both types', () => {
    const strings = vectorFromArray(['a'], new Utf8());
    expect(() => readArrowValue(strings, 0, { kind: 'long' }, 'amount')).toThrow(
      "column 'amount': cannot read Arrow Utf8 as Iceberg long",
    );
    const ints = vectorFromArray([1], new Int32());
    const listType: IcebergType = {
      kind: 'list',
      elementId: 2,
      elementRequired: true,
      element: { kind: 'int' },
    };
    expect(() => readArrowValue(ints, 0, listType, 'xs')).toThrow(
      "column 'xs': cannot read Arrow Int32 as Iceberg list<int>",
    );
    const mapType: IcebergType = {
      kind: 'map',
      keyId: 1,
      key: { kind: 'string' },
      valueId: 2,
      valueRequired: false,
      value: { kind: 'int' },
    };
    expect(() => readArrowValue(ints, 0, mapType, 'm')).toThrow(
      'cannot read Arrow Int32 as Iceberg map<string, int>',
    );
    expect(() => readArrowValue(ints, 0, { kind: 'struct', fields: [] }, 's')).toThrow(
      'cannot read Arrow Int32 as Iceberg struct<>',
    );
    expect(() => readArrowValue(ints, 0, { kind: 'boolean' }, 'b')).toThrow('as Iceberg boolean');
    expect(() => readArrowValue(ints, 0, { kind: 'date' }, 'd')).toThrow('as Iceberg date');
    const fixed = makeVector(
      makeData({ type: new FixedSizeBinary(2), length: 1, data: Uint8Array.of(1, 2) }),
    );
    expect(() => readArrowValue(fixed, 0, { kind: 'fixed', length: 3 }, 'f')).toThrow(
      "column 'f': cannot read Arrow FixedSizeBinary[2] as Iceberg fixed[3]",
    );
    expect(() => readArrowValue(fixed, 0, { kind: 'uuid' }, 'u')).toThrow('as Iceberg uuid');
    expect(() =>
      readArrowValue(golden.getChild('dec')!, 0, { kind: 'decimal', precision: 38, scale: 1 }, 'dec'),
    ).toThrow("column 'dec': cannot read Arrow Decimal[38e+2] as Iceberg decimal(38,1)");
  });

  it('refuses values that do not fit a narrower Iceberg type', () => {
    expect(() => readArrowValue(golden.getChild('i64')!, 0, { kind: 'int' }, 'i64')).toThrow(
      "column 'i64': value -9223372036854775808 does not fit Iceberg int",
    );
    expect(() =>
      readArrowValue(golden.getChild('dec')!, 0, { kind: 'decimal', precision: 10, scale: 2 }, 'dec'),
    ).toThrow("column 'dec': value -1234567890123456789012 does not fit Iceberg decimal(10,2)");
  });

  it('rejects an out-of-range row index and unsupported Arrow types', () => {
    const ints = vectorFromArray([1], new Int32());
    expect(() => readArrowValue(ints, 1, { kind: 'int' })).toThrow(
      'row index 1 is outside the Arrow vector of length 1',
    );
    const structs = makeVector(makeData({ type: new Struct([]), length: 1, children: [] }));
    expect(() => readArrowValue(structs, 0, { kind: 'int' }, 'x')).toThrow(
      "column 'x': cannot read Arrow Struct<{}> as Iceberg int",
    );
  });
});
