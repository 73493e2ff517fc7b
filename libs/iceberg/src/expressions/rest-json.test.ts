import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../util/json.ts';
import { bind } from './bind.ts';
import {
  and,
  eq,
  FALSE,
  gtEq,
  isIn,
  isNull,
  not,
  notStartsWith,
  or,
  TRUE,
  transformTerm,
} from './expression.ts';
import { schema } from './fixtures.test-helper.ts';
import { boundExpressionToJson, expressionToJson, parseExpressionJson } from './rest-json.ts';

describe('parseExpressionJson', () => {
  it('reads every expression type of the REST spec', () => {
    const json = parseJson(`{
      "type": "and",
      "left": {"type": "or",
        "left": {"type": "eq", "term": "id", "value": 5},
        "right": {"type": "not", "child": {"type": "in", "term": {"type": "reference", "term": "name"}, "values": ["a", "b"]}}},
      "right": {"type": "and",
        "left": {"type": "is-null", "term": "name"},
        "right": {"type": "starts-with", "term": "name", "value": "ab"}}
    }`);
    expect(parseExpressionJson(json)).toEqual(
      and(
        or(eq('id', 5), not(isIn('name', ['a', 'b']))),
        and(isNull('name'), {
          kind: 'predicate',
          op: 'startsWith',
          term: { kind: 'reference', name: 'name' },
          literals: ['ab'],
        }),
      ),
    );
  });

  it('maps each wire operation name', () => {
    const names: Record<string, string> = {
      'is-null': 'isNull',
      'not-null': 'notNull',
      'is-nan': 'isNaN',
      'not-nan': 'notNaN',
      lt: 'lt',
      'lt-eq': 'ltEq',
      gt: 'gt',
      'gt-eq': 'gtEq',
      eq: 'eq',
      'not-eq': 'notEq',
      'starts-with': 'startsWith',
      'not-starts-with': 'notStartsWith',
      in: 'in',
      'not-in': 'notIn',
    };
    for (const [wire, op] of Object.entries(names)) {
      const unary = ['is-null', 'not-null', 'is-nan', 'not-nan'].includes(wire);
      const set = wire === 'in' || wire === 'not-in';
      const json = { type: wire, term: 'x', ...(unary ? {} : set ? { values: [1, 2] } : { value: 1 }) };
      const parsed = parseExpressionJson(json);
      expect(parsed).toMatchObject({ kind: 'predicate', op });
      // and back again
      expect(expressionToJson(parsed)).toEqual(json);
    }
  });

  it('accepts true/false as objects and as bare JSON booleans', () => {
    expect(parseExpressionJson({ type: 'true' })).toBe(TRUE);
    expect(parseExpressionJson({ type: 'false' })).toBe(FALSE);
    expect(parseExpressionJson(true)).toBe(TRUE);
    expect(parseExpressionJson(false)).toBe(FALSE);
  });

  it('reads transform terms and big integer literals', () => {
    const json = parseJson(
      '{"type": "eq", "term": {"type": "transform", "transform": "bucket[16]", "term": "id"}, "value": 9007199254740993}',
    );
    const parsed = parseExpressionJson(json);
    expect(parsed).toEqual(eq(transformTerm('bucket[16]', 'id'), 9007199254740993n));
    expect(stringifyJson(expressionToJson(parsed))).toBe(
      '{"type":"eq","term":{"type":"transform","transform":"bucket[16]","term":"id"},"value":9007199254740993}',
    );
  });

  it('rejects malformed JSON with the path and the problem', () => {
    expect(() => parseExpressionJson(null)).toThrow(
      'invalid expression JSON at $: expected an expression object, got null',
    );
    expect(() => parseExpressionJson([])).toThrow('at $: expected an expression object, got a list');
    expect(() => parseExpressionJson({})).toThrow("at $: expected a string 'type', got nothing");
    expect(() => parseExpressionJson({ type: 'between', term: 'x' })).toThrow(
      "unknown expression type 'between'; expected one of true, false, and, or, not, is-null",
    );
    expect(() => parseExpressionJson({ type: 'and', left: { type: 'true' } })).toThrow(
      "at $: missing 'right' for a 'and' expression",
    );
    expect(() => parseExpressionJson({ type: 'not', child: { type: 'eq', term: 'x' } })).toThrow(
      "at $.child: missing 'value' for a 'eq' expression",
    );
    expect(() => parseExpressionJson({ type: 'in', term: 'x', values: 3 })).toThrow(
      'at $.values: expected a list of literals, got 3',
    );
    expect(() => parseExpressionJson({ type: 'in', term: 'x', values: [1, { a: 1 }] })).toThrow(
      'at $.values[1]: expected a literal (string, number or boolean), got an object',
    );
    expect(() => parseExpressionJson({ type: 'eq', term: '', value: 1 })).toThrow(
      "at $.term: expected a column name or a term object, got ''",
    );
    expect(() => parseExpressionJson({ type: 'eq', term: { type: 'reference' }, value: 1 })).toThrow(
      'at $.term.term: expected a column name, got nothing',
    );
    expect(() =>
      parseExpressionJson({ type: 'eq', term: { type: 'transform', term: 'x' }, value: 1 }),
    ).toThrow("at $.term.transform: expected a transform such as 'day' or 'bucket[16]'");
    expect(() => parseExpressionJson({ type: 'eq', term: { type: 'column', term: 'x' }, value: 1 })).toThrow(
      "at $.term.type: expected 'reference' or 'transform', got 'column'",
    );
  });
});

describe('expressionToJson', () => {
  it('writes constants, combinators and bytes', () => {
    expect(expressionToJson(TRUE)).toEqual({ type: 'true' });
    expect(expressionToJson(FALSE)).toEqual({ type: 'false' });
    expect(
      expressionToJson(not(and(eq('data', Uint8Array.of(0xca, 0xfe)), notStartsWith('name', 'x')))),
    ).toEqual({
      type: 'not',
      child: {
        type: 'and',
        left: { type: 'eq', term: 'data', value: 'cafe' },
        right: { type: 'not-starts-with', term: 'name', value: 'x' },
      },
    });
  });
});

describe('boundExpressionToJson', () => {
  it('writes literals in the JSON single-value form of the column', () => {
    const bound = bind(
      schema,
      and(
        gtEq('ts', '2024-01-02T03:04:05'),
        or(eq('price', '14.2'), not(isIn('day', ['2024-01-01', '2024-01-03']))),
        eq(transformTerm('day', 'ts'), '2024-01-02'),
      ),
    );
    expect(boundExpressionToJson(bound)).toEqual({
      type: 'and',
      left: {
        type: 'and',
        left: { type: 'gt-eq', term: 'ts', value: '2024-01-02T03:04:05.000000' },
        right: {
          type: 'or',
          left: { type: 'eq', term: 'price', value: '14.20' },
          right: { type: 'not', child: { type: 'in', term: 'day', values: ['2024-01-01', '2024-01-03'] } },
        },
      },
      right: { type: 'eq', term: { type: 'transform', transform: 'day', term: 'ts' }, value: '2024-01-02' },
    });
    expect(boundExpressionToJson(bind(schema, TRUE))).toEqual({ type: 'true' });
    expect(boundExpressionToJson(bind(schema, FALSE))).toEqual({ type: 'false' });
    expect(boundExpressionToJson(bind(schema, isNull('name')))).toEqual({ type: 'is-null', term: 'name' });
  });

  it('round-trips through parse and bind', () => {
    const bound = bind(
      schema,
      and(eq('u', 'F79C3E09-677C-4C6B-9E0B-2D1A2E3F4A5B'), gtEq('tstz', '2024-01-01T00:00:00Z')),
    );
    const again = bind(schema, parseExpressionJson(parseJson(stringifyJson(boundExpressionToJson(bound)))));
    expect(again).toEqual(bound);
  });
});
