import { describe, expect, it } from 'vitest';
import {
  compareBytes,
  compareStrings,
  truncateBytesLower,
  truncateBytesUpper,
  truncateStringLower,
  truncateStringUpper,
} from './bounds.ts';
import { parseMetricsMode, resolveMetricsModes } from './metrics-config.ts';

describe('bounds', () => {
  it('orders strings by code point, not UTF-16 unit', () => {
    // U+FF5E (one unit 0xFF5E) < U+1F600 (surrogates 0xD83D…): JS `<` says the opposite.
    expect('\u{1F600}' < '\uFF5E').toBe(true);
    expect(compareStrings('\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
    expect(compareStrings('a', 'ab')).toBeLessThan(0);
    expect(compareStrings('b', 'a')).toBeGreaterThan(0);
    expect(compareStrings('\uE000', '\uD7FF')).toBeGreaterThan(0);
    expect(compareBytes(Uint8Array.of(1, 255), Uint8Array.of(2))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBeLessThan(0);
  });

  it('truncates strings by code point and increments the upper bound', () => {
    expect(truncateStringLower('abcdef', 3)).toBe('abc');
    expect(truncateStringLower('ab', 3)).toBe('ab');
    expect(truncateStringUpper('abcdef', 3)).toBe('abd');
    expect(truncateStringUpper('ab', 3)).toBe('ab');
    expect(truncateStringLower('😀😁😂', 2)).toBe('😀😁');
    expect(truncateStringUpper('😀😁😂', 2)).toBe('😀😂');
    // U+D7FF + 1 would be a surrogate: skip to U+E000
    expect(truncateStringUpper('a\uD7FFz', 2)).toBe('a\uE000');
    // the max code point cannot grow: carry into the previous one
    expect(truncateStringUpper('a\u{10FFFF}z', 2)).toBe('b');
    expect(truncateStringUpper('\u{10FFFF}\u{10FFFF}z', 2)).toBeUndefined();
  });

  it('truncates binary and increments the last byte that can grow', () => {
    expect([...truncateBytesLower(Uint8Array.of(1, 2, 3), 2)]).toEqual([1, 2]);
    expect([...truncateBytesLower(Uint8Array.of(1), 2)]).toEqual([1]);
    expect([...(truncateBytesUpper(Uint8Array.of(1, 2, 3), 2) ?? [])]).toEqual([1, 3]);
    expect([...(truncateBytesUpper(Uint8Array.of(1, 255, 3), 2) ?? [])]).toEqual([2]);
    expect([...(truncateBytesUpper(Uint8Array.of(1), 2) ?? [])]).toEqual([1]);
    expect(truncateBytesUpper(Uint8Array.of(255, 255, 1), 2)).toBeUndefined();
  });
});

describe('metrics modes', () => {
  it('parses every mode and explains a bad one', () => {
    expect(parseMetricsMode('none', 'p')).toEqual({ kind: 'none' });
    expect(parseMetricsMode(' Counts ', 'p')).toEqual({ kind: 'counts' });
    expect(parseMetricsMode('full', 'p')).toEqual({ kind: 'full' });
    expect(parseMetricsMode('truncate(8)', 'p')).toEqual({ kind: 'truncate', length: 8 });
    expect(() => parseMetricsMode('truncate(0)', 'write.metadata.metrics.default')).toThrow(
      "invalid metrics mode 'truncate(0)' in write.metadata.metrics.default: use none, counts, truncate(N) with N > 0, or full",
    );
  });

  it('applies the default, per-column overrides and the wide-table limit', () => {
    expect(resolveMetricsModes(['a', 'b.c'], { 'write.metadata.metrics.column.b.c': 'full' })).toEqual([
      { kind: 'truncate', length: 16 },
      { kind: 'full' },
    ]);
    expect(
      resolveMetricsModes(['a', 'b', 'c'], {
        'write.metadata.metrics.max-inferred-column-defaults': '2',
        'write.metadata.metrics.column.c': 'counts',
      }),
    ).toEqual([{ kind: 'truncate', length: 16 }, { kind: 'truncate', length: 16 }, { kind: 'counts' }]);
    expect(
      resolveMetricsModes(['a', 'b', 'c'], { 'write.metadata.metrics.max-inferred-column-defaults': '1' })[2],
    ).toEqual({ kind: 'none' });
    expect(
      resolveMetricsModes(['a', 'b'], {
        'write.metadata.metrics.default': 'counts',
        'write.metadata.metrics.max-inferred-column-defaults': '1',
      }),
    ).toEqual([{ kind: 'counts' }, { kind: 'counts' }]);
    expect(() =>
      resolveMetricsModes(['a'], { 'write.metadata.metrics.max-inferred-column-defaults': '-1' }),
    ).toThrow("write.metadata.metrics.max-inferred-column-defaults must be a non-negative integer, got '-1'");
  });
});
