import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PositionBitmap } from './position-bitmap.ts';

// Golden vectors produced by CRoaring (pyroaring 1.2.0, BitMap64.serialize) for the positions
// each case describes: `plain` built value by value (array and bitset containers), `runOptimized`
// after run_optimize (run containers, the other cookie).
interface VectorCase {
  readonly ranges: readonly [number, number][];
  readonly values: readonly number[];
  readonly cardinality: number;
  readonly plain: string;
  readonly runOptimized: string;
}
const vectors = JSON.parse(
  readFileSync(new URL('./testdata/roaring64-vectors.json', import.meta.url), 'utf8'),
) as { cases: Record<string, VectorCase> };

function positionsOf(c: VectorCase): number[] {
  const all = new Set(c.values);
  for (const [start, end] of c.ranges) for (let p = start; p < end; p++) all.add(p);
  return [...all].sort((a, b) => a - b);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

describe('PositionBitmap portable serialization', () => {
  for (const [name, c] of Object.entries(vectors.cases)) {
    it(`${name}: reads CRoaring's bytes (plain and run-optimized) and writes CRoaring's plain bytes`, () => {
      const expected = positionsOf(c);
      expect(expected).toHaveLength(c.cardinality);
      for (const bytes of [c.plain, c.runOptimized]) {
        const bitmap = PositionBitmap.deserialize(fromHex(bytes));
        expect(bitmap.cardinality).toBe(c.cardinality);
        expect([...bitmap.values()]).toEqual(expected);
      }
      expect(hex(PositionBitmap.of(expected).serialize())).toBe(c.plain);
    });
  }

  it('answers membership across containers and 32-bit keys', () => {
    const bitmap = PositionBitmap.of([0, 65535, 65536, 2 ** 32 + 1]);
    expect([0, 65535, 65536, 2 ** 32 + 1].map((p) => bitmap.has(p))).toEqual([true, true, true, true]);
    expect([1, 65534, 65537, 2 ** 32].map((p) => bitmap.has(p))).toEqual([false, false, false, false]);
  });

  it('merges another bitmap', () => {
    const a = PositionBitmap.of([1, 2, 100000]);
    a.addAll(PositionBitmap.of([2, 3, 200000]));
    expect([...a.values()]).toEqual([1, 2, 3, 100000, 200000]);
  });

  it('rejects truncated, trailing and out-of-order input with a message naming the fault', () => {
    const good = PositionBitmap.of([1, 2 ** 32 + 1]).serialize();
    expect(() => PositionBitmap.deserialize(good.subarray(0, good.length - 1))).toThrow(
      /deletion vector bitmap is malformed: array container runs past the end/,
    );
    const trailing = new Uint8Array(good.length + 2);
    trailing.set(good);
    expect(() => PositionBitmap.deserialize(trailing)).toThrow(/2 trailing bytes/);
    const swapped = fromHex(vectors.cases['beyond-32-bits']!.plain);
    new DataView(swapped.buffer).setUint32(8, 7, true);
    expect(() => PositionBitmap.deserialize(swapped)).toThrow(/keys are not in ascending order/);
    const badCookie = fromHex(vectors.cases['small-array']!.plain);
    badCookie[12] = 0;
    expect(() => PositionBitmap.deserialize(badCookie)).toThrow(/unknown cookie/);
  });

  it('refuses negative or fractional positions', () => {
    expect(() => new PositionBitmap().add(-1)).toThrow(/row position -1 is not a non-negative integer/);
    expect(() => new PositionBitmap().add(1.5)).toThrow(/row position 1.5/);
  });
});
