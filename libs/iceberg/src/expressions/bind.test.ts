import { describe, expect, it } from 'vitest';
import { bind, closeMatches } from './bind.ts';
import { type BoundExpression, type BoundPredicate, boundExpressionToString } from './bound.ts';
import {
  and,
  eq,
  FALSE,
  gt,
  isIn,
  isNan,
  isNull,
  type Literal,
  lt,
  not,
  notIn,
  notNan,
  notNull,
  or,
  predicate,
  startsWith,
  TRUE,
  transformTerm,
} from './expression.ts';
import { schema } from './fixtures.test-helper.ts';

function literalOf(column: string, value: Literal): unknown {
  const bound = bind(schema, eq(column, value)) as BoundPredicate;
  return bound.literals[0];
}

describe('bind: literal conversion', () => {
  it('converts literals to the value contract of the column type', () => {
    expect(literalOf('id', 5)).toBe(5n);
    expect(literalOf('id', '42')).toBe(42n);
    expect(literalOf('id', 2n ** 40n)).toBe(2n ** 40n);
    expect(literalOf('count', 7)).toBe(7);
    expect(literalOf('count', 7n)).toBe(7);
    expect(literalOf('count', ' -3 ')).toBe(-3);
    expect(literalOf('day', '2024-01-02')).toBe(19724);
    expect(literalOf('day', 19724)).toBe(19724);
    expect(literalOf('ts', '2024-01-02T00:00:00')).toBe(1704153600000000n);
    expect(literalOf('ts', '2024-01-02')).toBe(1704153600000000n);
    expect(literalOf('ts', '2024-01-02 00:00:00.5')).toBe(1704153600500000n);
    expect(literalOf('ts', 1704153600000000n)).toBe(1704153600000000n);
    expect(literalOf('ts', 1000)).toBe(1000n);
    expect(literalOf('tstz', '2024-01-02T01:00:00+01:00')).toBe(1704153600000000n);
    expect(literalOf('tstz', '2024-01-02T00:00:00')).toBe(1704153600000000n);
    expect(literalOf('tstz', '2024-01-02T00:00:00Z')).toBe(1704153600000000n);
    expect(literalOf('t', '01:00:00')).toBe(3600000000n);
    expect(literalOf('t', 5n)).toBe(5n);
    expect(literalOf('price', '14.2')).toBe(1420n);
    expect(literalOf('price', 14.25)).toBe(1425n);
    expect(literalOf('price', 3n)).toBe(300n);
    expect(literalOf('score', 1.5)).toBe(1.5);
    expect(literalOf('score', '2.5e3')).toBe(2500);
    expect(literalOf('score', 3n)).toBe(3);
    expect(literalOf('f', 0.1)).toBe(Math.fround(0.1));
    expect(literalOf('flag', true)).toBe(true);
    expect(literalOf('flag', 'false')).toBe(false);
    expect(literalOf('name', 'abc')).toBe('abc');
    expect(literalOf('u', 'F79C3E09-677C-4C6B-9E0B-2D1A2E3F4A5B')).toBe(
      'f79c3e09-677c-4c6b-9e0b-2d1a2e3f4a5b',
    );
    expect(literalOf('data', 'cafe')).toEqual(Uint8Array.of(0xca, 0xfe));
    expect(literalOf('data', Uint8Array.of(1))).toEqual(Uint8Array.of(1));
    expect(literalOf('fx', '00010203')).toEqual(Uint8Array.of(0, 1, 2, 3));
    expect(literalOf('address.zip', '75001')).toBe('75001');
  });

  it('names column, type and literal when a literal does not fit', () => {
    expect(() => bind(schema, eq('id', 'abc'))).toThrow(
      "literal 'abc' (string) does not fit column 'id' of type long",
    );
    expect(() => bind(schema, eq('id', 1.5))).toThrow(
      "literal 1.5 (number) does not fit column 'id' of type long",
    );
    expect(() => bind(schema, eq('count', 2 ** 40))).toThrow(
      "literal 1099511627776 (number) does not fit column 'count' of type int: value 1099511627776 is not a valid int",
    );
    expect(() => bind(schema, eq('count', true))).toThrow(
      "literal true (boolean) does not fit column 'count' of type int",
    );
    expect(() => bind(schema, eq('name', 5))).toThrow(
      "literal 5 (number) does not fit column 'name' of type string",
    );
    expect(() => bind(schema, eq('day', '2024-02-30'))).toThrow(
      "literal '2024-02-30' (string) does not fit column 'day' of type date: cannot read '2024-02-30' as date: expected a real calendar date",
    );
    expect(() => bind(schema, eq('day', true))).toThrow("does not fit column 'day' of type date");
    expect(() => bind(schema, eq('ts', '2024-01-02T00:00:00+02:00'))).toThrow(
      "literal '2024-01-02T00:00:00+02:00' (string) does not fit column 'ts' of type timestamp",
    );
    expect(() => bind(schema, eq('ts', 1.5))).toThrow("does not fit column 'ts' of type timestamp");
    expect(() => bind(schema, eq('t', 1))).toThrow("does not fit column 't' of type time");
    expect(() => bind(schema, eq('price', '1.234'))).toThrow(
      "literal '1.234' (string) does not fit column 'price' of type decimal(9,2): decimal '1.234' has more than 2 digits after the point",
    );
    expect(() => bind(schema, eq('price', true))).toThrow("does not fit column 'price' of type decimal(9,2)");
    expect(() => bind(schema, eq('u', 'not-a-uuid'))).toThrow(
      "literal 'not-a-uuid' (string) does not fit column 'u' of type uuid",
    );
    expect(() => bind(schema, eq('u', 5))).toThrow("does not fit column 'u' of type uuid");
    expect(() => bind(schema, eq('flag', 1))).toThrow(
      "literal 1 (number) does not fit column 'flag' of type boolean",
    );
    expect(() => bind(schema, eq('score', 'high'))).toThrow(
      "literal 'high' (string) does not fit column 'score' of type double",
    );
    expect(() => bind(schema, eq('score', true))).toThrow("does not fit column 'score' of type double");
    expect(() => bind(schema, eq('data', 5))).toThrow(
      "literal 5 (number) does not fit column 'data' of type binary",
    );
    expect(() => bind(schema, eq('fx', Uint8Array.of(1)))).toThrow(
      "literal <1 bytes> (bytes) does not fit column 'fx' of type fixed[4]",
    );
  });

  it('refuses NaN literals and points to isNaN', () => {
    expect(() => bind(schema, eq('score', Number.NaN))).toThrow(
      "cannot compare column 'score' with NaN: use isNaN or notNaN instead",
    );
  });
});

describe('bind: columns', () => {
  it('resolves dotted names, case-sensitively by default', () => {
    const bound = bind(schema, eq('address.zip', '1')) as BoundPredicate;
    expect(bound.term).toMatchObject({
      fieldId: 14,
      name: 'address.zip',
      segments: ['address', 'zip'],
      required: false,
    });
    expect(() => bind(schema, eq('ID', 1))).toThrow("unknown column 'ID'; did you mean 'id'?");
    const insensitive = bind(schema, eq('ID', 1), { caseSensitive: false }) as BoundPredicate;
    expect(insensitive.term.fieldId).toBe(1);
  });

  it('lists close matches for unknown columns', () => {
    expect(() => bind(schema, eq('nmae', 'x'))).toThrow("unknown column 'nmae'; did you mean 'name'?");
    expect(() => bind(schema, eq('address.zp', 'x'))).toThrow(
      "unknown column 'address.zp'; did you mean 'address.zip'?",
    );
    expect(() => bind(schema, eq('completely_different', 'x'))).toThrow(
      /^unknown column 'completely_different'$/,
    );
    expect(closeMatches('nam', ['name', 'game', 'id', 'names'])).toEqual(['name', 'game', 'names']);
  });

  it('rejects non-primitive columns and collection elements', () => {
    expect(() => bind(schema, isNull('address'))).toThrow(
      "column 'address' is a struct (struct<zip: string, city: string>); filters need a primitive column such as one of its fields",
    );
    expect(() => bind(schema, eq('tags.element', 'x'))).toThrow(
      "column 'tags.element' is inside a list or map; filters on collection elements are not supported",
    );
  });

  it('binds transform terms to the transform result type', () => {
    const bound = bind(schema, eq(transformTerm('day', 'ts'), '2024-01-02')) as BoundPredicate;
    expect(bound.term.type).toEqual({ kind: 'date' });
    expect(bound.literals).toEqual([19724]);
    expect(() => bind(schema, eq(transformTerm('hour', 'day'), 1))).toThrow(
      "transform 'hour' cannot be applied to column 'day' of type date",
    );
    expect(() => bind(schema, eq(transformTerm('zorder', 'id'), 1))).toThrow(
      "transform 'zorder' cannot be applied",
    );
    // null checks through a transform are kept even for a required column
    expect(bind(schema, isNull(transformTerm('bucket[4]', 'id')))).toMatchObject({
      kind: 'predicate',
      op: 'isNull',
    });
  });
});

describe('bind: predicates', () => {
  it('folds null checks on required columns', () => {
    expect(bind(schema, isNull('id'))).toBe(FALSE);
    expect(bind(schema, notNull('id'))).toBe(TRUE);
    expect(bind(schema, notNull('name'))).toMatchObject({ op: 'notNull' });
  });

  it('refuses isNaN/notNaN on non-float columns and startsWith on non-strings', () => {
    expect(() => bind(schema, isNan('id'))).toThrow("isNaN needs a float or double column, but 'id' is long");
    expect(() => bind(schema, notNan('name'))).toThrow(
      "notNaN needs a float or double column, but 'name' is string",
    );
    expect(bind(schema, isNan('f'))).toMatchObject({ op: 'isNaN' });
    expect(() => bind(schema, startsWith('id', '1'))).toThrow(
      "startsWith needs a string column, but 'id' is long",
    );
    expect(() => bind(schema, predicate('startsWith', 'name', [5]))).toThrow(
      "startsWith on column 'name' needs a string prefix, got number",
    );
  });

  it('checks literal counts', () => {
    expect(() => bind(schema, predicate('isNull', 'name', [1]))).toThrow(
      "predicate isNull on column 'name' takes no literal, got 1",
    );
    expect(() => bind(schema, predicate('lt', 'id', []))).toThrow(
      "predicate lt on column 'id' takes exactly one literal, got 0",
    );
    expect(() => bind(schema, predicate('startsWith', 'name', []))).toThrow(
      'takes exactly one literal, got 0',
    );
  });

  it('sorts and deduplicates in-lists, and turns single values into equalities', () => {
    const bound = bind(schema, isIn('id', [3, 1, 3, 2])) as BoundPredicate;
    expect(bound.literals).toEqual([1n, 2n, 3n]);
    expect(bind(schema, isIn('id', [4, 4]))).toMatchObject({ op: 'eq', literals: [4n] });
    expect(bind(schema, notIn('id', [4]))).toMatchObject({ op: 'notEq', literals: [4n] });
    expect(bind(schema, predicate('in', 'id', []))).toBe(FALSE);
    expect(bind(schema, predicate('notIn', 'id', []))).toBe(TRUE);
  });

  it('keeps the tree shape and folds constants', () => {
    const bound: BoundExpression = bind(schema, or(and(lt('id', 5), not(gt('count', 3))), isNull('id')));
    expect(boundExpressionToString(bound)).toBe('(id < 5 and not count > 3)');
    expect(bind(schema, and(TRUE, FALSE))).toBe(FALSE);
  });
});
