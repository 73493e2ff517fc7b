import { describe, expect, it } from 'vitest';
import type { FieldSummary, ManifestFile } from '../manifest/manifest-file.ts';
import { bindPartitionSpec, PartitionSpecBuilder } from '../spec/partition.ts';
import { serializeSingleValue } from '../spec/single-value.ts';
import type { PrimitiveType } from '../spec/types.ts';
import { bind } from './bind.ts';
import {
  type Expression,
  eq,
  gt,
  gtEq,
  isIn,
  isNan,
  isNull,
  lt,
  ltEq,
  notEq,
  notNan,
  notNull,
  notStartsWith,
  or,
  startsWith,
} from './expression.ts';
import { schema } from './fixtures.test-helper.ts';
import { manifestEvaluator, manifestMightMatch } from './manifest-evaluator.ts';

// partition fields: id identity (1000), name identity (1001), score identity (1002), ts day (1003)
const spec = bindPartitionSpec(
  new PartitionSpecBuilder(schema).identity('id').identity('name').identity('score').day('ts').build(),
  schema,
);

function summary(
  type: PrimitiveType,
  options: { nulls?: boolean; nan?: boolean; lower?: unknown; upper?: unknown },
): FieldSummary {
  return {
    containsNull: options.nulls ?? false,
    ...(options.nan === undefined ? {} : { containsNan: options.nan }),
    ...(options.lower === undefined ? {} : { lowerBound: serializeSingleValue(type, options.lower) }),
    ...(options.upper === undefined ? {} : { upperBound: serializeSingleValue(type, options.upper) }),
  };
}

function manifest(partitions: readonly FieldSummary[] | undefined): ManifestFile {
  return {
    manifestPath: 's3://b/m.avro',
    manifestLength: 100n,
    partitionSpecId: 0,
    content: 'data',
    sequenceNumber: 1n,
    minSequenceNumber: 1n,
    addedSnapshotId: 1n,
    addedFilesCount: 1,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: 1n,
    existingRowsCount: 0n,
    deletedRowsCount: 0n,
    ...(partitions === undefined ? {} : { partitions }),
  };
}

const LONG = { kind: 'long' } as const;
const STRING = { kind: 'string' } as const;
const DOUBLE = { kind: 'double' } as const;
const DATE = { kind: 'date' } as const;

const typical = manifest([
  summary(LONG, { lower: 10n, upper: 20n }),
  summary(STRING, { nulls: true, lower: 'abc', upper: 'abd' }),
  summary(DOUBLE, { nan: true, lower: 1, upper: 2 }),
  summary(DATE, { lower: 19724, upper: 19730 }),
]);
const empty = manifest([
  summary(LONG, { nulls: true }),
  summary(STRING, { nulls: true }),
  summary(DOUBLE, { nulls: true, nan: false }),
  summary(DATE, { nulls: true }),
]);
const onlyNaN = manifest([
  summary(LONG, {}),
  summary(STRING, {}),
  summary(DOUBLE, { nan: true }),
  summary(DATE, {}),
]);

const might = (filter: Expression, m: ManifestFile = typical): boolean =>
  manifestMightMatch(bind(schema, filter), spec, m);

describe('manifestMightMatch', () => {
  it('prunes with partition bounds', () => {
    expect(might(lt('id', 10))).toBe(false);
    expect(might(lt('id', 11))).toBe(true);
    expect(might(ltEq('id', 9))).toBe(false);
    expect(might(gt('id', 20))).toBe(false);
    expect(might(gtEq('id', 20))).toBe(true);
    expect(might(eq('id', 21))).toBe(false);
    expect(might(isIn('id', [1, 15]))).toBe(true);
    expect(might(isIn('id', [1, 25]))).toBe(false);
    expect(might(notEq('id', 15))).toBe(true);
    // day(ts) bounds: 2024-01-02 .. 2024-01-08
    expect(might(lt('ts', '2024-01-02T00:00:00'))).toBe(false);
    expect(might(lt('ts', '2024-01-02T00:00:01'))).toBe(true);
  });

  it('uses null and NaN flags', () => {
    expect(might(isNull('name'))).toBe(true);
    expect(might(isNull('id'))).toBe(false); // required: folds to false
    expect(might(isNull('score'))).toBe(false);
    expect(might(notNull('name'), empty)).toBe(false);
    expect(might(notNull('name'))).toBe(true);
    expect(might(isNan('score'))).toBe(true);
    expect(might(isNan('score'), empty)).toBe(false);
    expect(might(notNan('score'), onlyNaN)).toBe(false);
    expect(might(notNan('score'))).toBe(true);
    expect(might(eq('name', 'abc'), empty)).toBe(false);
  });

  it('prunes prefixes', () => {
    expect(might(startsWith('name', 'ab'))).toBe(true);
    expect(might(startsWith('name', 'abe'))).toBe(false);
    expect(might(startsWith('name', 'aa'))).toBe(false);
    expect(might(notStartsWith('name', 'ab'))).toBe(true); // contains null
    const noNulls = manifest([
      summary(LONG, {}),
      summary(STRING, { lower: 'abc', upper: 'abd' }),
      summary(DOUBLE, {}),
      summary(DATE, {}),
    ]);
    expect(might(notStartsWith('name', 'ab'), noNulls)).toBe(false);
    expect(might(notStartsWith('name', 'abc'), noNulls)).toBe(true);
  });

  it('assumes a match without summaries or with unreadable bounds', () => {
    expect(might(eq('id', 1), manifest(undefined))).toBe(true);
    expect(might(eq('id', 1), manifest([]))).toBe(true);
    const broken = manifest([
      { containsNull: false, lowerBound: Uint8Array.of(1), upperBound: Uint8Array.of(2) },
    ]);
    expect(might(eq('id', 1), broken)).toBe(true);
  });

  it('evaluates many manifests with one projection', () => {
    const test = manifestEvaluator(bind(schema, or(eq('id', 1), eq('id', 15))), spec);
    expect(test(typical)).toBe(true);
    expect(test(empty)).toBe(false);
  });
});
