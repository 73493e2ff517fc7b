// What overwrite-by-filter and delete need to know about each live data file: does the filter
// match none of its rows (keep the file), all of them (drop the file without reading it), or
// only some (read it, keep the rows that do not match, write them back)? Combines the partition
// projections (from the file's partition tuple) with the file's column metrics, computing the
// projections once per partition spec.

import type { DataFile } from '../manifest/data-file.ts';
import type { BoundPartitionSpec } from '../spec/partition.ts';
import { type BoundExpression, type BoundPredicate, rewriteNot } from './bound.ts';
import { collectTerms, evaluate } from './evaluator.ts';
import { metricsMightMatch } from './metrics-evaluator.ts';
import { partitionAccessor, projectInclusive, projectStrict } from './projection.ts';
import { metricsAllMatch } from './strict-metrics-evaluator.ts';

export type FileMatch = 'no-rows' | 'all-rows' | 'some-rows';

export type FileClassifier = (file: DataFile) => FileMatch;

/**
 * Classifies data files written under `spec` (their partition tuples follow its fields). Each
 * predicate is settled by whichever source knows more — the partition tuple or the metrics —
 * so `day(ts) = …` decided by the partition and `id < 10` decided by bounds combine.
 */
export function fileClassifier(filter: BoundExpression, spec: BoundPartitionSpec): FileClassifier {
  const tree = rewriteNot(filter);
  const projections = new Map<BoundPredicate, { inclusive: BoundExpression; strict: BoundExpression }>();
  collectTerms(tree, (predicate) => {
    projections.set(predicate, {
      inclusive: projectInclusive(predicate, spec),
      strict: projectStrict(predicate, spec),
    });
  });
  return (file) => {
    const partition = partitionAccessor(spec, file.partition);
    const might = (node: BoundExpression): boolean => {
      switch (node.kind) {
        case 'and':
          return might(node.left) && might(node.right);
        case 'or':
          return might(node.left) || might(node.right);
        case 'predicate':
          return evaluate(projections.get(node)!.inclusive, partition) && metricsMightMatch(node, file);
        default:
          return node.kind === 'true';
      }
    };
    const all = (node: BoundExpression): boolean => {
      switch (node.kind) {
        case 'and':
          return all(node.left) && all(node.right);
        case 'or':
          return all(node.left) || all(node.right);
        case 'predicate':
          return evaluate(projections.get(node)!.strict, partition) || metricsAllMatch(node, file);
        default:
          return node.kind === 'true';
      }
    };
    if (file.recordCount <= 0n || !might(tree)) return 'no-rows';
    return all(tree) ? 'all-rows' : 'some-rows';
  };
}
