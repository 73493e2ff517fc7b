import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { IcebergType, NestedField, Schema } from '../spec/types.ts';
import { ColumnMetricsCollector } from './column-metrics.ts';

const field = (id: number, name: string, type: IcebergType): NestedField => ({
  id,
  name,
  required: false,
  type,
});
const schemaOf = (...fields: NestedField[]): Schema => ({ schemaId: 0, identifierFieldIds: [], fields });

function collect(schema: Schema, table: arrow.Table, properties: Record<string, string> = {}) {
  const collector = new ColumnMetricsCollector(schema, table.schema, properties);
  for (const batch of table.batches) collector.add(batch);
  return { collector, metrics: collector.finish() };
}
const bound = (type: IcebergType, bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : deserializeSingleValue(type, bytes);

describe('ColumnMetricsCollector', () => {
  it('truncates unicode string bounds to 16 code points by default', () => {
    const long = 'ααααααααααααααααωωω'; // 19 code points
    const table = new arrow.Table({ s: arrow.vectorFromArray([long, 'b', null], new arrow.Utf8()) });
    const { metrics } = collect(schemaOf(field(1, 's', { kind: 'string' })), table);
    expect(metrics.recordCount).toBe(3n);
    expect(metrics.valueCounts.get(1)).toBe(3n);
    expect(metrics.nullValueCounts.get(1)).toBe(1n);
    expect(metrics.nanValueCounts.has(1)).toBe(false);
    expect(bound({ kind: 'string' }, metrics.lowerBounds.get(1))).toBe('b');
    expect(bound({ kind: 'string' }, metrics.upperBounds.get(1))).toBe('αααααααααααααααβ');
    const full = collect(schemaOf(field(1, 's', { kind: 'string' })), table, {
      'write.metadata.metrics.column.s': 'full',
    }).metrics;
    expect(bound({ kind: 'string' }, full.upperBounds.get(1))).toBe(long);
  });

  it('honours none and counts modes', () => {
    const table = new arrow.Table({
      a: arrow.vectorFromArray([1, 2], new arrow.Int32()),
      b: arrow.vectorFromArray([1.5, Number.NaN], new arrow.Float32()),
    });
    const schema = schemaOf(field(1, 'a', { kind: 'int' }), field(2, 'b', { kind: 'float' }));
    const { metrics } = collect(schema, table, {
      'write.metadata.metrics.default': 'counts',
      'write.metadata.metrics.column.a': 'none',
    });
    expect(metrics.valueCounts.has(1)).toBe(false);
    expect(metrics.valueCounts.get(2)).toBe(2n);
    expect(metrics.nanValueCounts.get(2)).toBe(1n);
    expect(metrics.lowerBounds.size).toBe(0);
    expect(metrics.upperBounds.size).toBe(0);
  });

  it('keeps no bound for an all-null or all-NaN column, and none for an unincrementable upper', () => {
    const table = new arrow.Table({
      n: arrow.vectorFromArray([null, null], new arrow.Int64()),
      d: arrow.vectorFromArray([Number.NaN, null], new arrow.Float64()),
      b: arrow.vectorFromArray([new Uint8Array(20).fill(255), Uint8Array.of(0, 1)], new arrow.Binary()),
    });
    const schema = schemaOf(
      field(1, 'n', { kind: 'long' }),
      field(2, 'd', { kind: 'double' }),
      field(3, 'b', { kind: 'binary' }),
    );
    const { metrics } = collect(schema, table);
    expect(metrics.nullValueCounts.get(1)).toBe(2n);
    expect(metrics.lowerBounds.has(1)).toBe(false);
    expect(metrics.nanValueCounts.get(2)).toBe(1n);
    expect(metrics.nullValueCounts.get(2)).toBe(1n);
    expect(metrics.lowerBounds.has(2)).toBe(false);
    expect([...(metrics.lowerBounds.get(3) ?? [])]).toEqual([0, 1]);
    expect(metrics.upperBounds.has(3)).toBe(false);
  });

  it('reads temporal, decimal, boolean, uuid and fixed columns in Iceberg units', () => {
    const micros = [1_700_000_000_123_456n, -5n];
    const table = new arrow.Table({
      ts: arrow.makeVector({
        type: new arrow.TimestampMicrosecond(),
        data: BigInt64Array.from(micros),
      } as never),
      ms: arrow.vectorFromArray([1_000, 2_000], new arrow.TimestampMillisecond()),
      day: arrow.vectorFromArray(
        [new Date(Date.UTC(2024, 0, 2)), new Date(Date.UTC(1969, 11, 31))],
        new arrow.DateDay(),
      ),
      t: arrow.makeVector({ type: new arrow.TimeMicrosecond(), data: BigInt64Array.from([5n, 3n]) } as never),
      dec: arrow.makeVector({
        type: new arrow.Decimal(2, 9, 128),
        data: Uint32Array.from([1234, 0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]),
      } as never),
      flag: arrow.vectorFromArray([true, false], new arrow.Bool()),
      id: arrow.vectorFromArray(
        [new Uint8Array(16).fill(0xab), new Uint8Array(16).fill(0x01)],
        new arrow.FixedSizeBinary(16),
      ),
      fx: arrow.vectorFromArray([Uint8Array.of(9, 9), Uint8Array.of(1, 2)], new arrow.FixedSizeBinary(2)),
    });
    const schema = schemaOf(
      field(1, 'ts', { kind: 'timestamptz' }),
      field(2, 'ms', { kind: 'timestamp' }),
      field(3, 'day', { kind: 'date' }),
      field(4, 't', { kind: 'time' }),
      field(5, 'dec', { kind: 'decimal', precision: 9, scale: 2 }),
      field(6, 'flag', { kind: 'boolean' }),
      field(7, 'id', { kind: 'uuid' }),
      field(8, 'fx', { kind: 'fixed', length: 2 }),
    );
    const { metrics } = collect(schema, table);
    const lo = (id: number, type: IcebergType) => bound(type, metrics.lowerBounds.get(id));
    const hi = (id: number, type: IcebergType) => bound(type, metrics.upperBounds.get(id));
    expect([lo(1, { kind: 'timestamptz' }), hi(1, { kind: 'timestamptz' })]).toEqual([
      -5n,
      1_700_000_000_123_456n,
    ]);
    expect([lo(2, { kind: 'timestamp' }), hi(2, { kind: 'timestamp' })]).toEqual([1_000_000n, 2_000_000n]);
    expect([lo(3, { kind: 'date' }), hi(3, { kind: 'date' })]).toEqual([-1, 19724]);
    expect([lo(4, { kind: 'time' }), hi(4, { kind: 'time' })]).toEqual([3n, 5n]);
    const dec = { kind: 'decimal', precision: 9, scale: 2 } as const;
    expect([lo(5, dec), hi(5, dec)]).toEqual([-1n, 1234n]);
    expect([lo(6, { kind: 'boolean' }), hi(6, { kind: 'boolean' })]).toEqual([false, true]);
    expect(hi(7, { kind: 'uuid' })).toBe('abababab-abab-abab-abab-abababababab');
    expect(lo(7, { kind: 'uuid' })).toBe('01010101-0101-0101-0101-010101010101');
    expect([...(metrics.upperBounds.get(8) ?? [])]).toEqual([9, 9]);
  });

  it('counts leaves under null structs and inside maps like Parquet does', () => {
    const point = new arrow.Struct([new arrow.Field('x', new arrow.Int32(), true)]);
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
    const table = new arrow.Table({
      p: arrow.vectorFromArray([{ x: 1 }, null, { x: null }], point),
      m: arrow.vectorFromArray(
        [
          new Map([
            ['a', 1],
            ['b', null],
          ]),
          null,
          new Map(),
        ],
        mapType,
      ),
    });
    const schema = schemaOf(
      field(1, 'p', { kind: 'struct', fields: [field(2, 'x', { kind: 'int' })] }),
      field(3, 'm', {
        kind: 'map',
        keyId: 4,
        key: { kind: 'string' },
        valueId: 5,
        valueRequired: false,
        value: { kind: 'int' },
      }),
    );
    const { collector, metrics } = collect(schema, table);
    expect(collector.leaves.map((leaf) => leaf.name)).toEqual(['p.x', 'm.key', 'm.value']);
    expect(metrics.valueCounts.get(2)).toBe(3n);
    expect(metrics.nullValueCounts.get(2)).toBe(2n);
    expect(bound({ kind: 'int' }, metrics.upperBounds.get(2))).toBe(1);
    expect(metrics.valueCounts.get(4)).toBe(4n); // 2 entries + null map + empty map
    expect(metrics.nullValueCounts.get(4)).toBe(2n);
    expect(metrics.nullValueCounts.get(5)).toBe(3n);
    expect(metrics.lowerBounds.has(4)).toBe(false);
  });

  it('names the column when Arrow and table schema disagree', () => {
    const table = new arrow.Table({ a: arrow.vectorFromArray([1], new arrow.Int32()) });
    expect(() => collect(schemaOf(field(1, 'b', { kind: 'int' })), table)).toThrow(
      "Arrow column 'a' has no matching field in the table schema",
    );
    const nested = new arrow.Table({
      a: arrow.vectorFromArray([{ x: 1 }], new arrow.Struct([new arrow.Field('x', new arrow.Int32())])),
    });
    expect(() => collect(schemaOf(field(1, 'a', { kind: 'int' })), nested)).toThrow(
      "Arrow column 'a' is Struct<{x:Int32}> but the table field is int",
    );
    const withId = new arrow.Schema([
      new arrow.Field('a', new arrow.Int32(), true, new Map([['PARQUET:field_id', '7']])),
    ]);
    expect(() => new ColumnMetricsCollector(schemaOf(field(1, 'a', { kind: 'int' })), withId)).toThrow(
      "Arrow column 'a' (field id 7) has no matching field in the table schema",
    );
  });
});
