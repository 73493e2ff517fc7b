import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact-secrets.ts';

describe('redactSecrets', () => {
  it('replaces every occurrence of each known secret', () => {
    expect(redactSecrets('a=abc123 b=abc123 c=xyz789', ['abc123', 'xyz789'])).toBe(
      'a=[REDACTED] b=[REDACTED] c=[REDACTED]',
    );
  });

  it('replaces the JSON-escaped and URL-encoded spellings of a secret', () => {
    const secret = 'p@ss"w/rd';
    const text = `json:${JSON.stringify({ s: secret })} url:${encodeURIComponent(secret)}`;
    const scrubbed = redactSecrets(text, [secret]);
    expect(scrubbed).not.toContain('ss\\"w');
    expect(scrubbed).not.toContain(encodeURIComponent(secret));
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    expect(redactSecrets('key=abcdef', ['abc', 'abcdef'])).toBe('key=[REDACTED]');
  });

  it('hides bearer tokens, URL passwords and credential parameters it was not told about', () => {
    expect(redactSecrets('Authorization: Bearer eyJhbGciOi.x-y_z')).toBe('Authorization: Bearer [REDACTED]');
    expect(redactSecrets('{"authorization":"Basic dXNlcjpwYXNz"}')).toBe(
      '{"authorization":"Basic [REDACTED]"}',
    );
    expect(redactSecrets('Basic setup done')).toBe('Basic setup done');
    expect(redactSecrets('connect redis://:pw123@127.0.0.1:6379 failed')).toBe(
      'connect redis://:[REDACTED]@127.0.0.1:6379 failed',
    );
    expect(redactSecrets('body grant_type=client_credentials&client_secret=abc&scope=x')).toBe(
      'body grant_type=client_credentials&client_secret=[REDACTED]&scope=x',
    );
  });

  it('ignores secrets too short to scrub safely and leaves other text alone', () => {
    expect(redactSecrets('a table named a', ['a', undefined])).toBe('a table named a');
  });
});
