// Failure branches of S3FileIO that a healthy MinIO cannot produce on demand; the happy paths
// run against MinIO in s3-file-io.integration.test.ts.
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3FileIO } from './s3-file-io.ts';

function clientAnswering(
  answer: (command: { constructor: { name: string }; input: unknown }) => unknown,
): S3Client {
  return {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const result = answer(command);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as S3Client;
}
const sdkError = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('S3FileIO failure branches', () => {
  it('reports keys DeleteObjects could not delete, and whole failed batches', async () => {
    const io = new S3FileIO({
      client: clientAnswering(() => ({ Errors: [{ Key: 'b', Code: 'AccessDenied', Message: 'no' }] })),
      properties: { 's3.access-key-id': 'AKID', 's3.secret-access-key': 'SECRET' },
    });
    const result = await io.deleteMany(['s3://wh/a', 's3://wh/b']);
    expect(result.deleted).toBe(1);
    expect(result.failed.map((f) => f.location)).toEqual(['s3://wh/b']);
    expect(result.failed[0]?.error.message).toMatch(
      /storage rejected the credentials for access key id 'AKID'/,
    );
    expect(result.failed[0]?.error.message).not.toContain('SECRET');

    const down = new S3FileIO({ client: clientAnswering(() => sdkError('ServiceUnavailable', 503)) });
    const failed = await down.deleteMany(['s3://wh/a', 's3a://other/b']);
    expect(failed.deleted).toBe(0);
    expect(failed.failed.map((f) => f.location).sort()).toEqual(['s3://wh/a', 's3a://other/b']);
    expect((failed.failed[0] as { error: { retryable?: boolean } }).error.retryable).toBe(true);
  });

  it('treats a short range answer as a range outside the object', async () => {
    const io = new S3FileIO({
      client: clientAnswering(() => ({ Body: { transformToByteArray: async () => new Uint8Array(2) } })),
    });
    await expect(io.readRange('s3://wh/k', 10, 5)).rejects.toThrow(
      'byte range 10+5 is outside s3://wh/k (12 bytes)',
    );
    expect((await new S3FileIO({ client: clientAnswering(() => ({})) }).read('s3://wh/k')).byteLength).toBe(
      0,
    );
  });

  it('propagates errors other than not-found from exists() and delete()', async () => {
    const io = new S3FileIO({ client: clientAnswering(() => sdkError('Forbidden', 403)) });
    await expect(io.exists('s3://wh/k')).rejects.toThrow(
      /storage rejected the credentials on stat of s3:\/\/wh\/k/,
    );
    await expect(io.delete('s3://wh/k')).rejects.toThrow(/on delete of s3:\/\/wh\/k/);
    const missingBucket = new S3FileIO({ client: clientAnswering(() => sdkError('NoSuchBucket', 404)) });
    await expect(missingBucket.delete('s3://nope/k')).rejects.toThrow(
      "bucket 'nope' does not exist: s3://nope/k",
    );
    const gone = new S3FileIO({ client: clientAnswering(() => sdkError('NoSuchKey', 404)) });
    await expect(gone.delete('s3://wh/k')).resolves.toBeUndefined();
    await expect(gone.list('s3://wh/p/')[Symbol.asyncIterator]().next()).rejects.toThrow(
      /file not found: s3:\/\/wh\/p\//,
    );
  });

  it('sends small buffers as one PutObject and pages through listings', async () => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    let page = 0;
    const io = new S3FileIO({
      client: clientAnswering((command) => {
        sent.push({ name: command.constructor.name, input: command.input as Record<string, unknown> });
        if (command.constructor.name === 'ListObjectsV2Command') {
          page += 1;
          return page === 1
            ? { Contents: [{ Key: 'p/a', Size: 1 }, {}], IsTruncated: true, NextContinuationToken: 't' }
            : { Contents: [{ Key: 'p/b', Size: 2, LastModified: new Date(5) }], IsTruncated: false };
        }
        return { ContentLength: undefined };
      }),
    });
    expect(await io.write('s3://wh/k', new Uint8Array(3))).toBe(3);
    expect(sent[0]).toMatchObject({
      name: 'PutObjectCommand',
      input: { Bucket: 'wh', Key: 'k', ContentLength: 3 },
    });
    expect(await io.length('s3://wh/k')).toBe(0);
    const listed = [];
    for await (const info of io.list('s3a://wh/p/')) listed.push(info);
    expect(listed).toEqual([
      { location: 's3a://wh/p/a', size: 1 },
      { location: 's3a://wh/p/b', size: 2, lastModifiedMs: 5 },
    ]);
    expect(sent.at(-1)?.input).toMatchObject({ ContinuationToken: 't', Prefix: 'p/' });
  });
});
