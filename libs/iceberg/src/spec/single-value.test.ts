import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyJson } from '../util/json.ts';
import { bytesToDecimal, decimalToBytes, decimalToString, parseDecimal } from './decimal.ts';
import { deserializeSingleValue, serializeSingleValue } from './single-value.ts';
import { parseJsonSingleValue, serializeJsonSingleValue } from './single-value-json.ts';
import type { IcebergType, PrimitiveType } from './types.ts';
import { bytesToHex, hexToBytes } from './values.ts';

const hex = (type: IcebergType, value: unknown): string => bytesToHex(serializeSingleValue(type, value));
const back = (type: IcebergType, hexText: string): unknown =>
  deserializeSingleValue(type, hexToBytes(hexText));

describe('binary single-value serialization (Appendix D)', () => {
  it('encodes every primitive as the spec says', () => {
    expect(hex({ kind: 'boolean' }, true)).toBe('01');
    expect(hex({ kind: 'boolean' }, false)).toBe('00');
    expect(hex({ kind: 'int' }, 1)).toBe('01000000');
    expect(hex({ kind: 'int' }, -2)).toBe('feffffff');
    expect(hex({ kind: 'date' }, 17486)).toBe('4e440000');
    expect(hex({ kind: 'long' }, 34n)).toBe('2200000000000000');
    expect(hex({ kind: 'time' }, 81068000000n)).toBe(
      bytesToHex(serializeSingleValue({ kind: 'long' }, 81068000000n)),
    );
    expect(hex({ kind: 'timestamp' }, -1n)).toBe('ffffffffffffffff');
    expect(hex({ kind: 'timestamptz_ns' }, 1n)).toBe('0100000000000000');
    expect(hex({ kind: 'float' }, 1)).toBe('0000803f');
    expect(hex({ kind: 'double' }, 1)).toBe('000000000000f03f');
    expect(hex({ kind: 'string' }, 'iceberg')).toBe('69636562657267');
    expect(hex({ kind: 'uuid' }, 'f79c3e09-677c-4bbd-a479-3f349cb785e7')).toBe(
      'f79c3e09677c4bbda4793f349cb785e7',
    );
    expect(hex({ kind: 'fixed', length: 2 }, Uint8Array.of(0, 255))).toBe('00ff');
    expect(hex({ kind: 'binary' }, Uint8Array.of())).toBe('');
    expect(hex({ kind: 'decimal', precision: 9, scale: 2 }, 1420n)).toBe('058c');
  });

  it('encodes decimals in the minimum two’s-complement bytes', () => {
    const cases: [bigint, string][] = [
      [0n, '00'],
      [1n, '01'],
      [-1n, 'ff'],
      [127n, '7f'],
      [128n, '0080'],
      [-128n, '80'],
      [-129n, 'ff7f'],
      [32767n, '7fff'],
      [32768n, '008000'],
    ];
    for (const [value, expected] of cases) {
      expect(bytesToHex(decimalToBytes(value))).toBe(expected);
      expect(bytesToDecimal(hexToBytes(expected))).toBe(value);
    }
    expect(bytesToDecimal(new Uint8Array(0))).toBe(0n);
    // Padded fixed-length forms read back the same value.
    expect(bytesToDecimal(hexToBytes('ffffff7f'))).toBe(-129n);
  });

  it('round-trips random values of every primitive', () => {
    const arbs: [PrimitiveType, fc.Arbitrary<unknown>][] = [
      [{ kind: 'boolean' }, fc.boolean()],
      [{ kind: 'int' }, fc.integer()],
      [{ kind: 'long' }, fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n)],
      [{ kind: 'double' }, fc.double({ noNaN: true })],
      [{ kind: 'float' }, fc.float({ noNaN: true })],
      [{ kind: 'string' }, fc.string({ unit: 'grapheme' })],
      [{ kind: 'uuid' }, fc.uuid()],
      [{ kind: 'binary' }, fc.uint8Array()],
      [{ kind: 'decimal', precision: 38, scale: 4 }, fc.bigInt(-(10n ** 38n) + 1n, 10n ** 38n - 1n)],
    ];
    for (const [type, arb] of arbs) {
      fc.assert(
        fc.property(arb, (value) => {
          expect(deserializeSingleValue(type, serializeSingleValue(type, value))).toEqual(value);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('reads bounds written before a type promotion by their length', () => {
    expect(back({ kind: 'long' }, 'feffffff')).toBe(-2n);
    expect(back({ kind: 'double' }, '0000803f')).toBe(1);
    expect(back({ kind: 'timestamp' }, '01000000')).toBe(86_400_000_000n);
    expect(back({ kind: 'timestamp_ns' }, 'ffffffff')).toBe(-86_400_000_000_000n);
    expect(back({ kind: 'timestamp' }, 'ffffffffffffffff')).toBe(-1n);
    expect(back({ kind: 'boolean' }, '02')).toBe(true);
  });

  it('explains bad bytes and bad values', () => {
    expect(() => back({ kind: 'int' }, '0100')).toThrow(
      'cannot read 2 bytes as a int bound: expected 4 bytes',
    );
    expect(() => back({ kind: 'long' }, '010203')).toThrow('expected 4 or 8 bytes');
    expect(() => back({ kind: 'fixed', length: 3 }, '01')).toThrow('expected 3 bytes');
    expect(() => back({ kind: 'uuid' }, '01')).toThrow('expected 16 bytes');
    expect(() => back({ kind: 'string' }, 'ff')).toThrow('string bound is not valid UTF-8 (1 bytes)');
    expect(() => serializeSingleValue({ kind: 'int' }, 2 ** 31)).toThrow(
      'value 2147483648 is not a valid int: expected a 32-bit integer number',
    );
    expect(() => serializeSingleValue({ kind: 'long' }, 5)).toThrow(
      'value 5 is not a valid long: expected a 64-bit bigint',
    );
    expect(() => serializeSingleValue({ kind: 'decimal', precision: 3, scale: 0 }, 1000n)).toThrow(
      'value 1000n is not a valid decimal(3,0): expected at most 3 digits',
    );
    expect(() => serializeSingleValue({ kind: 'uuid' }, 'F79C3E09-677C-4BBD-A479-3F349CB785E7')).toThrow(
      'expected a lowercase 8-4-4-4-12 uuid string',
    );
    expect(() => serializeSingleValue({ kind: 'fixed', length: 2 }, Uint8Array.of(1))).toThrow(
      'a Uint8Array of 2 bytes',
    );
    expect(() =>
      serializeSingleValue(
        { kind: 'list', elementId: 1, elementRequired: true, element: { kind: 'int' } },
        [],
      ),
    ).toThrow('single-value serialization is not defined for list types');
    expect(() => serializeSingleValue({ kind: 'boolean' }, 1)).toThrow('expected a boolean');
    expect(() => serializeSingleValue({ kind: 'string' }, 1)).toThrow('expected a string');
    expect(() => serializeSingleValue({ kind: 'double' }, '1')).toThrow('expected a number');
    expect(() => serializeSingleValue({ kind: 'binary' }, 'x')).toThrow("value 'x' is not a valid binary");
  });
});

describe('decimal text', () => {
  it('formats with the column scale and scientific notation for negative scales', () => {
    expect(decimalToString(1420n, 2)).toBe('14.20');
    expect(decimalToString(-5n, 2)).toBe('-0.05');
    expect(decimalToString(7n, 0)).toBe('7');
    expect(decimalToString(2n, -20)).toBe('2E+20');
  });

  it('parses plain and exponent forms at a scale', () => {
    expect(parseDecimal('14.20', 2)).toBe(1420n);
    expect(parseDecimal('14.2', 2)).toBe(1420n);
    expect(parseDecimal('-0.05', 2)).toBe(-5n);
    expect(parseDecimal('2E+20', -20)).toBe(2n);
    expect(parseDecimal('1.5e1', 0)).toBe(15n);
    expect(parseDecimal('1.500', 1)).toBe(15n);
    expect(() => parseDecimal('1.55', 1)).toThrow("decimal '1.55' has more than 1 digits after the point");
    expect(() => parseDecimal('abc', 1)).toThrow("cannot read 'abc' as a decimal number");
    expect(() => parseDecimal('.', 1)).toThrow("cannot read '.' as a decimal number");
  });
});

describe('JSON single-value serialization (Appendix D)', () => {
  const cases: [IcebergType, unknown, unknown][] = [
    [{ kind: 'boolean' }, true, true],
    [{ kind: 'int' }, 34, 34],
    [{ kind: 'long' }, 34n, 34n],
    [{ kind: 'float' }, 1, 1],
    [{ kind: 'double' }, 1.5, 1.5],
    [{ kind: 'decimal', precision: 9, scale: 2 }, 1420n, '14.20'],
    [{ kind: 'date' }, 17486, '2017-11-16'],
    [{ kind: 'time' }, 81068123456n, '22:31:08.123456'],
    [{ kind: 'timestamp' }, 1510871468123456n, '2017-11-16T22:31:08.123456'],
    [{ kind: 'timestamptz' }, 1510871468123456n, '2017-11-16T22:31:08.123456+00:00'],
    [{ kind: 'timestamp_ns' }, 1510871468123456789n, '2017-11-16T22:31:08.123456789'],
    [{ kind: 'timestamptz_ns' }, 1510871468123456789n, '2017-11-16T22:31:08.123456789+00:00'],
    [{ kind: 'string' }, 'iceberg', 'iceberg'],
    [{ kind: 'uuid' }, 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'f79c3e09-677c-4bbd-a479-3f349cb785e7'],
    [{ kind: 'fixed', length: 4 }, Uint8Array.of(0, 1, 2, 255), '000102ff'],
    [{ kind: 'binary' }, Uint8Array.of(0, 1, 2, 255), '000102ff'],
  ];

  it('serializes and parses every primitive as the spec examples show', () => {
    for (const [type, value, json] of cases) {
      expect(serializeJsonSingleValue(type, value as never)).toEqual(json);
      expect(parseJsonSingleValue(type, json)).toEqual(value);
    }
  });

  it('handles nested structs (by field id), lists and maps', () => {
    const struct: IcebergType = {
      kind: 'struct',
      fields: [
        { id: 1, name: 'a', required: false, type: { kind: 'int' } },
        { id: 2, name: 'b', required: false, type: { kind: 'string' } },
      ],
    };
    expect(serializeJsonSingleValue(struct, { a: 1, b: 'bar' })).toEqual({ 1: 1, 2: 'bar' });
    expect(serializeJsonSingleValue(struct, { a: 1, b: null })).toEqual({ 1: 1 });
    expect(parseJsonSingleValue(struct, { 1: 1, 2: 'bar' })).toEqual({ a: 1, b: 'bar' });
    expect(parseJsonSingleValue(struct, {})).toEqual({});
    const list: IcebergType = {
      kind: 'list',
      elementId: 3,
      elementRequired: false,
      element: { kind: 'long' },
    };
    expect(serializeJsonSingleValue(list, [1n, null])).toEqual([1n, null]);
    expect(parseJsonSingleValue(list, [1, 2])).toEqual([1n, 2n]);
    const map: IcebergType = {
      kind: 'map',
      keyId: 4,
      key: { kind: 'string' },
      valueId: 5,
      valueRequired: false,
      value: { kind: 'int' },
    };
    expect(
      serializeJsonSingleValue(
        map,
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toEqual({ keys: ['a', 'b'], values: [1, 2] });
    expect(parseJsonSingleValue(map, { keys: ['a'], values: [1] })).toEqual(new Map([['a', 1]]));
    expect(serializeJsonSingleValue(map, null)).toBeNull();
    expect(parseJsonSingleValue(map, null)).toBeNull();
  });

  it('writes longs as bare JSON integers through the BigInt-safe writer', () => {
    expect(stringifyJson(serializeJsonSingleValue({ kind: 'long' }, 9007199254740993n))).toBe(
      '9007199254740993',
    );
    expect(parseJsonSingleValue({ kind: 'long' }, 9007199254740993n)).toBe(9007199254740993n);
    expect(parseJsonSingleValue({ kind: 'int' }, 5n)).toBe(5);
  });

  it('reads lenient temporal and float spellings', () => {
    expect(parseJsonSingleValue({ kind: 'timestamp' }, '2017-11-16T22:31:08')).toBe(1510871468000000n);
    expect(parseJsonSingleValue({ kind: 'timestamptz' }, '2017-11-16T22:31:08Z')).toBe(1510871468000000n);
    expect(parseJsonSingleValue({ kind: 'timestamptz' }, '2017-11-16T14:31:08-08:00')).toBe(
      1510871468000000n,
    );
    expect(parseJsonSingleValue({ kind: 'time' }, '22:31')).toBe(81060000000n);
    expect(parseJsonSingleValue({ kind: 'uuid' }, 'F79C3E09-677C-4BBD-A479-3F349CB785E7')).toBe(
      'f79c3e09-677c-4bbd-a479-3f349cb785e7',
    );
    expect(parseJsonSingleValue({ kind: 'double' }, 'NaN')).toBeNaN();
    expect(parseJsonSingleValue({ kind: 'double' }, 3n)).toBe(3);
    expect(serializeJsonSingleValue({ kind: 'double' }, Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(serializeJsonSingleValue({ kind: 'date' }, -719528)).toBe('0000-01-01');
    expect(serializeJsonSingleValue({ kind: 'date' }, 3_000_000)).toBe('+10183-09-21');
    expect(serializeJsonSingleValue({ kind: 'date' }, -1_000_000)).toBe('-0768-02-04');
    expect(parseJsonSingleValue({ kind: 'date' }, '-0768-02-04')).toBe(-1_000_000);
    expect(serializeJsonSingleValue({ kind: 'timestamp' }, -1n)).toBe('1969-12-31T23:59:59.999999');
  });

  it('rejects malformed JSON values with a readable message', () => {
    expect(() => parseJsonSingleValue({ kind: 'date' }, '2017-13-01')).toThrow(
      "cannot read '2017-13-01' as date: expected a real calendar date",
    );
    expect(() => parseJsonSingleValue({ kind: 'date' }, '2017-02-30')).toThrow(
      'expected a real calendar date',
    );
    expect(() => parseJsonSingleValue({ kind: 'date' }, '17/11/2017')).toThrow('expected YYYY-MM-DD');
    expect(() => parseJsonSingleValue({ kind: 'time' }, '25:00:00')).toThrow('expected a real time of day');
    expect(() => parseJsonSingleValue({ kind: 'time' }, '10:00:00.1234567')).toThrow(
      'at most 6 fractional digits',
    );
    expect(() => parseJsonSingleValue({ kind: 'time' }, 'noon')).toThrow('expected HH:MM:SS.ffffff');
    expect(() => parseJsonSingleValue({ kind: 'timestamp' }, '2017-11-16T22:31:08+00:00')).toThrow(
      "cannot read '2017-11-16T22:31:08+00:00' as timestamp: expected no zone offset",
    );
    expect(() => parseJsonSingleValue({ kind: 'timestamptz' }, '2017-11-16T22:31:08')).toThrow(
      'expected a zone offset such as +00:00',
    );
    expect(() => parseJsonSingleValue({ kind: 'timestamp' }, '2017-11-16')).toThrow(
      'expected YYYY-MM-DDTHH:MM:SS.ffffff',
    );
    expect(() => parseJsonSingleValue({ kind: 'boolean' }, 'true')).toThrow(
      "JSON value 'true' is not a valid boolean: expected its JSON single-value form",
    );
    expect(() => parseJsonSingleValue({ kind: 'double' }, 'x')).toThrow('expected a JSON number');
    expect(() => parseJsonSingleValue({ kind: 'long' }, 1.5)).toThrow('value 1.5 is not a valid long');
    expect(() => parseJsonSingleValue({ kind: 'binary' }, 'xyz')).toThrow(
      "'xyz' is not a hexadecimal byte string",
    );
    expect(() => parseJsonSingleValue({ kind: 'string' }, 5)).toThrow('JSON value 5 is not a valid string');
    const map: IcebergType = {
      kind: 'map',
      keyId: 4,
      key: { kind: 'string' },
      valueId: 5,
      valueRequired: false,
      value: { kind: 'int' },
    };
    expect(() => parseJsonSingleValue(map, { keys: ['a'] })).toThrow(
      "expected an object with 'keys' and 'values' lists",
    );
    expect(() => serializeJsonSingleValue(map, [1])).toThrow('value a list is not a map<string, int>');
  });
});
