// The encode thread pool against the real stack: a CPU-heavy job (hundreds of thousands of rows,
// partitioned, string-heavy) is staged in MinIO and run through processWriteJob with the pool,
// while `perf_hooks.monitorEventLoopDelay` samples the main event loop — it must stay responsive
// (that is what keeps BullMQ's lock renewal alive). Also: an error raised inside a thread reaches
// the caller with its message and retry flag intact, and PyIceberg reads every row.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { catalogCommitter, RestCatalog } from '@floe/catalog';
import { s3PropertiesFrom, stagingLocationOf } from '@floe/config';
import { schemaToJson } from '@floe/iceberg';
import type { WriteJobInput } from '@floe/jobs';
import { loadStackEnv, runPython } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetryable } from './classify-error.ts';
import { EncodePool } from './encode-pool.ts';
import { processWriteJob, type WriteJobDeps } from './process-write-job.ts';
import { stackS3Client, stackStorage } from './stack-deps.test-helper.ts';
import { stagingClientFrom } from './staged-objects.ts';
import { TableCommitter } from './table-committer.ts';

const stack = loadStackEnv();
const run = randomUUID().slice(0, 8);
const namespace = `encode_${run}`;
const storage = stackStorage(stack, 256 * 1024 * 1024);
const catalog = new RestCatalog({ uri: stack.catalogUri });
const staging = stagingClientFrom(storage);
const s3 = stackS3Client(stack);
const pool = new EncodePool({ size: 1 });
const committer = catalogCommitter(catalog);
const deps: WriteJobDeps = {
  catalog,
  committer,
  staging,
  stagingArea: stagingLocationOf(storage.staging),
  storage,
  s3Properties: s3PropertiesFrom(storage),
  vendedCredentials: false,
  maxStagedObjectBytes: storage.max_staged_object_bytes,
  targetFileSizeBytes: 128 * 1024 * 1024,
  stagingAccessKeyId: stack.s3AccessKeyId,
  encodePool: pool,
  tableCommitter: new TableCommitter({ committer, maxJobsPerCommit: 8, lingerMs: 50 }),
};

async function stage(name: string, bytes: Uint8Array) {
  const key = `staging/${run}/${name}.arrows`;
  await s3.send(new PutObjectCommand({ Bucket: stack.stagingBucket, Key: key, Body: bytes }));
  return {
    uri: `s3://${stack.stagingBucket}/${key}`,
    format: 'arrow-ipc-stream' as const,
    bytes: bytes.byteLength,
  };
}

function job(batches: WriteJobInput['batches']): WriteJobInput {
  return {
    version: 1,
    table: { namespace: [namespace], name: 'heavy' },
    mode: 'append',
    batches,
    idempotencyKey: `heavy-${randomUUID()}`,
    enqueuedAt: new Date().toISOString(),
  };
}

beforeAll(async () => {
  await catalog.createNamespace(namespace);
  await catalog.createTable(
    { namespace: [namespace], name: 'heavy' },
    {
      schema: {
        ...schemaToJson({
          schemaId: 0,
          identifierFieldIds: [],
          fields: [
            { id: 1, name: 'id', required: true, type: { kind: 'long' } },
            { id: 2, name: 'bucket', required: false, type: { kind: 'int' } },
            { id: 3, name: 'text', required: false, type: { kind: 'string' } },
          ],
        }),
      },
      partitionSpec: {
        'spec-id': 0,
        fields: [{ 'source-id': 2, 'field-id': 1000, name: 'bucket', transform: 'identity' }],
      },
    },
  );
});

afterAll(async () => {
  await pool.close();
  await catalog.close();
  staging.destroy();
  s3.destroy();
});

describe('encode pool', () => {
  it('keeps the main event loop responsive while a CPU-heavy job encodes in a thread', async () => {
    const rows = 300_000;
    const table = new arrow.Table({
      id: arrow.makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i))),
      bucket: arrow.makeVector(Int32Array.from({ length: rows }, (_, i) => i % 16)),
      text: arrow.vectorFromArray(
        Array.from({ length: rows }, (_, i) => `row ${i} ${'lorem ipsum '.repeat(i % 7)}`),
        new arrow.Utf8(),
      ),
    });
    const batches = [];
    for (let part = 0; part < 3; part++) {
      const slice = table.slice(part * 100_000, (part + 1) * 100_000);
      batches.push({
        ...(await stage(`heavy-${part}`, arrow.tableToIPC(slice, 'stream'))),
        rows: slice.numRows,
      });
    }
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const result = await processWriteJob(job(batches), deps);
    delay.disable();
    const p99Ms = delay.percentile(99) / 1e6;
    const maxMs = delay.max / 1e6;
    console.info(
      `encode: ${Date.now() - started} ms; event loop delay p99 ${p99Ms.toFixed(1)} ms, max ${maxMs.toFixed(1)} ms`,
    );
    expect(result).toMatchObject({ addedRows: rows, alreadyCommitted: false, coalescedJobs: 1 });
    expect(result.addedFiles).toBe(16);
    expect(p99Ms).toBeLessThan(500);
    const read = await runPython<{ count: number; distinct: number }>(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.heavy").scan().to_arrow()
emit({"count": t.num_rows, "distinct": len(set(t["id"].to_pylist()))})
`);
    expect(read).toEqual({ count: rows, distinct: rows });
  });

  it('an error inside a thread reaches the caller with its message and retry flag', async () => {
    const uri = `s3://${stack.stagingBucket}/staging/${run}/never-uploaded.arrows`;
    const error = await processWriteJob(
      job([{ uri, format: 'arrow-ipc-stream', rows: 1, bytes: 100 }]),
      deps,
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(`staged object ${uri} does not exist`);
    expect(isRetryable(error)).toBe(false);
    expect(pool.load).toBe(0);
  });
});
