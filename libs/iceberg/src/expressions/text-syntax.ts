// A small SQL-like filter syntax for the CLI (`floe query … --where`), parsed into the unbound
// expression tree: comparisons (`=`, `==`, `!=`, `<>`, `<`, `<=`, `>`, `>=`), `in (…)` and
// `not in (…)`, `is [not] null`, `is [not] nan`, `like 'abc%'` (a trailing % only, which
// becomes startsWith; `\%` and `\_` match those characters), `starts with 'abc'`, `and`, `or`,
// `not`, parentheses, `true`/`false`. Columns are dotted names or "double-quoted"/`backticked`
// for unusual names; strings are 'single-quoted' with '' for a quote; numbers are integers
// (bigint beyond 2^53) or decimals/exponents. Keywords ignore case. Errors give the position
// and draw a caret under it.

import { IcebergError } from '../errors.ts';
import {
  and,
  type Expression,
  eq,
  FALSE,
  isIn,
  isNan,
  isNull,
  type Literal,
  not,
  notEq,
  notIn,
  notNan,
  notNull,
  notStartsWith,
  or,
  predicate,
  startsWith,
  TRUE,
} from './expression.ts';

type TokenKind = 'ident' | 'keyword' | 'string' | 'number' | 'op' | '(' | ')' | ',' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly position: number;
  /** For strings and quoted identifiers: the unescaped content. */
  readonly value: string;
}

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'null',
  'nan',
  'like',
  'true',
  'false',
  'starts',
  'with',
]);
const COMPARISONS: Readonly<Record<string, 'eq' | 'notEq' | 'lt' | 'ltEq' | 'gt' | 'gtEq'>> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'notEq',
  '<>': 'notEq',
  '<': 'lt',
  '<=': 'ltEq',
  '>': 'gt',
  '>=': 'gtEq',
};
const IDENT = /[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const OPERATOR = /==|!=|<>|<=|>=|=|<|>/y;

/** Parses filter text such as `id = 5 and name like 'ab%'` into an unbound expression. */
export function parseFilter(text: string): Expression {
  const parser = new FilterParser(text, tokenize(text));
  return parser.parse();
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const sticky = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = i;
    return pattern.exec(text)?.[0];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, text: ch, position: start, value: ch });
      i++;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const quoted = readQuoted(text, start, ch);
      tokens.push({
        kind: ch === "'" ? 'string' : 'ident',
        text: quoted.raw,
        position: start,
        value: quoted.content,
      });
      i = start + quoted.raw.length;
      continue;
    }
    const number = /[\d.-]/.test(ch) ? sticky(NUMBER) : undefined;
    if (number !== undefined) {
      tokens.push({ kind: 'number', text: number, position: start, value: number });
      i += number.length;
      continue;
    }
    const operator = sticky(OPERATOR);
    if (operator !== undefined) {
      tokens.push({ kind: 'op', text: operator, position: start, value: operator });
      i += operator.length;
      continue;
    }
    const ident = sticky(IDENT);
    if (ident !== undefined) {
      const keyword = KEYWORDS.has(ident.toLowerCase());
      tokens.push({
        kind: keyword ? 'keyword' : 'ident',
        text: ident,
        position: start,
        value: keyword ? ident.toLowerCase() : ident,
      });
      i += ident.length;
      continue;
    }
    throw syntaxError(text, start, `unexpected character '${ch}'`);
  }
  tokens.push({ kind: 'end', text: '', position: text.length, value: '' });
  return tokens;
}

function readQuoted(text: string, start: number, quote: string): { raw: string; content: string } {
  let content = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === quote) {
      // A doubled quote stands for one quote character.
      if (text[i + 1] === quote) {
        content += quote;
        i += 2;
        continue;
      }
      const raw = text.slice(start, i + 1);
      return { raw, content };
    }
    content += ch;
    i++;
  }
  const what = quote === "'" ? 'string' : 'quoted column name';
  throw syntaxError(text, start, `unterminated ${what}: missing closing ${quote}`);
}

class FilterParser {
  readonly #text: string;
  readonly #tokens: readonly Token[];
  #index = 0;

  constructor(text: string, tokens: readonly Token[]) {
    this.#text = text;
    this.#tokens = tokens;
  }

  parse(): Expression {
    if (this.#peek().kind === 'end') throw this.#error(this.#peek(), 'the filter is empty');
    const expression = this.#parseOr();
    const next = this.#peek();
    if (next.kind !== 'end')
      throw this.#error(next, `expected 'and', 'or' or the end of the filter, found ${describe(next)}`);
    return expression;
  }

  #peek(offset = 0): Token {
    return this.#tokens[Math.min(this.#index + offset, this.#tokens.length - 1)]!;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#index++;
    return token;
  }

  #isKeyword(word: string, offset = 0): boolean {
    const token = this.#peek(offset);
    return token.kind === 'keyword' && token.value === word;
  }

  #expectKeyword(word: string, context: string): void {
    const token = this.#next();
    if (token.kind !== 'keyword' || token.value !== word) {
      throw this.#error(token, `expected '${word}' ${context}, found ${describe(token)}`);
    }
  }

  #expect(kind: TokenKind, context: string): Token {
    const token = this.#next();
    if (token.kind !== kind)
      throw this.#error(token, `expected ${kindName(kind)} ${context}, found ${describe(token)}`);
    return token;
  }

  #parseOr(): Expression {
    let left = this.#parseAnd();
    while (this.#isKeyword('or')) {
      this.#next();
      left = or(left, this.#parseAnd());
    }
    return left;
  }

  #parseAnd(): Expression {
    let left = this.#parseUnary();
    while (this.#isKeyword('and')) {
      this.#next();
      left = and(left, this.#parseUnary());
    }
    return left;
  }

  #parseUnary(): Expression {
    if (this.#isKeyword('not')) {
      this.#next();
      return not(this.#parseUnary());
    }
    return this.#parsePrimary();
  }

  #parsePrimary(): Expression {
    const token = this.#peek();
    if (token.kind === '(') {
      this.#next();
      const inner = this.#parseOr();
      this.#expect(')', 'to close the parenthesis');
      return inner;
    }
    if (this.#isKeyword('true') || this.#isKeyword('false')) {
      this.#next();
      return token.value === 'true' ? TRUE : FALSE;
    }
    if (token.kind !== 'ident')
      throw this.#error(token, `expected a column name, '(' or 'not', found ${describe(token)}`);
    this.#next();
    return this.#parsePredicate(token.value);
  }

  #parsePredicate(column: string): Expression {
    const token = this.#next();
    if (token.kind === 'op') {
      return predicate(COMPARISONS[token.value]!, column, [this.#parseLiteral(`after '${token.text}'`)]);
    }
    if (token.kind === 'keyword') {
      switch (token.value) {
        case 'in':
          return isIn(column, this.#parseList());
        case 'is':
          return this.#parseIs(column);
        case 'like':
          return this.#parseLike(column, false);
        case 'starts':
          this.#expectKeyword('with', "after 'starts'");
          return startsWith(column, this.#expect('string', "after 'starts with'").value);
        case 'not': {
          const after = this.#next();
          if (after.kind === 'keyword' && after.value === 'in') return notIn(column, this.#parseList());
          if (after.kind === 'keyword' && after.value === 'like') return this.#parseLike(column, true);
          if (after.kind === 'keyword' && after.value === 'starts') {
            this.#expectKeyword('with', "after 'not starts'");
            return notStartsWith(column, this.#expect('string', "after 'not starts with'").value);
          }
          throw this.#error(
            after,
            `expected 'in', 'like' or 'starts with' after 'not', found ${describe(after)}`,
          );
        }
      }
    }
    throw this.#error(
      token,
      `expected a comparison (=, !=, <, <=, >, >=), 'in', 'is', 'like' or 'starts with' after column '${column}', found ${describe(token)}`,
    );
  }

  #parseIs(column: string): Expression {
    const negated = this.#isKeyword('not');
    if (negated) this.#next();
    const token = this.#next();
    if (token.kind === 'keyword' && token.value === 'null') return negated ? notNull(column) : isNull(column);
    if (token.kind === 'keyword' && token.value === 'nan') return negated ? notNan(column) : isNan(column);
    throw this.#error(
      token,
      `expected 'null' or 'nan' after 'is${negated ? ' not' : ''}', found ${describe(token)}`,
    );
  }

  #parseLike(column: string, negated: boolean): Expression {
    const token = this.#expect('string', `after '${negated ? 'not like' : 'like'}'`);
    const pattern = likePattern(token.value);
    if (pattern === undefined) {
      throw this.#error(
        token,
        `unsupported like pattern ${token.text}: only a trailing % is supported (use \\% or \\_ for the literal characters)`,
      );
    }
    if (pattern.prefix)
      return negated ? notStartsWith(column, pattern.text) : startsWith(column, pattern.text);
    return negated ? notEq(column, pattern.text) : eq(column, pattern.text);
  }

  #parseList(): Literal[] {
    this.#expect('(', "to open the list of values after 'in'");
    const values = [this.#parseLiteral('in the list')];
    while (this.#peek().kind === ',') {
      this.#next();
      values.push(this.#parseLiteral("after ','"));
    }
    this.#expect(')', 'to close the list of values');
    return values;
  }

  #parseLiteral(context: string): Literal {
    const token = this.#next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'number') return parseNumber(token.value);
    if (token.kind === 'keyword' && (token.value === 'true' || token.value === 'false'))
      return token.value === 'true';
    if (token.kind === 'keyword' && token.value === 'null') {
      throw this.#error(token, "comparing with null is never true: use 'is null' or 'is not null'");
    }
    throw this.#error(
      token,
      `expected a value (a 'string', a number, true or false) ${context}, found ${describe(token)}`,
    );
  }

  #error(token: Token, message: string): IcebergError {
    return syntaxError(this.#text, token.position, message);
  }
}

function parseNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const number = Number(text);
    return Number.isSafeInteger(number) ? number : BigInt(text);
  }
  return Number(text);
}

/** `abc%` → prefix `abc`; `abc` → exact `abc`; undefined for patterns startsWith cannot express. */
function likePattern(pattern: string): { text: string; prefix: boolean } | undefined {
  let text = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      text += pattern[++i];
      continue;
    }
    if (ch === '%') return i === pattern.length - 1 ? { text, prefix: true } : undefined;
    if (ch === '_') return undefined;
    text += ch;
  }
  return { text, prefix: false };
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the filter' : `'${token.text}'`;
}

function kindName(kind: TokenKind): string {
  switch (kind) {
    case 'string':
      return "a 'quoted string'";
    case '(':
    case ')':
      return `'${kind}'`;
    default:
      return kind;
  }
}

function syntaxError(text: string, position: number, message: string): IcebergError {
  const caret = `${' '.repeat(position)}^`;
  return new IcebergError(
    'invalid-argument',
    `invalid filter at position ${position + 1}: ${message}\n  ${text}\n  ${caret}`,
    { context: { position: position + 1 } },
  );
}
