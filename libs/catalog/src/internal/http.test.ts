import { describe, expect, it } from 'vitest';
import { redactUrl, transportErrorCode } from './http.ts';

describe('transportErrorCode', () => {
  it('finds the code through cause chains and aggregate errors', () => {
    expect(transportErrorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(
      transportErrorCode(new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'EPIPE' }) })),
    ).toBe('EPIPE');
    const aggregate = new AggregateError(
      [Object.assign(new Error('v6'), { code: 'ECONNREFUSED' })],
      'all failed',
    );
    expect(transportErrorCode(aggregate)).toBe('ECONNREFUSED');
    expect(transportErrorCode(new Error('plain'))).toBeUndefined();
    expect(transportErrorCode('text')).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it('drops user info and leaves other URLs alone', () => {
    expect(redactUrl('http://user:pw@host:1/v1/config')).toBe('http://host:1/v1/config');
    expect(redactUrl('http://host/v1?warehouse=w')).toBe('http://host/v1?warehouse=w');
    expect(redactUrl('not a url')).toBe('not a url');
  });
});
