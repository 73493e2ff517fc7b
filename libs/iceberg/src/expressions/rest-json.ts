// The Iceberg REST spec's expression JSON (`Expression`, `Term`, `LiteralExpression`… in
// rest-catalog-open-api.yaml) read into and written from the unbound tree. This is the wire
// form jobs and Python producers use for overwrite/delete filters: `{"type": "eq", "term":
// "id", "value": 5}`, terms as a column name, a `{"type": "reference", "term": …}` object or a
// `{"type": "transform", "transform": "day", "term": …}` object, literals in the JSON
// single-value form (converted with the column type at bind time). As Java's parser does, bare
// JSON `true`/`false` are accepted as the constant expressions. Bound trees serialize too, with
// their literals turned back into the JSON single-value form of the column type.

import { IcebergError } from '../errors.ts';
import { serializeJsonSingleValue } from '../spec/single-value-json.ts';
import { bytesToHex, describeValue } from '../spec/values.ts';
import type { JsonValue } from '../util/json.ts';
import type { BoundExpression, BoundTerm } from './bound.ts';
import { transformName } from './bound.ts';
import {
  and,
  type Expression,
  FALSE,
  type Literal,
  not,
  or,
  type PredicateOperation,
  predicate,
  SET_OPERATIONS,
  type Term,
  TRUE,
  UNARY_OPERATIONS,
} from './expression.ts';

const WIRE_TO_OPERATION: Readonly<Record<string, PredicateOperation>> = {
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

const OPERATION_TO_WIRE: Readonly<Record<PredicateOperation, string>> = Object.fromEntries(
  Object.entries(WIRE_TO_OPERATION).map(([wire, op]) => [op, wire]),
) as Record<PredicateOperation, string>;

/** Parses REST expression JSON (already JSON-parsed) into an unbound expression. */
export function parseExpressionJson(json: unknown): Expression {
  return parseNode(json, '$');
}

function parseNode(json: unknown, path: string): Expression {
  if (json === true) return TRUE;
  if (json === false) return FALSE;
  const object = expectObject(json, path, 'an expression object');
  const type = object['type'];
  if (typeof type !== 'string') throw malformed(path, `expected a string 'type', got ${describeJson(type)}`);
  switch (type) {
    case 'true':
      return TRUE;
    case 'false':
      return FALSE;
    case 'and':
    case 'or': {
      const left = parseNode(required(object, 'left', path), `${path}.left`);
      const right = parseNode(required(object, 'right', path), `${path}.right`);
      return type === 'and' ? and(left, right) : or(left, right);
    }
    case 'not':
      return not(parseNode(required(object, 'child', path), `${path}.child`));
  }
  const op = WIRE_TO_OPERATION[type];
  if (op === undefined) {
    throw malformed(
      path,
      `unknown expression type '${type}'; expected one of true, false, and, or, not, ${Object.keys(WIRE_TO_OPERATION).join(', ')}`,
    );
  }
  const term = parseTerm(required(object, 'term', path), `${path}.term`);
  if (UNARY_OPERATIONS.has(op)) return predicate(op, term);
  if (SET_OPERATIONS.has(op)) {
    const values = required(object, 'values', path);
    if (!Array.isArray(values))
      throw malformed(`${path}.values`, `expected a list of literals, got ${describeJson(values)}`);
    return predicate(
      op,
      term,
      values.map((value, i) => parseLiteral(value, `${path}.values[${i}]`)),
    );
  }
  return predicate(op, term, [parseLiteral(required(object, 'value', path), `${path}.value`)]);
}

function parseTerm(json: unknown, path: string): Term {
  if (typeof json === 'string' && json.length > 0) return { kind: 'reference', name: json };
  const object = expectObject(json, path, 'a column name or a term object');
  const inner = object['term'];
  if (typeof inner !== 'string' || inner.length === 0) {
    throw malformed(`${path}.term`, `expected a column name, got ${describeJson(inner)}`);
  }
  if (object['type'] === 'reference') return { kind: 'reference', name: inner };
  if (object['type'] === 'transform') {
    const transform = object['transform'];
    if (typeof transform !== 'string')
      throw malformed(`${path}.transform`, `expected a transform such as 'day' or 'bucket[16]'`);
    return { kind: 'transform', transform, name: inner };
  }
  throw malformed(`${path}.type`, `expected 'reference' or 'transform', got ${describeJson(object['type'])}`);
}

function parseLiteral(json: unknown, path: string): Literal {
  if (typeof json === 'string' || typeof json === 'boolean' || typeof json === 'bigint') return json;
  if (typeof json === 'number') return json;
  throw malformed(path, `expected a literal (string, number or boolean), got ${describeJson(json)}`);
}

/** Writes an unbound expression as REST expression JSON. */
export function expressionToJson(expression: Expression): JsonValue {
  switch (expression.kind) {
    case 'true':
    case 'false':
      return { type: expression.kind };
    case 'and':
    case 'or':
      return {
        type: expression.kind,
        left: expressionToJson(expression.left),
        right: expressionToJson(expression.right),
      };
    case 'not':
      return { type: 'not', child: expressionToJson(expression.child) };
    case 'predicate': {
      const term: JsonValue =
        expression.term.kind === 'reference'
          ? expression.term.name
          : { type: 'transform', transform: expression.term.transform, term: expression.term.name };
      return predicateJson(expression.op, term, expression.literals.map(literalToJson));
    }
  }
}

function literalToJson(literal: Literal): JsonValue {
  return literal instanceof Uint8Array ? bytesToHex(literal) : literal;
}

/** Writes a bound expression as REST expression JSON, literals in the JSON single-value form. */
export function boundExpressionToJson(expression: BoundExpression): JsonValue {
  switch (expression.kind) {
    case 'true':
    case 'false':
      return { type: expression.kind };
    case 'and':
    case 'or':
      return {
        type: expression.kind,
        left: boundExpressionToJson(expression.left),
        right: boundExpressionToJson(expression.right),
      };
    case 'not':
      return { type: 'not', child: boundExpressionToJson(expression.child) };
    case 'predicate':
      return predicateJson(
        expression.op,
        boundTermJson(expression.term),
        expression.literals.map((value) => serializeJsonSingleValue(expression.term.type, value)),
      );
  }
}

function boundTermJson(term: BoundTerm): JsonValue {
  if (term.transform === undefined) return term.name;
  return { type: 'transform', transform: transformName(term.transform), term: term.name };
}

function predicateJson(op: PredicateOperation, term: JsonValue, literals: readonly JsonValue[]): JsonValue {
  const type = OPERATION_TO_WIRE[op];
  if (UNARY_OPERATIONS.has(op)) return { type, term };
  if (SET_OPERATIONS.has(op)) return { type, term, values: literals };
  return { type, term, value: literals[0] ?? null };
}

function expectObject(json: unknown, path: string, what: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw malformed(path, `expected ${what}, got ${describeJson(json)}`);
  }
  return json as Record<string, unknown>;
}

function required(object: Record<string, unknown>, key: string, path: string): unknown {
  const value = object[key];
  if (value === undefined)
    throw malformed(path, `missing '${key}' for a '${String(object['type'])}' expression`);
  return value;
}

function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return describeValue(value);
}

function malformed(path: string, message: string): IcebergError {
  return new IcebergError('invalid-argument', `invalid expression JSON at ${path}: ${message}`, {
    context: { path },
  });
}
