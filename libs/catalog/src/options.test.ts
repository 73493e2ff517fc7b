import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, resolveRetryOptions } from './options.ts';

describe('resolveRetryOptions', () => {
  it('fills defaults and keeps given values', () => {
    expect(resolveRetryOptions(undefined)).toEqual(DEFAULT_RETRY);
    expect(
      resolveRetryOptions({ maxAttempts: 2, breaker: { threshold: 9, halfOpenAfterMs: 5 } }),
    ).toMatchObject({
      maxAttempts: 2,
      breakerThreshold: 9,
      breakerHalfOpenAfterMs: 5,
      timeoutMs: DEFAULT_RETRY.timeoutMs,
    });
  });

  it('names the bad knob and its value', () => {
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(
      'catalog.retry: maxAttempts must be a positive integer, got 0',
    );
    expect(() => resolveRetryOptions({ timeoutMs: 1.5 })).toThrow(
      'catalog.retry: timeoutMs must be a positive integer',
    );
    expect(() => resolveRetryOptions({ initialDelayMs: -1 })).toThrow(
      'catalog.retry: initialDelayMs must be zero or more, got -1',
    );
    expect(() => resolveRetryOptions({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow(
      'catalog.retry: maxDelayMs (100) must not be below initialDelayMs (500)',
    );
  });
});
