import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashLong } from '../spec/murmur3.ts';
import { bindPartitionSpec } from '../spec/partition.ts';
import { applyTransform } from '../spec/transforms.ts';
import type { PrimitiveType, Schema } from '../spec/types.ts';
import { slotReader } from './arrow-leaf-values.ts';
import { hashLongWords, transformColumn } from './column-transforms.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

describe('hashLongWords', () => {
  it('equals the spec hash of a long for any 64-bit value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (value) => {
        const words = new Int32Array(BigInt64Array.of(value).buffer);
        expect(hashLongWords(words[0] as number, words[1] as number)).toBe(hashLong(value));
      }),
      { numRuns: 500 },
    );
  });

  it('matches the spec test vector for 34 (Appendix B)', () => {
    expect(hashLongWords(34, 0)).toBe(2017239379);
  });
});

interface Case {
  readonly kind: PrimitiveType['kind'];
  readonly arrowType: arrow.DataType;
  readonly values: (n: number) => unknown;
  readonly transforms: readonly string[];
}

const MICROS_PER_DAY = 86_400_000_000;
const cases: readonly Case[] = [
  {
    kind: 'long',
    arrowType: new arrow.Int64(),
    values: (n) => BigInt(n) * 1_000_003n,
    transforms: ['bucket[16]', 'bucket[7]', 'identity', 'truncate[10]'],
  },
  {
    kind: 'int',
    arrowType: new arrow.Int32(),
    values: (n) => n,
    transforms: ['bucket[16]', 'identity', 'truncate[4]'],
  },
  {
    kind: 'date',
    arrowType: new arrow.DateDay(),
    values: (n) => new Date(n * 86_400_000),
    transforms: ['bucket[16]', 'day', 'month', 'year', 'identity'],
  },
  {
    kind: 'timestamptz',
    arrowType: new arrow.TimestampMicrosecond('UTC'),
    values: (n) => BigInt(n) * BigInt(Math.floor(MICROS_PER_DAY / 7)),
    transforms: ['bucket[16]', 'day', 'hour', 'month', 'year', 'identity'],
  },
  {
    kind: 'timestamp_ns',
    arrowType: new arrow.TimestampNanosecond(),
    values: (n) => BigInt(n) * 12_345_678_901_234n,
    transforms: ['bucket[16]', 'day', 'hour', 'identity'],
  },
];

function columnOf(c: Case, numbers: readonly (number | null)[]): arrow.Data {
  const values = numbers.map((n) => (n === null ? null : c.values(n)));
  if (c.arrowType instanceof arrow.Int64 || c.arrowType instanceof arrow.Timestamp) {
    const raw = BigInt64Array.from(values, (v) => (v === null ? 0n : (v as bigint)));
    const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
    values.forEach((v, i) => {
      if (v !== null) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
    });
    return arrow.makeData({
      type: c.arrowType as arrow.Int64,
      length: values.length,
      nullCount: values.filter((v) => v === null).length,
      nullBitmap,
      data: raw,
    });
  }
  return arrow.vectorFromArray(values, c.arrowType).data[0] as arrow.Data;
}

function check(c: Case, transform: string, numbers: readonly (number | null)[], sliceFrom: number): void {
  const schema: Schema = {
    schemaId: 0,
    identifierFieldIds: [],
    fields: [{ id: 1, name: 'v', required: false, type: { kind: c.kind } as PrimitiveType }],
  };
  const bound = bindPartitionSpec(
    { specId: 0, fields: [{ sourceId: 1, fieldId: 1000, name: 'p', transform }] },
    schema,
  );
  const field = bound.fields[0] as (typeof bound.fields)[number];
  const full = columnOf(c, numbers);
  const data = full.slice(sliceFrom, full.length - sliceFrom);
  const read = slotReader(data, field.source.field.type as PrimitiveType, 'v');
  const general = (row: number) =>
    applyTransform(field.transform, field.source.field.type, data.getValid(row) ? read(row) : null);
  const expected = Array.from({ length: data.length }, (_, row) => general(row));
  expect(transformColumn(field, data, data.length, general), `${c.kind} ${transform}`).toEqual(expected);
}

describe('transformColumn', () => {
  it('equals the row-by-row transform on random, sorted and clustered columns with nulls', () => {
    const value = fc.option(fc.integer({ min: -2_000_000, max: 2_000_000 }), { freq: 6 });
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 80 }), fc.nat(3), (numbers, sliceFrom) => {
        const from = Math.min(sliceFrom, Math.floor((numbers.length - 1) / 2));
        const sorted = [...numbers].sort((a, b) => (a ?? 0) - (b ?? 0));
        for (const c of cases) {
          for (const transform of c.transforms) {
            check(c, transform, numbers, from);
            check(c, transform, sorted, from);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('uses the general path (and its error) for a column under a struct with nulls', () => {
    const schema: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [{ id: 1, name: 'v', required: false, type: { kind: 'long' } }],
    };
    const bound = bindPartitionSpec(
      { specId: 0, fields: [{ sourceId: 1, fieldId: 1000, name: 'p', transform: 'bucket[4]' }] },
      schema,
    );
    const field = bound.fields[0] as (typeof bound.fields)[number];
    const out = transformColumn(field, undefined, 3, (row) => (row === 1 ? null : row));
    expect(out).toEqual([0, null, 2]);
    expect(() =>
      transformColumn(field, undefined, 2, () => {
        throw new Error("column 'v': bad value");
      }),
    ).toThrow("column 'v': bad value");
  });
});
