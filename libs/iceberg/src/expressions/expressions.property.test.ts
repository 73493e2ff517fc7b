// Property tests tying the evaluators together: for random rows, random partition specs and
// random filters, pruning never loses a matching row (inclusive projection, manifest
// summaries, inclusive metrics) and "all rows match" answers are never wrong (strict
// projection, strict metrics). Also: rewriteNot agrees with evaluation, and the REST JSON
// form round-trips.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataFile } from '../manifest/data-file.ts';
import type { FieldSummary } from '../manifest/manifest-file.ts';
import { PartitionSummaryBuilder } from '../manifest/partition-summary.ts';
import { decimalToString } from '../spec/decimal.ts';
import { bindPartitionSpec, type PartitionTuple, partitionKey, partitionTuple } from '../spec/partition.ts';
import { serializeSingleValue } from '../spec/single-value.ts';
import type { PrimitiveType, Schema } from '../spec/types.ts';
import type { PrimitiveValue } from '../spec/values.ts';
import { parseJson, stringifyJson } from '../util/json.ts';
import { truncateStringLower, truncateStringUpper } from '../write/bounds.ts';
import { bind } from './bind.ts';
import { boundExpressionToString, compareValues, isNaNValue, rewriteNot } from './bound.ts';
import { evaluate } from './evaluator.ts';
import {
  and,
  type Expression,
  type Literal,
  not,
  or,
  type PredicateOperation,
  predicate,
} from './expression.ts';
import { fileClassifier } from './file-classifier.ts';
import { manifestMightMatch } from './manifest-evaluator.ts';
import { metricsMightMatch } from './metrics-evaluator.ts';
import { partitionAccessor, projectInclusive, projectStrict } from './projection.ts';
import { expressionToJson, parseExpressionJson } from './rest-json.ts';
import { metricsAllMatch } from './strict-metrics-evaluator.ts';

interface Column {
  readonly id: number;
  readonly name: string;
  readonly type: PrimitiveType;
  readonly required: boolean;
  readonly values: fc.Arbitrary<PrimitiveValue>;
  readonly transforms: readonly string[];
}

const DAY_US = 86_400_000_000n;
const text = fc.array(fc.constantFrom('a', 'b', 'é', '😀'), { maxLength: 4 }).map((chars) => chars.join(''));

const columns: readonly Column[] = [
  {
    id: 1,
    name: 'id',
    type: { kind: 'long' },
    required: true,
    values: fc.oneof(fc.bigInt(-30n, 30n), fc.constant(2n ** 63n - 1n)),
    transforms: ['identity', 'bucket[4]', 'truncate[10]', 'void'],
  },
  {
    id: 2,
    name: 'count',
    type: { kind: 'int' },
    required: false,
    values: fc.oneof(fc.integer({ min: -30, max: 30 }), fc.constant(2 ** 31 - 1)),
    transforms: ['identity', 'bucket[3]', 'truncate[7]'],
  },
  {
    id: 3,
    name: 'name',
    type: { kind: 'string' },
    required: false,
    values: text,
    transforms: ['identity', 'bucket[4]', 'truncate[1]', 'truncate[2]'],
  },
  {
    id: 4,
    name: 'score',
    type: { kind: 'double' },
    required: false,
    values: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(Number.NaN, -0, 0.5, -2.5)),
    transforms: ['identity', 'void'],
  },
  {
    id: 5,
    name: 'day',
    type: { kind: 'date' },
    required: false,
    values: fc.integer({ min: -800, max: 800 }),
    transforms: ['identity', 'year', 'month', 'day', 'bucket[5]'],
  },
  {
    id: 6,
    name: 'ts',
    type: { kind: 'timestamp' },
    required: false,
    values: fc.oneof(
      fc.bigInt(-3n * DAY_US, 3n * DAY_US),
      fc.constantFrom(0n, -1n, DAY_US, DAY_US - 1n, 3_600_000_000n, -DAY_US),
    ),
    transforms: ['identity', 'year', 'month', 'day', 'hour'],
  },
  {
    id: 7,
    name: 'price',
    type: { kind: 'decimal', precision: 9, scale: 2 },
    required: false,
    values: fc.oneof(fc.bigInt(-3000n, 3000n), fc.constant(999_999_999n)),
    transforms: ['identity', 'bucket[4]', 'truncate[100]'],
  },
];

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: columns.map(({ id, name, type, required }) => ({ id, name, type, required })),
};

type Row = ReadonlyMap<number, PrimitiveValue | null>;

const rowArb: fc.Arbitrary<Row> = fc
  .tuple(
    ...columns.map((column) => (column.required ? column.values : fc.option(column.values, { freq: 4 }))),
  )
  .map((values) => new Map(columns.map((column, i) => [column.id, values[i] ?? null])));

const specArb = fc
  .uniqueArray(
    fc
      .integer({ min: 0, max: columns.length - 1 })
      .chain((i) =>
        fc
          .constantFrom(...columns[i]!.transforms)
          .map((transform) => ({ column: columns[i]!.name, transform })),
      ),
    { maxLength: 3, selector: (field) => `${field.column}:${field.transform}` },
  )
  .map((fields) =>
    bindPartitionSpec(
      {
        specId: 0,
        fields: fields.map(({ column, transform }, i) => ({
          sourceId: columns.find((c) => c.name === column)!.id,
          fieldId: 1000 + i,
          name: `p${i}`,
          transform,
        })),
      },
      schema,
    ),
  );

/** Literals as users would write them (decimals as text, the rest in the value contract). */
function toLiteral(column: Column, value: PrimitiveValue): Literal {
  return column.type.kind === 'decimal' ? decimalToString(value as bigint, 2) : value;
}

const predicateArb: fc.Arbitrary<Expression> = fc.integer({ min: 0, max: columns.length - 1 }).chain((i) => {
  const column = columns[i]!;
  const ops: PredicateOperation[] = [
    'isNull',
    'notNull',
    'lt',
    'ltEq',
    'gt',
    'gtEq',
    'eq',
    'notEq',
    'in',
    'notIn',
  ];
  if (column.type.kind === 'double') ops.push('isNaN', 'notNaN');
  if (column.type.kind === 'string') ops.push('startsWith', 'notStartsWith');
  const literal = column.values.filter((value) => !isNaNValue(value));
  return fc.constantFrom(...ops).chain((op) => {
    if (['isNull', 'notNull', 'isNaN', 'notNaN'].includes(op)) return fc.constant(predicate(op, column.name));
    if (op === 'in' || op === 'notIn') {
      return fc.array(literal, { minLength: 1, maxLength: 3 }).map((values) =>
        predicate(
          op,
          column.name,
          values.map((v) => toLiteral(column, v)),
        ),
      );
    }
    return literal.map((value) => predicate(op, column.name, [toLiteral(column, value)]));
  });
});

const expressionArb: fc.Arbitrary<Expression> = fc.letrec<{ node: Expression }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    predicateArb,
    predicateArb,
    fc.tuple(tie('node'), tie('node')).map(([l, r]) => and(l, r)),
    fc.tuple(tie('node'), tie('node')).map(([l, r]) => or(l, r)),
    tie('node').map((child) => not(child)),
  ),
})).node;

/** Column metrics as a writer records them: string bounds truncated to 2 code points. */
function fileFor(rows: readonly Row[], drop: ReadonlySet<string>): DataFile {
  const valueCounts = new Map<number, bigint>();
  const nullValueCounts = new Map<number, bigint>();
  const nanValueCounts = new Map<number, bigint>();
  const lowerBounds = new Map<number, Uint8Array>();
  const upperBounds = new Map<number, Uint8Array>();
  for (const column of columns) {
    const values = rows.map((row) => row.get(column.id) ?? null);
    const plain = values.filter((v): v is PrimitiveValue => v !== null && !isNaNValue(v)).sort(compareValues);
    if (!drop.has(`v${column.id}`)) valueCounts.set(column.id, BigInt(values.length));
    if (!drop.has(`n${column.id}`))
      nullValueCounts.set(column.id, BigInt(values.filter((v) => v === null).length));
    if (column.type.kind === 'double' && !drop.has(`nan${column.id}`)) {
      nanValueCounts.set(column.id, BigInt(values.filter(isNaNValue).length));
    }
    let lower = plain[0];
    let upper = plain[plain.length - 1];
    if (column.type.kind === 'string') {
      lower = lower === undefined ? undefined : truncateStringLower(lower as string, 2);
      upper = upper === undefined ? undefined : truncateStringUpper(upper as string, 2);
    }
    if (lower !== undefined && !drop.has(`l${column.id}`))
      lowerBounds.set(column.id, serializeSingleValue(column.type, lower));
    if (upper !== undefined && !drop.has(`u${column.id}`))
      upperBounds.set(column.id, serializeSingleValue(column.type, upper));
  }
  return {
    content: 'data',
    filePath: 'mem://file.parquet',
    fileFormat: 'parquet',
    partition: [],
    recordCount: BigInt(rows.length),
    fileSizeInBytes: 1n,
    valueCounts,
    nullValueCounts,
    nanValueCounts,
    lowerBounds,
    upperBounds,
  };
}

const dropArb = fc
  .subarray(
    columns.flatMap(({ id }) => [`v${id}`, `n${id}`, `nan${id}`, `l${id}`, `u${id}`]),
    { maxLength: 4 },
  )
  .map((keys) => new Set(keys));

const RUNS = { numRuns: 400 };

describe('expression properties', () => {
  it('partition projections: inclusive never loses a matching row, strict never claims a non-matching one', () => {
    fc.assert(
      fc.property(
        expressionArb,
        specArb,
        fc.array(rowArb, { minLength: 1, maxLength: 6 }),
        (expression, spec, rows) => {
          const filter = bind(schema, expression);
          const inclusive = projectInclusive(filter, spec);
          const strict = projectStrict(filter, spec);
          for (const row of rows) {
            const tuple = partitionTuple(spec, (source) => row.get(source.field.id) ?? null);
            const matches = evaluate(filter, row);
            if (matches) expect(evaluate(inclusive, partitionAccessor(spec, tuple))).toBe(true);
            if (evaluate(strict, partitionAccessor(spec, tuple))) expect(matches).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  it('manifest summaries never prune a manifest holding a matching row', () => {
    fc.assert(
      fc.property(
        expressionArb,
        specArb,
        fc.array(rowArb, { minLength: 1, maxLength: 6 }),
        (expression, spec, rows) => {
          const filter = bind(schema, expression);
          const builder = new PartitionSummaryBuilder(spec.partitionType);
          for (const row of rows)
            builder.update(partitionTuple(spec, (source) => row.get(source.field.id) ?? null));
          const partitions: FieldSummary[] = builder.summaries();
          const manifest = {
            manifestPath: 'm',
            manifestLength: 1n,
            partitionSpecId: 0,
            content: 'data' as const,
            sequenceNumber: 1n,
            minSequenceNumber: 1n,
            addedSnapshotId: 1n,
            addedFilesCount: 1,
            existingFilesCount: 0,
            deletedFilesCount: 0,
            addedRowsCount: BigInt(rows.length),
            existingRowsCount: 0n,
            deletedRowsCount: 0n,
            partitions,
          };
          if (rows.some((row) => evaluate(filter, row)))
            expect(manifestMightMatch(filter, spec, manifest)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('file metrics: inclusive says "might" when a row matches; strict "all" only when every row does', () => {
    fc.assert(
      fc.property(expressionArb, fc.array(rowArb, { maxLength: 6 }), dropArb, (expression, rows, drop) => {
        const filter = bind(schema, expression);
        const file = fileFor(rows, drop);
        const matching = rows.filter((row) => evaluate(filter, row)).length;
        if (matching > 0) expect(metricsMightMatch(filter, file)).toBe(true);
        if (metricsAllMatch(filter, file)) expect(matching).toBe(rows.length);
      }),
      RUNS,
    );
  });

  it('file classification: "no-rows" and "all-rows" are never wrong', () => {
    fc.assert(
      fc.property(
        expressionArb,
        specArb,
        fc.array(rowArb, { minLength: 1, maxLength: 8 }),
        dropArb,
        (expression, spec, rows, drop) => {
          const filter = bind(schema, expression);
          const classify = fileClassifier(filter, spec);
          // one file per partition, as a partitioned writer would produce
          const groups = new Map<string, { tuple: PartitionTuple; rows: Row[] }>();
          for (const row of rows) {
            const tuple = partitionTuple(spec, (source) => row.get(source.field.id) ?? null);
            const group = groups.get(partitionKey(tuple)) ?? { tuple, rows: [] };
            group.rows.push(row);
            groups.set(partitionKey(tuple), group);
          }
          for (const { tuple, rows: fileRows } of groups.values()) {
            const verdict = classify({ ...fileFor(fileRows, drop), partition: tuple });
            const matching = fileRows.filter((row) => evaluate(filter, row)).length;
            if (verdict === 'no-rows') expect(matching).toBe(0);
            if (verdict === 'all-rows') expect(matching).toBe(fileRows.length);
          }
        },
      ),
      RUNS,
    );
  });

  it('rewriteNot agrees with evaluation on every row', () => {
    fc.assert(
      fc.property(expressionArb, rowArb, (expression, row) => {
        const filter = bind(schema, expression);
        expect(evaluate(rewriteNot(filter), row)).toBe(evaluate(filter, row));
      }),
      RUNS,
    );
  });

  it('REST expression JSON round-trips through text', () => {
    fc.assert(
      fc.property(expressionArb, (expression) => {
        const json = parseJson(stringifyJson(expressionToJson(expression)));
        // compared as text: JSON has no -0, and 0 and -0 are the same value to every evaluator
        expect(boundExpressionToString(bind(schema, parseExpressionJson(json)))).toBe(
          boundExpressionToString(bind(schema, expression)),
        );
      }),
      RUNS,
    );
  });
});
