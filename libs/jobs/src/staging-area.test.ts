import { describe, expect, it } from 'vitest';
import { stagingKey, stagingUri } from './queues.ts';
import { outsideStagingArea, stagingAreaUri } from './staging-area.ts';

const area = { bucket: 'staging', prefix: 'floe/' };

describe('staging area', () => {
  it('is the bucket and prefix with one trailing slash, or the whole bucket', () => {
    expect(stagingAreaUri({ bucket: 'staging', prefix: 'floe/staging/' })).toBe('s3://staging/floe/staging/');
    expect(stagingAreaUri({ bucket: 'staging', prefix: 'floe/staging' })).toBe('s3://staging/floe/staging/');
    expect(stagingAreaUri({ bucket: 'staging', prefix: '' })).toBe('s3://staging/');
  });

  it('holds what producers stage', () => {
    const uri = stagingUri(area, stagingKey(area, 'dagster/run-7/p=2026-01-01', 3));
    expect(outsideStagingArea(uri, area)).toBeUndefined();
    expect(outsideStagingArea('s3://staging/anything/at/all.arrows', { bucket: 'staging', prefix: '' })).toBe(
      undefined,
    );
  });

  it('names what is wrong with a URI outside it', () => {
    expect(outsideStagingArea('s3://staging/floe-evil/x.arrows', area)).toBe(
      'its key is not under the staging prefix',
    );
    expect(outsideStagingArea('s3://staging/other/x.arrows', area)).toBe(
      'its key is not under the staging prefix',
    );
    expect(outsideStagingArea('s3://warehouse/floe/x.arrows', area)).toBe(
      "it is in bucket 'warehouse', not 'staging'",
    );
    expect(outsideStagingArea('s3://staging-2/floe/x.arrows', area)).toBe(
      "it is in bucket 'staging-2', not 'staging'",
    );
    expect(outsideStagingArea('s3a://staging/floe/x.arrows', area)).toBe('it uses s3a://, not s3://');
    expect(outsideStagingArea('https://staging/floe/x.arrows', area)).toBe('it uses https://, not s3://');
    expect(outsideStagingArea('/etc/passwd', area)).toBe('it is not an s3:// URI');
    expect(outsideStagingArea('s3://staging/floe/', area)).toBe(
      'it names the staging prefix itself, not an object',
    );
    expect(outsideStagingArea('s3://staging/floe', area)).toBe('its key is not under the staging prefix');
  });

  it('refuses dot and empty segments that a client could normalise out of the prefix', () => {
    for (const uri of [
      's3://staging/floe/../secret/x.arrows',
      's3://staging/floe/2026-01-01/../../x.arrows',
      's3://staging/floe/./x.arrows',
      's3://staging/floe//x.arrows',
      's3://staging/floe/a/..',
    ]) {
      expect(outsideStagingArea(uri, area)).toBe('its key holds an empty, . or .. path segment');
    }
    for (const uri of ['s3://staging/floe/..\\secret.arrows', 's3://staging/floe/a\nb.arrows']) {
      expect(outsideStagingArea(uri, area)).toBe('its key holds a backslash or a control character');
    }
    // Dots inside a segment are ordinary characters.
    expect(outsideStagingArea('s3://staging/floe/a..b/x.arrows', area)).toBeUndefined();
  });

  it('confines a local staging folder the same way: file:// only, under the folder and prefix', () => {
    const local = { bucket: '', localRoot: 'file:///var/lib/floe/staging/', prefix: 'floe' };
    expect(stagingAreaUri(local)).toBe('file:///var/lib/floe/staging/floe/');
    const staged = stagingUri(local, stagingKey(local, 'job-1', 0, new Date('2026-01-01T00:00:00Z')));
    expect(staged).toBe('file:///var/lib/floe/staging/floe/2026-01-01/job-1/part-00000.arrows');
    expect(outsideStagingArea(staged, local)).toBeUndefined();
    expect(outsideStagingArea('s3://staging/floe/x.arrows', local)).toBe('it uses s3://, not file://');
    expect(outsideStagingArea('file:///etc/passwd', local)).toBe('its key is not under the staging folder');
    expect(outsideStagingArea('file:///var/lib/floe/staging/floe/../../x', local)).toBe(
      'its key holds an empty, . or .. path segment',
    );
    expect(outsideStagingArea('file:///var/lib/floe/staging/floe/x.arrows', area)).toBe(
      'it uses file://, not s3://',
    );
  });
});
