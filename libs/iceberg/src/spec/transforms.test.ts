import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import { parseDecimal } from './decimal.ts';
import { parseDate, parseTimestamp } from './temporal.ts';
import {
  applyTransform,
  canTransform,
  parseTransform,
  preservesOrder,
  type Transform,
  transformHumanString,
  transformResultType,
  transformToString,
} from './transforms.ts';
import type { IcebergType, PrimitiveType } from './types.ts';

const INT: PrimitiveType = { kind: 'int' };
const LONG: PrimitiveType = { kind: 'long' };
const STRING: PrimitiveType = { kind: 'string' };
const BINARY: PrimitiveType = { kind: 'binary' };
const DATE: PrimitiveType = { kind: 'date' };
const TS: PrimitiveType = { kind: 'timestamp' };
const TSTZ: PrimitiveType = { kind: 'timestamptz' };
const TS_NS: PrimitiveType = { kind: 'timestamp_ns' };
const DEC: PrimitiveType = { kind: 'decimal', precision: 9, scale: 2 };

const t = (text: string): Transform => parseTransform(text);
const ts = (text: string): bigint => parseTimestamp(text, 'micros', 'forbidden');

describe('parseTransform', () => {
  it('parses every spec transform and prints it back', () => {
    for (const text of ['identity', 'bucket[16]', 'truncate[4]', 'year', 'month', 'day', 'hour', 'void']) {
      expect(transformToString(parseTransform(text))).toBe(text);
    }
    expect(parseTransform('bucket[ 8 ]')).toEqual({ kind: 'bucket', numBuckets: 8 });
    expect(parseTransform('truncate[3]')).toEqual({ kind: 'truncate', width: 3 });
  });

  it('keeps unknown transforms so readers can ignore them, but refuses to apply them', () => {
    const unknown = parseTransform('zorder');
    expect(unknown).toEqual({ kind: 'unknown', name: 'zorder' });
    expect(transformToString(unknown)).toBe('zorder');
    expect(canTransform(unknown, INT)).toBe(false);
    expect(preservesOrder(unknown)).toBe(false);
    expect(() => applyTransform(unknown, INT, 1)).toThrow("cannot apply unknown transform 'zorder'");
  });

  it('rejects malformed bucket and truncate arguments with the offending text', () => {
    expect(() => parseTransform('bucket[0]')).toThrow(
      "invalid transform 'bucket[0]': bucket needs a positive argument",
    );
    expect(() => parseTransform('bucket[x]')).toThrow("invalid transform 'bucket[x]': expected bucket[N]");
    expect(() => parseTransform('truncate')).toThrow("invalid transform 'truncate': expected truncate[N]");
  });
});

describe('source and result types', () => {
  it('knows which source types each transform accepts', () => {
    expect(canTransform(t('bucket[4]'), { kind: 'float' })).toBe(false);
    expect(canTransform(t('bucket[4]'), { kind: 'uuid' })).toBe(true);
    expect(canTransform(t('truncate[4]'), DATE)).toBe(false);
    expect(canTransform(t('truncate[4]'), DEC)).toBe(true);
    expect(canTransform(t('hour'), DATE)).toBe(false);
    expect(canTransform(t('day'), TS_NS)).toBe(true);
    expect(canTransform(t('identity'), { kind: 'struct', fields: [] })).toBe(false);
    expect(canTransform(t('void'), { kind: 'boolean' })).toBe(true);
  });

  it('computes result types (day → date like Java and PyIceberg)', () => {
    expect(transformResultType(t('identity'), DEC)).toEqual(DEC);
    expect(transformResultType(t('truncate[2]'), STRING)).toEqual(STRING);
    expect(transformResultType(t('bucket[4]'), STRING)).toEqual(INT);
    expect(transformResultType(t('year'), TS)).toEqual(INT);
    expect(transformResultType(t('month'), DATE)).toEqual(INT);
    expect(transformResultType(t('hour'), TSTZ)).toEqual(INT);
    expect(transformResultType(t('day'), TS)).toEqual(DATE);
    expect(transformResultType(t('void'), LONG)).toEqual(LONG);
  });

  it('rejects a transform on a type it does not support', () => {
    const error = (() => {
      try {
        transformResultType(t('hour'), DATE);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(IcebergError);
    expect((error as IcebergError).kind).toBe('invalid-argument');
    expect((error as IcebergError).message).toBe('transform hour cannot be applied to date');
  });

  it('reports order preservation', () => {
    expect(
      ['identity', 'truncate[3]', 'year', 'month', 'day', 'hour'].map((x) => preservesOrder(t(x))),
    ).toEqual([true, true, true, true, true, true]);
    expect(preservesOrder(t('bucket[3]'))).toBe(false);
    expect(preservesOrder(t('void'))).toBe(false);
  });
});

// Expected values cross-checked against PyIceberg 0.12 transforms.
describe('applyTransform', () => {
  it('returns null for null input and for void', () => {
    expect(applyTransform(t('day'), TS, null)).toBeNull();
    expect(applyTransform(t('bucket[4]'), INT, undefined)).toBeNull();
    expect(applyTransform(t('void'), INT, 5)).toBeNull();
  });

  it('identity returns the value unchanged', () => {
    expect(applyTransform(t('identity'), STRING, 'x')).toBe('x');
    expect(applyTransform(t('identity'), LONG, 5n)).toBe(5n);
  });

  it('buckets values of every bucketable type', () => {
    expect(applyTransform(t('bucket[16]'), INT, 34)).toBe(3);
    expect(applyTransform(t('bucket[16]'), LONG, 34n)).toBe(3);
    expect(applyTransform(t('bucket[16]'), STRING, 'iceberg')).toBe(9);
    expect(applyTransform(t('bucket[100]'), LONG, -1n)).toBe(12);
    expect(applyTransform(t('bucket[16]'), DATE, parseDate('2017-11-16'))).toBe(
      (-653330422 & 0x7fffffff) % 16,
    );
    expect(applyTransform(t('bucket[16]'), { kind: 'uuid' }, 'f79c3e09-677c-4bbd-a479-3f349cb785e7')).toBe(
      (1488055340 & 0x7fffffff) % 16,
    );
  });

  it('truncates ints and longs with floor semantics for negatives', () => {
    expect(applyTransform(t('truncate[10]'), INT, 1)).toBe(0);
    expect(applyTransform(t('truncate[10]'), INT, -1)).toBe(-10);
    expect(applyTransform(t('truncate[10]'), INT, -10)).toBe(-10);
    expect(applyTransform(t('truncate[10]'), LONG, -11n)).toBe(-20n);
    expect(applyTransform(t('truncate[10]'), LONG, 19n)).toBe(10n);
  });

  it('truncates decimals at the column scale: 10.65 with W=50 → 10.50', () => {
    expect(applyTransform(t('truncate[50]'), DEC, parseDecimal('10.65', 2))).toBe(1050n);
    expect(applyTransform(t('truncate[10]'), DEC, parseDecimal('-0.05', 2))).toBe(-10n);
  });

  it('truncates strings by code points and binary by bytes', () => {
    expect(applyTransform(t('truncate[3]'), STRING, 'iceberg')).toBe('ice');
    expect(applyTransform(t('truncate[2]'), STRING, '😀😁😂')).toBe('😀😁');
    expect(applyTransform(t('truncate[5]'), STRING, 'ab')).toBe('ab');
    expect(applyTransform(t('truncate[3]'), BINARY, Uint8Array.of(1, 2, 3, 4, 5))).toEqual(
      Uint8Array.of(1, 2, 3),
    );
  });

  it('extracts year, month, day and hour from timestamps, flooring before 1970', () => {
    const v = 1512151975038194n; // 2017-12-01T18:12:55.038194
    expect(applyTransform(t('year'), TS, v)).toBe(47);
    expect(applyTransform(t('month'), TS, v)).toBe(575);
    expect(applyTransform(t('day'), TS, v)).toBe(17501);
    expect(applyTransform(t('hour'), TS, v)).toBe(420042);
    expect(applyTransform(t('year'), TS, -1n)).toBe(-1);
    expect(applyTransform(t('month'), TS, -1n)).toBe(-1);
    expect(applyTransform(t('day'), TS, -1n)).toBe(-1);
    expect(applyTransform(t('hour'), TSTZ, -1n)).toBe(-1);
    expect(applyTransform(t('day'), TS, ts('1969-12-31T00:00:00'))).toBe(-1);
    expect(applyTransform(t('day'), TS, ts('1969-12-30T23:59:59.999999'))).toBe(-2);
  });

  it('extracts from dates, including pre-1970 dates', () => {
    expect(applyTransform(t('year'), DATE, 17486)).toBe(47);
    expect(applyTransform(t('month'), DATE, 17486)).toBe(574);
    expect(applyTransform(t('day'), DATE, 17486)).toBe(17486);
    expect(applyTransform(t('year'), DATE, -1)).toBe(-1);
    expect(applyTransform(t('month'), DATE, -1)).toBe(-1);
    expect(applyTransform(t('year'), DATE, -10950)).toBe(-30);
    expect(applyTransform(t('month'), DATE, -10950)).toBe(-360);
  });

  it('handles nanosecond timestamps', () => {
    const v = 1512151975038194123n;
    expect(applyTransform(t('day'), TS_NS, v)).toBe(17501);
    expect(applyTransform(t('hour'), TS_NS, v)).toBe(420042);
    expect(applyTransform(t('day'), TS_NS, -1n)).toBe(-1);
  });

  it('rejects values that do not match the source type, naming both', () => {
    expect(() => applyTransform(t('day'), TS, 5)).toThrow(
      'value 5 is not a valid timestamp: expected a 64-bit bigint',
    );
    expect(() => applyTransform(t('bucket[2]'), INT, 1.5)).toThrow(
      'value 1.5 is not a valid int: expected a 32-bit integer number',
    );
  });
});

describe('transformHumanString', () => {
  const human = (text: string, type: IcebergType, value: unknown): string =>
    transformHumanString(t(text), type, applyTransform(t(text), type, value));

  it('formats temporal partitions like PyIceberg', () => {
    const v = 1512151975038194n;
    expect(human('year', TS, v)).toBe('2017');
    expect(human('month', TS, v)).toBe('2017-12');
    expect(human('day', TS, v)).toBe('2017-12-01');
    expect(human('hour', TS, v)).toBe('2017-12-01-18');
    expect(human('year', TS, -1n)).toBe('1969');
    expect(human('month', TS, -1n)).toBe('1969-12');
    expect(human('day', TS, -1n)).toBe('1969-12-31');
    expect(human('hour', TS, -1n)).toBe('1969-12-31-23');
    expect(human('month', DATE, -10950)).toBe('1940-01');
  });

  it('formats identity values by source type', () => {
    expect(human('identity', TS, 1512151975038194n)).toBe('2017-12-01T18:12:55.038194');
    expect(human('identity', TS, 1512151975000000n)).toBe('2017-12-01T18:12:55');
    expect(human('identity', TSTZ, 1512151975038194n)).toBe('2017-12-01T18:12:55.038194+00:00');
    expect(human('identity', TS_NS, 1512151975000000001n)).toBe('2017-12-01T18:12:55.000000001');
    expect(human('identity', { kind: 'timestamptz_ns' }, 0n)).toBe('1970-01-01T00:00:00+00:00');
    expect(human('identity', DATE, 17486)).toBe('2017-11-16');
    expect(human('identity', { kind: 'time' }, 81068000000n)).toBe('22:31:08');
    expect(human('identity', { kind: 'time' }, 81068123456n)).toBe('22:31:08.123456');
    expect(human('identity', BINARY, Uint8Array.of(0, 1, 255))).toBe('AAH/');
    expect(human('identity', { kind: 'fixed', length: 1 }, Uint8Array.of(255))).toBe('/w==');
    expect(human('identity', { kind: 'float' }, 1)).toBe('1.0');
    expect(human('identity', { kind: 'double' }, 2.5)).toBe('2.5');
    expect(human('identity', { kind: 'boolean' }, true)).toBe('true');
    expect(human('identity', DEC, 1420n)).toBe('14.20');
    expect(human('identity', LONG, -5n)).toBe('-5');
    expect(human('identity', { kind: 'uuid' }, 'f79c3e09-677c-4bbd-a479-3f349cb785e7')).toBe(
      'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    );
  });

  it('formats bucket and truncate results, and null', () => {
    expect(human('bucket[16]', INT, 34)).toBe('3');
    expect(human('truncate[10]', INT, -1)).toBe('-10');
    expect(human('truncate[50]', DEC, 1065n)).toBe('10.50');
    expect(human('truncate[2]', BINARY, Uint8Array.of(0, 1, 2))).toBe('AAE=');
    expect(human('truncate[2]', STRING, 'abc')).toBe('ab');
    expect(human('day', TS, null)).toBe('null');
    expect(transformHumanString(t('void'), INT, 3)).toBe('null');
  });
});

// Property tests: transform invariants over random inputs.
const MIN_TS = -(10n ** 17n);
const MAX_TS = 10n ** 17n; // about ±3000 years in µs
const tsArb = fc.bigInt({ min: MIN_TS, max: MAX_TS });

describe('transform invariants', () => {
  it('truncate is idempotent and order preserving for ints', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: -1e8, max: 1e8 }),
        fc.integer({ min: -1e8, max: 1e8 }),
        (w, a, b) => {
          const tr = t(`truncate[${w}]`);
          const ta = applyTransform(tr, INT, a) as number;
          expect(applyTransform(tr, INT, ta)).toBe(ta);
          expect(ta).toBeLessThanOrEqual(a);
          expect(a - ta).toBeLessThan(w);
          if (a <= b) expect(ta).toBeLessThanOrEqual(applyTransform(tr, INT, b) as number);
        },
      ),
    );
  });

  it('truncate is idempotent and order preserving for longs and strings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.bigInt(-(2n ** 62n), 2n ** 62n),
        fc.bigInt(-(2n ** 62n), 2n ** 62n),
        (w, a, b) => {
          const tr = t(`truncate[${w}]`);
          const ta = applyTransform(tr, LONG, a) as bigint;
          expect(applyTransform(tr, LONG, ta)).toBe(ta);
          if (a <= b) expect(ta <= (applyTransform(tr, LONG, b) as bigint)).toBe(true);
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.string(), (w, s) => {
        const tr = t(`truncate[${w}]`);
        const once = applyTransform(tr, STRING, s) as string;
        expect(applyTransform(tr, STRING, once)).toBe(once);
        expect(s.startsWith(once)).toBe(true);
        expect([...once].length).toBe(Math.min(w, [...s].length));
      }),
    );
  });

  it('bucket is always in [0, N)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 20 }),
        fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
        fc.string(),
        (n, v, s) => {
          const tr = t(`bucket[${n}]`);
          for (const b of [applyTransform(tr, LONG, v), applyTransform(tr, STRING, s)] as number[]) {
            expect(Number.isInteger(b) && b >= 0 && b < n).toBe(true);
          }
        },
      ),
    );
  });

  it('int and long bucket identically (int→long promotion keeps buckets)', () => {
    fc.assert(
      fc.property(fc.integer(), (v) => {
        expect(applyTransform(t('bucket[97]'), INT, v)).toBe(
          applyTransform(t('bucket[97]'), LONG, BigInt(v)),
        );
      }),
    );
  });

  it('day(ts) is floor division by a day, hour(ts) by an hour', () => {
    fc.assert(
      fc.property(tsArb, (v) => {
        const day = applyTransform(t('day'), TS, v) as number;
        expect(BigInt(day) * 86_400_000_000n <= v).toBe(true);
        expect(v < BigInt(day + 1) * 86_400_000_000n).toBe(true);
        const hour = applyTransform(t('hour'), TS, v) as number;
        expect(BigInt(hour) * 3_600_000_000n <= v && v < BigInt(hour + 1) * 3_600_000_000n).toBe(true);
      }),
    );
  });

  it('year, month and day are monotone in the timestamp and consistent with each other', () => {
    fc.assert(
      fc.property(tsArb, tsArb, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        for (const name of ['year', 'month', 'day', 'hour']) {
          expect(applyTransform(t(name), TS, lo) as number).toBeLessThanOrEqual(
            applyTransform(t(name), TS, hi) as number,
          );
        }
        const day = applyTransform(t('day'), TS, lo) as number;
        expect(applyTransform(t('month'), DATE, day)).toBe(applyTransform(t('month'), TS, lo));
        expect(applyTransform(t('year'), DATE, day)).toBe(applyTransform(t('year'), TS, lo));
        const month = applyTransform(t('month'), TS, lo) as number;
        expect(Math.floor(month / 12)).toBe(applyTransform(t('year'), TS, lo));
      }),
    );
  });

  it('the day path segment matches JS Date for the representable range', () => {
    fc.assert(
      fc.property(fc.bigInt(-(10n ** 15n), 10n ** 16n), (v) => {
        const expected = new Date(Number(v / 1000n - (v % 1000n < 0n ? 1n : 0n))).toISOString().slice(0, 10);
        expect(transformHumanString(t('day'), TS, applyTransform(t('day'), TS, v))).toBe(expected);
      }),
    );
  });
});
