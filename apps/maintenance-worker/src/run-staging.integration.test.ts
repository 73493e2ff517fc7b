// The staging cleanup on the real stack: staged objects (at the producers' key layout) of
// completed, failed and vanished write jobs go once older than the retention; those of a job
// still waiting stay whatever their age, and so do young objects and keys not in our layout.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileIOFor } from '@floe/iceberg';
import { stagingKey } from '@floe/jobs';
import { stackS3Properties } from '@floe/test-support';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness } from './stack-harness.test-helper.ts';

const h = createHarness('staging');
afterAll(() => h.close());

const io = fileIOFor('s3://staging/', stackS3Properties(h.stack));
const location = { bucket: h.stack.stagingBucket, prefix: h.stagingPrefix };
const uri = (key: string, part = 0) => `s3://${location.bucket}/${stagingKey(location, key, part)}`;

async function stage(key: string, parts = 1): Promise<string[]> {
  const uris = Array.from({ length: parts }, (_, part) => uri(key, part));
  for (const target of uris) await io.write(target, new TextEncoder().encode(`arrow bytes of ${key}`));
  return uris;
}

/** Runs the given write jobs to completion (or failure) with a throwaway write worker. */
async function finishWriteJobs(outcomes: Record<string, 'completed' | 'failed'>): Promise<void> {
  const connection = new Redis(h.stack.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker(
    'write',
    async (job) => {
      if (outcomes[job.id as string] === 'failed') throw new UnrecoverableError('schema mismatch');
      return { ok: true };
    },
    { connection, prefix: h.prefix },
  );
  try {
    for (const id of Object.keys(outcomes)) await h.writeQueue.add('write', { version: 1 }, { jobId: id });
    for (;;) {
      const states = await Promise.all(Object.keys(outcomes).map((id) => h.writeQueue.getJobState(id)));
      if (states.every((state, i) => state === Object.values(outcomes)[i])) break;
      await sleep(100);
    }
  } finally {
    await worker.close();
    connection.disconnect();
  }
}

describe('staging cleanup', () => {
  it('deletes old objects of finished jobs only', async () => {
    await finishWriteJobs({ 'job-done': 'completed', 'job-failed': 'failed' });
    const done = await stage('job-done', 2);
    const failed = await stage('job-failed');
    const vanished = await stage('job-vanished');
    const waiting = await stage('job-waiting');
    await h.writeQueue.add('write', { version: 1 }, { jobId: 'job-waiting' });
    const foreign = `s3://${location.bucket}/${h.stagingPrefix}notes/readme.txt`;
    await io.write(foreign, new TextEncoder().encode('not a staged batch'));
    await sleep(5000);
    await h.startWorker();

    const dry = await h.wait(
      await h.enqueue({ version: 1, action: 'staging', dryRun: true, policy: { stagingRetentionMs: 4000 } }),
    );
    const doomed = [...done, ...failed, ...vanished].sort();
    expect(dry.files).toEqual(doomed);
    for (const target of doomed) expect(await io.exists(target)).toBe(true);

    // Staged just now by a job that completed long ago (a retry re-staged): too young to go.
    const young = [uri('job-done', 7)];
    await io.write(young[0] as string, new TextEncoder().encode('re-staged'));
    const report = await h.wait(
      await h.enqueue({ version: 1, action: 'staging', policy: { stagingRetentionMs: 4000 } }),
    );
    expect(report).toMatchObject({ action: 'staging', dryRun: false, filesDeleted: 4, failedDeletes: 0 });
    expect(report.table).toBeUndefined();
    for (const target of doomed) expect(await io.exists(target)).toBe(false);
    for (const kept of [...waiting, ...young, foreign]) expect(await io.exists(kept)).toBe(true);
  });
});
