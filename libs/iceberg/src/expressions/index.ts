// @floe/iceberg expressions, re-exported by the package entry point: unbound/bound filters,
// REST expression JSON, CLI text syntax, evaluators, projection.
export { evaluateBatch, maskToIndexes } from './arrow-evaluator.ts';
export type { BindOptions } from './bind.ts';
export { bind } from './bind.ts';
export type { BoundExpression, BoundPredicate, BoundTerm } from './bound.ts';
export { boundExpressionToString, negate, rewriteNot } from './bound.ts';
export type { RowAccessor } from './evaluator.ts';
export { evaluate, evaluatePredicate, evaluateRecord, recordAccessor } from './evaluator.ts';
export type {
  Expression,
  ExpressionOf,
  Literal,
  LiteralOperation,
  PredicateLeaf,
  PredicateOperation,
  SetOperation,
  Term,
  UnaryOperation,
  UnboundPredicate,
} from './expression.ts';
export {
  alwaysFalse,
  alwaysTrue,
  and,
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
  predicate,
  ref,
  startsWith,
  TRUE,
  transformTerm,
} from './expression.ts';
export type { FileClassifier, FileMatch } from './file-classifier.ts';
export { fileClassifier } from './file-classifier.ts';
export type { ManifestEvaluator } from './manifest-evaluator.ts';
export { manifestEvaluator, manifestMightMatch } from './manifest-evaluator.ts';
export { metricsMightMatch } from './metrics-evaluator.ts';
export { partitionAccessor, projectInclusive, projectStrict } from './projection.ts';
export { boundExpressionToJson, expressionToJson, parseExpressionJson } from './rest-json.ts';
export { metricsAllMatch } from './strict-metrics-evaluator.ts';
export { parseFilter } from './text-syntax.ts';
