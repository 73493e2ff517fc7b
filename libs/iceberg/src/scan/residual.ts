// Residual filters: what is left of a scan's row filter once a file's partition is known. A
// predicate the partition proves for every row (strict projection holds) becomes TRUE, one it
// rules out for every row (inclusive projection fails) becomes FALSE, anything else stays and is
// evaluated row by row. So `region = 'eu'` on a table partitioned by identity(region) costs
// nothing at read time, while `ts > …` on a day-partitioned table is still checked per row.
// Projections are computed once per partition spec; residuals are cached per partition tuple.

import { type BoundExpression, type BoundPredicate, rewriteNot } from '../expressions/bound.ts';
import { collectTerms, evaluate } from '../expressions/evaluator.ts';
import { and, FALSE, or, TRUE } from '../expressions/expression.ts';
import { partitionAccessor, projectInclusive, projectStrict } from '../expressions/projection.ts';
import type { PartitionValue } from '../manifest/data-file.ts';
import { type BoundPartitionSpec, partitionKey } from '../spec/partition.ts';

export type ResidualEvaluator = (partition: readonly PartitionValue[]) => BoundExpression;

/** Residuals of `filter` for files of `spec`; without a bound spec the filter stays whole. */
export function residualEvaluator(
  filter: BoundExpression,
  spec: BoundPartitionSpec | undefined,
): ResidualEvaluator {
  const tree = rewriteNot(filter);
  if (spec === undefined || spec.fields.length === 0 || tree.kind === 'true' || tree.kind === 'false') {
    return () => tree;
  }
  const projections = new Map<BoundPredicate, { inclusive: BoundExpression; strict: BoundExpression }>();
  collectTerms(tree, (predicate) => {
    projections.set(predicate, {
      inclusive: projectInclusive(predicate, spec),
      strict: projectStrict(predicate, spec),
    });
  });
  const cache = new Map<string, BoundExpression>();
  return (partition) => {
    const key = partitionKey(partition);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const accessor = partitionAccessor(spec, partition);
    const visit = (node: BoundExpression): BoundExpression => {
      switch (node.kind) {
        case 'and':
          return and(visit(node.left), visit(node.right));
        case 'or':
          return or(visit(node.left), visit(node.right));
        case 'predicate': {
          const { inclusive, strict } = projections.get(node)!;
          if (evaluate(strict, accessor)) return TRUE;
          if (!evaluate(inclusive, accessor)) return FALSE;
          return node;
        }
        default:
          return node;
      }
    };
    const residual = visit(tree);
    cache.set(key, residual);
    return residual;
  };
}
