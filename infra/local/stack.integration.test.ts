// Smoke tests proving each service of the local stack is real and does what floe relies on:
// Redis + BullMQ, S3 semantics on MinIO (multipart, conditional put), the Iceberg REST catalog,
// PyIceberg against our catalog and DuckDB's iceberg extension.

import { randomUUID } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { loadStackEnv, runPython } from '@floe/test-support';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const s3 = new S3Client({
  endpoint: stack.s3Endpoint,
  region: stack.s3Region,
  forcePathStyle: true,
  credentials: { accessKeyId: stack.s3AccessKeyId, secretAccessKey: stack.s3SecretAccessKey },
});
const runId = randomUUID().slice(0, 8);

afterAll(() => s3.destroy());

describe('redis', () => {
  it('answers PING', async () => {
    const redis = new Redis(stack.redisUrl);
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('round-trips a BullMQ job through a worker', async () => {
    const connection = { url: stack.redisUrl, maxRetriesPerRequest: null };
    const name = `smoke-${runId}`;
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), {
      connection,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      expect(await job.waitUntilFinished(events, 20_000)).toEqual({ doubled: 42 });
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

describe('s3 (minio)', () => {
  const key = `smoke/${runId}/hello.txt`;

  it('puts, gets and lists an object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: stack.stagingBucket, Key: key, Body: 'hello floe' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: stack.stagingBucket, Key: key }));
    expect(await got.Body?.transformToString()).toBe('hello floe');
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: stack.stagingBucket, Prefix: `smoke/${runId}/` }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
  });

  it('completes a multipart upload of two parts', async () => {
    const mpKey = `smoke/${runId}/multipart.bin`;
    const part1 = Buffer.alloc(5 * 1024 * 1024, 1);
    const part2 = Buffer.from('tail');
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: stack.stagingBucket, Key: mpKey }),
    );
    const parts = [];
    for (const [index, body] of [part1, part2].entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({
          Bucket: stack.stagingBucket,
          Key: mpKey,
          UploadId,
          PartNumber: index + 1,
          Body: body,
        }),
      );
      parts.push({ ETag, PartNumber: index + 1 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: stack.stagingBucket,
        Key: mpKey,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: stack.stagingBucket, Key: mpKey }));
    expect(got.ContentLength).toBe(part1.length + part2.length);
  });

  it('rejects a second conditional put with If-None-Match: *', async () => {
    const condKey = `smoke/${runId}/once.txt`;
    await s3.send(
      new PutObjectCommand({ Bucket: stack.stagingBucket, Key: condKey, Body: 'first', IfNoneMatch: '*' }),
    );
    const second = s3.send(
      new PutObjectCommand({ Bucket: stack.stagingBucket, Key: condKey, Body: 'second', IfNoneMatch: '*' }),
    );
    await expect(second).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    const got = await s3.send(new GetObjectCommand({ Bucket: stack.stagingBucket, Key: condKey }));
    expect(await got.Body?.transformToString()).toBe('first');
  });
});

describe('iceberg rest catalog', () => {
  it('serves GET /v1/config with its endpoints', async () => {
    const response = await fetch(`${stack.catalogUri}/v1/config`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { endpoints?: string[] };
    expect(body.endpoints).toContain('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}');
  });
});

describe('python peers', () => {
  it('PyIceberg creates and lists a namespace on our catalog', async () => {
    const ns = `smoke_${runId}`;
    const result = await runPython<{ listed: string[][]; props: Record<string, string> }>(`
from floe_peers import catalog, emit
cat = catalog()
cat.create_namespace("${ns}", {"owner": "smoke"})
emit({"listed": [list(n) for n in cat.list_namespaces()], "props": cat.load_namespace_properties("${ns}")})
`);
    expect(result.listed).toContainEqual([ns]);
    expect(result.props['owner']).toBe('smoke');
  });

  it('DuckDB loads its iceberg extension', async () => {
    const result = await runPython<{ loaded: string[] }>(`
from floe_peers import duckdb_connection, emit
con = duckdb_connection()
rows = con.execute("select extension_name from duckdb_extensions() where loaded order by 1").fetchall()
emit({"loaded": [r[0] for r in rows]})
`);
    expect(result.loaded).toEqual(expect.arrayContaining(['iceberg', 'httpfs', 'avro']));
  });
});
