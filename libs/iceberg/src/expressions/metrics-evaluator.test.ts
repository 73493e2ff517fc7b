import { describe, expect, it } from 'vitest';
import type { DataFile } from '../manifest/data-file.ts';
import { bind } from './bind.ts';
import {
  and,
  type Expression,
  eq,
  FALSE,
  gt,
  gtEq,
  isIn,
  isNan,
  isNull,
  lt,
  ltEq,
  not,
  notEq,
  notIn,
  notNan,
  notNull,
  notStartsWith,
  or,
  startsWith,
  TRUE,
  transformTerm,
} from './expression.ts';
import { fileWith, schema } from './fixtures.test-helper.ts';
import { metricsMightMatch } from './metrics-evaluator.ts';
import { metricsAllMatch } from './strict-metrics-evaluator.ts';

const LONG = { kind: 'long' } as const;
const STRING = { kind: 'string' } as const;
const DOUBLE = { kind: 'double' } as const;

// ids 10..20, names 'b'..'d' with 2 nulls, scores 1..5 with 1 NaN
const file = fileWith(10n, {
  1: { type: LONG, values: 10n, nulls: 0n, lower: 10n, upper: 20n },
  2: { type: STRING, values: 10n, nulls: 2n, lower: 'b', upper: 'd' },
  7: { type: DOUBLE, values: 10n, nulls: 0n, nans: 1n, lower: 1, upper: 5 },
});
const allNull = fileWith(3n, {
  2: { type: STRING, values: 3n, nulls: 3n },
  7: { type: DOUBLE, values: 3n, nulls: 3n, nans: 0n },
});
const allNaN = fileWith(3n, { 7: { type: DOUBLE, values: 3n, nulls: 0n, nans: 3n } });
const noStats = fileWith(3n, {});

const might = (filter: Expression, f: DataFile = file): boolean => metricsMightMatch(bind(schema, filter), f);
const all = (filter: Expression, f: DataFile = file): boolean => metricsAllMatch(bind(schema, filter), f);

describe('metricsMightMatch (inclusive)', () => {
  it('prunes ranges with the bounds', () => {
    expect(might(lt('id', 10))).toBe(false);
    expect(might(lt('id', 11))).toBe(true);
    expect(might(ltEq('id', 9))).toBe(false);
    expect(might(ltEq('id', 10))).toBe(true);
    expect(might(gt('id', 20))).toBe(false);
    expect(might(gt('id', 19))).toBe(true);
    expect(might(gtEq('id', 21))).toBe(false);
    expect(might(gtEq('id', 20))).toBe(true);
    expect(might(eq('id', 9))).toBe(false);
    expect(might(eq('id', 21))).toBe(false);
    expect(might(eq('id', 15))).toBe(true);
    expect(might(isIn('id', [1, 2, 30]))).toBe(false);
    expect(might(isIn('id', [1, 12]))).toBe(true);
    expect(might(notEq('id', 15))).toBe(true);
    expect(might(notIn('id', [15, 16]))).toBe(true);
  });

  it('uses null and NaN counts', () => {
    expect(might(isNull('name'))).toBe(true);
    expect(might(isNull('name'), fileWith(1n, { 2: { type: STRING, nulls: 0n } }))).toBe(false);
    expect(might(notNull('name'), allNull)).toBe(false);
    expect(might(notNull('name'))).toBe(true);
    expect(might(isNan('score'))).toBe(true);
    expect(might(isNan('score'), fileWith(1n, { 7: { type: DOUBLE, nans: 0n } }))).toBe(false);
    expect(might(isNan('score'), allNull)).toBe(false);
    expect(might(notNan('score'), allNaN)).toBe(false);
    expect(might(notNan('score'))).toBe(true);
    expect(might(eq('name', 'c'), allNull)).toBe(false);
    expect(might(lt('score', 100), allNaN)).toBe(false);
  });

  it('prunes prefixes with truncated string bounds', () => {
    expect(might(startsWith('name', 'a'))).toBe(false);
    expect(might(startsWith('name', 'e'))).toBe(false);
    expect(might(startsWith('name', 'c'))).toBe(true);
    expect(might(startsWith('name', 'dzz'))).toBe(false);
    // upper bound 'd' may stand for longer values such as 'd…', so 'd' still might match
    expect(might(startsWith('name', 'd'))).toBe(true);
    const prefixFile = fileWith(2n, {
      2: { type: STRING, values: 2n, nulls: 0n, lower: 'abc', upper: 'abd' },
    });
    expect(might(notStartsWith('name', 'ab'), prefixFile)).toBe(false);
    expect(might(notStartsWith('name', 'abc'), prefixFile)).toBe(true);
    expect(might(notStartsWith('name', 'ab'))).toBe(true); // has nulls
    expect(might(notStartsWith('name', 'ab'), fileWith(2n, { 2: { type: STRING, nulls: 0n } }))).toBe(true);
  });

  it('assumes a match without metrics, and none in an empty file', () => {
    for (const filter of [
      lt('id', 0),
      eq('name', 'x'),
      startsWith('name', 'x'),
      isNull('name'),
      isNan('score'),
    ]) {
      expect(might(filter, noStats)).toBe(true);
    }
    expect(might(TRUE, fileWith(0n, {}))).toBe(false);
    expect(might(FALSE, noStats)).toBe(false);
    expect(might(eq(transformTerm('bucket[4]', 'id'), 1))).toBe(true);
  });

  it('ignores NaN and unreadable bounds', () => {
    const nanBound = fileWith(2n, {
      7: { type: DOUBLE, values: 2n, nulls: 0n, lower: Number.NaN, upper: Number.NaN },
    });
    expect(might(lt('score', 0), nanBound)).toBe(true);
    const broken: DataFile = { ...file, lowerBounds: new Map([[1, Uint8Array.of(1, 2, 3)]]) };
    expect(might(lt('id', 0), broken)).toBe(true);
  });

  it('combines with and/or/not', () => {
    expect(might(and(gt('id', 5), lt('id', 8)))).toBe(false);
    expect(might(or(lt('id', 5), gt('id', 18)))).toBe(true);
    expect(might(not(gtEq('id', 10)))).toBe(false); // required column: no null rows
    expect(might(not(gtEq('name', 'a')))).toBe(true); // null names match the negation
  });
});

describe('metricsAllMatch (strict)', () => {
  it('proves ranges with the bounds when there are no nulls or NaNs', () => {
    expect(all(lt('id', 21))).toBe(true);
    expect(all(lt('id', 20))).toBe(false);
    expect(all(ltEq('id', 20))).toBe(true);
    expect(all(gt('id', 9))).toBe(true);
    expect(all(gt('id', 10))).toBe(false);
    expect(all(gtEq('id', 10))).toBe(true);
    expect(all(lt('name', 'z'))).toBe(false); // nulls
    expect(all(lt('score', 10))).toBe(false); // a NaN
    expect(all(lt('id', 100), noStats)).toBe(false);
  });

  it('proves equality only for single-valued files', () => {
    const single = fileWith(3n, { 1: { type: LONG, values: 3n, nulls: 0n, lower: 7n, upper: 7n } });
    expect(all(eq('id', 7), single)).toBe(true);
    expect(all(eq('id', 8), single)).toBe(false);
    expect(all(isIn('id', [6, 7]), single)).toBe(true);
    expect(all(eq('id', 15))).toBe(false);
  });

  it('proves inequality when the value lies outside the bounds, nulls and NaNs included', () => {
    expect(all(notEq('id', 9))).toBe(true);
    expect(all(notEq('id', 21))).toBe(true);
    expect(all(notEq('id', 15))).toBe(false);
    expect(all(notIn('id', [1, 30]))).toBe(true);
    expect(all(notIn('id', [1, 15]))).toBe(false);
    expect(all(notEq('name', 'x'), allNull)).toBe(true);
    expect(all(notEq('score', 1), allNaN)).toBe(true);
    expect(all(notEq('name', 'a'))).toBe(true);
  });

  it('uses null and NaN counts', () => {
    expect(all(isNull('name'), allNull)).toBe(true);
    expect(all(isNull('name'))).toBe(false);
    expect(all(notNull('id'))).toBe(true); // required column folds to true
    expect(all(notNull('name'))).toBe(false);
    expect(all(notNull('score'))).toBe(true); // NaN is not null
    expect(all(isNan('score'), allNaN)).toBe(true);
    expect(all(isNan('score'))).toBe(false);
    expect(all(notNan('score'), allNull)).toBe(true);
    expect(all(notNan('score'), fileWith(1n, { 7: { type: DOUBLE, values: 1n, nans: 0n } }))).toBe(true);
    expect(all(notNan('score'))).toBe(false);
  });

  it('proves prefixes', () => {
    const prefixFile = fileWith(2n, {
      2: { type: STRING, values: 2n, nulls: 0n, lower: 'abc', upper: 'abd' },
    });
    expect(all(startsWith('name', 'ab'), prefixFile)).toBe(true);
    expect(all(startsWith('name', 'abc'), prefixFile)).toBe(false);
    expect(all(notStartsWith('name', 'x'))).toBe(true);
    expect(all(notStartsWith('name', 'a'))).toBe(true);
    expect(all(notStartsWith('name', 'c'))).toBe(false);
    expect(all(notStartsWith('name', 'c'), allNull)).toBe(true);
    expect(all(notStartsWith('name', 'c'), noStats)).toBe(false);
  });

  it('treats empty files as matching and transform terms as unknown', () => {
    expect(all(FALSE, fileWith(0n, {}))).toBe(true);
    expect(all(TRUE, noStats)).toBe(true);
    expect(all(FALSE, noStats)).toBe(false);
    expect(all(eq(transformTerm('bucket[4]', 'id'), 1))).toBe(false);
    expect(all(or(lt('id', 5), gtEq('id', 10)))).toBe(true);
    expect(all(and(lt('id', 50), gtEq('id', 15)))).toBe(false);
    expect(all(not(lt('id', 10)))).toBe(true);
  });
});

describe('binary prefixes in bounds', () => {
  it('compares binary bounds bytewise', () => {
    const BINARY = { kind: 'binary' } as const;
    const bytes = fileWith(2n, {
      12: { type: BINARY, values: 2n, nulls: 0n, lower: Uint8Array.of(1, 2), upper: Uint8Array.of(1, 9) },
    });
    expect(might(eq('data', '0105'), bytes)).toBe(true);
    expect(might(eq('data', '0200'), bytes)).toBe(false);
    expect(all(notEq('data', '0200'), bytes)).toBe(true);
  });
});
