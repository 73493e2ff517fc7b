import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeData, takeRows } from './take-rows.ts';

/** Plain JS form of an Arrow value, so taken and expected columns compare with toEqual. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof arrow.Vector) return Array.from(value as Iterable<unknown>, plain);
  if (value instanceof Uint8Array || value instanceof Uint32Array) return Array.from(value);
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [plain(k), plain(v)]);
  if (typeof value === 'object' && 'toJSON' in value) {
    const json = (value as { toJSON(): unknown }).toJSON();
    if (json instanceof Map) return plain(json);
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, plain(v)]));
    }
    return json;
  }
  return value;
}

function columnValues(data: arrow.Data): unknown[] {
  const vector = arrow.makeVector(data);
  return Array.from({ length: vector.length }, (_, i) => plain(vector.get(i)));
}

const decimalWords = (values: (number | null)[]): arrow.Data => {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    const n = v ?? 0;
    words[i * 4] = n >>> 0;
    const high = n < 0 ? 0xffffffff : 0;
    words[i * 4 + 1] = high;
    words[i * 4 + 2] = high;
    words[i * 4 + 3] = high;
  });
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return arrow.makeData({
    type: new arrow.Decimal(2, 12, 128),
    length: values.length,
    nullCount: values.filter((v) => v === null).length,
    nullBitmap,
    data: words,
  });
};

const LENGTH = 37;
const pick = <T>(values: readonly T[]) =>
  Array.from({ length: LENGTH }, (_, i) => values[i % values.length] as T);
const withNulls = <T>(values: T[]) => values.map((v, i) => (i % 4 === 1 ? null : v));

/** One column per layout floe writes, each with nulls where the type allows them. */
function columns(): Record<string, arrow.Data> {
  const vec = <T extends arrow.DataType>(values: unknown[], type: T) =>
    arrow.vectorFromArray(values, type).data[0] as arrow.Data;
  const fixed = (n: number) => Uint8Array.from({ length: 16 }, (_, k) => (n * 7 + k) & 0xff);
  const listType = new arrow.List(new arrow.Field('element', new arrow.Int32(), true));
  const mapType = new arrow.Map_(
    new arrow.Field(
      'entries',
      new arrow.Struct<{ key: arrow.Utf8; value: arrow.Int32 }>([
        new arrow.Field('key', new arrow.Utf8(), false),
        new arrow.Field('value', new arrow.Int32(), true),
      ]),
      false,
    ),
  );
  const structType = new arrow.Struct([
    new arrow.Field('lat', new arrow.Float64(), true),
    new arrow.Field('name', new arrow.Utf8(), true),
  ]);
  const ints = Array.from({ length: LENGTH }, (_, i) => i * 3 - 50);
  return {
    int8: vec(withNulls(ints.map((v) => v % 100)), new arrow.Int8()),
    int16: vec(withNulls(ints), new arrow.Int16()),
    int32: vec(withNulls(ints), new arrow.Int32()),
    int64: vec(withNulls(ints.map((v) => BigInt(v) * 10_000_000_000n)), new arrow.Int64()),
    float32: vec(withNulls(ints.map((v) => v / 4)), new arrow.Float32()),
    float64: vec(withNulls(ints.map((v) => (v === 1 ? Number.NaN : v / 3))), new arrow.Float64()),
    decimal: decimalWords(withNulls(ints.map((v) => v * 1001))),
    dateDay: vec(withNulls(ints.map((v) => v * 86_400_000)), new arrow.DateDay()),
    dateMillis: vec(withNulls(ints.map((v) => v * 86_400_000)), new arrow.DateMillisecond()),
    timeMicros: vec(withNulls(ints.map((v) => BigInt(Math.abs(v) * 1000))), new arrow.TimeMicrosecond()),
    timestampMicros: vec(
      withNulls(ints.map((v) => 1_700_000_000_000 + v)),
      new arrow.TimestampMicrosecond('UTC'),
    ),
    timestampNanos: vec(withNulls(ints.map((v) => 1_700_000_000_000 + v)), new arrow.TimestampNanosecond()),
    bool: vec(withNulls(ints.map((v) => v % 3 === 0)), new arrow.Bool()),
    utf8: vec(withNulls(pick(['', 'a', 'ünïcödé', '😀 emoji', 'x'.repeat(70)])), new arrow.Utf8()),
    largeUtf8: vec(withNulls(pick(['big', '', 'ß', 'y'.repeat(40)])), new arrow.LargeUtf8()),
    binary: vec(
      withNulls(pick([new Uint8Array([1, 2, 3]), new Uint8Array(0), fixed(9)])),
      new arrow.Binary(),
    ),
    fixed: vec(withNulls(ints.map(fixed)), new arrow.FixedSizeBinary(16)),
    struct: vec(
      ints.map((v, i) => (i % 5 === 2 ? null : { lat: i % 3 === 0 ? null : v / 7, name: `n${v}` })),
      structType,
    ),
    list: vec(
      ints.map((v, i) =>
        i % 6 === 3 ? null : Array.from({ length: i % 4 }, (_, k) => (k === 1 ? null : v + k)),
      ),
      listType,
    ),
    map: vec(
      ints.map((v, i) =>
        i % 7 === 4 ? null : new Map(Array.from({ length: i % 3 }, (_, k) => [`k${k}`, k === 0 ? null : v])),
      ),
      mapType,
    ),
    fixedList: vec(
      ints.map((v, i) => (i % 5 === 0 ? null : [v, i % 2 === 0 ? null : v + 1])),
      new arrow.FixedSizeList(2, new arrow.Field('item', new arrow.Int32(), true)),
    ),
    dictionary: vec(
      withNulls(pick(['US', 'DE', 'FR'])),
      new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    ),
  };
}

function batchOf(data: Record<string, arrow.Data>): arrow.RecordBatch {
  const fields = Object.entries(data).map(([name, d]) => new arrow.Field(name, d.type, true));
  const schema = new arrow.Schema(fields);
  const struct = arrow.makeData({
    type: new arrow.Struct(fields),
    length: LENGTH,
    nullCount: 0,
    children: Object.values(data),
  });
  return new arrow.RecordBatch(schema, struct);
}

function expectTaken(source: arrow.RecordBatch, indices: Int32Array): void {
  const taken = takeRows(source, indices);
  expect(taken.numRows).toBe(indices.length);
  expect(taken.schema.fields.map(String)).toEqual(source.schema.fields.map(String));
  source.schema.fields.forEach((field, c) => {
    const before = columnValues(source.data.children[c] as arrow.Data);
    const after = columnValues(taken.data.children[c] as arrow.Data);
    expect(after, field.name).toEqual(Array.from(indices, (i) => before[i]));
    const nulls = Array.from(indices, (i) => before[i] === null).filter(Boolean).length;
    expect((taken.data.children[c] as arrow.Data).nullCount, `${field.name} nulls`).toBe(nulls);
  });
  // The result must also be valid Arrow for other readers: round-trip it through IPC.
  const roundTrip = arrow.tableFromIPC(arrow.tableToIPC(new arrow.Table([taken]), 'stream'));
  expect(roundTrip.numRows).toBe(indices.length);
  source.schema.fields.forEach((field, c) => {
    const read = roundTrip.getChildAt(c) as arrow.Vector;
    const expected = columnValues(taken.data.children[c] as arrow.Data);
    expect(
      Array.from({ length: read.length }, (_, i) => plain(read.get(i))),
      `${field.name} via IPC`,
    ).toEqual(expected);
  });
}

describe('takeRows', () => {
  it('gathers every supported layout, with nulls, in index order and with repeats', () => {
    const source = batchOf(columns());
    expectTaken(source, Int32Array.from([5, 0, 1, 1, 36, 9, 17, 4, 4, 22, 13]));
    expectTaken(
      source,
      Int32Array.from({ length: LENGTH }, (_, i) => LENGTH - 1 - i),
    );
  });

  it('gathers from sliced batches (bitmaps addressed at offset + row, list children unsliced)', () => {
    const source = batchOf(columns());
    for (const [start, end] of [
      [3, 30],
      [7, 8],
      [13, 37],
    ] as const) {
      const slice = source.slice(start, end);
      expectTaken(
        slice,
        Int32Array.from({ length: end - start }, (_, i) => (i * 5) % (end - start)),
      );
    }
  });

  it('returns an empty batch for no indices', () => {
    const taken = takeRows(batchOf(columns()), new Int32Array(0));
    expect(taken.numRows).toBe(0);
    expect(taken.schema.fields.length).toBe(Object.keys(columns()).length);
  });

  it('matches reading values one by one for random index arrays over random slices', () => {
    const source = batchOf(columns());
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: LENGTH - 1 }),
        fc.integer({ min: 1, max: LENGTH }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (start, span, picks) => {
          const end = Math.min(LENGTH, start + span);
          const slice = source.slice(start, end);
          const indices = Int32Array.from(picks, (p) => p % slice.numRows);
          const taken = takeRows(slice, indices);
          slice.schema.fields.forEach((_, c) => {
            const before = columnValues(slice.data.children[c] as arrow.Data);
            expect(columnValues(taken.data.children[c] as arrow.Data)).toEqual(
              Array.from(indices, (i) => before[i]),
            );
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gathers Float16 as raw half-precision bits', () => {
    const data = arrow.vectorFromArray([1.5, null, -2.25, 8], new arrow.Float16()).data[0] as arrow.Data;
    expect(columnValues(takeData(data, Int32Array.from([3, 1, 0])))).toEqual([8, null, 1.5]);
  });

  it('gathers LargeList (64-bit offsets)', () => {
    const type = new arrow.LargeList(new arrow.Field('element', new arrow.Int32(), true));
    const data = arrow.vectorFromArray([[1], null, [2, 3]], type).data[0] as arrow.Data;
    expect(columnValues(takeData(data, Int32Array.from([2, 1, 0, 2])))).toEqual([[2, 3], null, [1], [2, 3]]);
  });

  it('refuses a layout with no Iceberg equivalent, naming the Arrow type', () => {
    const type = new arrow.SparseUnion([0], [new arrow.Field('i', new arrow.Int32(), true)]);
    const child = arrow.vectorFromArray([1, 2], new arrow.Int32()).data[0] as arrow.Data;
    const data = arrow.makeData({
      type,
      length: 2,
      nullCount: 0,
      typeIds: new Int8Array(2),
      children: [child],
    });
    expect(() => takeData(data, Int32Array.from([1]))).toThrow(
      'cannot partition rows of Arrow type Union<Int32>: it has no Iceberg equivalent',
    );
  });
});
