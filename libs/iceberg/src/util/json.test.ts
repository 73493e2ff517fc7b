import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from './json.ts';

describe('parseJson', () => {
  it('keeps the extreme 64-bit longs exact as bigint', () => {
    const text = '{"max":9223372036854775807,"min":-9223372036854775808}';
    const parsed = parseJson(text);
    expect(parsed).toEqual({ max: 9223372036854775807n, min: -9223372036854775808n });
    expect(stringifyJson(parsed)).toBe(text);
  });

  it('turns only unsafe integers into bigint', () => {
    const parsed = parseJson(
      '[9007199254740991,9007199254740992,-9007199254740991,-9007199254740992,1,0,-0]',
    );
    expect(parsed).toEqual([
      9007199254740991,
      9007199254740992n,
      -9007199254740991,
      -9007199254740992n,
      1,
      0,
      -0,
    ]);
  });

  it('leaves fractions and exponents as numbers even when they are large', () => {
    const parsed = parseJson('[12345678901234567890.5,1e300,1234567890123456789E2,-0.5]');
    expect(parsed).toEqual([Number('12345678901234567890.5'), 1e300, Number('1234567890123456789E2'), -0.5]);
    expect((parsed as unknown[]).every((v) => typeof v === 'number')).toBe(true);
  });

  it('does not touch digits inside strings', () => {
    expect(parseJson('{"id":"12345678901234567890","n":12345678901234567890}')).toEqual({
      id: '12345678901234567890',
      n: 12345678901234567890n,
    });
  });

  it('reports malformed text like JSON.parse', () => {
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
    expect(() => parseJson('{"a":12345678901234567890')).toThrow(SyntaxError);
  });
});

describe('stringifyJson', () => {
  it('writes bigint as a bare integer, including small ones', () => {
    expect(stringifyJson({ a: 5n, b: -12345678901234567890n, c: [1n] })).toBe(
      '{"a":5,"b":-12345678901234567890,"c":[1]}',
    );
  });

  it('passes indentation through', () => {
    expect(stringifyJson({ a: 1n }, 2)).toBe('{\n  "a": 1\n}');
  });

  it('refuses values with no JSON form', () => {
    expect(() => stringifyJson(undefined)).toThrow('value of type undefined has no JSON form');
  });
});

describe('round trip (property)', () => {
  const unsafeBigInt = fc.oneof(
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }),
    fc.bigInt({ min: -(2n ** 70n), max: -(2n ** 53n) }),
  );
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.string(),
    fc.integer(),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      // An integral double beyond 2^53 has the same JSON text as a bigint; the text cannot
      // say which it was, so only the bigint reading is expected back.
      .filter((d) => !Object.is(d, -0) && !(Number.isInteger(d) && !Number.isSafeInteger(d))),
    unsafeBigInt,
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
  })).value;

  it('parse(stringify(v)) equals v for random JSON with random bigints', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(parseJson(stringifyJson(value))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});
