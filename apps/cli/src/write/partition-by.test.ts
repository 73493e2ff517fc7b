import { describe, expect, it } from 'vitest';
import { parsePartitionBy } from './partition-by.ts';

describe('parsePartitionBy', () => {
  it('reads transforms, widths, identity columns and repeated flags in order', () => {
    expect(parsePartitionBy(['day(ts),bucket[16](id)', 'country', 'Truncate[4]( name )'])).toEqual([
      { source: 'ts', transform: 'day' },
      { source: 'id', transform: 'bucket[16]' },
      { source: 'country', transform: 'identity' },
      { source: 'name', transform: 'truncate[4]' },
    ]);
    expect(parsePartitionBy([])).toEqual([]);
    expect(parsePartitionBy(['identity(a.b)'])).toEqual([{ source: 'a.b', transform: 'identity' }]);
  });

  it.each([
    ['bucket(id)', '--partition-by bucket needs a positive width in brackets, e.g. bucket[16](id)'],
    ['bucket[0](id)', '--partition-by bucket needs a positive width in brackets, e.g. bucket[16](id)'],
    [
      'week(ts)',
      '--partition-by: unknown transform "week"; use identity, year, month, day, hour, void, bucket[N] or truncate[W]',
    ],
    ['day[2](ts)', '--partition-by: day takes no [2]'],
    ['day(ts),,id', '--partition-by has an empty term; separate terms with one comma'],
    [
      'day(ts',
      '--partition-by term "day(ts" is not transform(column), transform[N](column) or a column name',
    ],
    ['day(ts),day(ts)', '--partition-by lists day(ts) twice'],
  ])('%s → usage error', (flag, message) => {
    expect(() => parsePartitionBy([flag])).toThrow(message);
  });
});
