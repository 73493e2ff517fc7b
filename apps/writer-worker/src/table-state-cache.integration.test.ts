// Exactly-once with the writer's table-state cache (table-state-cache.ts), on the real stack
// (REST catalog, MinIO): two writer "processes" (two sets of deps, each with its own cache and
// committer) write one table. Process A fills its cache; process B then commits job J. J is
// delivered to A again — NOT flagged as a redelivery, so A answers its first marker check from
// the stale cached copy ("absent"):
//   - with J's staged object still there (re-staged), A encodes and commits on the stale base:
//     the catalog rejects the attempt (main moved), the commit driver reloads, finds J's marker
//     and answers already-committed, deleting the files A wrote;
//   - with J's staged object gone (B deleted it after committing), the encode fails and the job
//     runs again on a fresh load, which answers already-committed.
// Either way J's rows are in the table once (PyIceberg's count), one snapshot holds J, and A's
// job started from its cache (no load for the job).
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { RestCatalog, tableMetadataOf } from '@floe/catalog';
import { s3PropertiesFrom, stagingLocationOf } from '@floe/config';
import { schemaToJson } from '@floe/iceberg';
import type { WriteJobInput } from '@floe/jobs';
import { loadStackEnv, runPython } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommitObservation,
  JOB_IDS_PROPERTY,
  processWriteJob,
  type WriteJobDeps,
} from './process-write-job.ts';
import { stackS3Client, stackStorage } from './stack-deps.test-helper.ts';
import { stagingClientFrom } from './staged-objects.ts';
import { TableCommitter } from './table-committer.ts';
import { TableIOCache } from './table-io-cache.ts';
import { TableStateCache } from './table-state-cache.ts';

const stack = loadStackEnv();
const run = randomUUID().slice(0, 8);
const namespace = `statecache_${run}`;
const table = { namespace: [namespace], name: 'events' };
const ROWS = 100;
const storage = stackStorage(stack, 64 * 1024 * 1024);
const catalog = new RestCatalog({ uri: stack.catalogUri });
const staging = stagingClientFrom(storage);
const s3 = stackS3Client(stack);

/** One writer process's deps: its own catalog client, state cache, committer and commit queue. */
function writerProcess() {
  const processCatalog = new RestCatalog({ uri: stack.catalogUri });
  // maxAgeMs: long, so the copy stays "young" and the job surely starts from it.
  const tableStates = new TableStateCache(processCatalog, { maxAgeMs: 600_000 });
  const committer = tableStates.catalogCommitter(processCatalog);
  const commits: CommitObservation[] = [];
  const onCommit = (observation: CommitObservation) => commits.push(observation);
  const deps: WriteJobDeps = {
    catalog: processCatalog,
    committer,
    staging,
    stagingArea: stagingLocationOf(storage.staging),
    s3Properties: s3PropertiesFrom(storage),
    vendedCredentials: false,
    maxStagedObjectBytes: storage.max_staged_object_bytes,
    targetFileSizeBytes: 128 * 1024 * 1024,
    stagingAccessKeyId: stack.s3AccessKeyId,
    tableCommitter: new TableCommitter({ committer, maxJobsPerCommit: 8, lingerMs: 0, onCommit }),
    tableStates,
    tableIOs: new TableIOCache({ cacheMetadata: true }),
  };
  return { deps, tableStates, commits, close: () => processCatalog.close() };
}

const a = writerProcess();
const b = writerProcess();

async function stage(name: string, first: number) {
  const rows = new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(first + i))),
  });
  const bytes = arrow.tableToIPC(rows, 'stream');
  const key = `staging/${run}/${name}.arrows`;
  await s3.send(new PutObjectCommand({ Bucket: stack.stagingBucket, Key: key, Body: bytes }));
  return {
    uri: `s3://${stack.stagingBucket}/${key}`,
    format: 'arrow-ipc-stream' as const,
    rows: ROWS,
    bytes: bytes.byteLength,
  };
}

function job(idempotencyKey: string, batch: Awaited<ReturnType<typeof stage>>): WriteJobInput {
  return {
    version: 1,
    table,
    mode: 'append',
    batches: [batch],
    idempotencyKey,
    enqueuedAt: new Date().toISOString(),
  };
}

async function snapshotsHolding(jobId: string): Promise<number> {
  const metadata = tableMetadataOf(await catalog.loadTable(table, { bypassCache: true }));
  return metadata.snapshots.filter((s) => (s.summary[JOB_IDS_PROPERTY] ?? '').split(',').includes(jobId))
    .length;
}

async function pyicebergRead(): Promise<{ count: number; distinct: number }> {
  return runPython<{ count: number; distinct: number }>(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.events").scan().to_arrow()
emit({"count": t.num_rows, "distinct": len(set(t["id"].to_pylist()))})
`);
}

beforeAll(async () => {
  await catalog.createNamespace(namespace);
  await catalog.createTable(table, {
    schema: {
      ...schemaToJson({
        schemaId: 0,
        identifierFieldIds: [],
        fields: [{ id: 1, name: 'id', required: true, type: { kind: 'long' } }],
      }),
    },
    properties: { 'format-version': '2', 'commit.retry.min-wait-ms': '10' },
  });
  // A fills its cache with a job of its own.
  const warm = await processWriteJob(job(`warm-${run}`, await stage('warm', 0)), a.deps);
  expect(warm.alreadyCommitted).toBe(false);
});

afterAll(async () => {
  await Promise.all([a.close(), b.close(), catalog.close()]);
  staging.destroy();
  s3.destroy();
});

describe('a job whose marker landed after the cache was filled', () => {
  it('is answered already-committed by the commit driver when the stale copy says absent', async () => {
    const jobId = `j1-${run}`;
    const batch = await stage('j1', 1000);
    const committed = await processWriteJob(job(jobId, batch), b.deps);
    expect(committed.alreadyCommitted).toBe(false);
    // The producer stages the same object again (so A can encode), and J reaches A.
    await stage('j1', 1000);
    const loadsBefore = a.tableStates.loads;
    const again = await processWriteJob(job(jobId, batch), a.deps, { attempt: 1 });
    expect(a.tableStates.loads).toBe(loadsBefore);
    expect(again.alreadyCommitted).toBe(true);
    // The attempt built on the stale copy was rejected; the reload found the marker.
    expect(a.commits.at(-1)).toMatchObject({ status: 'already-committed', conflicts: 1 });
    expect(again.snapshotId).toBe(committed.snapshotId);
    expect(await snapshotsHolding(jobId)).toBe(1);
  });

  it('is answered already-committed after a fresh load when its staged object is gone', async () => {
    const jobId = `j2-${run}`;
    const batch = await stage('j2', 2000);
    const committed = await processWriteJob(job(jobId, batch), b.deps);
    expect(committed.alreadyCommitted).toBe(false);
    const loadsBefore = a.tableStates.loads;
    const again = await processWriteJob(job(jobId, batch), a.deps, { attempt: 1 });
    expect(again.alreadyCommitted).toBe(true);
    expect(again.snapshotId).toBe(committed.snapshotId);
    expect(a.tableStates.loads).toBe(loadsBefore + 1);
    expect(await snapshotsHolding(jobId)).toBe(1);
  });

  it('leaves every job in the table exactly once (PyIceberg)', async () => {
    expect(await pyicebergRead()).toEqual({ count: 3 * ROWS, distinct: 3 * ROWS });
  });
});
