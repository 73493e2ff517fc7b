import { describe, expect, it } from 'vitest';
import { bindPartitionSpec, PartitionSpecBuilder } from '../spec/partition.ts';
import { applyTransform, parseTransform } from '../spec/transforms.ts';
import { bind } from './bind.ts';
import { boundExpressionToString } from './bound.ts';
import { evaluate } from './evaluator.ts';
import {
  and,
  type Expression,
  eq,
  FALSE,
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
  startsWith,
  TRUE,
  transformTerm,
} from './expression.ts';
import { schema } from './fixtures.test-helper.ts';
import { partitionAccessor, projectInclusive, projectStrict } from './projection.ts';

function specOf(column: string, transform: string, extra?: [string, string]) {
  const builder = new PartitionSpecBuilder(schema).add(column, transform, 'p');
  if (extra) builder.add(extra[0], extra[1], 'q');
  return bindPartitionSpec(builder.build(), schema);
}

function inclusive(column: string, transform: string, filter: Expression): string {
  return boundExpressionToString(projectInclusive(bind(schema, filter), specOf(column, transform)));
}

function strict(column: string, transform: string, filter: Expression): string {
  return boundExpressionToString(projectStrict(bind(schema, filter), specOf(column, transform)));
}

describe('identity projection', () => {
  it('keeps every predicate in both modes', () => {
    expect(inclusive('id', 'identity', lt('id', 5))).toBe('p < 5');
    expect(strict('id', 'identity', notIn('id', [1, 2]))).toBe('p not in (1, 2)');
    expect(inclusive('score', 'identity', isNan('score'))).toBe('p is nan');
    expect(strict('score', 'identity', notNan('score'))).toBe('p is not nan');
    expect(inclusive('name', 'identity', startsWith('name', 'ab'))).toBe("p starts with 'ab'");
  });

  it('says nothing about other columns', () => {
    expect(inclusive('id', 'identity', eq('name', 'x'))).toBe('true');
    expect(strict('id', 'identity', eq('name', 'x'))).toBe('false');
    expect(inclusive('id', 'identity', and(eq('name', 'x'), lt('id', 3)))).toBe('p < 3');
    expect(strict('id', 'identity', or(eq('name', 'x'), lt('id', 3)))).toBe('p < 3');
    expect(inclusive('id', 'identity', TRUE)).toBe('true');
    expect(strict('id', 'identity', FALSE)).toBe('false');
  });
});

describe('bucket projection', () => {
  const bucketOf = (value: bigint): unknown =>
    applyTransform(parseTransform('bucket[16]'), { kind: 'long' }, value);

  it('projects equality inclusively and inequality strictly', () => {
    expect(inclusive('id', 'bucket[16]', eq('id', 34))).toBe(`p = ${bucketOf(34n)}`);
    const buckets = [bucketOf(1n), bucketOf(2n), bucketOf(3n)].sort((a, b) => Number(a) - Number(b));
    const distinct = [...new Set(buckets)];
    expect(inclusive('id', 'bucket[16]', isIn('id', [1, 2, 3]))).toBe(
      distinct.length === 1 ? `p = ${distinct[0]}` : `p in (${distinct.join(', ')})`,
    );
    expect(strict('id', 'bucket[16]', notEq('id', 34))).toBe(`p != ${bucketOf(34n)}`);
    expect(strict('id', 'bucket[16]', notIn('id', [34, 34n + 16n]))).toMatch(/^p (!=|not in)/);
  });

  it('cannot project ranges', () => {
    expect(inclusive('id', 'bucket[16]', lt('id', 5))).toBe('true');
    expect(strict('id', 'bucket[16]', lt('id', 5))).toBe('false');
    expect(inclusive('id', 'bucket[16]', notEq('id', 5))).toBe('true');
    expect(strict('id', 'bucket[16]', eq('id', 5))).toBe('false');
  });

  it('passes null checks through', () => {
    expect(inclusive('name', 'bucket[4]', isNull('name'))).toBe('p is null');
    expect(strict('name', 'bucket[4]', notNull('name'))).toBe('p is not null');
  });
});

describe('truncate projection on numbers', () => {
  it('moves range bounds by one unit (inclusive)', () => {
    expect(inclusive('count', 'truncate[10]', lt('count', 20))).toBe('p <= 10');
    expect(inclusive('count', 'truncate[10]', ltEq('count', 20))).toBe('p <= 20');
    expect(inclusive('count', 'truncate[10]', gt('count', 19))).toBe('p >= 20');
    expect(inclusive('count', 'truncate[10]', gtEq('count', 19))).toBe('p >= 10');
    expect(inclusive('count', 'truncate[10]', eq('count', 25))).toBe('p = 20');
    expect(inclusive('count', 'truncate[10]', isIn('count', [21, 25, 31]))).toBe('p in (20, 30)');
    expect(inclusive('count', 'truncate[10]', notEq('count', 25))).toBe('true');
    expect(inclusive('price', 'truncate[100]', lt('price', '10.00'))).toBe('p <= 900');
    expect(inclusive('id', 'truncate[10]', gt('id', 9))).toBe('p >= 10');
  });

  it('moves range bounds by one unit (strict)', () => {
    expect(strict('count', 'truncate[10]', lt('count', 20))).toBe('p < 20');
    expect(strict('count', 'truncate[10]', ltEq('count', 19))).toBe('p < 20');
    expect(strict('count', 'truncate[10]', gt('count', 19))).toBe('p > 10');
    expect(strict('count', 'truncate[10]', gtEq('count', 20))).toBe('p > 10');
    expect(strict('count', 'truncate[10]', notEq('count', 25))).toBe('p != 20');
    expect(strict('count', 'truncate[10]', eq('count', 25))).toBe('false');
  });

  it('handles the ends of the type range', () => {
    expect(inclusive('count', 'truncate[10]', lt('count', -(2 ** 31)))).toBe('false');
    expect(inclusive('count', 'truncate[10]', gt('count', 2 ** 31 - 1))).toBe('false');
    expect(strict('count', 'truncate[10]', ltEq('count', 2 ** 31 - 1))).toBe('p is not null');
    expect(strict('count', 'truncate[10]', gtEq('count', -(2 ** 31)))).toBe('p is not null');
    expect(inclusive('id', 'truncate[10]', lt('id', -(2n ** 63n)))).toBe('false');
    expect(inclusive('price', 'truncate[10]', gt('price', '9999999.99'))).toBe('false');
  });
});

describe('truncate projection on strings', () => {
  it('projects ranges and equality', () => {
    expect(inclusive('name', 'truncate[2]', lt('name', 'abc'))).toBe("p <= 'ab'");
    expect(inclusive('name', 'truncate[2]', gtEq('name', 'abc'))).toBe("p >= 'ab'");
    expect(inclusive('name', 'truncate[2]', eq('name', 'abc'))).toBe("p = 'ab'");
    expect(inclusive('name', 'truncate[2]', notEq('name', 'abc'))).toBe('true');
    expect(strict('name', 'truncate[2]', ltEq('name', 'abc'))).toBe("p < 'ab'");
    expect(strict('name', 'truncate[2]', gt('name', 'abc'))).toBe("p > 'ab'");
    expect(strict('name', 'truncate[2]', notIn('name', ['abc', 'abd', 'xyz']))).toBe("p not in ('ab', 'xy')");
    expect(strict('name', 'truncate[2]', eq('name', 'ab'))).toBe('false');
    expect(inclusive('data', 'truncate[1]', lt('data', 'ff00'))).toBe("p <= x'ff'");
  });

  it('projects prefixes by comparing their length with the width', () => {
    expect(inclusive('name', 'truncate[3]', startsWith('name', 'ab'))).toBe("p starts with 'ab'");
    expect(inclusive('name', 'truncate[3]', startsWith('name', 'abcd'))).toBe("p = 'abc'");
    expect(strict('name', 'truncate[3]', startsWith('name', 'abc'))).toBe("p starts with 'abc'");
    expect(strict('name', 'truncate[3]', startsWith('name', 'abcd'))).toBe('false');
    expect(inclusive('name', 'truncate[3]', notStartsWith('name', 'ab'))).toBe("p not starts with 'ab'");
    expect(inclusive('name', 'truncate[3]', notStartsWith('name', 'abc'))).toBe("p != 'abc'");
    expect(inclusive('name', 'truncate[3]', notStartsWith('name', 'abcd'))).toBe('true');
    expect(strict('name', 'truncate[3]', notStartsWith('name', 'abcd'))).toBe("p not starts with 'abc'");
    // code points, not UTF-16 units
    expect(inclusive('name', 'truncate[2]', startsWith('name', '😀😀'))).toBe("p = '😀😀'");
  });
});

describe('temporal projection', () => {
  const jan2 = 19724;
  it('projects day/month/year/hour with the adjacent-value rules', () => {
    expect(inclusive('ts', 'day', lt('ts', '2024-01-02T00:00:00'))).toBe(`p <= ${jan2 - 1}`);
    expect(inclusive('ts', 'day', ltEq('ts', '2024-01-02T00:00:00'))).toBe(`p <= ${jan2}`);
    expect(inclusive('ts', 'day', gt('ts', '2024-01-01T23:59:59.999999'))).toBe(`p >= ${jan2}`);
    expect(inclusive('ts', 'day', eq('ts', '2024-01-02T12:00:00'))).toBe(`p = ${jan2}`);
    expect(strict('ts', 'day', lt('ts', '2024-01-02T00:00:00'))).toBe(`p < ${jan2}`);
    expect(strict('ts', 'day', gtEq('ts', '2024-01-02T00:00:00'))).toBe(`p > ${jan2 - 1}`);
    expect(strict('ts', 'day', notEq('ts', '2024-01-02T12:00:00'))).toBe(`p != ${jan2}`);
    expect(inclusive('day', 'month', gtEq('day', '2024-03-31'))).toBe(`p >= ${54 * 12 + 2}`);
    expect(inclusive('day', 'year', lt('day', '2024-01-01'))).toBe('p <= 53');
    expect(inclusive('tstz', 'hour', eq('tstz', '1970-01-01T01:30:00Z'))).toBe('p = 1');
    // before the epoch the transforms floor, so no correction is needed
    expect(inclusive('ts', 'day', eq('ts', '1969-12-31T23:59:59'))).toBe('p = -1');
  });
});

describe('void, unknown and transform terms', () => {
  it('void partitions say nothing', () => {
    expect(inclusive('id', 'void', eq('id', 1))).toBe('true');
    expect(strict('id', 'void', isNull('id'))).toBe('false');
  });

  it('NaN checks say nothing through a void partition', () => {
    expect(inclusive('score', 'void', isNan('score'))).toBe('true');
    expect(strict('score', 'void', notNan('score'))).toBe('false');
  });

  it('transform terms project onto the same transform only', () => {
    expect(inclusive('ts', 'day', eq(transformTerm('day', 'ts'), '2024-01-02'))).toBe('p = 19724');
    expect(inclusive('ts', 'month', eq(transformTerm('day', 'ts'), '2024-01-02'))).toBe('true');
    expect(strict('ts', 'month', eq(transformTerm('day', 'ts'), '2024-01-02'))).toBe('false');
  });

  it('projects through every partition field of a column', () => {
    const spec = specOf('id', 'bucket[4]', ['id', 'truncate[10]']);
    const bound = bind(schema, eq('id', 15));
    expect(boundExpressionToString(projectInclusive(bound, spec))).toMatch(/^\(p = \d and q = 10\)$/);
    expect(boundExpressionToString(projectStrict(bind(schema, notEq('id', 15)), spec))).toMatch(
      /^\(p != \d or q != 10\)$/,
    );
  });

  it('rewrites not before projecting', () => {
    expect(inclusive('id', 'identity', not(lt('id', 5)))).toBe('p >= 5');
    expect(inclusive('name', 'identity', not(lt('name', 'b')))).toBe("(p >= 'b' or p is null)");
  });
});

describe('partitionAccessor', () => {
  it('reads tuple positions by partition field id', () => {
    const spec = specOf('id', 'identity', ['name', 'identity']);
    const read = partitionAccessor(spec, [5n, null]);
    expect(read(1000)).toBe(5n);
    expect(read(1001)).toBeNull();
    expect(read(77)).toBeNull();
    expect(evaluate(projectInclusive(bind(schema, eq('id', 5)), spec), read)).toBe(true);
  });
});
