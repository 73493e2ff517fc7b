import { describe, expect, it } from 'vitest';
import { IcebergError, isIcebergError } from './errors.ts';

describe('IcebergError', () => {
  it('carries kind, message, context and cause', () => {
    const cause = new Error('socket hang up');
    const error = new IcebergError('io', 'reading s3://b/k failed', { context: { key: 'k' }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('IcebergError');
    expect(error.message).toBe('reading s3://b/k failed');
    expect(error.kind).toBe('io');
    expect(error.context).toEqual({ key: 'k' });
    expect(error.cause).toBe(cause);
  });

  it('defaults retryable by kind and lets the thrower override it', () => {
    expect(new IcebergError('commit-conflict', 'x').retryable).toBe(true);
    expect(new IcebergError('commit-state-unknown', 'x').retryable).toBe(true);
    expect(new IcebergError('invalid-schema', 'x').retryable).toBe(false);
    expect(new IcebergError('io', 'x', { retryable: false }).retryable).toBe(false);
    expect(new IcebergError('not-found', 'x').context).toEqual({});
  });

  it('isIcebergError narrows by kind', () => {
    const error = new IcebergError('not-found', 'missing');
    expect(isIcebergError(error)).toBe(true);
    expect(isIcebergError(error, 'not-found')).toBe(true);
    expect(isIcebergError(error, 'io')).toBe(false);
    expect(isIcebergError(new Error('x'))).toBe(false);
  });
});
