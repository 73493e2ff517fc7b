// The real writer-worker process against the real stack: we start `node apps/writer-worker/src/
// main.ts --config <floe.yaml>` on a queue of its own, stage Arrow IPC stream objects in MinIO
// ourselves, enqueue write jobs with a BullMQ Queue, and judge the outcome by the job result and
// by PyIceberg reading the table. Covers append, re-delivery of a committed job (marker →
// alreadyCommitted, no new snapshot), create-if-missing with a day(ts) partition spec, each bad
// input (missing required column included) failing at once with its message and nothing
// committed, a batch outside the staging area failing before anything is read (the object stays,
// byte for byte), and SIGTERM exiting 0 in time.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RestCatalog, tableMetadataOf } from '@floe/catalog';
import { schemaToJson } from '@floe/iceberg';
import { EXACTLY_ONCE_WINDOW_MS, WRITE_JOB_NAME, type WriteJobInput, type WriteResult } from '@floe/jobs';
import {
  isLoopbackAddress,
  listeningAddresses,
  loadStackEnv,
  runPython,
  startFloeProcess,
  WRITER_WORKER,
} from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const run = randomUUID().slice(0, 8);
const namespace = `writer_${run}`;
const queueName = `write-test-${run}`;
const prefix = 'floe-test';
const catalog = new RestCatalog({ uri: stack.catalogUri });
const s3 = new S3Client({
  endpoint: stack.s3Endpoint,
  region: stack.s3Region,
  forcePathStyle: true,
  credentials: { accessKeyId: stack.s3AccessKeyId, secretAccessKey: stack.s3SecretAccessKey },
});
const connection = { url: stack.redisUrl };
const queue = new Queue(queueName, { connection, prefix });
const events = new QueueEvents(queueName, { connection, prefix });
const SHUTDOWN_DEADLINE_MS = 10_000;

let worker: ChildProcess;
let output = '';

function floeYaml(): string {
  return `
catalog:
  type: rest
  uri: ${stack.catalogUri}
  warehouse: ${stack.catalogWarehouse}
storage:
  endpoint: ${stack.s3Endpoint}
  region: ${stack.s3Region}
  path_style: true
  access_key_id: \${env:TEST_S3_ACCESS_KEY_ID}
  secret_access_key: \${env:TEST_S3_SECRET_ACCESS_KEY}
  staging:
    bucket: ${stack.stagingBucket}
  max_staged_object_bytes: 1048576
queue:
  redis_url: ${stack.redisUrl}
  prefix: ${prefix}
  write_queue: ${queueName}
  maintenance_queue: maint-${run}
writer:
  concurrency: 2
  shutdown_deadline_ms: ${SHUTDOWN_DEADLINE_MS}
  metrics_port: 0
`;
}

function startWorker(): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'floe-writer-'));
  const config = join(dir, 'floe.yaml');
  writeFileSync(config, floeYaml());
  return startFloeProcess(WRITER_WORKER, {
    configPath: config,
    env: {
      ...process.env,
      TEST_S3_ACCESS_KEY_ID: stack.s3AccessKeyId,
      TEST_S3_SECRET_ACCESS_KEY: stack.s3SecretAccessKey,
    },
    onOutput: (chunk) => {
      output += chunk;
    },
  });
}

interface Row {
  id: bigint;
  name: string;
  ts: bigint;
}

function rows(from: number, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    id: BigInt(from + i),
    name: `row-${from + i}`,
    // one row per 6 hours from 2024-11-24T00:00Z, in microseconds
    ts: 1732406400000000n + BigInt(i) * 21_600_000_000n,
  }));
}

function ipcOf(data: readonly Row[]): Uint8Array {
  const table = new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(data.map((r) => r.id))),
    name: arrow.vectorFromArray(
      data.map((r) => r.name),
      new arrow.Utf8(),
    ),
    ts: arrow.makeVector(
      arrow.makeData({
        type: new arrow.TimestampMicrosecond('UTC'),
        length: data.length,
        data: BigInt64Array.from(data.map((r) => r.ts)) as unknown as Int32Array,
      }),
    ),
  });
  return arrow.tableToIPC(table, 'stream');
}

async function stage(key: string, bytes: Uint8Array): Promise<string> {
  const fullKey = `staging/${run}/${key}.arrows`;
  await s3.send(new PutObjectCommand({ Bucket: stack.stagingBucket, Key: fullKey, Body: bytes }));
  return `s3://${stack.stagingBucket}/${fullKey}`;
}

async function stagedBatch(key: string, data: readonly Row[]) {
  const bytes = ipcOf(data);
  const uri = await stage(key, bytes);
  return { uri, format: 'arrow-ipc-stream' as const, rows: data.length, bytes: bytes.byteLength };
}

function job(
  table: string,
  batches: WriteJobInput['batches'],
  extra: Partial<WriteJobInput> = {},
): WriteJobInput {
  return {
    version: 1,
    table: { namespace: [namespace], name: table },
    mode: 'append',
    batches,
    idempotencyKey: `job-${randomUUID()}`,
    enqueuedAt: new Date().toISOString(),
    ...extra,
  };
}

async function enqueue(payload: unknown, jobId: string): Promise<WriteResult> {
  const enqueued = await queue.add(WRITE_JOB_NAME, payload, {
    jobId,
    attempts: 3,
    backoff: { type: 'fixed', delay: 500 },
  });
  return (await enqueued.waitUntilFinished(events, 90_000)) as WriteResult;
}

/** Enqueues a job that must fail; returns its failure message and how many attempts it took. */
async function enqueueFailing(payload: unknown): Promise<{ message: string; attemptsMade: number }> {
  const jobId = `bad-${randomUUID()}`;
  const enqueued = await queue.add(WRITE_JOB_NAME, payload, {
    jobId,
    attempts: 3,
    backoff: { type: 'fixed', delay: 500 },
  });
  let message = '';
  try {
    await enqueued.waitUntilFinished(events, 90_000);
  } catch (error) {
    message = (error as Error).message;
  }
  const finished = await queue.getJob(jobId);
  return { message, attemptsMade: finished?.attemptsMade ?? -1 };
}

async function snapshotCount(table: string): Promise<number> {
  const loaded = await catalog.loadTable({ namespace: [namespace], name: table });
  return tableMetadataOf(loaded).snapshots.length;
}

async function createTable(name: string): Promise<void> {
  await catalog.createTable(
    { namespace: [namespace], name },
    {
      schema: {
        ...schemaToJson({
          schemaId: 0,
          identifierFieldIds: [],
          fields: [
            { id: 1, name: 'id', required: true, type: { kind: 'long' } },
            { id: 2, name: 'name', required: false, type: { kind: 'string' } },
            { id: 3, name: 'ts', required: false, type: { kind: 'timestamptz' } },
          ],
        }),
      },
    },
  );
}

beforeAll(async () => {
  await catalog.createNamespace(namespace);
  await createTable('events');
  await events.waitUntilReady();
  worker = await startWorker();
});

afterAll(async () => {
  if (worker.exitCode === null) worker.kill('SIGKILL');
  await events.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await catalog.close();
  s3.destroy();
});

describe('writer worker process', () => {
  let firstJob: WriteJobInput;
  let firstResult: WriteResult;

  it('(a) commits an append job and PyIceberg reads exactly its rows', async () => {
    const data = [...rows(0, 40), ...rows(40, 60)];
    firstJob = job(
      'events',
      [await stagedBatch('a-0', data.slice(0, 40)), await stagedBatch('a-1', data.slice(40))],
      {
        snapshotProperties: { 'dagster.run-id': 'run-1' },
      },
    );
    firstResult = await enqueue(firstJob, firstJob.idempotencyKey);
    expect(firstResult).toMatchObject({
      table: `${namespace}.events`,
      operation: 'append',
      addedRows: 100,
      removedFiles: 0,
      alreadyCommitted: false,
      coalescedJobs: 1,
      attempts: 1,
    });
    expect(firstResult.addedFiles).toBeGreaterThan(0);
    expect(firstResult.snapshotId).toMatch(/^\d+$/);
    const read = await runPython<{ ids: number[]; summary: Record<string, string> }>(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.events")
emit({"ids": sorted(t.scan().to_arrow()["id"].to_pylist()), "summary": dict(t.current_snapshot().summary.additional_properties)})
`);
    expect(read.ids).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(read.summary['floe.job-ids']).toBe(firstJob.idempotencyKey);
    expect(read.summary['dagster.run-id']).toBe('run-1');
    // Staged objects are deleted once the commit is durable.
    for (const batch of firstJob.batches) {
      const key = batch.uri.replace(`s3://${stack.stagingBucket}/`, '');
      await expect(
        s3.send(new HeadObjectCommand({ Bucket: stack.stagingBucket, Key: key })),
      ).rejects.toThrow();
    }
  });

  it('(b) a re-delivered job returns the original snapshot with alreadyCommitted and commits nothing', async () => {
    const before = await snapshotCount('events');
    // Same payload (same idempotencyKey), new BullMQ job id: the worker must find the marker.
    const again = await enqueue(firstJob, `redelivery-${randomUUID()}`);
    expect(again).toMatchObject({
      snapshotId: firstResult.snapshotId,
      sequenceNumber: firstResult.sequenceNumber,
      addedRows: 100,
      alreadyCommitted: true,
    });
    expect(await snapshotCount('events')).toBe(before);
  });

  it('(b2) a job delivered after the exactly-once window still finds its commit, and the log says it came late', async () => {
    const before = await snapshotCount('events');
    const enqueuedAt = new Date(Date.now() - EXACTLY_ONCE_WINDOW_MS - 60 * 60 * 1000).toISOString();
    const late = await enqueue({ ...firstJob, enqueuedAt }, `late-${randomUUID()}`);
    expect(late).toMatchObject({ snapshotId: firstResult.snapshotId, alreadyCommitted: true });
    expect(await snapshotCount('events')).toBe(before);
    expect(output).toContain('job delivered after the exactly-once window');
  });

  it('(c) creates a missing table partitioned by day(ts) from the staged data', async () => {
    const data = rows(1000, 12); // 12 rows, 6 hours apart: 3 days
    const created = job('by_day', [await stagedBatch('c-0', data)], {
      create: { partitionSpec: [{ source: 'ts', transform: 'day' }], properties: { owner: 'writer-test' } },
    });
    const result = await enqueue(created, created.idempotencyKey);
    expect(result).toMatchObject({ addedRows: 12, addedFiles: 3, alreadyCommitted: false });
    const read = await runPython<{
      spec: string;
      count: number;
      partitions: number;
      owner: string;
      metadataBounds: [string, string];
    }>(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.by_day")
emit({"spec": str(t.spec()), "count": t.scan().to_arrow().num_rows,
      "partitions": len({f.file.partition[0] for f in t.scan().plan_files()}), "owner": t.properties.get("owner"),
      "metadataBounds": [t.properties.get("write.metadata.delete-after-commit.enabled"),
                         t.properties.get("write.metadata.previous-versions-max")]})
`);
    expect(read.spec).toContain('day(3)');
    // The job's own property, and floe's metadata bounds for tables it creates.
    expect(read).toMatchObject({
      count: 12,
      partitions: 3,
      owner: 'writer-test',
      metadataBounds: ['true', '100'],
    });
  });

  describe('(d) bad inputs fail at once with a readable message and commit nothing', () => {
    let before = 0;
    beforeAll(async () => {
      before = await snapshotCount('events');
    });
    afterAll(async () => {
      expect(await snapshotCount('events')).toBe(before);
    });

    it('malformed payload', async () => {
      const failed = await enqueueFailing({ version: 1, table: 'events', mode: 'append' });
      expect(failed.attemptsMade).toBe(1);
      expect(failed.message).toContain('write job is invalid');
      expect(failed.message).toContain('table:');
      expect(failed.message).toContain('batches:');
    });

    it('unknown contract version', async () => {
      const failed = await enqueueFailing({
        ...job('events', [await stagedBatch('v', rows(0, 1))]),
        version: 99,
      });
      expect(failed.attemptsMade).toBe(1);
      expect(failed.message).toContain('contract version 99 is not supported by this worker (supports 1)');
    });

    it('missing staged object', async () => {
      const uri = `s3://${stack.stagingBucket}/staging/${run}/never-uploaded.arrows`;
      const failed = await enqueueFailing(
        job('events', [{ uri, format: 'arrow-ipc-stream', rows: 1, bytes: 100 }]),
      );
      expect(failed.attemptsMade).toBe(1);
      expect(failed.message).toContain(`staged object ${uri} does not exist`);
    });

    it('corrupt IPC bytes', async () => {
      const bytes = new TextEncoder().encode('this is not an arrow stream, just some text padding it out');
      const uri = await stage('corrupt', bytes);
      const failed = await enqueueFailing(
        job('events', [{ uri, format: 'arrow-ipc-stream', rows: 1, bytes: bytes.byteLength }]),
      );
      expect(failed.attemptsMade).toBe(1);
      expect(failed.message).toContain(`staged object ${uri} is not a readable Arrow IPC stream`);
    });

    it('a staged object larger than storage.max_staged_object_bytes', async () => {
      const big = await stagedBatch('big', rows(0, 60_000));
      expect(big.bytes).toBeGreaterThan(1048576);
      const failed = await enqueueFailing(job('events', [big]));
      expect(failed.attemptsMade).toBe(1);
      expect(failed.message).toContain('above storage.max_staged_object_bytes (1048576)');
    });

    it('incompatible column type names the field and both types', async () => {
      const table = new arrow.Table({
        id: arrow.vectorFromArray(['a', 'b'], new arrow.Utf8()),
        name: arrow.vectorFromArray(['x', 'y'], new arrow.Utf8()),
      });
      const bytes = arrow.tableToIPC(table, 'stream');
      const uri = await stage('wrong-type', bytes);
      const failed = await enqueueFailing(
        job('events', [{ uri, format: 'arrow-ipc-stream', rows: 2, bytes: bytes.byteLength }]),
      );
      expect(failed.attemptsMade).toBe(1);
      expect(failed.message).toContain("'id'");
      expect(failed.message).toContain('long');
      expect(failed.message).toContain('string');
    });

    it('missing required column names the column', async () => {
      // `events.id` is required; these rows carry only the optional `name` (a missing optional
      // column like `ts` would be written as nulls).
      const table = new arrow.Table({ name: arrow.vectorFromArray(['x', 'y'], new arrow.Utf8()) });
      const bytes = arrow.tableToIPC(table, 'stream');
      const uri = await stage('missing-required', bytes);
      const failed = await enqueueFailing(
        job('events', [{ uri, format: 'arrow-ipc-stream', rows: 2, bytes: bytes.byteLength }]),
      );
      expect(failed.attemptsMade).toBe(1);
      expect(failed.message).toContain(`schema of the staged data does not match table ${namespace}.events`);
      expect(failed.message).toContain("required column 'id' is missing from the data");
    });

    it('a batch outside the staging area fails before any read; the object stays as it was', async () => {
      const data = rows(0, 5);
      const bytes = ipcOf(data);
      const put = async (bucket: string, key: string) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
        return { bucket, key };
      };
      const objects = [
        // Looks like the prefix `staging`, but is not under `staging/`.
        await put(stack.stagingBucket, `staging-evil/${run}/x.arrows`),
        // Another bucket the writer's credentials can read.
        await put(stack.warehouseBucket, `private-${run}/x.arrows`),
      ];
      const allowed = `s3://${stack.stagingBucket}/staging/`;
      const uris = [
        ...objects.map((o) => `s3://${o.bucket}/${o.key}`),
        // `..` leads a normalising client from the staging prefix to the first object.
        `s3://${stack.stagingBucket}/staging/../staging-evil/${run}/x.arrows`,
      ];
      for (const uri of uris) {
        // With `create`, a check that ran after loading the table would leave the table behind.
        const failed = await enqueueFailing(
          job('outside', [{ uri, format: 'arrow-ipc-stream', rows: data.length, bytes: bytes.byteLength }], {
            create: { partitionSpec: [] },
          }),
        );
        expect(failed.attemptsMade).toBe(1);
        expect(failed.message).toContain(`staged object ${uri} is outside the staging area ${allowed}`);
        expect(failed.message).toContain('storage.staging.bucket and storage.staging.prefix');
      }
      expect(await catalog.tableExists({ namespace: [namespace], name: 'outside' })).toBe(false);
      for (const { bucket, key } of objects) {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        expect(
          Buffer.from(
            await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
          ),
        ).toEqual(Buffer.from(bytes));
      }
    });

    it('unknown table without create', async () => {
      const failed = await enqueueFailing(job('nope', [await stagedBatch('nope', rows(0, 1))]));
      expect(failed.attemptsMade).toBe(1);
      expect(failed.message).toContain(`table ${namespace}.nope does not exist; pass create`);
    });
  });

  it('(e) serves /healthz, /readyz and /metrics on loopback only (writer.metrics_host defaults to 127.0.0.1)', async () => {
    const line = output.split('\n').find((l) => l.includes('"writer worker started"'));
    const started = JSON.parse(line ?? '{}') as { metricsHost?: string; metricsPort?: number };
    expect(started.metricsHost).toBe('127.0.0.1');
    const port = started.metricsPort ?? -1;
    const addresses = listeningAddresses(port);
    expect(addresses.length, `a listening socket on port ${port}`).toBeGreaterThan(0);
    expect(addresses.filter((address) => !isLoopbackAddress(address))).toEqual([]);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('(f) exits 0 on SIGTERM within the shutdown deadline', async () => {
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(SHUTDOWN_DEADLINE_MS);
    expect(output).toContain('writer worker stopped');
    expect(output).not.toContain(stack.s3SecretAccessKey);
  });
});
