// FloeProducer: hands data to the write fleet. `write` stages the data as Arrow IPC stream
// parts in S3 (bounded parts, bounded uploads in flight), then enqueues ONE v1 write job whose
// BullMQ job id is the idempotency key, and returns a handle to await the result. Redis is
// checked before anything is staged, so an unreachable queue leaves no orphan objects; a failed
// staging deletes what it uploaded; a deduplicated enqueue deletes only the parts that the
// existing job does not reference. Finished jobs stay in Redis for the exactly-once window
// (EXACTLY_ONCE_WINDOW_MS, completed and failed alike), so within it a retried enqueue with the
// same idempotency key returns the job already there; after it, the key enqueues a new write.
// `delete` enqueues a job that stages nothing: the writer removes the rows its filter matches
// (merge-on-read); `write` with mode `upsert` replaces rows by key.
import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import type { CompiledArtifacts } from '@floe/config';
import {
  EXACTLY_ONCE_WINDOW_MS,
  type ExpressionJson,
  type StagedBatch,
  stagingKey,
  stagingUri,
  WRITE_JOB_NAME,
  type WriteJob,
  type WriteJobInput,
  writeJob,
} from '@floe/jobs';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { FloeProducerError } from './errors.ts';
import { recordBatchesOf, type WriteData } from './input-batches.ts';
import { type EncodedPart, encodeParts } from './ipc-parts.ts';
import { deleteLocalParts, writeLocalPart } from './local-staging.ts';
import {
  type DeleteOptions,
  type FloeProducerOptions,
  producerOptionsFromArtifacts,
  type ResolvedProducerOptions,
  resolveDeleteOptions,
  resolveProducerOptions,
  resolveTable,
  resolveWriteOptions,
  type TableReference,
  type WriteOptions,
} from './options.ts';
import { deleteParts, type StagingTarget, uploadPart } from './staging-store.ts';
import { traceparentOf } from './traceparent.ts';
import { awaitWriteResult, cancelWrite, type WriteHandle } from './write-handle.ts';

/** redis://user:secret@host → redis://user:***@host, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}

/** BullMQ keeps every finished write job (completed or failed) for the exactly-once window. */
export function finishedJobRetention(): { removeOnComplete: { age: number }; removeOnFail: { age: number } } {
  const age = EXACTLY_ONCE_WINDOW_MS / 1000;
  return { removeOnComplete: { age }, removeOnFail: { age } };
}

export class FloeProducer {
  readonly options: ResolvedProducerOptions;
  readonly queue: Queue;
  private readonly s3: S3Client;
  private readonly maxStagedObjectBytes: number | undefined;
  private readonly staging: StagingTarget;
  private readonly queueConnection: Redis;
  private eventsConnection: Redis | undefined;
  private events: Promise<QueueEvents> | undefined;
  private lastRedisError: Error | undefined;
  private closed = false;

  /** Built from CompiledArtifacts (`storage` and `queue` sections). */
  static fromArtifacts(
    artifacts: Pick<CompiledArtifacts, 'storage' | 'queue'>,
    overrides: Parameters<typeof producerOptionsFromArtifacts>[1] = {},
  ): FloeProducer {
    const options = producerOptionsFromArtifacts(artifacts, overrides);
    return new FloeProducer(options, artifacts.storage.max_staged_object_bytes);
  }

  /** `maxStagedObjectBytes`: the writers' limit for one staged object, when known. */
  constructor(options: FloeProducerOptions, maxStagedObjectBytes?: number) {
    this.options = resolveProducerOptions(options);
    this.maxStagedObjectBytes = maxStagedObjectBytes;
    const { s3, redis, staging } = this.options;
    this.s3 = new S3Client({
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
      ...(s3.credentials === undefined
        ? {}
        : {
            credentials: {
              accessKeyId: s3.credentials.accessKeyId,
              secretAccessKey: s3.credentials.secretAccessKey,
              ...(s3.credentials.sessionToken === undefined
                ? {}
                : { sessionToken: s3.credentials.sessionToken }),
            },
          }),
      maxAttempts: 3,
      // The job carries the sha256 of every staged object, which the writer checks end to end;
      // the SDK's CRC32 on top costs about 50 ms of CPU per 88 MB uploaded and proves nothing more.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.staging = {
      client: this.s3,
      bucket: staging.bucket ?? '',
      endpoint: s3.endpoint ?? `AWS S3 (${s3.region})`,
      accessKeyId: s3.credentials?.accessKeyId,
    };
    this.queueConnection = this.redisClient(2);
    this.queue = new Queue(this.options.queueName, {
      connection: this.queueConnection,
      prefix: redis.prefix,
    });
    // Concurrent writes each add a short-lived 'closing' listener (BullMQ); many in flight is normal.
    this.queue.setMaxListeners(0);
    this.queue.on('error', (error) => {
      this.lastRedisError = error;
    });
  }

  private redisClient(maxRetriesPerRequest: number | null): Redis {
    const client = new Redis(this.options.redis.url, {
      maxRetriesPerRequest,
      connectTimeout: this.options.redis.connectTimeoutMs,
      lazyConnect: true,
    });
    // ioredis reconnects by itself; remember the error for messages instead of crashing.
    client.on('error', (error: Error) => {
      this.lastRedisError = error;
    });
    return client;
  }

  private async ensureQueueReachable(): Promise<void> {
    const timeoutMs = this.options.redis.connectTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      if (this.queueConnection.status === 'wait') void this.queueConnection.connect().catch(() => {});
      await Promise.race([this.queueConnection.ping(), timeout]);
    } catch (error) {
      const cause = this.lastRedisError ?? (error as Error);
      const detail = (cause as NodeJS.ErrnoException).code ?? cause.message;
      throw new FloeProducerError(
        'queue-unavailable',
        `cannot reach Redis at ${redactUrl(this.options.redis.url)} (${detail}): check queue.redis_url and that Redis is running; nothing was staged`,
        { retryable: true, context: { redis: redactUrl(this.options.redis.url), cause: detail }, cause },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private queueEvents(): Promise<QueueEvents> {
    this.events ??= (async () => {
      this.eventsConnection = this.redisClient(null);
      const events = new QueueEvents(this.options.queueName, {
        connection: this.eventsConnection,
        prefix: this.options.redis.prefix,
      });
      // Every pending `result()` listens on this one QueueEvents; awaiting hundreds at once is the
      // normal use, not a leak, so lift Node's default warning threshold of 10 listeners.
      events.setMaxListeners(0);
      events.on('error', (error) => {
        this.lastRedisError = error;
      });
      await events.waitUntilReady();
      return events;
    })();
    return this.events;
  }

  /**
   * Stages `data` and enqueues one write job for `table`. Resolves once the job is queued;
   * await `handle.result()` for the commit.
   */
  async write(table: TableReference, data: WriteData, options?: WriteOptions): Promise<WriteHandle> {
    if (this.closed) throw new FloeProducerError('closed', 'write() called on a closed FloeProducer');
    const identifier = resolveTable(table);
    const writeOptions = resolveWriteOptions(options);
    const jobId = writeOptions.idempotencyKey ?? randomUUID();
    const traceparent = writeOptions.traceparent ?? traceparentOf();
    await this.ensureQueueReachable();

    const existing = await this.queue.getJob(jobId);
    if (existing !== undefined) return this.handle(jobId, (existing.data as WriteJob).batches, true);

    const enqueuedAt = new Date();
    const batches = await this.stage(data, jobId, enqueuedAt);
    const payload: WriteJobInput = {
      version: 1,
      table: identifier,
      mode: writeOptions.mode,
      ...(writeOptions.overwriteFilter === undefined
        ? {}
        : { overwriteFilter: writeOptions.overwriteFilter }),
      ...(writeOptions.keys === undefined ? {} : { keys: writeOptions.keys }),
      batches,
      schemaEvolution: writeOptions.schemaEvolution,
      ...(writeOptions.create === undefined ? {} : { create: writeOptions.create }),
      idempotencyKey: jobId,
      ...(writeOptions.snapshotProperties === undefined
        ? {}
        : { snapshotProperties: writeOptions.snapshotProperties }),
      ...(traceparent === undefined ? {} : { traceparent }),
      enqueuedAt: enqueuedAt.toISOString(),
    };
    return this.enqueue(jobId, payload, batches);
  }

  /**
   * Enqueues one job that deletes the rows of `table` matching `filter` (Iceberg REST expression
   * JSON, e.g. `{ type: 'eq', term: 'id', value: 3 }`). Nothing is staged. Resolves once queued.
   */
  async delete(table: TableReference, filter: ExpressionJson, options?: DeleteOptions): Promise<WriteHandle> {
    if (this.closed) throw new FloeProducerError('closed', 'delete() called on a closed FloeProducer');
    const identifier = resolveTable(table);
    const deleteOptions = resolveDeleteOptions(options);
    const jobId = deleteOptions.idempotencyKey ?? randomUUID();
    const traceparent = deleteOptions.traceparent ?? traceparentOf();
    await this.ensureQueueReachable();
    const existing = await this.queue.getJob(jobId);
    if (existing !== undefined) return this.handle(jobId, [], true);
    const payload: WriteJobInput = {
      version: 1,
      table: identifier,
      mode: 'delete',
      overwriteFilter: filter,
      batches: [],
      idempotencyKey: jobId,
      ...(deleteOptions.snapshotProperties === undefined
        ? {}
        : { snapshotProperties: deleteOptions.snapshotProperties }),
      ...(traceparent === undefined ? {} : { traceparent }),
      enqueuedAt: new Date().toISOString(),
    };
    return this.enqueue(jobId, payload, []);
  }

  /** Validates and enqueues a job whose parts are staged (deleted again if that fails). */
  private async enqueue(
    jobId: string,
    payload: WriteJobInput,
    batches: readonly StagedBatch[],
  ): Promise<WriteHandle> {
    let job: WriteJob;
    try {
      job = writeJob.parse(payload);
    } catch (error) {
      await this.cleanUp(batches.map((batch) => batch.uri));
      throw new FloeProducerError(
        'invalid-options',
        `the write job would be invalid: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const jobOptions = this.options.job;
    try {
      await this.queue.add(WRITE_JOB_NAME, job, {
        jobId,
        attempts: jobOptions.attempts,
        backoff: { type: 'exponential', delay: jobOptions.backoffMs },
        ...finishedJobRetention(),
      });
    } catch (error) {
      await this.cleanUp(batches.map((batch) => batch.uri));
      const detail = (error as Error).message;
      throw new FloeProducerError(
        'queue-unavailable',
        `enqueueing job ${jobId} failed (${detail}); the staged parts were removed`,
        {
          retryable: true,
          context: { jobId },
          cause: error,
        },
      );
    }
    // BullMQ keeps the existing job when the id is taken; its payload tells us whether ours won.
    const stored = await this.queue.getJob(jobId);
    const storedJob = stored?.data as WriteJob | undefined;
    if (storedJob !== undefined && storedJob.enqueuedAt !== job.enqueuedAt) {
      const referenced = new Set(storedJob.batches.map((batch) => batch.uri));
      await this.cleanUp(batches.map((batch) => batch.uri).filter((uri) => !referenced.has(uri)));
      return this.handle(jobId, storedJob.batches, true);
    }
    return this.handle(jobId, job.batches, false);
  }

  private handle(jobId: string, batches: readonly StagedBatch[], deduplicated: boolean): WriteHandle {
    const source = {
      queue: this.queue,
      queueEvents: () => this.queueEvents(),
      keepFinishedSeconds: EXACTLY_ONCE_WINDOW_MS / 1000,
    };
    return {
      jobId,
      batches,
      deduplicated,
      result: (timeoutMs?: number) => awaitWriteResult(source, jobId, timeoutMs),
      cancel: () => cancelWrite(this.queue, jobId, () => this.cleanUp(batches.map((batch) => batch.uri))),
    };
  }

  /** Encodes and uploads parts with at most `concurrency` parts in memory/in flight. */
  private async stage(data: WriteData, jobId: string, at: Date): Promise<StagedBatch[]> {
    const { localRoot } = this.options.staging;
    const location = { bucket: this.staging.bucket, localRoot, prefix: this.options.staging.prefix };
    const staged: StagedBatch[] = [];
    const inFlight = new Set<Promise<void>>();
    const uploadedUris: string[] = [];
    let failure: unknown;
    const startUpload = (part: EncodedPart): void => {
      const key = stagingKey(location, jobId, part.index, at);
      const uri = stagingUri(location, key);
      const upload =
        localRoot === undefined
          ? uploadPart(this.staging, key, part.bytes, part.sha256)
          : writeLocalPart(localRoot, key, part.bytes);
      const task = upload.then(
        () => {
          uploadedUris.push(uri);
          staged[part.index] = {
            uri,
            format: 'arrow-ipc-stream',
            rows: part.rows,
            bytes: part.bytes.byteLength,
            sha256: part.sha256,
          };
        },
        (error: unknown) => {
          failure ??= error;
        },
      );
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    };
    try {
      for await (const part of encodeParts(recordBatchesOf(data), {
        partBytes: this.options.partBytes,
        maxPartBytes: this.maxStagedObjectBytes,
      })) {
        if (failure !== undefined) break;
        startUpload(part);
        while (inFlight.size >= this.options.concurrency) await Promise.race(inFlight);
      }
    } catch (error) {
      failure ??= error;
    }
    await Promise.all(inFlight);
    if (failure !== undefined) {
      await this.cleanUp(uploadedUris);
      throw failure;
    }
    if (staged.length === 0) {
      throw new FloeProducerError(
        'empty-write',
        'refusing to write 0 rows: the data holds no rows (nothing was staged or enqueued)',
      );
    }
    return staged;
  }

  /** Best effort: a leftover staged object is garbage, not data loss, and the staging sweep removes it. */
  private async cleanUp(uris: readonly string[]): Promise<void> {
    if (uris.length === 0) return;
    const { localRoot } = this.options.staging;
    const prefix =
      localRoot === undefined ? `s3://${this.staging.bucket}/` : `${localRoot.replace(/\/+$/, '')}/`;
    try {
      if (localRoot !== undefined) {
        await deleteLocalParts(
          localRoot,
          uris.map((uri) => uri.slice(prefix.length)),
        );
        return;
      }
      await deleteParts(
        this.staging,
        uris.map((uri) => uri.slice(prefix.length)),
      );
    } catch {
      // ignored on purpose, see above
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const events = this.events;
    if (events !== undefined) await (await events.catch(() => undefined))?.close();
    await this.queue.close();
    for (const connection of [this.queueConnection, this.eventsConnection]) {
      if (connection !== undefined && connection.status !== 'end') connection.disconnect();
    }
    this.s3.destroy();
  }
}
