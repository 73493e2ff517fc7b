// Issue 6 acceptance, bad credentials while serving, with real writer processes: a worker whose
// catalog client secret is rejected (an OAuth2 gateway in front of the catalog) and a worker
// whose S3 secret is rejected (MinIO). Each job fails at once (one attempt, not retried into
// the ground) with a message that says which side refused — the two read differently and
// neither leaks the secret — nothing is committed, and the process keeps serving: it takes the
// next job, stays alive and ready.
import { RestCatalog } from '@floe/catalog';
import { type AuthGateway, startAuthGateway } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, type Fleet, fetchText, jobBatch, type WorkerProcess } from './support/fleet.ts';

const ROWS = 5;
const fleets: Fleet[] = [];
let gateway: AuthGateway | undefined;

afterAll(async () => {
  await Promise.all(fleets.map((fleet) => fleet.close()));
  await gateway?.close();
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

describe('credentials rejected while serving', () => {
  const messages: { catalog?: string; storage?: string } = {};

  it('catalog credentials rejected: a readable catalog-auth message, nothing committed, still serving', async () => {
    const fleet = createFleet('badcatalog');
    fleets.push(fleet);
    gateway = await startAuthGateway({ upstream: fleet.stack.catalogUri, clientSecret: 'the-right-secret' });
    const worker = await fleet.startWorker({
      catalogUri: gateway.url,
      catalogCredential: { clientId: gateway.clientId, clientSecret: 'a-wrong-secret' },
    });

    const first = await failingJob(fleet, 'never', `${fleet.run}-first`);
    expect(first.message).toContain(`catalog rejected client_id '${gateway.clientId}'`);
    expect(first.message).toContain('HTTP 401');
    expect(first.message).toContain('client_secret');
    expect(first.message).not.toContain('a-wrong-secret');
    expect(first.message).not.toMatch(/storage/i);
    expect(first.attempts).toBe(1);
    messages.catalog = first.message;

    // The same process takes the next job (and refuses it the same way).
    const second = await failingJob(fleet, 'never', `${fleet.run}-second`);
    expect(second.message).toBe(first.message);
    expect(await tableExists(fleet, 'never')).toBe(false);
    await stillServing(worker);
  }, 150_000);

  it('storage credentials rejected: a readable storage-auth message, nothing committed, still serving', async () => {
    const fleet = createFleet('badstorage');
    fleets.push(fleet);
    const worker = await fleet.startWorker({ s3SecretAccessKey: 'not-the-minio-secret' });

    const first = await failingJob(fleet, 'never', `${fleet.run}-first`);
    expect(first.message).toContain('storage rejected the credentials');
    expect(first.message).toContain(fleet.stack.s3AccessKeyId);
    expect(first.message).not.toContain('not-the-minio-secret');
    expect(first.message).not.toMatch(/catalog rejected/);
    expect(first.attempts).toBe(1);
    messages.storage = first.message;

    const second = await failingJob(fleet, 'never', `${fleet.run}-second`);
    expect(second.message).toContain('storage rejected the credentials');
    expect(await tableExists(fleet, 'never')).toBe(false);
    await stillServing(worker);
  }, 150_000);

  it('the two auth failures read differently', () => {
    expect(messages.catalog).toBeDefined();
    expect(messages.storage).toBeDefined();
    expect(messages.catalog).not.toBe(messages.storage);
    expect(messages.catalog).toMatch(/^catalog rejected/);
    expect(messages.storage).toMatch(/storage rejected/);
  });
});
