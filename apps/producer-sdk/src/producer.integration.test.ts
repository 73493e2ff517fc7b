// FloeProducer against the real Redis and MinIO of the local stack. The BullMQ Worker below is
// a stand-in consumer for this unit only (the real one is apps/writer-worker): it returns a
// valid WriteResult shape or fails with a message, so `result()` can be proven end to end.
import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  DEFAULT_QUEUE_PREFIX,
  EXACTLY_ONCE_WINDOW_MS,
  type WriteJob,
  type WriteResult,
  writeJob,
} from '@floe/jobs';
import { loadStackEnv } from '@floe/test-support';
import { Int32, type RecordBatch, Table, tableFromIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FloeProducer, FloeProducerError, FloeWriteError } from './index.ts';

const stack = loadStackEnv();
const queueName = `producer-it-${randomUUID().slice(0, 8)}`;
const prefix = `it-${randomUUID().slice(0, 8)}`;
const s3 = new S3Client({
  endpoint: stack.s3Endpoint,
  region: stack.s3Region,
  forcePathStyle: true,
  credentials: { accessKeyId: stack.s3AccessKeyId, secretAccessKey: stack.s3SecretAccessKey },
});

function options(overrides: { accessKeyId?: string; bucket?: string; redisUrl?: string } = {}) {
  return {
    redis: {
      url: overrides.redisUrl ?? stack.redisUrl,
      prefix: DEFAULT_QUEUE_PREFIX,
      connectTimeoutMs: 2000,
    },
    queueName,
    s3: {
      endpoint: stack.s3Endpoint,
      region: stack.s3Region,
      forcePathStyle: true,
      credentials: {
        accessKeyId: overrides.accessKeyId ?? stack.s3AccessKeyId,
        secretAccessKey: stack.s3SecretAccessKey,
      },
    },
    staging: { bucket: overrides.bucket ?? stack.stagingBucket, prefix: `producer-it/${prefix}` },
    partBytes: 16 * 1024,
    concurrency: 2,
  };
}

function batchOf(start: number, rows: number): RecordBatch {
  return new Table({
    id: vectorFromArray(
      Array.from({ length: rows }, (_, i) => start + i),
      new Int32(),
    ),
    name: vectorFromArray(
      Array.from({ length: rows }, (_, i) => `row-${start + i}`),
      new Utf8(),
    ),
  }).batches[0] as RecordBatch;
}

async function readStaged(uri: string): Promise<Uint8Array> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  const response = await s3.send(new GetObjectCommand({ Bucket: match?.[1], Key: match?.[2] }));
  return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
}

async function stagedKeys(idempotencyKey: string): Promise<string[]> {
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: stack.stagingBucket, Prefix: `producer-it/${prefix}/` }),
  );
  return (listed.Contents ?? [])
    .map((object) => object.Key ?? '')
    .filter((key) => key.includes(`/${idempotencyKey}/`));
}

function resultFor(job: WriteJob): WriteResult {
  return {
    table: [...job.table.namespace, job.table.name].join('.'),
    snapshotId: '9223372036854775807',
    sequenceNumber: '1',
    operation: 'append',
    addedRows: job.batches.reduce((sum, batch) => sum + batch.rows, 0),
    addedFiles: 1,
    addedBytes: 100,
    removedFiles: 0,
    deletedRows: 0,
    schemaId: 0,
    attempts: 1,
    coalescedJobs: 1,
    committedAt: new Date().toISOString(),
    alreadyCommitted: false,
  };
}

describe('FloeProducer (real Redis + MinIO)', () => {
  let producer: FloeProducer;
  let inspect: Queue;

  beforeAll(() => {
    producer = new FloeProducer(options());
    inspect = new Queue(queueName, {
      connection: new Redis(stack.redisUrl, { maxRetriesPerRequest: null }),
      prefix: DEFAULT_QUEUE_PREFIX,
    });
  });

  afterAll(async () => {
    await producer.close();
    await inspect.obliterate({ force: true });
    await inspect.close();
    // the stand-in consumer does not delete staged parts the way the real writer does
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: stack.stagingBucket, Prefix: `producer-it/${prefix}/` }),
    );
    const keys = (listed.Contents ?? []).map((object) => ({ Key: object.Key ?? '' }));
    if (keys.length > 0) {
      await s3.send(new DeleteObjectsCommand({ Bucket: stack.stagingBucket, Delete: { Objects: keys } }));
    }
    s3.destroy();
  });

  it('stages decodable IPC parts and enqueues one validated job keyed by the idempotency key', async () => {
    const batches = Array.from({ length: 12 }, (_, i) => batchOf(i * 400, 400));
    const idempotencyKey = `it-${randomUUID()}`;
    const handle = await producer.write('bronze.events', new Table(batches), {
      idempotencyKey,
      snapshotProperties: { 'dagster.run-id': 'r1' },
      create: { partitionSpec: [{ source: 'id', transform: 'bucket[4]' }] },
    });
    expect(handle.jobId).toBe(idempotencyKey);
    expect(handle.deduplicated).toBe(false);
    expect(handle.batches.length).toBeGreaterThan(1);

    const ids: number[] = [];
    for (const batch of handle.batches) {
      const bytes = await readStaged(batch.uri);
      expect(bytes.byteLength).toBe(batch.bytes);
      const table = tableFromIPC(bytes);
      expect(table.numRows).toBe(batch.rows);
      ids.push(...((table.getChild('id')?.toArray() ?? []) as Int32Array));
    }
    expect(ids).toEqual(Array.from({ length: 4800 }, (_, i) => i));

    const job = await inspect.getJob(idempotencyKey);
    expect(job?.id).toBe(idempotencyKey);
    expect(job?.name).toBe('write');
    expect(job?.opts.attempts).toBe(10);
    const payload = writeJob.parse(job?.data);
    expect(payload.table).toEqual({ namespace: ['bronze'], name: 'events' });
    expect(payload.batches).toEqual(handle.batches);
    expect(payload.snapshotProperties).toEqual({ 'dagster.run-id': 'r1' });
    expect(payload.create?.partitionSpec).toEqual([{ source: 'id', transform: 'bucket[4]' }]);
  });

  it('deduplicates a second write with the same idempotency key and leaves no orphan parts', async () => {
    const idempotencyKey = `it-${randomUUID()}`;
    const first = await producer.write('bronze.events', batchOf(0, 100), { idempotencyKey });
    const keysAfterFirst = await stagedKeys(idempotencyKey);
    const second = await producer.write('bronze.events', [batchOf(0, 5000)], { idempotencyKey });
    expect(second.deduplicated).toBe(true);
    expect(second.jobId).toBe(idempotencyKey);
    expect(second.batches).toEqual(first.batches);
    expect(await stagedKeys(idempotencyKey)).toEqual(keysAfterFirst);
    expect(await inspect.getJobCounts('waiting', 'active', 'delayed')).toMatchObject({
      waiting: expect.any(Number),
    });
    const jobs = (await inspect.getJobs(['waiting', 'active', 'delayed'])).filter(
      (job) => job.id === idempotencyKey,
    );
    expect(jobs).toHaveLength(1);
  });

  it('result() resolves with the worker result, and rejects with the worker message on failure', async () => {
    const ok = await producer.write('bronze.ok', batchOf(0, 10));
    const bad = await producer.write('bronze.bad', batchOf(0, 10));
    // stand-in consumer (see header): succeeds for bronze.ok, fails bronze.bad unrecoverably
    const worker = new Worker(
      queueName,
      async (job) => {
        const parsed = writeJob.parse(job.data);
        if (parsed.table.name === 'bad')
          throw new UnrecoverableError("column 'id': cannot write long into int");
        return resultFor(parsed);
      },
      { connection: new Redis(stack.redisUrl, { maxRetriesPerRequest: null }), prefix: DEFAULT_QUEUE_PREFIX },
    );
    try {
      const result = await ok.result(30_000);
      expect(result).toMatchObject({ table: 'bronze.ok', addedRows: 10, snapshotId: '9223372036854775807' });
      const failure = await bad.result(30_000).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(FloeWriteError);
      expect((failure as FloeWriteError).message).toBe("column 'id': cannot write long into int");
      expect((failure as FloeWriteError).jobId).toBe(bad.jobId);
    } finally {
      await worker.close();
    }
  });

  it('keeps finished jobs for the exactly-once window: a retried enqueue of a completed or failed job returns it', async () => {
    const done = await producer.write('bronze.kept', batchOf(0, 10), {
      idempotencyKey: `it-${randomUUID()}`,
    });
    const failed = await producer.write('bronze.bad', batchOf(0, 10), {
      idempotencyKey: `it-${randomUUID()}`,
    });
    const worker = new Worker(
      queueName,
      async (job) => {
        const parsed = writeJob.parse(job.data);
        if (parsed.table.name === 'bad') throw new UnrecoverableError('refused for the test');
        return resultFor(parsed);
      },
      { connection: new Redis(stack.redisUrl, { maxRetriesPerRequest: null }), prefix: DEFAULT_QUEUE_PREFIX },
    );
    try {
      await done.result(30_000);
      await expect(failed.result(30_000)).rejects.toThrow('refused for the test');
    } finally {
      await worker.close();
    }
    const windowSeconds = EXACTLY_ONCE_WINDOW_MS / 1000;
    expect(windowSeconds).toBe(86_400);
    for (const [handle, state] of [
      [done, 'completed'],
      [failed, 'failed'],
    ] as const) {
      const job = await inspect.getJob(handle.jobId);
      expect(await job?.getState()).toBe(state);
      // BullMQ removes a finished job only once it is older than the window.
      expect(job?.opts.removeOnComplete).toEqual({ age: windowSeconds });
      expect(job?.opts.removeOnFail).toEqual({ age: windowSeconds });
      const keys = await stagedKeys(handle.jobId);
      // A retry with the same key within the window: the existing job, nothing new staged or queued.
      const retried = await producer.write('bronze.kept', batchOf(100, 10), { idempotencyKey: handle.jobId });
      expect(retried.deduplicated).toBe(true);
      expect(retried.batches).toEqual(handle.batches);
      expect(await stagedKeys(handle.jobId)).toEqual(keys);
      expect(await inspect.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 0, delayed: 0 });
    }
  });

  it('cancel() removes a job no worker has taken, with its staged parts: it is never written', async () => {
    const idempotencyKey = `it-${randomUUID()}`;
    const handle = await producer.write('bronze.cancelled', batchOf(0, 10), { idempotencyKey });
    expect(await stagedKeys(idempotencyKey)).not.toEqual([]);
    await expect(handle.result(500)).rejects.toThrow(
      `job ${idempotencyKey} did not finish within 500 ms; it may still be written: cancel() removes it if no worker has started it`,
    );
    expect(await handle.cancel()).toBe('removed');
    expect(await inspect.getJob(idempotencyKey)).toBeUndefined();
    expect(await stagedKeys(idempotencyKey)).toEqual([]);
    expect(await handle.cancel()).toBe('gone');
  });

  it('cancel() leaves a job a worker holds alone and says it is running, then finished', async () => {
    const held = await producer.write('bronze.held', batchOf(0, 10));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // stand-in consumer (see header): holds this job until released, finishes any other at once
    const worker = new Worker(
      queueName,
      async (job) => {
        if (job.id === held.jobId) await released;
        return resultFor(writeJob.parse(job.data));
      },
      {
        connection: new Redis(stack.redisUrl, { maxRetriesPerRequest: null }),
        prefix: DEFAULT_QUEUE_PREFIX,
        concurrency: 4,
      },
    );
    try {
      await expect.poll(() => inspect.getJobState(held.jobId), { timeout: 30_000 }).toBe('active');
      expect(await held.cancel()).toBe('running');
      expect(await inspect.getJobState(held.jobId)).toBe('active');
      expect(await stagedKeys(held.jobId)).not.toEqual([]);
      release();
      expect(await held.result(30_000)).toMatchObject({ table: 'bronze.held', addedRows: 10 });
      expect(await held.cancel()).toBe('finished');
    } finally {
      release();
      await worker.close();
    }
  });

  it('refuses an empty write without staging or enqueueing', async () => {
    const idempotencyKey = `it-${randomUUID()}`;
    await expect(producer.write('bronze.events', batchOf(0, 0), { idempotencyKey })).rejects.toThrow(
      'refusing to write 0 rows: the data holds no rows (nothing was staged or enqueued)',
    );
    expect(await inspect.getJob(idempotencyKey)).toBeUndefined();
  });

  it('names the bucket and access key id, never the secret, when S3 rejects the credentials', async () => {
    const wrong = new FloeProducer(options({ accessKeyId: 'not-a-key' }));
    try {
      const error = await wrong.write('bronze.events', batchOf(0, 10)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FloeProducerError);
      expect((error as FloeProducerError).kind).toBe('storage-auth');
      expect((error as Error).message).toContain(`staging bucket '${stack.stagingBucket}'`);
      expect((error as Error).message).toContain("access key id 'not-a-key'");
      expect((error as Error).message).not.toContain(stack.s3SecretAccessKey);
    } finally {
      await wrong.close();
    }
  });

  it('says the staging bucket is missing', async () => {
    const missing = new FloeProducer(options({ bucket: 'no-such-bucket-floe' }));
    try {
      await expect(missing.write('bronze.events', batchOf(0, 10))).rejects.toThrow(
        `staging bucket 'no-such-bucket-floe' does not exist at ${stack.s3Endpoint}: create it or fix storage.staging.bucket`,
      );
    } finally {
      await missing.close();
    }
  });

  it('reports an unreachable Redis before staging anything', async () => {
    const offline = new FloeProducer(options({ redisUrl: 'redis://127.0.0.1:1' }));
    try {
      const idempotencyKey = `it-${randomUUID()}`;
      await expect(offline.write('bronze.events', batchOf(0, 10), { idempotencyKey })).rejects.toThrow(
        /cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.+\): check queue.redis_url and that Redis is running; nothing was staged/,
      );
      expect(await stagedKeys(idempotencyKey)).toEqual([]);
    } finally {
      await offline.close();
    }
  });
});
