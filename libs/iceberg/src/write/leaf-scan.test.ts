import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrimitiveType } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import { slotReader } from './arrow-leaf-values.ts';
import { compareBytes, compareStrings } from './bounds.ts';
import { scanLeaf } from './leaf-scan.ts';

/** The obvious per-value computation the fast scan must agree with. */
function reference(data: arrow.Data, type: PrimitiveType, slots: Int32Array) {
  const read = slotReader(data, type, 'c');
  const compare = (a: PrimitiveValue, b: PrimitiveValue): number => {
    if (typeof a === 'string') return compareStrings(a, b as string);
    if (a instanceof Uint8Array) return compareBytes(a, b as Uint8Array);
    if (typeof a === 'boolean') return Number(a) - Number(b);
    return a < (b as number | bigint) ? -1 : a > (b as number | bigint) ? 1 : 0;
  };
  let nulls = 0;
  let nans = 0;
  let min: PrimitiveValue | undefined;
  let max: PrimitiveValue | undefined;
  for (const slot of slots) {
    if (slot < 0 || !data.getValid(slot)) {
      nulls++;
      continue;
    }
    const value = read(slot);
    if (typeof value === 'number' && Number.isNaN(value)) {
      nans++;
      continue;
    }
    if (min === undefined || compare(value, min) < 0) min = value;
    if (max === undefined || compare(value, max) > 0) max = value;
  }
  return { nulls, nans, min, max };
}

function scanned(data: arrow.Data, type: PrimitiveType, slots: Int32Array) {
  const scan = scanLeaf(data, type, slots, true);
  if (scan === undefined) throw new Error(`no fast path for ${String(data.type)}`);
  const read = slotReader(data, type, 'c');
  return {
    nulls: scan.nulls,
    nans: scan.nans,
    min: scan.minSlot < 0 ? undefined : read(scan.minSlot),
    max: scan.maxSlot < 0 ? undefined : read(scan.maxSlot),
  };
}

const slotsOf = (length: number, phantomEvery: number) =>
  Int32Array.from({ length }, (_, i) => (phantomEvery > 0 && i % phantomEvery === phantomEvery - 1 ? -1 : i));

function decimalData(values: readonly (bigint | null)[]): arrow.Data {
  const words = new Uint32Array(values.length * 4);
  const view = new DataView(words.buffer);
  values.forEach((v, i) => {
    const n = BigInt.asUintN(128, v ?? 0n);
    view.setBigUint64(i * 16, n & 0xffff_ffff_ffff_ffffn, true);
    view.setBigUint64(i * 16 + 8, n >> 64n, true);
  });
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return arrow.makeData({
    type: new arrow.Decimal(2, 38, 128),
    length: values.length,
    nullCount: values.filter((v) => v === null).length,
    nullBitmap,
    data: words,
  });
}

function int64Data(type: arrow.Int64 | arrow.TimestampMicrosecond, values: readonly (bigint | null)[]) {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return arrow.makeData({
    type: type as arrow.Int64,
    length: values.length,
    nullCount: values.filter((v) => v === null).length,
    nullBitmap,
    data: BigInt64Array.from(values, (v) => v ?? 0n),
  });
}

// Half the values share a few high words, so low words (unsigned) decide many comparisons.
const int64 = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -(2n ** 33n), max: 2n ** 33n }),
);

describe('scanLeaf', () => {
  it('finds the same bounds and counts as a per-value scan, for every fast layout', () => {
    const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 5 });
    const layouts = fc.oneof(
      fc
        .array(nullable(fc.string({ unit: 'grapheme', maxLength: 6 })), { minLength: 1, maxLength: 40 })
        .map((vs) => ({
          data: arrow.vectorFromArray(vs, new arrow.Utf8()).data[0] as arrow.Data,
          type: { kind: 'string' } as PrimitiveType,
        })),
      fc.array(nullable(fc.uint8Array({ maxLength: 5 })), { minLength: 1, maxLength: 40 }).map((vs) => ({
        data: arrow.vectorFromArray(vs, new arrow.Binary()).data[0] as arrow.Data,
        type: { kind: 'binary' } as PrimitiveType,
      })),
      fc.array(nullable(int64), { minLength: 1, maxLength: 40 }).map((vs) => ({
        data: int64Data(new arrow.Int64(), vs),
        type: { kind: 'long' } as PrimitiveType,
      })),
      fc.array(nullable(int64.map((v) => v / 1000n)), { minLength: 1, maxLength: 40 }).map((vs) => ({
        data: int64Data(new arrow.TimestampMicrosecond('UTC'), vs),
        type: { kind: 'timestamptz' } as PrimitiveType,
      })),
      fc
        .array(nullable(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { minLength: 1, maxLength: 40 })
        .map((vs) => ({
          data: arrow.vectorFromArray(vs, new arrow.Int32()).data[0] as arrow.Data,
          type: { kind: 'int' } as PrimitiveType,
        })),
      fc.array(nullable(fc.double()), { minLength: 1, maxLength: 40 }).map((vs) => ({
        data: arrow.vectorFromArray(vs, new arrow.Float64()).data[0] as arrow.Data,
        type: { kind: 'double' } as PrimitiveType,
      })),
      fc
        .array(nullable(fc.bigInt({ min: -(10n ** 37n), max: 10n ** 37n })), { minLength: 1, maxLength: 40 })
        .map((vs) => ({
          data: decimalData(vs),
          type: { kind: 'decimal', precision: 38, scale: 2 } as PrimitiveType,
        })),
      fc.array(nullable(fc.boolean()), { minLength: 1, maxLength: 40 }).map((vs) => ({
        data: arrow.vectorFromArray(vs, new arrow.Bool()).data[0] as arrow.Data,
        type: { kind: 'boolean' } as PrimitiveType,
      })),
      fc
        .array(nullable(fc.uint8Array({ minLength: 16, maxLength: 16 })), { minLength: 1, maxLength: 40 })
        .map((vs) => ({
          data: arrow.vectorFromArray(vs, new arrow.FixedSizeBinary(16)).data[0] as arrow.Data,
          type: { kind: 'uuid' } as PrimitiveType,
        })),
    );
    fc.assert(
      fc.property(layouts, fc.nat(5), fc.nat(4), ({ data: full, type }, from, phantomEvery) => {
        const start = Math.min(from, full.length - 1);
        const data = full.slice(start, full.length - start);
        const slots = slotsOf(data.length, phantomEvery);
        expect(scanned(data, type, slots)).toEqual(reference(data, type, slots));
      }),
      { numRuns: 400 },
    );
  });

  it('orders strings by code point (UTF-8 bytes), not UTF-16 units', () => {
    const data = arrow.vectorFromArray(['\uffff', '😀', 'a'], new arrow.Utf8()).data[0] as arrow.Data;
    expect(scanned(data, { kind: 'string' }, slotsOf(3, 0))).toMatchObject({ min: 'a', max: '😀' });
  });

  it('leaves layouts without a fast path (Float16, uuid as text) to the caller', () => {
    const half = arrow.vectorFromArray([1.5], new arrow.Float16()).data[0] as arrow.Data;
    expect(scanLeaf(half, { kind: 'float' }, slotsOf(1, 0), true)).toBeUndefined();
    const text = arrow.vectorFromArray(['A'], new arrow.Utf8()).data[0] as arrow.Data;
    expect(scanLeaf(text, { kind: 'uuid' }, slotsOf(1, 0), true)).toBeUndefined();
  });
});
