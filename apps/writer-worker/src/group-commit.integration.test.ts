// Group commit end to end: one real writer-worker process (`node apps/writer-worker/src/main.ts
// --config F`, concurrency 8) receives 40 append jobs for one table enqueued at once. The jobs
// must share snapshots (fewer snapshots than jobs, results with coalescedJobs > 1 naming one
// snapshot), and PyIceberg must read every job's rows exactly once.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RestCatalog, tableMetadataOf } from '@floe/catalog';
import { schemaToJson } from '@floe/iceberg';
import { WRITE_JOB_NAME, type WriteJobInput, type WriteResult } from '@floe/jobs';
import { loadStackEnv, runPython, startFloeProcess, WRITER_WORKER } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const run = randomUUID().slice(0, 8);
const namespace = `group_${run}`;
const queueName = `group-test-${run}`;
const prefix = 'floe-test';
const JOBS = 40;
const ROWS_PER_JOB = 250;
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
// One waitUntilFinished listener per job.
events.setMaxListeners(JOBS + 10);
queue.setMaxListeners(JOBS + 10);
let worker: ChildProcess;
let output = '';

function startWorker(): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'floe-group-'));
  const config = join(dir, 'floe.yaml');
  writeFileSync(
    config,
    `
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
queue:
  redis_url: ${stack.redisUrl}
  prefix: ${prefix}
  write_queue: ${queueName}
  maintenance_queue: maint-${run}
writer:
  concurrency: 8
  commit_linger_ms: 100
  max_jobs_per_commit: 16
  metrics_port: 0
`,
  );
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

async function stagedBatch(jobIndex: number) {
  const from = jobIndex * ROWS_PER_JOB;
  const table = new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from({ length: ROWS_PER_JOB }, (_, i) => BigInt(from + i))),
    job: arrow.makeVector(Int32Array.from({ length: ROWS_PER_JOB }, () => jobIndex)),
  });
  const bytes = arrow.tableToIPC(table, 'stream');
  const key = `staging/${run}/job-${jobIndex}.arrows`;
  await s3.send(new PutObjectCommand({ Bucket: stack.stagingBucket, Key: key, Body: bytes }));
  return {
    uri: `s3://${stack.stagingBucket}/${key}`,
    format: 'arrow-ipc-stream' as const,
    rows: ROWS_PER_JOB,
    bytes: bytes.byteLength,
  };
}

beforeAll(async () => {
  await catalog.createNamespace(namespace);
  await catalog.createTable(
    { namespace: [namespace], name: 'burst' },
    {
      schema: {
        ...schemaToJson({
          schemaId: 0,
          identifierFieldIds: [],
          fields: [
            { id: 1, name: 'id', required: true, type: { kind: 'long' } },
            { id: 2, name: 'job', required: false, type: { kind: 'int' } },
          ],
        }),
      },
    },
  );
  await events.waitUntilReady();
  worker = await startWorker();
});

afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null) worker.kill('SIGKILL');
  await events.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await catalog.close();
  s3.destroy();
});

describe('group commit in one worker process', () => {
  it(`${JOBS} jobs for one table share fewer snapshots than jobs; every row lands once`, async () => {
    const payloads: WriteJobInput[] = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => ({
        version: 1 as const,
        table: { namespace: [namespace], name: 'burst' },
        mode: 'append' as const,
        batches: [await stagedBatch(i)],
        idempotencyKey: `g${i}-${run}`,
        enqueuedAt: new Date().toISOString(),
      })),
    );
    const jobs = await queue.addBulk(
      payloads.map((data) => ({
        name: WRITE_JOB_NAME,
        data,
        opts: { jobId: data.idempotencyKey, attempts: 3, backoff: { type: 'fixed', delay: 500 } },
      })),
    );
    const results = (await Promise.all(
      jobs.map((j) => j.waitUntilFinished(events, 180_000)),
    )) as WriteResult[];

    expect(results.every((r) => r.addedRows === ROWS_PER_JOB && !r.alreadyCommitted)).toBe(true);
    const snapshotIds = new Set(results.map((r) => r.snapshotId));
    expect(snapshotIds.size).toBeLessThan(JOBS);
    expect(Math.max(...results.map((r) => r.coalescedJobs))).toBeGreaterThan(1);
    // Jobs that report the same snapshot agree on how many shared it.
    for (const id of snapshotIds) {
      const sharing = results.filter((r) => r.snapshotId === id);
      expect(sharing.every((r) => r.coalescedJobs === sharing.length)).toBe(true);
    }

    const metadata = tableMetadataOf(await catalog.loadTable({ namespace: [namespace], name: 'burst' }));
    expect(metadata.snapshots.length).toBe(snapshotIds.size);
    const markers = metadata.snapshots.flatMap((s) => (s.summary['floe.job-ids'] ?? '').split(','));
    expect(markers.sort()).toEqual(payloads.map((p) => p.idempotencyKey).sort());

    const read = await runPython<{ count: number; distinct: number; perJob: number[] }>(`
from collections import Counter
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.burst").scan().to_arrow()
per_job = Counter(t["job"].to_pylist())
emit({"count": t.num_rows, "distinct": len(set(t["id"].to_pylist())),
      "perJob": [per_job.get(i, 0) for i in range(${JOBS})]})
`);
    expect(read.count).toBe(JOBS * ROWS_PER_JOB);
    expect(read.distinct).toBe(JOBS * ROWS_PER_JOB);
    expect(read.perJob).toEqual(Array.from({ length: JOBS }, () => ROWS_PER_JOB));
    expect(output).toContain('"coalescedJobs"');
  });
});
