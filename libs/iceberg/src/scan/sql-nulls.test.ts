import { describe, expect, it } from 'vitest';
import { bind } from '../expressions/bind.ts';
import { boundExpressionToString } from '../expressions/bound.ts';
import { evaluate } from '../expressions/evaluator.ts';
import { parseFilter } from '../expressions/text-syntax.ts';
import type { Schema } from '../spec/types.ts';
import { sqlTruth } from './sql-nulls.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'label', required: false, type: { kind: 'string' } },
    { id: 3, name: 'score', required: false, type: { kind: 'double' } },
  ],
};

const rewrite = (text: string) => boundExpressionToString(sqlTruth(bind(schema, parseFilter(text))));

/** SQL's answer for a row, computed independently with null as "unknown". */
function matches(text: string, row: { id: bigint; label: string | null; score: number | null }): boolean {
  return evaluate(sqlTruth(bind(schema, parseFilter(text))), (fieldId) =>
    fieldId === 1 ? row.id : fieldId === 2 ? row.label : row.score,
  );
}

describe('sqlTruth', () => {
  it('guards null-accepting leaves of nullable columns with not null', () => {
    expect(rewrite("label != 'x'")).toBe("(label != 'x' and label is not null)");
    expect(rewrite("label not in ('a', 'b')")).toContain('label is not null');
    expect(rewrite('id != 3')).toBe('id != 3');
    expect(rewrite("label = 'x'")).toBe("label = 'x'");
    expect(rewrite('label is null')).toBe('label is null');
  });

  it('pushes negation down without admitting nulls', () => {
    expect(rewrite('not (score < 0.5)')).toBe('score >= 0.5');
    expect(rewrite('not (label is null)')).toBe('label is not null');
    expect(rewrite("not (label = 'a' or id < 3)")).toBe("((label != 'a' and label is not null) and id >= 3)");
  });

  it('returns only rows whose filter is TRUE in three-valued logic', () => {
    const nullRow = { id: 1n, label: null, score: null };
    expect(matches("label != 'x'", nullRow)).toBe(false);
    expect(matches('not (score > 1)', nullRow)).toBe(false);
    expect(matches("not (label = 'x') or id = 1", nullRow)).toBe(true);
    expect(matches("label is null and not (label = 'x')", nullRow)).toBe(false);
    expect(matches("label != 'x'", { id: 1n, label: 'y', score: 0 })).toBe(true);
    expect(matches('score is not nan', nullRow)).toBe(false);
  });
});
