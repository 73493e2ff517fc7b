// Scans answer filters with SQL's three-valued logic, as PyIceberg's scans and every query engine
// do: a comparison with a null column value is unknown, `not unknown` is still unknown, and only
// rows whose filter is TRUE come back. The library's evaluators follow Iceberg's two-valued
// semantics instead (`null != 'x'` holds, and `not (x < 5)` includes null x), which is right for
// deciding what a delete touches but not for a query. `sqlTruth` rewrites a bound filter into an
// expression that is true under Iceberg's semantics exactly where the original is TRUE under SQL's:
// null-accepting leaves gain a `not null` guard and negations are pushed down without adding
// `is null` alternatives. Pruning and residuals then work unchanged on the result.

import type { BoundExpression, BoundPredicate } from '../expressions/bound.ts';
import type { PredicateOperation } from '../expressions/expression.ts';
import { and, FALSE, or, TRUE } from '../expressions/expression.ts';

const OPPOSITE: Readonly<Record<PredicateOperation, PredicateOperation>> = {
  eq: 'notEq',
  notEq: 'eq',
  lt: 'gtEq',
  gtEq: 'lt',
  ltEq: 'gt',
  gt: 'ltEq',
  in: 'notIn',
  notIn: 'in',
  startsWith: 'notStartsWith',
  notStartsWith: 'startsWith',
  isNull: 'notNull',
  notNull: 'isNull',
  isNaN: 'notNaN',
  notNaN: 'isNaN',
};

/** Leaves that are already false for a null value under Iceberg's semantics. */
const NULL_REJECTING = new Set<PredicateOperation>([
  'eq',
  'lt',
  'ltEq',
  'gt',
  'gtEq',
  'in',
  'startsWith',
  'isNaN',
  'notNull',
]);

/** Where `expression` is TRUE in SQL's three-valued logic (see header). */
export function sqlTruth(expression: BoundExpression): BoundExpression {
  return truth(expression, true);
}

/** `wanted` true: where the expression is TRUE; false: where it is FALSE (not unknown). */
function truth(expression: BoundExpression, wanted: boolean): BoundExpression {
  switch (expression.kind) {
    case 'true':
      return wanted ? TRUE : FALSE;
    case 'false':
      return wanted ? FALSE : TRUE;
    case 'not':
      return truth(expression.child, !wanted);
    case 'and':
      return wanted
        ? and(truth(expression.left, true), truth(expression.right, true))
        : or(truth(expression.left, false), truth(expression.right, false));
    case 'or':
      return wanted
        ? or(truth(expression.left, true), truth(expression.right, true))
        : and(truth(expression.left, false), truth(expression.right, false));
    case 'predicate':
      return leaf(wanted ? expression : { ...expression, op: OPPOSITE[expression.op] });
  }
}

function leaf(predicate: BoundPredicate): BoundExpression {
  // `is null` is never unknown; other leaves are unknown on null and must not pass it.
  if (predicate.op === 'isNull' || NULL_REJECTING.has(predicate.op)) return predicate;
  const { term } = predicate;
  if (term.required && term.transform === undefined) return predicate;
  return and<BoundPredicate>(predicate, { kind: 'predicate', op: 'notNull', term, literals: [] });
}
