import { describe, expect, it } from 'vitest';
import { bind } from './bind.ts';
import { boundExpressionToString } from './bound.ts';
import {
  and,
  eq,
  expressionToString,
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
} from './expression.ts';
import { schema } from './fixtures.test-helper.ts';
import { parseFilter } from './text-syntax.ts';

describe('parseFilter', () => {
  it('parses the CLI example', () => {
    const parsed = parseFilter(
      "id = 5 and (country in ('FR','DE') or ts >= '2024-01-01T00:00:00') and name is not null and name like 'abc%'",
    );
    expect(parsed).toEqual(
      and(
        eq('id', 5),
        or(isIn('country', ['FR', 'DE']), gtEq('ts', '2024-01-01T00:00:00')),
        notNull('name'),
        startsWith('name', 'abc'),
      ),
    );
  });

  it('parses every comparison operator', () => {
    expect(parseFilter('a = 1')).toEqual(eq('a', 1));
    expect(parseFilter('a == 1')).toEqual(eq('a', 1));
    expect(parseFilter('a != 1')).toEqual(notEq('a', 1));
    expect(parseFilter('a <> 1')).toEqual(notEq('a', 1));
    expect(parseFilter('a<1')).toEqual(lt('a', 1));
    expect(parseFilter('a <= -1')).toEqual(ltEq('a', -1));
    expect(parseFilter('a > 1.5e3')).toEqual(gt('a', 1500));
    expect(parseFilter('a >= .5')).toEqual(gtEq('a', 0.5));
  });

  it('parses null, NaN, in, like and starts with forms', () => {
    expect(parseFilter('a IS NULL')).toEqual(isNull('a'));
    expect(parseFilter('a is nan')).toEqual(isNan('a'));
    expect(parseFilter('a is not nan')).toEqual(notNan('a'));
    expect(parseFilter('a not in (1, 2)')).toEqual(notIn('a', [1, 2]));
    expect(parseFilter("a not like 'x%'")).toEqual(notStartsWith('a', 'x'));
    expect(parseFilter("a like 'exact'")).toEqual(eq('a', 'exact'));
    expect(parseFilter("a not like 'exact'")).toEqual(notEq('a', 'exact'));
    expect(parseFilter("a like '50\\%\\_%'")).toEqual(startsWith('a', '50%_'));
    expect(parseFilter("a starts with 'x'")).toEqual(startsWith('a', 'x'));
    expect(parseFilter("a not starts with 'x'")).toEqual(notStartsWith('a', 'x'));
  });

  it('parses not, parentheses, constants and precedence (and binds tighter than or)', () => {
    expect(parseFilter('not (a = 1 or b = 2)')).toEqual(not(or(eq('a', 1), eq('b', 2))));
    expect(parseFilter('a = 1 or b = 2 and c = 3')).toEqual(or(eq('a', 1), and(eq('b', 2), eq('c', 3))));
    expect(parseFilter('true')).toBe(TRUE);
    expect(parseFilter('FALSE or a = 1')).toEqual(eq('a', 1));
    expect(parseFilter('false')).toBe(FALSE);
    expect(parseFilter('flag = true and other = False')).toEqual(and(eq('flag', true), eq('other', false)));
  });

  it('reads strings, quoted names and big integers', () => {
    expect(parseFilter("name = 'it''s'")).toEqual(eq('name', "it's"));
    expect(parseFilter('"odd name" = 1')).toEqual(eq('odd name', 1));
    expect(parseFilter('`in` = 1')).toEqual(eq('in', 1));
    expect(parseFilter('address.zip = 1')).toEqual(eq('address.zip', 1));
    expect(parseFilter('id = 9007199254740993')).toEqual(eq('id', 9007199254740993n));
    expect(expressionToString(parseFilter("a = 'x' and b in (1, 2.5, 'y')"))).toBe(
      "(a = 'x' and b in (1, 2.5, 'y'))",
    );
  });

  it('binds what it parses against a schema', () => {
    const bound = bind(
      schema,
      parseFilter("day >= '2024-01-02' and price < 10.5 and ts < '2024-01-02 10:00:00'"),
    );
    expect(boundExpressionToString(bound)).toBe(
      '((day >= 19724 and price < 1050) and ts < 1704189600000000)',
    );
  });

  it('reports errors with the position and a caret', () => {
    const cases: [string, string][] = [
      ['', 'invalid filter at position 1: the filter is empty'],
      [
        'id = ',
        "invalid filter at position 6: expected a value (a 'string', a number, true or false) after '=', found the end of the filter",
      ],
      ['id = )', "position 6: expected a value (a 'string', a number, true or false) after '=', found ')'"],
      ["name = 'abc", "position 8: unterminated string: missing closing '"],
      ['"name = 1', 'position 1: unterminated quoted column name: missing closing "'],
      ['id = 1 and', "position 11: expected a column name, '(' or 'not', found the end of the filter"],
      ['(id = 1', "position 8: expected ')' to close the parenthesis, found the end of the filter"],
      ['id = 1 id = 2', "position 8: expected 'and', 'or' or the end of the filter, found 'id'"],
      ['id ~ 1', "position 4: unexpected character '~'"],
      [
        'id 1',
        "position 4: expected a comparison (=, !=, <, <=, >, >=), 'in', 'is', 'like' or 'starts with' after column 'id', found '1'",
      ],
      ['id is 5', "position 7: expected 'null' or 'nan' after 'is', found '5'"],
      ['id is not 5', "position 11: expected 'null' or 'nan' after 'is not', found '5'"],
      ['id = null', "position 6: comparing with null is never true: use 'is null' or 'is not null'"],
      ['id in 1', "position 7: expected '(' to open the list of values after 'in', found '1'"],
      [
        'id in (1,)',
        "position 10: expected a value (a 'string', a number, true or false) after ',', found ')'",
      ],
      ['id in (1 2)', "position 10: expected ')' to close the list of values, found '2'"],
      ["name like 'a%b'", "position 11: unsupported like pattern 'a%b': only a trailing % is supported"],
      ["name like 'a_'", 'position 11: unsupported like pattern'],
      ['name like 5', "position 11: expected a 'quoted string' after 'like', found '5'"],
      ["name starts 'a'", "position 13: expected 'with' after 'starts', found ''a''"],
      ["name not starts 'a'", "position 17: expected 'with' after 'not starts', found ''a''"],
      ['name not null', "position 10: expected 'in', 'like' or 'starts with' after 'not', found 'null'"],
      ['= 1', "position 1: expected a column name, '(' or 'not', found '='"],
    ];
    for (const [text, message] of cases) {
      expect(() => parseFilter(text), text).toThrow(message);
    }
    expect(() => parseFilter('id = )')).toThrow('\n  id = )\n       ^');
  });
});
