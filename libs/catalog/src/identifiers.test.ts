import { describe, expect, it } from 'vitest';
import { formatNamespace, formatTable, toNamespace, toTableIdentifier } from './identifiers.ts';

describe('toNamespace', () => {
  it('splits dotted text and copies arrays', () => {
    expect(toNamespace('bronze.raw.events')).toEqual(['bronze', 'raw', 'events']);
    expect(toNamespace(['a.b', 'c'])).toEqual(['a.b', 'c']);
  });

  it('refuses empty namespaces and empty levels with a message saying how to write one', () => {
    expect(() => toNamespace([])).toThrow(
      'a namespace needs at least one level, e.g. "bronze" or "bronze.raw"',
    );
    expect(() => toNamespace('bronze..raw')).toThrow(
      'namespace "bronze..raw" has an empty level; write levels separated by single dots, e.g. "bronze.raw"',
    );
    expect(() => toNamespace('')).toThrow('namespace "" has an empty level');
  });
});

describe('toTableIdentifier', () => {
  it('takes the last dotted part as the name', () => {
    expect(toTableIdentifier('bronze.raw.events')).toEqual({ namespace: ['bronze', 'raw'], name: 'events' });
    expect(toTableIdentifier({ namespace: ['a'], name: 'b' })).toEqual({ namespace: ['a'], name: 'b' });
  });

  it('refuses a table without namespace or name', () => {
    expect(() => toTableIdentifier('events')).toThrow(
      'table "events" needs a namespace: write it as "<namespace>.<table>", e.g. "bronze.events"',
    );
    expect(() => toTableIdentifier('bronze.')).toThrow('table "bronze." has an empty name');
    expect(() => toTableIdentifier({ namespace: ['a'], name: ' ' })).toThrow('table "a. " has an empty name');
  });

  it('formats back to dotted text', () => {
    expect(formatTable(toTableIdentifier('a.b.c'))).toBe('a.b.c');
    expect(formatNamespace(['x', 'y'])).toBe('x.y');
  });
});
