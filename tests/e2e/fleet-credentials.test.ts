// Credentials rejected while serving, with real writer processes (issues 6 and 12).
// Catalog side (an OAuth2 gateway in front of the catalog that can rotate the accepted secret and
// revoke tokens): a writer started with a secret the catalog rejects, and a writer whose secret is
// rotated under it, both turn unready (/readyz 503 naming the floe.yaml keys, floe_catalog_auth_ok
// 0, a log line), take no jobs and fail none (queued jobs keep all their attempts); once the
// catalog accepts the secret again they take the jobs and PyIceberg reads every job's rows
// exactly once. Storage side (MinIO rejects the S3 secret): each job fails at once (one attempt)
// with a storage-auth message, nothing is committed, and the process keeps serving.
import { RestCatalog } from '@floe/catalog';
import type { WriteHandle } from '@floe/producer-sdk';
import { type AuthGateway, startAuthGateway } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFleet,
  describeFailures,
  type Fleet,
  fetchText,
  jobBatch,
  settle,
  sleep,
  tableReport,
  type WorkerProcess,
} from './support/fleet.ts';

const ROWS = 5;
const RECHECK_MS = 500;
const fleets: Fleet[] = [];
const gateways: AuthGateway[] = [];

afterAll(async () => {
  await Promise.all(fleets.map((fleet) => fleet.close()));
  await Promise.all(gateways.map((gateway) => gateway.close()));
}, 60_000);

async function failingJob(
  fleet: Fleet,
  table: string,
  key: string,
): Promise<{ message: string; attempts: number }> {
  const producer = fleet.producer();
  const handle = await producer.write(`${fleet.namespace}.${table}`, jobBatch(1, ROWS), {
    create: { partitionSpec: [] },
    idempotencyKey: key,
  });
  const message = await handle.result(60_000).then(
    () => 'unexpectedly committed',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  const job = await producer.queue.getJob(key);
  return { message, attempts: job?.attemptsMade ?? -1 };
}

async function tableExists(fleet: Fleet, name: string): Promise<boolean> {
  const catalog = new RestCatalog({ uri: fleet.stack.catalogUri });
  try {
    await catalog.loadTable({ namespace: [fleet.namespace], name });
    return true;
  } catch {
    return false;
  } finally {
    await catalog.close();
  }
}

async function stillServing(worker: WorkerProcess): Promise<void> {
  expect(worker.isAlive()).toBe(true);
  expect((await fetchText(`http://127.0.0.1:${worker.metricsPort}/readyz`)).status).toBe(200);
  const metrics = await fetchText(`http://127.0.0.1:${worker.metricsPort}/metrics`);
  expect(metrics.body).toMatch(/floe_writer_jobs_total\{[^}]*outcome="failed"[^}]*\} 2/);
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen within 60 s (last: ${JSON.stringify(value)})`);
    await sleep(100);
  }
}

const readyz = (worker: WorkerProcess) => fetchText(`http://127.0.0.1:${worker.metricsPort}/readyz`);

async function authGauge(worker: WorkerProcess): Promise<string | undefined> {
  const metrics = await fetchText(`http://127.0.0.1:${worker.metricsPort}/metrics`);
  return /^floe_catalog_auth_ok\{[^}]*\} (\d)$/m.exec(metrics.body)?.[1];
}

/** Unready with the catalog's reason, gauge 0, one log line; the secret appears nowhere. */
async function expectRefused(worker: WorkerProcess, gateway: AuthGateway, secret: string): Promise<void> {
  const unready = await waitFor(
    'readiness turning red',
    () => readyz(worker),
    (r) => r.status === 503,
  );
  expect(unready.body).toContain("not ready: the catalog rejects the writer's credentials");
  expect(unready.body).toContain(`catalog rejected client_id '${gateway.clientId}'`);
  expect(unready.body).toContain('catalog.credential.client_id / catalog.credential.client_secret');
  expect(unready.body).not.toContain(secret);
  expect(await authGauge(worker)).toBe('0');
  expect(worker.output()).toContain(
    'catalog rejects the writer credentials: taking no jobs until it accepts them',
  );
}

/** Through several re-checks, every handle's job stays queued with no attempt spent: nothing failed or lost. */
async function expectQueued(
  fleet: Fleet,
  worker: WorkerProcess,
  handles: readonly WriteHandle[],
): Promise<void> {
  await sleep(5 * RECHECK_MS);
  expect(worker.output()).not.toMatch(/write job failed permanently/);
  for (const handle of handles) {
    const job = await fleet.producer().queue.getJob(handle.jobId);
    expect(job, `job ${handle.jobId}`).toBeDefined();
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
  }
}

/** Once the catalog accepts the credentials again: every job commits, the writer is ready, the gauge 1. */
async function expectCommitted(worker: WorkerProcess, handles: readonly WriteHandle[]): Promise<void> {
  const outcomes = await settle(
    handles.map((handle, i) => ({ job: i, handle })),
    60_000,
  );
  expect(describeFailures(outcomes)).toBe('');
  await waitFor(
    'readiness turning green',
    () => readyz(worker),
    (r) => r.status === 200,
  );
  expect(await authGauge(worker)).toBe('1');
  expect(worker.output()).toContain('catalog accepts the writer credentials again: taking jobs');
}

/** Each job's rows once, each job's id in exactly one snapshot marker. */
async function expectExactlyOnce(fleet: Fleet, table: string, keys: readonly string[]): Promise<void> {
  const report = await tableReport(`${fleet.namespace}.${table}`, ROWS);
  expect(report.rows).toBe(keys.length * ROWS);
  expect(report.distinctIds).toBe(keys.length * ROWS);
  expect(report.wrongJobs).toEqual([]);
  const markers = report.jobIdsPerSnapshot.flat();
  for (const key of keys) expect(markers.filter((id) => id === key)).toHaveLength(1);
}

function enqueue(fleet: Fleet, table: string, job: number): Promise<WriteHandle> {
  return fleet.producer().write(`${fleet.namespace}.${table}`, jobBatch(job, ROWS), {
    create: { partitionSpec: [] },
    idempotencyKey: `${fleet.run}-${table}-${job}`,
  });
}

describe('catalog credentials rejected: the writer waits, queued jobs stay queued', () => {
  it('a writer started with a secret the catalog rejects is unready and takes no job until the catalog accepts it', async () => {
    const fleet = createFleet('catalogstart');
    fleets.push(fleet);
    const gateway = await startAuthGateway({
      upstream: fleet.stack.catalogUri,
      clientSecret: 'the-right-secret',
    });
    gateways.push(gateway);
    const worker = await fleet.startWorker({
      catalogUri: gateway.url,
      catalogCredential: { clientId: gateway.clientId, clientSecret: 'a-wrong-secret' },
      catalogRecheckMs: RECHECK_MS,
    });
    await expectRefused(worker, gateway, 'a-wrong-secret');

    const handles = [await enqueue(fleet, 'late', 1), await enqueue(fleet, 'late', 2)];
    await expectQueued(fleet, worker, handles);

    // The operator fixes the catalog side: the secret in floe.yaml is accepted from now on.
    gateway.acceptClientSecret('a-wrong-secret');
    await expectCommitted(worker, handles);
    await expectExactlyOnce(
      fleet,
      'late',
      handles.map((handle) => handle.jobId),
    );
  }, 150_000);

  it('rotating the secret under a running writer: readiness goes red, queued jobs are kept, and commit exactly once after the restore', async () => {
    const fleet = createFleet('catalogrotate');
    fleets.push(fleet);
    const gateway = await startAuthGateway({ upstream: fleet.stack.catalogUri, clientSecret: 'the-secret' });
    gateways.push(gateway);
    const worker = await fleet.startWorker({
      catalogUri: gateway.url,
      catalogCredential: { clientId: gateway.clientId, clientSecret: 'the-secret' },
      catalogRecheckMs: RECHECK_MS,
      concurrency: 2,
    });
    const before = await enqueue(fleet, 'rotated', 0);
    await before.result(60_000);
    expect((await readyz(worker)).status).toBe(200);
    expect(await authGauge(worker)).toBe('1');

    // Rotation on the catalog side: the writer's secret is refused, its tokens are revoked.
    gateway.acceptClientSecret('the-new-secret');
    gateway.revokeAllTokens();
    const queued = [
      await enqueue(fleet, 'rotated', 1),
      await enqueue(fleet, 'rotated', 2),
      await enqueue(fleet, 'rotated', 3),
    ];
    await expectRefused(worker, gateway, 'the-secret');
    await expectQueued(fleet, worker, queued);

    gateway.acceptClientSecret('the-secret');
    await expectCommitted(worker, queued);
    expect(worker.output()).not.toContain('the-secret"');
    await expectExactlyOnce(
      fleet,
      'rotated',
      [before, ...queued].map((handle) => handle.jobId),
    );
  }, 150_000);
});

describe('storage credentials rejected while serving', () => {
  it('a job fails at once with a storage-auth message (not a catalog one), nothing committed, still serving', async () => {
    const fleet = createFleet('badstorage');
    fleets.push(fleet);
    const worker = await fleet.startWorker({ s3SecretAccessKey: 'not-the-minio-secret' });

    const first = await failingJob(fleet, 'never', `${fleet.run}-first`);
    expect(first.message).toContain('storage rejected the credentials');
    expect(first.message).toContain(fleet.stack.s3AccessKeyId);
    expect(first.message).not.toContain('not-the-minio-secret');
    expect(first.message).not.toMatch(/catalog rejected/);
    expect(first.attempts).toBe(1);

    const second = await failingJob(fleet, 'never', `${fleet.run}-second`);
    expect(second.message).toContain('storage rejected the credentials');
    expect(await tableExists(fleet, 'never')).toBe(false);
    await stillServing(worker);
  }, 150_000);
});
