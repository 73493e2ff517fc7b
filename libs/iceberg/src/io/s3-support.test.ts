import { describe, expect, it } from 'vitest';
import { LocalFileIO } from './local-file-io.ts';
import { fileIOFor } from './resolve-file-io.ts';
import { s3SettingsFromProperties } from './s3-config.ts';
import { mapS3Error } from './s3-errors.ts';
import { S3FileIO } from './s3-file-io.ts';
import { formatS3Location, isS3Location, parseS3Location } from './s3-location.ts';

describe('S3 locations', () => {
  it('parses s3, s3a and s3n URIs to bucket and key', () => {
    expect(parseS3Location('s3://wh/db/t/data/a.parquet')).toEqual({
      scheme: 's3',
      bucket: 'wh',
      key: 'db/t/data/a.parquet',
    });
    expect(parseS3Location('s3a://wh/k')).toEqual({ scheme: 's3a', bucket: 'wh', key: 'k' });
    expect(parseS3Location('s3n://wh')).toEqual({ scheme: 's3n', bucket: 'wh', key: '' });
    expect(formatS3Location({ scheme: 's3a', bucket: 'b', key: 'x/y' })).toBe('s3a://b/x/y');
    expect(isS3Location('s3a://b/k')).toBe(true);
    expect(isS3Location('gs://b/k')).toBe(false);
  });

  it('rejects what is not an S3 URI with the accepted forms', () => {
    expect(() => parseS3Location('https://b/k')).toThrow(
      "not an S3 location: 'https://b/k' (expected s3://bucket/key, s3a://bucket/key or s3n://bucket/key)",
    );
  });
});

describe('S3 settings from FileIO properties', () => {
  it('reads endpoint, path style, region and static vended credentials', () => {
    const settings = s3SettingsFromProperties({
      's3.endpoint': 'http://127.0.0.1:9000',
      's3.path-style-access': 'TRUE',
      'client.region': 'eu-west-1',
      's3.access-key-id': 'AKID',
      's3.secret-access-key': 'SECRET',
      's3.session-token': 'TOKEN',
      's3.session-token-expires-at-ms': '1700000000000',
    });
    expect(settings).toEqual({
      region: 'eu-west-1',
      forcePathStyle: true,
      endpoint: 'http://127.0.0.1:9000',
      credentials: {
        accessKeyId: 'AKID',
        secretAccessKey: 'SECRET',
        sessionToken: 'TOKEN',
        expiration: new Date(1700000000000),
      },
    });
  });

  it('defaults to us-east-1, virtual-host style and the default credential chain', () => {
    expect(s3SettingsFromProperties({})).toEqual({ region: 'us-east-1', forcePathStyle: false });
    expect(s3SettingsFromProperties({ 's3.region': 'ap-south-1', 's3.path-style-access': 'false' })).toEqual({
      region: 'ap-south-1',
      forcePathStyle: false,
    });
  });

  it('explains incomplete credentials and malformed values', () => {
    expect(() => s3SettingsFromProperties({ 's3.access-key-id': 'AKID' })).toThrow(
      'incomplete S3 credentials: s3.secret-access-key is missing (set both s3.access-key-id and s3.secret-access-key, or neither to use the default AWS credential chain)',
    );
    expect(() => s3SettingsFromProperties({ 's3.secret-access-key': 'x' })).toThrow(
      /s3.access-key-id is missing/,
    );
    expect(() => s3SettingsFromProperties({ 's3.path-style-access': 'yes' })).toThrow(
      "s3.path-style-access must be 'true' or 'false', got 'yes'",
    );
    expect(() =>
      s3SettingsFromProperties({
        's3.access-key-id': 'a',
        's3.secret-access-key': 'b',
        's3.session-token-expires-at-ms': 'soon',
      }),
    ).toThrow("s3.session-token-expires-at-ms must be epoch milliseconds, got 'soon'");
  });
});

describe('S3 error mapping', () => {
  const details = {
    operation: 'read' as const,
    location: 's3://wh/t/a.parquet',
    target: { bucket: 'wh', key: 't/a.parquet' },
    accessKeyId: 'AKID',
  };
  const sdkError = (name: string, status?: number, message = 'x') =>
    Object.assign(new Error(message), {
      name,
      $metadata: status === undefined ? {} : { httpStatusCode: status },
    });

  it('maps credential rejections to storage-auth naming the object and the fix', () => {
    for (const [name, status] of [
      ['InvalidAccessKeyId', 403],
      ['SignatureDoesNotMatch', 403],
      ['Forbidden', 403],
      ['UnknownError', 401],
    ] as const) {
      const error = mapS3Error(sdkError(name, status, 'secret SECRET leaked?'), details);
      expect(error.kind).toBe('storage-auth');
      expect(error.retryable).toBe(false);
      expect(error.message).toBe(
        `storage rejected the credentials for access key id 'AKID' on read of s3://wh/t/a.parquet (${status} ${name}): ` +
          `check s3.access-key-id / s3.secret-access-key / s3.session-token (or the catalog's vended credentials) and that they may read in bucket 'wh'`,
      );
      expect(String((error.cause as Error).message)).not.toContain('SECRET');
    }
    const noKey = mapS3Error(sdkError('AccessDenied', 403), { ...details, accessKeyId: undefined } as never);
    expect(noKey.message).toMatch(/^storage rejected the credentials on read/);
  });

  it('maps missing objects and buckets to not-found', () => {
    expect(mapS3Error(sdkError('NoSuchKey', 404), details).message).toBe(
      'file not found: s3://wh/t/a.parquet',
    );
    expect(mapS3Error(sdkError('NotFound', 404), details).kind).toBe('not-found');
    expect(mapS3Error(sdkError('NoSuchBucket', 404), details).message).toBe(
      "bucket 'wh' does not exist: s3://wh/t/a.parquet",
    );
  });

  it('marks server errors, throttling and network failures retryable, client errors not', () => {
    expect(mapS3Error(sdkError('InternalError', 500), details).retryable).toBe(true);
    expect(mapS3Error(sdkError('SlowDown', 503), details).retryable).toBe(true);
    expect(
      mapS3Error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), details).retryable,
    ).toBe(true);
    const bad = mapS3Error(sdkError('InvalidArgument', 400, 'bad header'), details);
    expect(bad.kind).toBe('io');
    expect(bad.retryable).toBe(false);
    expect(bad.message).toBe('S3 read of s3://wh/t/a.parquet failed (400 InvalidArgument): bad header');
    expect(mapS3Error(sdkError('InvalidRange', 416), details).message).toBe(
      'byte range is outside s3://wh/t/a.parquet',
    );
    expect(mapS3Error('weird', details).message).toBe(
      'S3 read of s3://wh/t/a.parquet failed (no response UnknownError): weird',
    );
  });
});

describe('fileIOFor', () => {
  it('picks S3 for s3 schemes and local for file URIs and absolute paths', () => {
    expect(fileIOFor('s3://wh/t', { 's3.endpoint': 'http://127.0.0.1:1' })).toBeInstanceOf(S3FileIO);
    expect(
      fileIOFor(
        's3a://wh/t',
        {},
        { s3Credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) },
      ),
    ).toBeInstanceOf(S3FileIO);
    expect(fileIOFor('file:///tmp/wh')).toBeInstanceOf(LocalFileIO);
    expect(fileIOFor('/tmp/wh')).toBeInstanceOf(LocalFileIO);
  });

  it('names the unsupported scheme', () => {
    expect(() => fileIOFor('gs://b/t')).toThrow(
      "storage scheme 'gs:' of 'gs://b/t' is not supported: use s3://, s3a://, s3n:// or file://",
    );
    expect(() => fileIOFor('relative/path')).toThrow(
      "cannot pick storage for 'relative/path': use an s3:// URI, a file:// URI or an absolute path",
    );
  });
});
