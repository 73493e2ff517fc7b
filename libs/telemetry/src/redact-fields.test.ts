import { describe, expect, it } from 'vitest';
import { redactSecretFields } from './redact-fields.ts';

describe('redactSecretFields', () => {
  it('returns a line that names no secret field as the very same string', () => {
    const line = '{"level":"info","table":"db.events","tokens":3,"msg":"job committed"}\n';
    expect(redactSecretFields(line)).toBe(line);
  });

  it('redacts secret fields at any depth, in arrays, and keeps the trailing newline', () => {
    const line = `${JSON.stringify({
      level: 'warn',
      a: { b: { c: { d: { e: { client_secret: 'S3CR3T-deep' } } } } },
      list: [{ password: 'S3CR3T-list' }, 'plain'],
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'S3CR3T-obj' },
      msg: 'x',
    })}\n`;
    const out = redactSecretFields(line);
    expect(out.endsWith('\n')).toBe(true);
    expect(out).not.toContain('S3CR3T');
    expect(JSON.parse(out)).toEqual({
      level: 'warn',
      a: { b: { c: { d: { e: { client_secret: '[REDACTED]' } } } } },
      list: [{ password: '[REDACTED]' }, 'plain'],
      credentials: '[REDACTED]',
      msg: 'x',
    });
  });

  it('redacts credential headers inside a headers object only', () => {
    const line = JSON.stringify({
      req: {
        headers: { authorization: 'Bearer S3CR3T-h', 'x-amz-security-token': 'S3CR3T-t', accept: '*/*' },
      },
      cookie: 'a note about cookies',
    });
    expect(JSON.parse(redactSecretFields(line))).toEqual({
      req: { headers: { authorization: '[REDACTED]', 'x-amz-security-token': '[REDACTED]', accept: '*/*' } },
      cookie: 'a note about cookies',
    });
  });

  it('redacts scalar secret fields by pattern when the line is not one JSON value', () => {
    const out = redactSecretFields('prefix {"token":"S3CR3T-a","n":1} {"password": 12345}');
    expect(out).toBe('prefix {"token":"[REDACTED]","n":1} {"password": "[REDACTED]"}');
  });
});
