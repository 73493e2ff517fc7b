import { describe, expect, it } from 'vitest';
import { filterToExpressionJson } from './filter-flag.ts';

describe('filterToExpressionJson', () => {
  it('turns the text syntax into REST expression JSON', async () => {
    expect(await filterToExpressionJson("country = 'FR' and id < 10")).toEqual({
      type: 'and',
      left: { type: 'eq', term: 'country', value: 'FR' },
      right: { type: 'lt', term: 'id', value: 10 },
    });
  });

  it('accepts REST JSON and normalises it', async () => {
    expect(
      await filterToExpressionJson('{"type":"not-null","term":{"type":"reference","term":"id"}}'),
    ).toEqual({
      type: 'not-null',
      term: 'id',
    });
  });

  it('keeps longs beyond 2^53 exact, as decimal strings', async () => {
    expect(await filterToExpressionJson('id = 9223372036854775807')).toEqual({
      type: 'eq',
      term: 'id',
      value: '9223372036854775807',
    });
  });

  it('reports bad filters as usage errors', async () => {
    await expect(filterToExpressionJson('{"type": ')).rejects.toThrow(
      /^--filter is not a valid filter: it starts with "\{" but is not JSON/,
    );
    await expect(filterToExpressionJson('id = ')).rejects.toThrow(/^--filter is not a valid filter: /);
    await expect(filterToExpressionJson('{"type":"lt","term":"id"}')).rejects.toMatchObject({
      name: 'UsageError',
    });
  });
});
