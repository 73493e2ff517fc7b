// Binding: resolves an unbound expression against a schema. Column names are looked up as full
// dotted paths (case-sensitive unless asked otherwise), literals are converted to the column's
// value contract (bind-literal.ts), and predicates that the schema already decides are folded
// (`isNull` on a required column is false). Errors are for people: an unknown column names the
// closest existing columns, a wrong literal names the column, its type and the literal, and
// isNaN/startsWith on the wrong kind of column say which kinds they accept.

import { IcebergError } from '../errors.ts';
import { type IndexedField, indexSchema, type SchemaIndex } from '../spec/schema.ts';
import { canTransform, parseTransform, transformResultType } from '../spec/transforms.ts';
import { primitiveTypeToString, typeToString } from '../spec/type-json.ts';
import type { PrimitiveType, Schema } from '../spec/types.ts';
import { isPrimitive } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import { convertLiteral } from './bind-literal.ts';
import {
  type BoundExpression,
  type BoundPredicate,
  type BoundTerm,
  distinctSorted,
  isFloatType,
} from './bound.ts';
import {
  and,
  type Expression,
  FALSE,
  not,
  or,
  type Term,
  TRUE,
  type UnboundPredicate,
} from './expression.ts';

export interface BindOptions {
  /** Match column names exactly (default) or ignoring case. */
  readonly caseSensitive?: boolean;
}

/** Binds `expression` to `schema`; throws `invalid-argument` errors a user can act on. */
export function bind(schema: Schema, expression: Expression, options: BindOptions = {}): BoundExpression {
  const index = indexSchema(schema);
  const caseSensitive = options.caseSensitive ?? true;
  const visit = (node: Expression): BoundExpression => {
    switch (node.kind) {
      case 'true':
        return TRUE;
      case 'false':
        return FALSE;
      case 'and':
        return and(visit(node.left), visit(node.right));
      case 'or':
        return or(visit(node.left), visit(node.right));
      case 'not':
        return not(visit(node.child));
      case 'predicate':
        return bindPredicate(index, node, caseSensitive);
    }
  };
  return visit(expression);
}

function bindPredicate(
  index: SchemaIndex,
  predicate: UnboundPredicate,
  caseSensitive: boolean,
): BoundExpression {
  const term = bindTerm(index, predicate.term, caseSensitive);
  const { op } = predicate;
  const column = term.name;
  const typeName = primitiveTypeToString(term.type);
  const expectCount = (count: number): void => {
    if (predicate.literals.length !== count) {
      throw new IcebergError(
        'invalid-argument',
        `predicate ${op} on column '${column}' takes ${count === 0 ? 'no literal' : 'exactly one literal'}, got ${predicate.literals.length}`,
        { context: { column, op } },
      );
    }
  };
  const bound = (literals: readonly PrimitiveValue[]): BoundPredicate => ({
    kind: 'predicate',
    op,
    term,
    literals,
  });
  switch (op) {
    case 'isNull':
    case 'notNull': {
      expectCount(0);
      // A required column (without a transform that could yield null) decides these outright.
      if (term.required && term.transform === undefined) return op === 'isNull' ? FALSE : TRUE;
      return bound([]);
    }
    case 'isNaN':
    case 'notNaN':
      expectCount(0);
      if (!isFloatType(term.type)) {
        throw new IcebergError(
          'invalid-argument',
          `${op} needs a float or double column, but '${column}' is ${typeName}`,
          { context: { column, type: typeName, op } },
        );
      }
      return bound([]);
    case 'startsWith':
    case 'notStartsWith':
      expectCount(1);
      if (term.type.kind !== 'string') {
        throw new IcebergError(
          'invalid-argument',
          `${op} needs a string column, but '${column}' is ${typeName}`,
          { context: { column, type: typeName, op } },
        );
      }
      if (typeof predicate.literals[0] !== 'string') {
        throw new IcebergError(
          'invalid-argument',
          `${op} on column '${column}' needs a string prefix, got ${typeof predicate.literals[0]}`,
          { context: { column, op } },
        );
      }
      return bound([predicate.literals[0]]);
    case 'in':
    case 'notIn': {
      if (predicate.literals.length === 0) return op === 'in' ? FALSE : TRUE;
      const values = distinctSorted(
        predicate.literals.map((literal) => convertLiteral(column, term.type, literal)),
      );
      // One value is an equality; keeping one shape makes metrics and projection simpler.
      if (values.length === 1)
        return { kind: 'predicate', op: op === 'in' ? 'eq' : 'notEq', term, literals: values };
      return bound(values);
    }
    default:
      expectCount(1);
      return bound([convertLiteral(column, term.type, predicate.literals[0]!)]);
  }
}

function bindTerm(index: SchemaIndex, term: Term, caseSensitive: boolean): BoundTerm {
  const entry = resolveColumn(index, term.name, caseSensitive);
  const { field, path } = entry;
  if (!isPrimitive(field.type)) {
    throw new IcebergError(
      'invalid-argument',
      `column '${path}' is a ${field.type.kind} (${typeToString(field.type)}); filters need a primitive column such as one of its fields`,
      { context: { column: path, type: field.type.kind } },
    );
  }
  if (entry.insideCollection) {
    throw new IcebergError(
      'invalid-argument',
      `column '${path}' is inside a list or map; filters on collection elements are not supported`,
      { context: { column: path } },
    );
  }
  const base = {
    fieldId: field.id,
    name: path,
    segments: entry.segments,
    // A field inside an optional struct can be null even when it is itself required.
    required: field.required && !entry.insideOptional,
    sourceType: field.type,
  };
  if (term.kind === 'reference') return { ...base, type: field.type };
  const transform = parseTransform(term.transform);
  if (transform.kind === 'unknown' || !canTransform(transform, field.type)) {
    throw new IcebergError(
      'invalid-argument',
      `transform '${term.transform}' cannot be applied to column '${path}' of type ${primitiveTypeToString(field.type)}`,
      { context: { column: path, transform: term.transform } },
    );
  }
  return { ...base, transform, type: transformResultType(transform, field.type) as PrimitiveType };
}

function resolveColumn(index: SchemaIndex, name: string, caseSensitive: boolean): IndexedField {
  const entry = caseSensitive ? index.byName.get(name) : index.byLowerName.get(name.toLowerCase());
  if (entry !== undefined) return entry;
  const suggestions = closeMatches(name, [...index.byName.keys()]);
  const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?` : '';
  throw new IcebergError('invalid-argument', `unknown column '${name}'${hint}`, {
    context: { column: name, caseSensitive },
  });
}

/** Up to three names within a small edit distance (case ignored), closest first. */
export function closeMatches(name: string, candidates: readonly string[]): string[] {
  const target = name.toLowerCase();
  const limit = Math.max(2, Math.floor(target.length / 3));
  const scored = candidates.map((candidate) => ({
    candidate,
    distance: editDistance(target, candidate.toLowerCase()),
  }));
  // Only the nearest names (and those one edit further) help; a far list is noise.
  const best = Math.min(...scored.map(({ distance }) => distance));
  return scored
    .filter(({ distance }) => distance <= limit && distance <= best + 1)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
