// Staged-object deletes against the real MinIO: the deletes several jobs ask for in one turn of
// the event loop (a group commit settling) leave in ONE DeleteObjects request, the objects are
// gone afterwards, a key already gone is no failure (S3 semantics), and a URI outside the staging
// area is refused without a request while the others of the turn are still deleted.
import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { stagingLocationOf } from '@floe/config';
import { loadStackEnv } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { stackS3Client, stackStorage } from './stack-deps.test-helper.ts';
import { StagedObjectDeletes } from './staged-object-deletes.ts';
import { stagingClientFrom } from './staged-objects.ts';

const stack = loadStackEnv();
const run = randomUUID().slice(0, 8);
const storage = stackStorage(stack, 256 * 1024 * 1024);
const area = stagingLocationOf(storage.staging);
const staging = stagingClientFrom(storage);
const s3 = stackS3Client(stack);
const requests: string[] = [];
staging.middlewareStack.add(
  (next, context) => async (args) => {
    requests.push(context.commandName ?? '?');
    return next(args);
  },
  { step: 'initialize', name: 'countRequests' },
);
afterAll(() => {
  staging.destroy();
  s3.destroy();
});

async function stage(name: string): Promise<string> {
  const key = `staging/${run}/${name}.arrows`;
  await s3.send(
    new PutObjectCommand({ Bucket: stack.stagingBucket, Key: key, Body: new Uint8Array([1, 2, 3]) }),
  );
  return `s3://${stack.stagingBucket}/${key}`;
}

async function exists(uri: string): Promise<boolean> {
  const key = uri.slice(`s3://${stack.stagingBucket}/`.length);
  try {
    await s3.send(new HeadObjectCommand({ Bucket: stack.stagingBucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe('StagedObjectDeletes', () => {
  it('deletes what the jobs of one turn ask for in one DeleteObjects request', async () => {
    const deletes = new StagedObjectDeletes(staging, area);
    const jobA = [await stage('a-0'), await stage('a-1')];
    const jobB = [await stage('b-0')];
    const gone = `s3://${stack.stagingBucket}/staging/${run}/never-staged.arrows`;
    const outside = `s3://${stack.stagingBucket}/staging-evil/${run}/x.arrows`;
    requests.length = 0;
    const [failedA, failedB, failedC] = await Promise.all([
      deletes.delete(jobA),
      deletes.delete(jobB),
      deletes.delete([gone, outside]),
    ]);
    expect(requests).toEqual(['DeleteObjectsCommand']);
    expect(failedA).toEqual([]);
    expect(failedB).toEqual([]);
    expect(failedC).toEqual([
      {
        uri: outside,
        error: `not deleted: outside the staging area s3://${stack.stagingBucket}/staging/ (its key is not under the staging prefix)`,
      },
    ]);
    for (const uri of [...jobA, ...jobB]) expect(await exists(uri)).toBe(false);
  });

  it('reports every URI of a request that failed, and later turns use new requests', async () => {
    const deletes = new StagedObjectDeletes(staging, { ...area, bucket: `missing-${run}` });
    const uri = `s3://missing-${run}/staging/${run}/x.arrows`;
    requests.length = 0;
    const failed = await deletes.delete([uri]);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.uri).toBe(uri);
    expect(failed[0]?.error).toMatch(/bucket/i);
    const again = await deletes.delete([uri]);
    expect(again).toHaveLength(1);
    expect(requests.filter((name) => name === 'DeleteObjectsCommand').length).toBeGreaterThanOrEqual(2);
  });
});
