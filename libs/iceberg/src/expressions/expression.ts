// The unbound expression tree: row filters as users and wire formats write them, naming columns
// by dotted name and carrying literals as loose JS values that are only checked and converted
// once the tree is bound to a schema (bind.ts). Builders simplify as they go (`and(true, x)` is
// `x`, `not(not(x))` is `x`) so the trees handed to binding, projection and the REST wire form
// stay small. Every predicate keeps its literals in one array (none for unary predicates, one
// for comparisons, any number for in/not-in), which keeps the visitors generic.

/** A column reference by dotted name, optionally through a partition-style transform. */
export type Term =
  | { readonly kind: 'reference'; readonly name: string }
  | { readonly kind: 'transform'; readonly transform: string; readonly name: string };

/** A literal before binding: JSON-ish values plus the value contract's bigint and bytes. */
export type Literal = boolean | number | bigint | string | Uint8Array;

export type UnaryOperation = 'isNull' | 'notNull' | 'isNaN' | 'notNaN';
export type LiteralOperation =
  | 'lt'
  | 'ltEq'
  | 'gt'
  | 'gtEq'
  | 'eq'
  | 'notEq'
  | 'startsWith'
  | 'notStartsWith';
export type SetOperation = 'in' | 'notIn';
export type PredicateOperation = UnaryOperation | LiteralOperation | SetOperation;

export const UNARY_OPERATIONS: ReadonlySet<PredicateOperation> = new Set([
  'isNull',
  'notNull',
  'isNaN',
  'notNaN',
]);
export const SET_OPERATIONS: ReadonlySet<PredicateOperation> = new Set(['in', 'notIn']);

export interface UnboundPredicate {
  readonly kind: 'predicate';
  readonly op: PredicateOperation;
  readonly term: Term;
  /** None for unary operations, exactly one for comparisons, one or more for in/not-in. */
  readonly literals: readonly Literal[];
}

/** A boolean tree whose leaves are predicates of type `P` (unbound here, bound after binding). */
export interface PredicateLeaf {
  readonly kind: 'predicate';
}

export type ExpressionOf<P extends PredicateLeaf> =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'and'; readonly left: ExpressionOf<P>; readonly right: ExpressionOf<P> }
  | { readonly kind: 'or'; readonly left: ExpressionOf<P>; readonly right: ExpressionOf<P> }
  | { readonly kind: 'not'; readonly child: ExpressionOf<P> }
  | P;

export type Expression = ExpressionOf<UnboundPredicate>;

export const TRUE = { kind: 'true' } as const;
export const FALSE = { kind: 'false' } as const;

export function alwaysTrue(): { readonly kind: 'true' } {
  return TRUE;
}

export function alwaysFalse(): { readonly kind: 'false' } {
  return FALSE;
}

/** Conjunction with constant folding; any number of operands (none gives `true`). */
export function and(...operands: readonly Expression[]): Expression;
export function and<P extends PredicateLeaf>(...operands: readonly ExpressionOf<P>[]): ExpressionOf<P>;
export function and<P extends PredicateLeaf>(...operands: readonly ExpressionOf<P>[]): ExpressionOf<P> {
  let result = TRUE as ExpressionOf<P>;
  for (const operand of operands) {
    if (operand.kind === 'false' || result.kind === 'false') return FALSE;
    if (operand.kind === 'true') continue;
    result = result.kind === 'true' ? operand : { kind: 'and', left: result, right: operand };
  }
  return result;
}

/** Disjunction with constant folding; any number of operands (none gives `false`). */
export function or(...operands: readonly Expression[]): Expression;
export function or<P extends PredicateLeaf>(...operands: readonly ExpressionOf<P>[]): ExpressionOf<P>;
export function or<P extends PredicateLeaf>(...operands: readonly ExpressionOf<P>[]): ExpressionOf<P> {
  let result = FALSE as ExpressionOf<P>;
  for (const operand of operands) {
    if (operand.kind === 'true' || result.kind === 'true') return TRUE;
    if (operand.kind === 'false') continue;
    result = result.kind === 'false' ? operand : { kind: 'or', left: result, right: operand };
  }
  return result;
}

export function not(child: Expression): Expression;
export function not<P extends PredicateLeaf>(child: ExpressionOf<P>): ExpressionOf<P>;
export function not<P extends PredicateLeaf>(child: ExpressionOf<P>): ExpressionOf<P> {
  if (child.kind === 'true') return FALSE;
  if (child.kind === 'false') return TRUE;
  if (child.kind === 'not') return child.child;
  return { kind: 'not', child };
}

/** A column reference; `ref('address.zip')` for nested struct fields. */
export function ref(name: string): Term {
  return { kind: 'reference', name };
}

/** A transform applied to a column, as the REST spec's `TransformTerm` (`bucket[16]`, `day`). */
export function transformTerm(transform: string, name: string): Term {
  return { kind: 'transform', transform, name };
}

type TermLike = string | Term;

function toTerm(term: TermLike): Term {
  return typeof term === 'string' ? ref(term) : term;
}

export function predicate(
  op: PredicateOperation,
  term: TermLike,
  literals: readonly Literal[] = [],
): UnboundPredicate {
  return { kind: 'predicate', op, term: toTerm(term), literals };
}

export const isNull = (term: TermLike): UnboundPredicate => predicate('isNull', term);
export const notNull = (term: TermLike): UnboundPredicate => predicate('notNull', term);
export const isNan = (term: TermLike): UnboundPredicate => predicate('isNaN', term);
export const notNan = (term: TermLike): UnboundPredicate => predicate('notNaN', term);
export const lt = (term: TermLike, value: Literal): UnboundPredicate => predicate('lt', term, [value]);
export const ltEq = (term: TermLike, value: Literal): UnboundPredicate => predicate('ltEq', term, [value]);
export const gt = (term: TermLike, value: Literal): UnboundPredicate => predicate('gt', term, [value]);
export const gtEq = (term: TermLike, value: Literal): UnboundPredicate => predicate('gtEq', term, [value]);
export const eq = (term: TermLike, value: Literal): UnboundPredicate => predicate('eq', term, [value]);
export const notEq = (term: TermLike, value: Literal): UnboundPredicate => predicate('notEq', term, [value]);
export const startsWith = (term: TermLike, prefix: string): UnboundPredicate =>
  predicate('startsWith', term, [prefix]);
export const notStartsWith = (term: TermLike, prefix: string): UnboundPredicate =>
  predicate('notStartsWith', term, [prefix]);

/** `in` with no values matches nothing, as SQL's empty IN list would. */
export function isIn(term: TermLike, values: readonly Literal[]): Expression {
  return values.length === 0 ? FALSE : predicate('in', term, values);
}

/** `not in` with no values matches everything. */
export function notIn(term: TermLike, values: readonly Literal[]): Expression {
  return values.length === 0 ? TRUE : predicate('notIn', term, values);
}

/** Visits every predicate leaf of a tree, left to right. */
export function forEachPredicate<P extends PredicateLeaf>(
  expression: ExpressionOf<P>,
  visit: (predicate: P) => void,
): void {
  const node = expression as ExpressionOf<P> & { kind: string };
  switch (node.kind) {
    case 'true':
    case 'false':
      return;
    case 'and':
    case 'or': {
      const binary = node as { left: ExpressionOf<P>; right: ExpressionOf<P> };
      forEachPredicate(binary.left, visit);
      forEachPredicate(binary.right, visit);
      return;
    }
    case 'not':
      forEachPredicate((node as { child: ExpressionOf<P> }).child, visit);
      return;
    default:
      visit(node as P);
  }
}

const OPERATOR_TEXT: Readonly<Record<PredicateOperation, string>> = {
  isNull: 'is null',
  notNull: 'is not null',
  isNaN: 'is nan',
  notNaN: 'is not nan',
  lt: '<',
  ltEq: '<=',
  gt: '>',
  gtEq: '>=',
  eq: '=',
  notEq: '!=',
  startsWith: 'starts with',
  notStartsWith: 'not starts with',
  in: 'in',
  notIn: 'not in',
};

/** A readable one-line form for logs and error messages (not a parseable syntax). */
export function describeExpression<P extends PredicateLeaf>(
  expression: ExpressionOf<P>,
  describePredicate: (predicate: P) => string,
): string {
  const node = expression as ExpressionOf<P> & { kind: string };
  switch (node.kind) {
    case 'true':
    case 'false':
      return node.kind;
    case 'and':
    case 'or': {
      const binary = node as { left: ExpressionOf<P>; right: ExpressionOf<P> };
      return `(${describeExpression(binary.left, describePredicate)} ${node.kind} ${describeExpression(binary.right, describePredicate)})`;
    }
    case 'not':
      return `not ${describeExpression((node as { child: ExpressionOf<P> }).child, describePredicate)}`;
    default:
      return describePredicate(node as P);
  }
}

/** Text of one predicate given its column text and already-rendered literals. */
export function describePredicateParts(
  op: PredicateOperation,
  column: string,
  literals: readonly string[],
): string {
  if (UNARY_OPERATIONS.has(op)) return `${column} ${OPERATOR_TEXT[op]}`;
  if (SET_OPERATIONS.has(op)) return `${column} ${OPERATOR_TEXT[op]} (${literals.join(', ')})`;
  return `${column} ${OPERATOR_TEXT[op]} ${literals[0] ?? ''}`;
}

export function describeLiteral(literal: Literal): string {
  if (typeof literal === 'string') return `'${literal.replaceAll("'", "''")}'`;
  if (typeof literal === 'bigint') return `${literal}`;
  if (literal instanceof Uint8Array) return `x'${Buffer.from(literal).toString('hex')}'`;
  return String(literal);
}

function describeTerm(term: Term): string {
  return term.kind === 'reference' ? term.name : `${term.transform}(${term.name})`;
}

/** `(id = 5 and name is not null)`: the unbound tree as readable text. */
export function expressionToString(expression: Expression): string {
  return describeExpression(expression, (p) =>
    describePredicateParts(p.op, describeTerm(p.term), p.literals.map(describeLiteral)),
  );
}
