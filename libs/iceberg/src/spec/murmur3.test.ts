import { describe, expect, it } from 'vitest';
import { parseDecimal } from './decimal.ts';
import { hashBytes, hashDecimal, hashInt, hashLong, hashString, hashUuid, murmur3Hash32 } from './murmur3.ts';
import { parseDate, parseTimeOfDay, parseTimestamp } from './temporal.ts';
import { bucketHash } from './transforms.ts';

// Every test vector of the Iceberg spec, Appendix B ("32-bit Hash Requirements").
describe('Appendix B hash vectors', () => {
  it('int 34 → 2017239379 and long 34L → 2017239379', () => {
    expect(hashInt(34)).toBe(2017239379);
    expect(hashLong(34n)).toBe(2017239379);
    expect(bucketHash({ kind: 'int' }, 34)).toBe(2017239379);
    expect(bucketHash({ kind: 'long' }, 34n)).toBe(2017239379);
  });

  it('decimal 14.20 → -500754589', () => {
    const unscaled = parseDecimal('14.20', 2);
    expect(hashDecimal(unscaled)).toBe(-500754589);
    expect(bucketHash({ kind: 'decimal', precision: 9, scale: 2 }, unscaled)).toBe(-500754589);
  });

  it('date 2017-11-16 → -653330422', () => {
    expect(bucketHash({ kind: 'date' }, parseDate('2017-11-16'))).toBe(-653330422);
  });

  it('time 22:31:08 → -662762989', () => {
    expect(bucketHash({ kind: 'time' }, parseTimeOfDay('22:31:08', 'micros'))).toBe(-662762989);
  });

  it('timestamp 2017-11-16T22:31:08 → -2047944441, .000001 → -1207196810', () => {
    expect(
      bucketHash({ kind: 'timestamp' }, parseTimestamp('2017-11-16T22:31:08', 'micros', 'forbidden')),
    ).toBe(-2047944441);
    expect(
      bucketHash({ kind: 'timestamp' }, parseTimestamp('2017-11-16T22:31:08.000001', 'micros', 'forbidden')),
    ).toBe(-1207196810);
  });

  it('timestamptz 2017-11-16T14:31:08-08:00 → -2047944441, .000001-08:00 → -1207196810', () => {
    expect(
      bucketHash({ kind: 'timestamptz' }, parseTimestamp('2017-11-16T14:31:08-08:00', 'micros', 'required')),
    ).toBe(-2047944441);
    expect(
      bucketHash(
        { kind: 'timestamptz' },
        parseTimestamp('2017-11-16T14:31:08.000001-08:00', 'micros', 'required'),
      ),
    ).toBe(-1207196810);
  });

  it('timestamp_ns and timestamptz_ns hash at microsecond precision', () => {
    expect(
      bucketHash({ kind: 'timestamp_ns' }, parseTimestamp('2017-11-16T22:31:08', 'nanos', 'forbidden')),
    ).toBe(-2047944441);
    expect(
      bucketHash(
        { kind: 'timestamp_ns' },
        parseTimestamp('2017-11-16T22:31:08.000001001', 'nanos', 'forbidden'),
      ),
    ).toBe(-1207196810);
    expect(
      bucketHash(
        { kind: 'timestamptz_ns' },
        parseTimestamp('2017-11-16T14:31:08-08:00', 'nanos', 'required'),
      ),
    ).toBe(-2047944441);
    expect(
      bucketHash(
        { kind: 'timestamptz_ns' },
        parseTimestamp('2017-11-16T14:31:08.000001001-08:00', 'nanos', 'required'),
      ),
    ).toBe(-1207196810);
  });

  it("string 'iceberg' → 1210000089", () => {
    expect(hashString('iceberg')).toBe(1210000089);
    expect(bucketHash({ kind: 'string' }, 'iceberg')).toBe(1210000089);
  });

  it('uuid f79c3e09-677c-4bbd-a479-3f349cb785e7 → 1488055340', () => {
    expect(hashUuid('f79c3e09-677c-4bbd-a479-3f349cb785e7')).toBe(1488055340);
    expect(bucketHash({ kind: 'uuid' }, 'f79c3e09-677c-4bbd-a479-3f349cb785e7')).toBe(1488055340);
  });

  it('fixed and binary 00 01 02 03 → -188683207', () => {
    const bytes = Uint8Array.of(0, 1, 2, 3);
    expect(hashBytes(bytes)).toBe(-188683207);
    expect(bucketHash({ kind: 'fixed', length: 4 }, bytes)).toBe(-188683207);
    expect(bucketHash({ kind: 'binary' }, bytes)).toBe(-188683207);
  });

  it('non-bucketable reference vectors: boolean true, float/double 1.0, 0.0, -0.0', () => {
    expect(hashInt(1)).toBe(1392991556);
    const doubleBits = (v: number): bigint => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, v === 0 ? 0 : v);
      return view.getBigInt64(0);
    };
    expect(hashLong(doubleBits(1.0))).toBe(-142385009);
    expect(hashLong(doubleBits(0.0))).toBe(1669671676);
    expect(hashLong(doubleBits(-0.0))).toBe(1669671676);
  });
});

describe('murmur3Hash32', () => {
  it('hashes the empty input and every tail length', () => {
    expect(murmur3Hash32(new Uint8Array(0))).toBe(0);
    // Reference values cross-checked with Python's mmh3 (MurmurHash3_x86_32, seed 0).
    expect(murmur3Hash32(new TextEncoder().encode('a'))).toBe(1009084850);
    expect(murmur3Hash32(new TextEncoder().encode('ab'))).toBe(-1681926305);
    expect(murmur3Hash32(new TextEncoder().encode('abc'))).toBe(-1277324294);
    expect(murmur3Hash32(new TextEncoder().encode('abcd'))).toBe(1139631978);
  });

  it('hashes non-ASCII strings as UTF-8', () => {
    expect(hashString('ü')).toBe(murmur3Hash32(Uint8Array.of(0xc3, 0xbc)));
  });
});
