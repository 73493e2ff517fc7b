import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { asQueueFailure, kindOf, MaintenanceError, retryableFlag } from './maintenance-error.ts';

describe('asQueueFailure', () => {
  it('fails permanent errors at once with the same message, and rethrows retryable ones', () => {
    const permanent = new MaintenanceError('invalid-target', 'table a.t does not exist');
    const failure = asQueueFailure(permanent);
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect(failure.message).toBe('table a.t does not exist');
    const timeout = new MaintenanceError('lock-timeout', 'another run holds the lock');
    expect(asQueueFailure(timeout)).toBe(timeout);
    expect(asQueueFailure('socket hang up')).toBeInstanceOf(Error);
    expect(asQueueFailure('socket hang up')).not.toBeInstanceOf(UnrecoverableError);
  });

  it('reads the flag and kind of any floe error', () => {
    expect(retryableFlag({ retryable: false })).toBe(false);
    expect(retryableFlag(new Error('bug'))).toBe(true);
    expect(kindOf(new MaintenanceError('lock-lost', 'x'))).toBe('lock-lost');
    expect(kindOf(new TypeError('x'))).toBe('TypeError');
    expect(kindOf(42)).toBe('unknown');
  });
});
