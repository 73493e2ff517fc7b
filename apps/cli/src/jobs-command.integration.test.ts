// `floe jobs` round trip on the local stack with one REAL writer process on queues of its own: a
// write job whose staged object is missing fails, `floe jobs list --failed` shows it with the
// writer's reason, `floe jobs show` its payload summary and error; once the staged object is in
// place `floe jobs retry` sends it back and the writer commits it — exactly once (one snapshot
// carries its marker), and a second retry is refused because the job is no longer failed.
// `remove` deletes a finished job.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RestCatalog, tableMetadataOf } from '@floe/catalog';
import { writeJob } from '@floe/jobs';
import {
  loadStackEnv,
  stackCredentialEnv,
  stackFloeYaml,
  startFloeProcess,
  WRITER_WORKER,
} from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FloeRun, runFloeBinary, runFloeInProcess } from './run-floe.test-helper.ts';

const stack = loadStackEnv();
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const namespace = `cli_jobs_${run}`;
const queuePrefix = `cli-jobs-${run}`;
const stagingPrefix = `cli-jobs-${run}`;
const env = { ...process.env, ...stackCredentialEnv(stack) };
const jobId = `jobs-roundtrip-${run}`;
const stagedKey = `${stagingPrefix}/2026-01-01/${jobId}/part-00000.arrows`;
const rows = arrow.tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]), name: ['a', 'b', 'c'] });
const stagedBytes = arrow.tableToIPC(rows, 'stream');

let dir: string;
let worker: ChildProcess | undefined;
let redis: Redis;
let queue: Queue;
const s3 = new S3Client({
  endpoint: stack.s3Endpoint,
  region: stack.s3Region,
  forcePathStyle: true,
  credentials: { accessKeyId: stack.s3AccessKeyId, secretAccessKey: stack.s3SecretAccessKey },
});

const floe = (...argv: string[]): Promise<FloeRun> => runFloeInProcess(argv, { cwd: dir, env });
const json = <T>(result: FloeRun): T => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-cli-jobs-'));
  const configPath = join(dir, 'floe.yaml');
  await writeFile(
    configPath,
    stackFloeYaml(stack, {
      stagingPrefix,
      queue: { prefix: queuePrefix, write_queue: 'write', maintenance_queue: 'maintenance' },
    }),
  );
  redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  queue = new Queue('write', { connection: redis, prefix: queuePrefix });
  worker = await startFloeProcess(WRITER_WORKER, { configPath, env });
}, 90_000);

afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await queue.close();
  redis.disconnect();
  s3.destroy();
});

describe('floe jobs', () => {
  it('a failed job is listed with its reason, retried once its input exists, and committed exactly once', async () => {
    const job = writeJob.parse({
      version: 1,
      table: { namespace: [namespace], name: 'events' },
      mode: 'append',
      batches: [
        {
          uri: `s3://${stack.stagingBucket}/${stagedKey}`,
          format: 'arrow-ipc-stream',
          rows: 3,
          bytes: stagedBytes.byteLength,
        },
      ],
      create: { partitionSpec: [] },
      idempotencyKey: jobId,
      enqueuedAt: new Date().toISOString(),
    });
    await queue.add('write', job, { jobId, attempts: 1 });

    type Row = { id: string; state: string; table: string; rows: number; reason: string; queue: string };
    const failed = await until('the job to fail', async () => {
      const listed = json<Row[]>(await floe('jobs', 'list', '--failed', '--format', 'json'));
      return listed.find((row) => row.id === jobId);
    });
    expect(failed).toMatchObject({ state: 'failed', table: `${namespace}.events`, rows: 3, queue: 'write' });
    expect(failed.reason).toContain(stagedKey);

    const text = await floe('jobs', 'list', '--failed');
    expect(text.stdout).toMatch(/queue\s+id\s+state\s+table\s+rows\s+age\s+attempts\s+reason/);
    expect(text.stdout).toContain(jobId);

    const shown = json<{
      payload: { batches: { count: number; uris: string[] } };
      error: string;
      attempts: string;
    }>(await floe('jobs', 'show', jobId, '--format', 'json'));
    expect(shown.payload.batches.count).toBe(1);
    expect(shown.payload.batches.uris[0]).toContain(stagedKey);
    expect(shown.error).toBe(failed.reason);
    expect(shown.attempts).toBe('1/1');

    await s3.send(new PutObjectCommand({ Bucket: stack.stagingBucket, Key: stagedKey, Body: stagedBytes }));
    const retried = json<{ retried: { id: string }[] }>(
      await floe('jobs', 'retry', jobId, '--format', 'json'),
    );
    expect(retried.retried.map((r) => r.id)).toEqual([jobId]);

    const completed = await until('the retried job to complete', async () => {
      const detail = json<{ state: string; result?: { snapshotId: string; addedRows: number } }>(
        await floe('jobs', 'show', jobId, '--format', 'json'),
      );
      return detail.state === 'completed' ? detail : undefined;
    });
    expect(completed.result?.addedRows).toBe(3);

    const catalog = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });
    try {
      const metadata = tableMetadataOf(await catalog.loadTable(`${namespace}.events`));
      const marked = metadata.snapshots.filter((s) =>
        (s.summary['floe.job-ids'] ?? '').split(',').includes(jobId),
      );
      expect(marked).toHaveLength(1);
      expect(String(marked[0]?.snapshotId)).toBe(completed.result?.snapshotId);
      expect(marked[0]?.summary['added-records']).toBe('3');
    } finally {
      await catalog.close();
    }

    const again = await floe('jobs', 'retry', jobId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `job "${jobId}" on write is completed, not failed: only failed jobs can be retried`,
    );
  }, 180_000);

  it('removes a finished job, and says so when an id is unknown (real binary)', async () => {
    const removed = await floe('jobs', 'remove', jobId);
    expect(removed.stdout).toBe(`✓ removed completed job ${jobId} from write\n`);
    const missing = await runFloeBinary(['jobs', 'show', jobId], { cwd: dir, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `no job "${jobId}" on write or maintenance: check the id with \`floe jobs list\``,
    );
  }, 60_000);

  it('refuses flag mistakes before touching the queue', async () => {
    const both = await floe('jobs', 'retry', jobId, '--failed');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give retry a job ID or --failed, not both');
    const state = await floe('jobs', 'show', jobId, '--waiting');
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('state flags (--waiting) only apply to list and retry');
  });
});
