// S3FileIO against the stack's MinIO: the same contract as the other FileIOs, a multipart upload
// larger than 10 MiB, and a wrong secret that must surface as 'storage-auth' without the secret.
import { randomBytes, randomUUID } from 'node:crypto';
import { loadStackEnv, stackS3Properties } from '@floe/test-support';
import { describe, expect, it } from 'vitest';
import { isIcebergError } from '../errors.ts';
import { fileIOContract } from './file-io-contract.test-helper.ts';
import { fileIOFor } from './resolve-file-io.ts';
import { S3FileIO } from './s3-file-io.ts';

const stack = loadStackEnv();
const properties = stackS3Properties(stack);
const root = () => `s3://${stack.warehouseBucket}/floe-it/file-io/${randomUUID()}`;

describe('S3FileIO on MinIO', () => {
  fileIOContract('s3', async () => ({ io: new S3FileIO({ properties }), root: root() }));
  fileIOContract('s3a via fileIOFor', async () => ({
    io: fileIOFor(`s3a://${stack.warehouseBucket}/`, properties),
    root: root().replace('s3://', 's3a://'),
  }));

  it('uploads a 12 MiB stream as multipart and reads ranges across part boundaries', async () => {
    const io = new S3FileIO({ properties, partSizeBytes: 5 * 1024 * 1024 });
    const location = `${root()}/big.bin`;
    const data = randomBytes(12 * 1024 * 1024 + 123);
    async function* chunks() {
      for (let offset = 0; offset < data.length; offset += 1024 * 1024)
        yield data.subarray(offset, offset + 1024 * 1024);
    }
    expect(await io.write(location, chunks())).toBe(data.length);
    expect(await io.length(location)).toBe(data.length);
    const boundary = 5 * 1024 * 1024 - 10;
    expect(
      Buffer.from(await io.readRange(location, boundary, 20)).equals(data.subarray(boundary, boundary + 20)),
    ).toBe(true);
    expect(Buffer.from(await io.read(location)).equals(data)).toBe(true);
    // a large single buffer also goes multipart
    expect(await io.write(`${location}.2`, new Uint8Array(data))).toBe(data.length);
    expect(await io.length(`${location}.2`)).toBe(data.length);
    await io.deleteMany([location, `${location}.2`]);
    expect(await io.exists(location)).toBe(false);
  });

  it('accepts a refreshing credentials provider (vended credentials)', async () => {
    let calls = 0;
    const io = fileIOFor(
      `s3://${stack.warehouseBucket}/`,
      { 's3.endpoint': stack.s3Endpoint, 's3.path-style-access': 'true' },
      {
        s3Credentials: async () => {
          calls += 1;
          return {
            accessKeyId: stack.s3AccessKeyId,
            secretAccessKey: stack.s3SecretAccessKey,
            expiration: new Date(Date.now() + 60 * 60 * 1000),
          };
        },
      },
    );
    const location = `${root()}/vended.txt`;
    await io.write(location, new TextEncoder().encode('ok'));
    expect(new TextDecoder().decode(await io.read(location))).toBe('ok');
    expect(calls).toBeGreaterThanOrEqual(1);
    await io.delete(location);
  });

  it('reports a wrong secret as storage-auth naming the object, never the secret', async () => {
    const secret = `wrong-${randomUUID()}`;
    const io = new S3FileIO({ properties: { ...properties, 's3.secret-access-key': secret } });
    const location = `${root()}/x.bin`;
    for (const attempt of [
      () => io.write(location, new Uint8Array(10)),
      () => io.read(location),
      () => io.length(location),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(isIcebergError(error, 'storage-auth')).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain(`s3://${stack.warehouseBucket}/`);
      expect(message).toContain(`access key id '${stack.s3AccessKeyId}'`);
      expect(message).toMatch(/check s3.access-key-id \/ s3.secret-access-key/);
      expect(message).not.toContain(secret);
      expect(
        JSON.stringify((error as { context: unknown }).context, (_, v) =>
          typeof v === 'bigint' ? String(v) : v,
        ),
      ).not.toContain(secret);
      expect((error as { retryable: boolean }).retryable).toBe(false);
    }
    const badKey = new S3FileIO({ properties: { ...properties, 's3.access-key-id': 'nobody' } });
    const error = await badKey.read(`${root()}/y`).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /storage rejected the credentials for access key id 'nobody' on read .*InvalidAccessKeyId/,
    );
  });
});
