import { describe, expect, it } from 'vitest';
import { parseS3Uri, stagingKey, stagingUri } from './queues.ts';

describe('staging layout', () => {
  it('places parts under a day prefix and the idempotency key', () => {
    const key = stagingKey(
      { bucket: 'staging', prefix: 'floe/staging/' },
      'job-7',
      3,
      new Date('2026-11-24T23:59:00Z'),
    );
    expect(key).toBe('floe/staging/2026-11-24/job-7/part-00003.arrows');
    expect(stagingUri({ bucket: 'staging', prefix: '' }, key)).toBe(`s3://staging/${key}`);
    expect(stagingKey({ bucket: 'b', prefix: '' }, 'k', 0, new Date('2026-01-02T00:00:00Z'))).toBe(
      '2026-01-02/k/part-00000.arrows',
    );
  });

  it('parses s3 and s3a URIs and rejects others', () => {
    expect(parseS3Uri('s3://bucket/a/b.arrows')).toEqual({ bucket: 'bucket', key: 'a/b.arrows' });
    expect(parseS3Uri('s3a://bucket/k')).toEqual({ bucket: 'bucket', key: 'k' });
    expect(() => parseS3Uri('https://bucket/k')).toThrow("'https://bucket/k' is not an s3://bucket/key URI");
  });
});
