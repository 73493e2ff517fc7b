import { describe, expect, it } from 'vitest';
import type { DataFile } from '../manifest/data-file.ts';
import { bindPartitionSpec, PartitionSpecBuilder } from '../spec/partition.ts';
import { bind } from './bind.ts';
import { and, eq, FALSE, gtEq, lt, not, or, TRUE } from './expression.ts';
import { fileClassifier } from './file-classifier.ts';
import { fileWith, schema } from './fixtures.test-helper.ts';

// partitioned by day(ts); files carry the day number as their partition tuple
const spec = bindPartitionSpec(new PartitionSpecBuilder(schema).day('ts').build(), schema);
const LONG = { kind: 'long' } as const;

function fileOn(day: number | null, idLower: bigint, idUpper: bigint): DataFile {
  return {
    ...fileWith(10n, { 1: { type: LONG, values: 10n, nulls: 0n, lower: idLower, upper: idUpper } }),
    partition: [day],
  };
}

describe('fileClassifier', () => {
  const jan2 = 19724;

  it('drops whole partitions, keeps others, and reads the rest', () => {
    const classify = fileClassifier(bind(schema, lt('ts', '2024-01-03T00:00:00')), spec);
    expect(classify(fileOn(jan2, 1n, 5n))).toBe('all-rows');
    expect(classify(fileOn(jan2 + 1, 1n, 5n))).toBe('no-rows');
    expect(classify(fileOn(null, 1n, 5n))).toBe('no-rows');
  });

  it('uses column metrics where partitions do not decide', () => {
    const classify = fileClassifier(bind(schema, and(gtEq('ts', '2024-01-02T00:00:00'), lt('id', 10))), spec);
    expect(classify(fileOn(jan2, 1n, 5n))).toBe('all-rows');
    expect(classify(fileOn(jan2, 10n, 20n))).toBe('no-rows');
    expect(classify(fileOn(jan2, 5n, 15n))).toBe('some-rows');
    expect(fileClassifier(bind(schema, eq('name', 'x')), spec)(fileOn(jan2, 1n, 2n))).toBe('some-rows');
    const either = fileClassifier(
      bind(schema, or(lt('ts', '2024-01-03T00:00:00'), not(lt('id', 100)))),
      spec,
    );
    expect(either(fileOn(jan2 + 5, 1n, 5n))).toBe('no-rows');
    expect(either(fileOn(jan2 + 5, 100n, 500n))).toBe('all-rows');
    expect(either(fileOn(jan2, 1n, 500n))).toBe('all-rows');
    expect(fileClassifier(bind(schema, TRUE), spec)({ ...fileOn(jan2, 1n, 5n), recordCount: 0n })).toBe(
      'no-rows',
    );
    expect(fileClassifier(bind(schema, TRUE), spec)(fileOn(jan2, 1n, 5n))).toBe('all-rows');
    expect(fileClassifier(bind(schema, FALSE), spec)(fileOn(jan2, 1n, 5n))).toBe('no-rows');
  });
});
