import {
  Schema as ArrowSchema,
  Field,
  Float64,
  Int64,
  makeData,
  RecordBatch,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { evaluateBatch, maskToIndexes } from './arrow-evaluator.ts';
import { bind } from './bind.ts';
import { type BoundExpression, type BoundPredicate, negate, rewriteNot } from './bound.ts';
import { evaluate, evaluatePredicate, evaluateRecord } from './evaluator.ts';
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

const b = (expression: Expression): BoundExpression => bind(schema, expression);
const p = (expression: Expression): BoundPredicate => bind(schema, expression) as BoundPredicate;

describe('evaluatePredicate', () => {
  it('compares values in the value contract', () => {
    expect(evaluatePredicate(p(lt('id', 5)), 4n)).toBe(true);
    expect(evaluatePredicate(p(lt('id', 5)), 5n)).toBe(false);
    expect(evaluatePredicate(p(ltEq('id', 5)), 5n)).toBe(true);
    expect(evaluatePredicate(p(gt('id', 5)), 6n)).toBe(true);
    expect(evaluatePredicate(p(gtEq('id', 5)), 4n)).toBe(false);
    expect(evaluatePredicate(p(eq('name', 'é')), 'é')).toBe(true);
    expect(evaluatePredicate(p(notEq('name', 'a')), 'b')).toBe(true);
    expect(evaluatePredicate(p(isIn('count', [1, 3])), 3)).toBe(true);
    expect(evaluatePredicate(p(isIn('count', [1, 3])), 2)).toBe(false);
    expect(evaluatePredicate(p(notIn('count', [1, 3])), 2)).toBe(true);
    expect(evaluatePredicate(p(startsWith('name', 'ab')), 'abc')).toBe(true);
    expect(evaluatePredicate(p(notStartsWith('name', 'ab')), 'abc')).toBe(false);
    expect(evaluatePredicate(p(eq('data', 'ff')), Uint8Array.of(255))).toBe(true);
    expect(evaluatePredicate(p(lt('data', 'ff')), Uint8Array.of(1, 2))).toBe(true);
    // strings order by code point, so an astral character sorts after U+FFFF
    expect(evaluatePredicate(p(gt('name', '\uffff')), '😀')).toBe(true);
  });

  it('treats null: positive predicates false, their complements true', () => {
    for (const e of [lt('id', 5), eq('name', 'a'), isIn('count', [1, 2]), startsWith('name', 'a')]) {
      expect(evaluatePredicate(p(e), null)).toBe(false);
    }
    for (const e of [
      notEq('name', 'a'),
      notIn('count', [1, 2]),
      notStartsWith('name', 'a'),
      notNan('score'),
    ]) {
      expect(evaluatePredicate(p(e), undefined)).toBe(true);
    }
    expect(evaluatePredicate(p(isNull('name')), null)).toBe(true);
    expect(evaluatePredicate(p(notNull('name')), null)).toBe(false);
    expect(evaluatePredicate(p(isNan('score')), null)).toBe(false);
  });

  it('treats NaN like null for comparisons', () => {
    expect(evaluatePredicate(p(lt('score', 1)), Number.NaN)).toBe(false);
    expect(evaluatePredicate(p(gt('score', 1)), Number.NaN)).toBe(false);
    expect(evaluatePredicate(p(eq('score', 1)), Number.NaN)).toBe(false);
    expect(evaluatePredicate(p(notEq('score', 1)), Number.NaN)).toBe(true);
    expect(evaluatePredicate(p(isNan('score')), Number.NaN)).toBe(true);
    expect(evaluatePredicate(p(notNan('score')), Number.NaN)).toBe(false);
    expect(evaluatePredicate(p(notNan('score')), 1)).toBe(true);
  });

  it('applies transform terms before comparing', () => {
    const day = p(eq(transformTerm('day', 'ts'), '2024-01-02'));
    expect(evaluatePredicate(day, 1704153600000000n + 5n)).toBe(true);
    expect(evaluatePredicate(day, 1704153600000000n - 1n)).toBe(false);
  });
});

describe('evaluate', () => {
  it('combines with and/or/not and reads rows from maps or functions', () => {
    const filter = b(and(or(eq('id', 1), eq('id', 2)), not(isNull('name'))));
    expect(
      evaluate(
        filter,
        new Map<number, unknown>([
          [1, 2n],
          [2, 'x'],
        ]),
      ),
    ).toBe(true);
    expect(
      evaluate(
        filter,
        new Map<number, unknown>([
          [1, 3n],
          [2, 'x'],
        ]),
      ),
    ).toBe(false);
    expect(evaluate(filter, (id) => (id === 1 ? 1n : null))).toBe(false);
    expect(evaluate(b(TRUE), new Map())).toBe(true);
    expect(evaluate(b(FALSE), new Map())).toBe(false);
  });

  it('evaluates records keyed by name, nested structs included', () => {
    const filter = b(and(eq('address.zip', '75001'), gt('price', '1.00')));
    expect(evaluateRecord(filter, { price: 150n, address: { zip: '75001' } })).toBe(true);
    expect(evaluateRecord(filter, { price: 150n, address: null })).toBe(false);
    expect(evaluateRecord(b(notEq('address.zip', 'x')), {})).toBe(true);
  });

  it('negates exactly, nulls and NaN included (rewriteNot agrees with not)', () => {
    const values: unknown[] = [null, Number.NaN, 0, 1, 2, -0];
    const filters = [
      lt('score', 1),
      ltEq('score', 1),
      gt('score', 1),
      gtEq('score', 1),
      eq('score', 1),
      isNan('score'),
    ];
    for (const filter of filters) {
      const bound = b(not(filter));
      const rewritten = rewriteNot(bound);
      for (const value of values) {
        expect(evaluate(rewritten, () => value)).toBe(evaluate(bound, () => value));
      }
    }
    // required columns need no null branch
    expect(negate(p(lt('id', 5)))).toMatchObject({ op: 'gtEq' });
    expect(rewriteNot(b(not(and(lt('id', 1), or(TRUE, FALSE)))))).toMatchObject({ op: 'gtEq' });
    expect(rewriteNot(b(not(or(lt('id', 1), FALSE))))).toMatchObject({ op: 'gtEq' });
    expect(rewriteNot(b(not(not(lt('id', 1)))))).toMatchObject({ op: 'lt' });
  });
});

describe('evaluateBatch', () => {
  const addressType = new Struct([new Field('zip', new Utf8(), false), new Field('city', new Utf8(), true)]);
  const table = new Table({
    id: vectorFromArray([1n, 2n, 3n, 4n], new Int64()),
    name: vectorFromArray(['ab', null, 'ac', 'b'], new Utf8()),
    score: vectorFromArray([1.5, Number.NaN, null, 3], new Float64()),
    address: vectorFromArray(
      [{ zip: '1', city: 'x' }, { zip: '2', city: null }, null, { zip: '1', city: 'y' }],
      addressType,
    ),
  });
  const batch = table.batches[0]!;

  it('returns a mask that agrees with row evaluation', () => {
    expect([...evaluateBatch(b(startsWith('name', 'a')), batch)]).toEqual([1, 0, 1, 0]);
    expect([...evaluateBatch(b(or(gt('score', 2), isNan('score'))), batch)]).toEqual([0, 1, 0, 1]);
    expect([...evaluateBatch(b(and(gtEq('id', 2), notNull('name'))), batch)]).toEqual([0, 0, 1, 1]);
    expect(maskToIndexes(evaluateBatch(b(eq('address.zip', '1')), batch))).toEqual([0, 3]);
    // a null struct makes its children null
    expect(maskToIndexes(evaluateBatch(b(isNull('address.city')), batch))).toEqual([1, 2]);
    expect([...evaluateBatch(b(TRUE), batch)]).toEqual([1, 1, 1, 1]);
    expect([...evaluateBatch(b(FALSE), batch)]).toEqual([0, 0, 0, 0]);
  });

  it('finds top-level columns by field id before name', () => {
    const renamed = new Field('identifier', new Int64(), false, new Map([['PARQUET:field_id', '1']]));
    const ids = vectorFromArray([7n, 8n], new Int64());
    const struct = makeData({
      type: new Struct([renamed]),
      length: 2,
      nullCount: 0,
      children: [ids.data[0]!],
    });
    const byId = new RecordBatch(new ArrowSchema([renamed]), struct);
    expect([...evaluateBatch(b(eq('id', 8)), byId)]).toEqual([0, 1]);
    const badId = new Field('id', new Int64(), false, new Map([['PARQUET:field_id', 'x']]));
    const byName = new RecordBatch(
      new ArrowSchema([badId]),
      makeData({ type: new Struct([badId]), length: 2, nullCount: 0, children: [ids.data[0]!] }),
    );
    expect([...evaluateBatch(b(eq('id', 7)), byName)]).toEqual([1, 0]);
  });

  it('names a column the batch lacks', () => {
    expect(() => evaluateBatch(b(eq('count', 1)), batch)).toThrow(
      "the Arrow batch has no column 'count' (field id 11) that the filter needs",
    );
    expect(() => evaluateBatch(b(eq('address.nope', 1)), batch)).toThrow("unknown column 'address.nope'");
    const flat = new Table({ address: vectorFromArray(['x'], new Utf8()) }).batches[0]!;
    expect(() => evaluateBatch(b(eq('address.zip', '1')), flat)).toThrow(
      "the Arrow batch has no column 'address.zip'",
    );
  });
});

describe('hand-built bound trees', () => {
  const leaf = p(lt('name', 'm'));
  const raw = (child: BoundExpression): BoundExpression => ({ kind: 'not', child });

  it('rewriteNot handles constants and double negation that the builders would have folded', () => {
    expect(rewriteNot(raw({ kind: 'true' }))).toEqual({ kind: 'false' });
    expect(rewriteNot(raw({ kind: 'false' }))).toEqual({ kind: 'true' });
    expect(rewriteNot(raw(raw(leaf)))).toBe(leaf);
    expect(rewriteNot({ kind: 'and', left: { kind: 'true' }, right: leaf })).toBe(leaf);
  });

  it('evaluates records through not and constants', () => {
    const tree: BoundExpression = {
      kind: 'and',
      left: raw(leaf),
      right: { kind: 'or', left: { kind: 'false' }, right: raw({ kind: 'false' }) },
    };
    expect(evaluateRecord(tree, { name: 'z' })).toBe(true);
    expect(evaluateRecord(tree, { name: 'a' })).toBe(false);
    expect(evaluateRecord({ kind: 'true' }, {})).toBe(true);
  });
});
