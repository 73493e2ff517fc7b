import { stagingKey } from '@floe/jobs';
import { describe, expect, it } from 'vitest';
import { stagedJobKey, stagingListPrefix } from './run-staging.ts';

describe('staged object layout', () => {
  it('lists the configured prefix with one trailing slash, or the whole bucket', () => {
    expect(stagingListPrefix('staging', 'floe/staging/')).toBe('s3://staging/floe/staging/');
    expect(stagingListPrefix('staging', 'floe/staging')).toBe('s3://staging/floe/staging/');
    expect(stagingListPrefix('staging', '')).toBe('s3://staging/');
  });

  it('recovers the idempotency key (which may hold slashes) from what producers write', () => {
    const location = { bucket: 'staging', prefix: 'staging/' };
    const prefix = stagingListPrefix(location.bucket, location.prefix);
    for (const key of ['job-1', 'dagster/run-7/partition=2026-01-01', 'a.b~c@d=e+f']) {
      const uri = `s3://staging/${stagingKey(location, key, 12)}`;
      expect(stagedJobKey(prefix, uri)).toBe(key);
    }
  });

  it('leaves objects outside the layout alone', () => {
    const prefix = 's3://staging/staging/';
    expect(stagedJobKey(prefix, 's3://staging/staging/notes/readme.txt')).toBeUndefined();
    expect(stagedJobKey(prefix, 's3://staging/staging/2026-11-24/job-1/data.parquet')).toBeUndefined();
    expect(stagedJobKey(prefix, 's3://staging/elsewhere/2026-11-24/job-1/part-00000.arrows')).toBeUndefined();
  });
});
