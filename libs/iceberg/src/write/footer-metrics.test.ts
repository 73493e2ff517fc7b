import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { IcebergType, NestedField, PrimitiveType, Schema } from '../spec/types.ts';
import { compareBytes, compareStrings } from './bounds.ts';
import { ColumnMetricsCollector, type MetricsSource } from './column-metrics.ts';
import { footerLeafStats, footerServes } from './footer-metrics.ts';
import { ParquetFileWriter } from './parquet-file-writer.ts';
import type { ParquetColumnChunk, ParquetFooter } from './parquet-footer.ts';

const ROWS = 90;
const BATCH_ROWS = 25; // batches and row groups (7 rows) do not line up

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Column {
  readonly field: NestedField;
  readonly arrowType: arrow.DataType;
  /** Value of row i (null for a null). */
  readonly value: (i: number, next: () => number) => unknown;
}

const col = (
  id: number,
  name: string,
  type: IcebergType,
  arrowType: arrow.DataType,
  value: Column['value'],
): Column => ({ field: { id, name, required: false, type }, arrowType, value });

const nullEvery =
  (n: number, value: Column['value']): Column['value'] =>
  (i, next) =>
    i % n === 3 ? null : value(i, next);
const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)] as T;
const signed = (next: () => number, max: number) => Math.round((next() * 2 - 1) * max);

const WORDS = ['', 'a', 'ä', 'zebra', '日本語', '𝄞 music', 'ＺＺ', '\u{10FFFF}x', 'Ω'.repeat(20)];
const LONG_ASCII = 'x'.repeat(70);
const longText = (i: number, next: () => number) =>
  `${pick(['é', 'z', '中', '😀', 'a'], next).repeat(20 + (i % 7))}${LONG_ASCII}${i}`;
const bytesOf = (length: number, next: () => number, fill?: number) =>
  Uint8Array.from({ length }, () => fill ?? Math.floor(next() * 256));

/** Decimal128 storage (little-endian two's complement, 16 bytes a value) of unscaled values. */
function decimalWords(values: readonly (bigint | null)[]): Uint32Array {
  const view = new DataView(new ArrayBuffer(values.length * 16));
  values.forEach((value, i) => {
    view.setBigUint64(i * 16, BigInt.asUintN(64, value ?? 0n), true);
    view.setBigInt64(i * 16 + 8, (value ?? 0n) >> 64n, true);
  });
  return new Uint32Array(view.buffer);
}

const point = new arrow.Struct([
  new arrow.Field('x', new arrow.Int32(), true),
  new arrow.Field('label', new arrow.Utf8(), true),
]);
const ints = new arrow.List(new arrow.Field('element', new arrow.Int32(), true));

/** Every primitive type, several Arrow layouts of some, nulls, and a struct and a list. */
const COLUMNS: readonly Column[] = [
  col(
    1,
    'flag',
    { kind: 'boolean' },
    new arrow.Bool(),
    nullEvery(5, (_, n) => n() < 0.5),
  ),
  col(
    2,
    'all_true',
    { kind: 'boolean' },
    new arrow.Bool(),
    nullEvery(4, () => true),
  ),
  col(3, 'all_false', { kind: 'boolean' }, new arrow.Bool(), () => false),
  col(
    4,
    'i8',
    { kind: 'int' },
    new arrow.Int8(),
    nullEvery(6, (_, n) => signed(n, 127)),
  ),
  col(5, 'i16', { kind: 'int' }, new arrow.Int16(), (_, n) => signed(n, 32_000)),
  col(6, 'i32', { kind: 'int' }, new arrow.Int32(), (i, n) =>
    i === 40 ? -(2 ** 31) : i === 41 ? 2 ** 31 - 1 : signed(n, 1e6),
  ),
  col(7, 'i64', { kind: 'long' }, new arrow.Int64(), (i, n) =>
    i === 50 ? -(2n ** 63n) : i === 51 ? 2n ** 63n - 1n : BigInt(signed(n, 1e12)),
  ),
  col(
    8,
    'long_from_int',
    { kind: 'long' },
    new arrow.Int32(),
    nullEvery(7, (_, n) => signed(n, 1e9)),
  ),
  col(9, 'dec9', { kind: 'decimal', precision: 9, scale: 2 }, new arrow.Decimal(2, 9, 128), (_, n) =>
    BigInt(signed(n, 999_999_999)),
  ),
  col(
    10,
    'dec18',
    { kind: 'decimal', precision: 18, scale: 4 },
    new arrow.Decimal(4, 18, 128),
    (_, n) => BigInt(signed(n, 1e15)) * 1000n,
  ),
  col(
    11,
    'dec38',
    { kind: 'decimal', precision: 38, scale: 10 },
    new arrow.Decimal(10, 38, 128),
    nullEvery(9, (_, n) => BigInt(signed(n, 1e15)) * 10n ** 22n + BigInt(signed(n, 1e6))),
  ),
  col(12, 'day', { kind: 'date' }, new arrow.DateDay(), (_, n) => signed(n, 30_000)),
  col(
    13,
    'day_ms',
    { kind: 'date' },
    new arrow.DateMillisecond(),
    (_, n) => BigInt(signed(n, 30_000)) * 86_400_000n,
  ),
  col(14, 't_us', { kind: 'time' }, new arrow.TimeMicrosecond(), (_, n) =>
    BigInt(Math.floor(n() * 86_399_999_999)),
  ),
  col(15, 't_ms', { kind: 'time' }, new arrow.TimeMillisecond(), (_, n) => Math.floor(n() * 86_399_999)),
  col(
    16,
    't_s',
    { kind: 'time' },
    new arrow.TimeSecond(),
    nullEvery(8, (_, n) => Math.floor(n() * 86_399)),
  ),
  col(17, 'ts_us', { kind: 'timestamp' }, new arrow.TimestampMicrosecond(), (_, n) =>
    BigInt(signed(n, 4e15)),
  ),
  col(18, 'tstz_us', { kind: 'timestamptz' }, new arrow.TimestampMicrosecond('UTC'), (_, n) =>
    BigInt(signed(n, 4e15)),
  ),
  col(19, 'ts_ms', { kind: 'timestamp' }, new arrow.TimestampMillisecond(), (_, n) =>
    BigInt(signed(n, 4e12)),
  ),
  col(20, 'ts_s', { kind: 'timestamptz' }, new arrow.TimestampSecond('UTC'), (_, n) =>
    BigInt(signed(n, 4e9)),
  ),
  col(
    21,
    'ts_ns',
    { kind: 'timestamp_ns' },
    new arrow.TimestampNanosecond(),
    (_, n) => BigInt(signed(n, 4e15)) * 1000n + 7n,
  ),
  col(
    22,
    'tstz_ns',
    { kind: 'timestamptz_ns' },
    new arrow.TimestampNanosecond('UTC'),
    (_, n) => BigInt(signed(n, 4e15)) * 1000n - 3n,
  ),
  col(
    23,
    'word',
    { kind: 'string' },
    new arrow.Utf8(),
    nullEvery(5, (_, n) => pick(WORDS, n)),
  ),
  col(24, 'long_text', { kind: 'string' }, new arrow.Utf8(), nullEvery(6, longText)),
  col(25, 'short_bound', { kind: 'string' }, new arrow.Utf8(), longText),
  col(26, 'full_text', { kind: 'string' }, new arrow.Utf8(), longText),
  col(27, 'large_text', { kind: 'string' }, new arrow.LargeUtf8(), (i, n) =>
    i % 3 === 0 ? pick(WORDS, n) : longText(i, n),
  ),
  col(
    28,
    'blob',
    { kind: 'binary' },
    new arrow.Binary(),
    nullEvery(4, (i, n) =>
      // long values, some with 0xFF where arrow-rs truncates and increments (bytes 16-63, 63)
      i % 3 === 0
        ? bytesOf(Math.floor(n() * 20), n)
        : Uint8Array.from([...bytesOf(i % 2 === 0 ? 16 : 63, n, 0xf0 + (i % 16)), ...bytesOf(60, n, 0xff)]),
    ),
  ),
  col(29, 'blob_cut', { kind: 'binary' }, new arrow.Binary(), (i, n) =>
    Uint8Array.from([...bytesOf(3, n, 200 + (i % 50)), ...bytesOf(80, n)]),
  ),
  col(30, 'fx', { kind: 'fixed', length: 4 }, new arrow.FixedSizeBinary(4), (_, n) => bytesOf(4, n)),
  col(31, 'fx_bin', { kind: 'binary' }, new arrow.FixedSizeBinary(20), (_, n) => bytesOf(20, n)),
  col(
    32,
    'id',
    { kind: 'uuid' },
    new arrow.FixedSizeBinary(16),
    nullEvery(10, (_, n) => bytesOf(16, n)),
  ),
  col(
    33,
    'f32',
    { kind: 'float' },
    new arrow.Float32(),
    nullEvery(6, (i, n) => (i === 20 ? Number.NaN : i === 21 ? -0 : signed(n, 1000) / 7)),
  ),
  col(34, 'f64', { kind: 'double' }, new arrow.Float64(), (i, n) =>
    i === 30 ? Number.NaN : signed(n, 1e6) / 3,
  ),
  col(
    35,
    'pt',
    {
      kind: 'struct',
      fields: [
        { id: 36, name: 'x', required: false, type: { kind: 'int' } },
        { id: 37, name: 'label', required: false, type: { kind: 'string' } },
      ],
    },
    point,
    nullEvery(4, (i, n) => ({ x: i % 5 === 0 ? null : signed(n, 100), label: pick(WORDS, n) })),
  ),
  col(
    38,
    'nums',
    { kind: 'list', elementId: 39, elementRequired: false, element: { kind: 'int' } },
    ints,
    nullEvery(6, (i, n) => Array.from({ length: i % 4 }, () => signed(n, 50))),
  ),
  col(40, 'counted', { kind: 'string' }, new arrow.Utf8(), nullEvery(3, longText)),
  col(41, 'ignored', { kind: 'int' }, new arrow.Int32(), (_, n) => signed(n, 10)),
];

const SCHEMA: Schema = { schemaId: 0, identifierFieldIds: [], fields: COLUMNS.map((c) => c.field) };
const PROPERTIES = {
  'write.parquet.row-group-limit': '7',
  'write.metadata.metrics.column.short_bound': 'truncate(4)',
  'write.metadata.metrics.column.full_text': 'full',
  'write.metadata.metrics.column.blob_cut': 'truncate(64)',
  'write.metadata.metrics.column.counted': 'counts',
  'write.metadata.metrics.column.ignored': 'none',
};

const FIXED_WIDTH = new Set([arrow.Type.Int, arrow.Type.Date, arrow.Type.Time, arrow.Type.Timestamp]);

/** Fixed-width numbers go straight into their buffers (raw storage units, as the scan reads them). */
function vectorOf(column: Column, values: unknown[]): arrow.Vector {
  const type = column.arrowType;
  const storage = (): ArrayBufferView => {
    if (arrow.DataType.isDecimal(type)) return decimalWords(values as (bigint | null)[]);
    const ArrayType = type.ArrayType as { from(values: unknown[]): ArrayBufferView };
    const wide = ArrayType === BigInt64Array;
    return ArrayType.from(values.map((value) => value ?? (wide ? 0n : 0)));
  };
  if (!arrow.DataType.isDecimal(type) && !FIXED_WIDTH.has(type.typeId))
    return arrow.vectorFromArray(values, type);
  const nulls = values.filter((value) => value === null).length;
  return arrow.makeVector(
    new arrow.Data(type, 0, values.length, nulls, {
      [arrow.BufferType.DATA]: storage(),
      [arrow.BufferType.VALIDITY]: validity(values),
    }),
  );
}

function validity(values: unknown[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, i) => {
    if (value !== null) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
  });
  return bits;
}

function batches(): arrow.RecordBatch[] {
  const next = random(0x14);
  const rows = COLUMNS.map((column) => Array.from({ length: ROWS }, (_, i) => column.value(i, next)));
  const out: arrow.RecordBatch[] = [];
  for (let start = 0; start < ROWS; start += BATCH_ROWS) {
    const vectors = Object.fromEntries(
      COLUMNS.map((column, c) => [
        column.field.name,
        vectorOf(column, (rows[c] as unknown[]).slice(start, start + BATCH_ROWS)),
      ]),
    );
    out.push(...new arrow.Table(vectors).batches);
  }
  return out;
}

async function write(metricsFrom: MetricsSource, input: arrow.RecordBatch[]) {
  const first = input[0] as arrow.RecordBatch;
  const writer = new ParquetFileWriter({
    io: new MemoryFileIO(),
    location: `mem://wh/t/data/${metricsFrom}.parquet`,
    schema: SCHEMA,
    arrowSchema: first.schema,
    properties: PROPERTIES,
    metricsFrom,
  });
  await writer.writeBatches(input);
  return writer.close();
}

describe('column metrics from the Parquet footer', () => {
  it('are byte-identical to the scan of the rows for every primitive type, over several row groups', async () => {
    const input = batches();
    const fromFooter = await write('footer', input);
    const scanned = await write('scan', input);
    expect(fromFooter.footer.rowGroups.length).toBe(Math.ceil(ROWS / 7));
    // The statistics really were truncated where the test means them to be.
    const chunk = (name: string) =>
      fromFooter.footer.rowGroups.map((group) => group.columns.find((c) => c.path[0] === name));
    expect(chunk('long_text').some((c) => c?.maxIsExact === false && c.minIsExact === false)).toBe(true);
    expect(chunk('blob').some((c) => c?.maxIsExact === false)).toBe(true);

    expect(fromFooter.metrics).toEqual(scanned.metrics);
    const { lowerBounds, upperBounds, nullValueCounts, nanValueCounts, valueCounts } = fromFooter.metrics;
    // Every leaf but the list element, the `counts` and the `none` column has bounds.
    expect([...lowerBounds.keys()].sort((a, b) => a - b)).toEqual(
      COLUMNS.flatMap((c) => (c.field.type.kind === 'struct' ? [36, 37] : [c.field.id])).filter(
        (id) => id !== 38 && id !== 40 && id !== 41,
      ),
    );
    expect(upperBounds.size).toBe(lowerBounds.size);
    expect(valueCounts.has(41)).toBe(false);
    expect(nullValueCounts.get(36)).toBe(BigInt(scanned.metrics.nullValueCounts.get(36) ?? -1n));
    expect(nanValueCounts.get(34)).toBe(1n);
    const bound = (type: PrimitiveType, bytes: Uint8Array | undefined) =>
      bytes === undefined ? undefined : deserializeSingleValue(type, bytes);
    expect(bound({ kind: 'boolean' }, lowerBounds.get(2))).toBe(true);
    expect(bound({ kind: 'boolean' }, upperBounds.get(3))).toBe(false);
    expect(bound({ kind: 'int' }, lowerBounds.get(6))).toBe(-(2 ** 31));
    expect(bound({ kind: 'long' }, upperBounds.get(7))).toBe(2n ** 63n - 1n);
    expect(bound({ kind: 'string' }, lowerBounds.get(23))).toBe('');
  });

  it('reads a leaf from the footer only where its statistics mean what the scan computes', () => {
    const truncate = (length: number) => ({ kind: 'truncate', length }) as const;
    const full = { kind: 'full' } as const;
    const counts = { kind: 'counts' } as const;
    const cases: [arrow.DataType, PrimitiveType, Parameters<typeof footerServes>[2], boolean][] = [
      [new arrow.Int32(), { kind: 'int' }, full, true],
      [new arrow.Uint32(), { kind: 'long' }, full, false], // Parquet orders it unsigned
      [new arrow.Float64(), { kind: 'double' }, counts, false], // NaN counts
      [new arrow.Float16(), { kind: 'float' }, full, false],
      [new arrow.Utf8(), { kind: 'string' }, truncate(16), true],
      [new arrow.Utf8(), { kind: 'string' }, truncate(17), false],
      [new arrow.Utf8(), { kind: 'string' }, full, false],
      [new arrow.Utf8(), { kind: 'string' }, counts, true],
      [new arrow.Utf8(), { kind: 'uuid' }, truncate(16), false], // uuid as text
      [new arrow.Binary(), { kind: 'binary' }, truncate(64), true],
      [new arrow.Binary(), { kind: 'binary' }, truncate(65), false],
      [new arrow.FixedSizeBinary(64), { kind: 'fixed', length: 64 }, full, true],
      [new arrow.FixedSizeBinary(65), { kind: 'fixed', length: 65 }, full, false],
      [new arrow.FixedSizeBinary(65), { kind: 'fixed', length: 65 }, counts, true],
      [new arrow.TimestampSecond(), { kind: 'long' }, full, false],
    ];
    for (const [arrowType, type, mode, serves] of cases)
      expect([String(arrowType), type.kind, mode, footerServes(arrowType, type, mode)]).toEqual([
        String(arrowType),
        type.kind,
        mode,
        serves,
      ]);
  });

  it('gives a looser but valid upper bound when arrow-rs incremented a string short of N code points', async () => {
    // After 14 'a's only U+007F, which arrow-rs does not increment (it would widen to 2 bytes):
    // its truncated max is 'a' × 13 + 'b', where the scan's truncate(16) increments the 16th code
    // point: 'a' × 14 + U+007F + U+0080.
    const value = `${'a'.repeat(14)}${'\u007f'.repeat(60)}`;
    const schema: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [{ id: 1, name: 's', required: false, type: { kind: 'string' } }],
    };
    const table = new arrow.Table({ s: arrow.vectorFromArray([value, 'a'], new arrow.Utf8()) });
    const upper = async (metricsFrom: MetricsSource) => {
      const writer = new ParquetFileWriter({
        io: new MemoryFileIO(),
        location: 'mem://wh/t/data/s.parquet',
        schema,
        arrowSchema: table.schema,
        metricsFrom,
      });
      await writer.writeBatches(table.batches);
      const bytes = (await writer.close()).metrics.upperBounds.get(1);
      return bytes === undefined ? undefined : (deserializeSingleValue({ kind: 'string' }, bytes) as string);
    };
    const scanned = await upper('scan');
    const fromFooter = await upper('footer');
    expect(scanned).toBe(`${'a'.repeat(14)}\u007f\u0080`);
    expect(fromFooter).toBe(`${'a'.repeat(13)}b`);
    expect(compareStrings(fromFooter as string, scanned as string)).toBeGreaterThan(0);
    expect(compareStrings(fromFooter as string, value)).toBeGreaterThan(0);
  });
});

describe('footerLeafStats', () => {
  /** An INT32 chunk of three values 1..9; `undefined` in `over` removes a field. */
  const chunk = (over: { [K in keyof ParquetColumnChunk]?: ParquetColumnChunk[K] | undefined }) => {
    const merged = {
      path: ['c'],
      numValues: 3n,
      compressedSize: 10n,
      startOffset: 4n,
      physicalType: 1,
      nullCount: 0n,
      minValue: Uint8Array.of(1, 0, 0, 0),
      maxValue: Uint8Array.of(9, 0, 0, 0),
      minIsExact: true,
      maxIsExact: true,
      ...over,
    };
    return Object.fromEntries(
      Object.entries(merged).filter(([, value]) => value !== undefined),
    ) as unknown as ParquetColumnChunk;
  };
  const footerOf = (...chunks: ParquetColumnChunk[]): ParquetFooter => ({
    numRows: 3n * BigInt(chunks.length),
    schema: [],
    rowGroups: chunks.map((c) => ({ numRows: 3n, columns: [c] })),
  });
  const int = { kind: 'int' } as const;
  const full = { kind: 'full' } as const;

  it('merges row groups and skips a group of nulls', () => {
    const stats = footerLeafStats(
      footerOf(
        chunk({ minValue: Uint8Array.of(0xfe, 0xff, 0xff, 0xff), nullCount: 1n }),
        chunk({ minValue: undefined, maxValue: undefined, nullCount: 3n }),
        chunk({ maxValue: Uint8Array.of(0, 1, 0, 0) }),
      ),
      0,
      new arrow.Int32(),
      int,
      full,
    );
    expect(stats).toEqual({ nulls: 4, min: -2, max: 256 });
  });

  it('leaves out what the footer does not say for sure', () => {
    const leaf = (...chunks: ParquetColumnChunk[]) =>
      footerLeafStats(footerOf(...chunks), 0, new arrow.Int32(), int, full);
    expect(leaf(chunk({}), chunk({ nullCount: undefined }))).toEqual({ nulls: undefined, min: 1, max: 9 });
    // bounds missing on a chunk that has values, not exact, or of an unexpected physical type
    expect(leaf(chunk({ minValue: undefined, nullCount: 1n })).min).toBeUndefined();
    expect(leaf(chunk({}), chunk({ maxIsExact: false })).max).toBeUndefined();
    expect(leaf(chunk({ physicalType: 2 })).min).toBeUndefined();
    const binary = footerLeafStats(
      footerOf(chunk({ physicalType: 6, maxIsExact: undefined })),
      0,
      new arrow.Binary(),
      { kind: 'binary' },
      { kind: 'truncate', length: 16 },
    );
    expect(binary).toEqual({ nulls: 0, min: undefined, max: undefined });
  });

  it('recovers the incremented prefix of a truncated binary max whose carry reached the first N bytes', () => {
    // arrow-rs: 64-byte prefix [1 × 10, 0xFF × 54] + 1 → [1 × 9, 2, 0 × 54]
    const max = Uint8Array.from([...new Uint8Array(9).fill(1), 2, ...new Uint8Array(54)]);
    const stats = footerLeafStats(
      footerOf(chunk({ physicalType: 6, minValue: Uint8Array.of(0), maxValue: max, maxIsExact: false })),
      0,
      new arrow.Binary(),
      { kind: 'binary' },
      { kind: 'truncate', length: 16 },
    );
    expect(compareBytes(stats.max as Uint8Array, Uint8Array.from([...new Uint8Array(9).fill(1), 2]))).toBe(0);
  });

  it('is refused by the collector without a footer', () => {
    const schema: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [{ id: 1, name: 'n', required: false, type: int }],
    };
    const table = new arrow.Table({ n: arrow.vectorFromArray([1], new arrow.Int32()) });
    const collector = new ColumnMetricsCollector(schema, table.schema, {}, { metricsFrom: 'footer' });
    expect(() => collector.finish()).toThrow(
      "metrics of column 'n' come from the Parquet footer, but finish() was given none",
    );
  });
});
