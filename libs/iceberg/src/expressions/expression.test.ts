import { describe, expect, it } from 'vitest';
import {
  alwaysFalse,
  alwaysTrue,
  and,
  type Expression,
  eq,
  expressionToString,
  FALSE,
  forEachPredicate,
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
  type UnboundPredicate,
} from './expression.ts';

describe('expression builders', () => {
  it('fold constants in and/or/not', () => {
    const x = eq('id', 5);
    expect(and(TRUE, x)).toBe(x);
    expect(and(x, TRUE)).toBe(x);
    expect(and(FALSE, x)).toBe(FALSE);
    expect(and(x, FALSE)).toBe(FALSE);
    expect(and()).toBe(TRUE);
    expect(or(FALSE, x)).toBe(x);
    expect(or(x, TRUE)).toBe(TRUE);
    expect(or(TRUE, x)).toBe(TRUE);
    expect(or()).toBe(FALSE);
    expect(not(TRUE)).toBe(FALSE);
    expect(not(FALSE)).toBe(TRUE);
    expect(not(not(x))).toBe(x);
    expect(alwaysTrue()).toEqual({ kind: 'true' });
    expect(alwaysFalse()).toEqual({ kind: 'false' });
  });

  it('build left-deep trees for several operands', () => {
    const tree = and(eq('a', 1), eq('b', 2), eq('c', 3));
    expect(tree.kind).toBe('and');
    expect(expressionToString(tree)).toBe('((a = 1 and b = 2) and c = 3)');
  });

  it('folds empty in/not-in lists', () => {
    expect(isIn('id', [])).toBe(FALSE);
    expect(notIn('id', [])).toBe(TRUE);
    expect(isIn('id', [1, 2])).toEqual({
      kind: 'predicate',
      op: 'in',
      term: { kind: 'reference', name: 'id' },
      literals: [1, 2],
    });
  });

  it('renders every predicate readably', () => {
    const all: Expression = and(
      isNull('a'),
      notNull('a'),
      isNan('f'),
      notNan('f'),
      lt('a', 1),
      ltEq('a', 2n),
      gt('a', 1.5),
      gtEq('a', true),
      notEq('s', "it's"),
      startsWith('s', 'ab'),
      notStartsWith('s', 'cd'),
      notIn('a', [1, 2]),
      eq('b', Uint8Array.of(1, 255)),
      not(eq(transformTerm('bucket[16]', 'id'), 3)),
    );
    expect(expressionToString(all)).toBe(
      "(((((((((((((a is null and a is not null) and f is nan) and f is not nan) and a < 1) and a <= 2) and a > 1.5) and a >= true) and s != 'it''s') and s starts with 'ab') and s not starts with 'cd') and a not in (1, 2)) and b = x'01ff') and not bucket[16](id) = 3)",
    );
  });

  it('visits predicates left to right', () => {
    const seen: string[] = [];
    forEachPredicate(or(not(eq('a', 1)), and(eq('b', 2), TRUE), FALSE), (p: UnboundPredicate) =>
      seen.push(p.term.name),
    );
    expect(seen).toEqual(['a', 'b']);
  });
});
