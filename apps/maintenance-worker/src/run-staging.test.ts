import { stagingKey } from '@floe/jobs';
import { describe, expect, it } from 'vitest';
import { stagedJobKey } from './run-staging.ts';

describe('staged object layout', () => {
  const area = { bucket: 'staging', prefix: 'staging/' };

  it('recovers the idempotency key (which may hold slashes) from what producers write', () => {
    for (const key of ['job-1', 'dagster/run-7/partition=2026-01-01', 'a.b~c@d=e+f']) {
      const uri = `s3://staging/${stagingKey(area, key, 12)}`;
      expect(stagedJobKey(area, uri)).toBe(key);
    }
  });

  it('leaves objects outside the layout alone', () => {
    expect(stagedJobKey(area, 's3://staging/staging/notes/readme.txt')).toBeUndefined();
    expect(stagedJobKey(area, 's3://staging/staging/2026-11-24/job-1/data.parquet')).toBeUndefined();
    expect(stagedJobKey(area, 's3://staging/elsewhere/2026-11-24/job-1/part-00000.arrows')).toBeUndefined();
    expect(
      stagedJobKey(area, 's3://staging/staging-evil/2026-11-24/job-1/part-00000.arrows'),
    ).toBeUndefined();
  });

  it('never judges an object a client could resolve outside the staging area', () => {
    // `..` segments: some S3 clients and proxies normalise the path, so deleting this could hit
    // `s3://staging/private/part-00000.arrows`.
    expect(
      stagedJobKey(area, 's3://staging/staging/2026-11-24/../../private/part-00000.arrows'),
    ).toBeUndefined();
    expect(stagedJobKey(area, 's3://staging/staging/2026-11-24//part-00000.arrows')).toBeUndefined();
  });
});
