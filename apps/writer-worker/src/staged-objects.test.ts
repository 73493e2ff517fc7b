// The staging-area guard of the writer as a user meets it: the message of a job naming an object
// outside storage.staging, and the delete that refuses such an object without sending a request
// (the client below points at a closed port, so any request would fail differently). Reading a
// staged object (a local one: the same read path as S3's body) whole into memory and streamed.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { makeVector, type RecordBatch, Table, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteStagedObjects } from './staged-object-deletes.ts';
import { assertInStagingArea, openStagedObject } from './staged-objects.ts';
import { WriterError } from './writer-error.ts';

const area = { bucket: 'staging', prefix: 'floe/' };
const client = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  maxAttempts: 1,
});
afterAll(() => client.destroy());

describe('assertInStagingArea', () => {
  it('fails, not retryable, naming the URI, the allowed prefix and the floe.yaml keys', () => {
    const uri = 's3://staging/floe-evil/2026-01-01/k/part-00000.arrows';
    let caught: unknown;
    try {
      assertInStagingArea(['s3://staging/floe/2026-01-01/k/part-00000.arrows', uri], area);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WriterError);
    const error = caught as WriterError;
    expect(error.kind).toBe('staged-object-outside-staging');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      `staged object ${uri} is outside the staging area s3://staging/floe/ (its key is not under the staging prefix); ` +
        'nothing was read: writers only read and delete objects under s3://staging/floe/ (storage.staging.bucket and ' +
        'storage.staging.prefix in floe.yaml) — stage the data there (the producer SDK and the Dagster IO manager do) ' +
        'and enqueue the job again',
    );
  });

  it('accepts what producers stage', () => {
    expect(() =>
      assertInStagingArea(['s3://staging/floe/2026-01-01/k/part-00000.arrows'], area),
    ).not.toThrow();
  });
});

describe('deleteStagedObjects', () => {
  it('never deletes outside the staging area', async () => {
    const { failed } = await deleteStagedObjects(
      client,
      ['s3://warehouse/floe/table/data.parquet', 's3://staging/floe/../secret.arrows'],
      area,
    );
    expect(failed).toEqual([
      {
        uri: 's3://warehouse/floe/table/data.parquet',
        error:
          "not deleted: outside the staging area s3://staging/floe/ (it is in bucket 'warehouse', not 'staging')",
      },
      {
        uri: 's3://staging/floe/../secret.arrows',
        error:
          'not deleted: outside the staging area s3://staging/floe/ (its key holds an empty, . or .. path segment)',
      },
    ]);
  });
});

describe('openStagedObject', () => {
  const folder = mkdtempSync(join(tmpdir(), 'floe-staged-objects-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const table = new Table({ id: makeVector(Int32Array.from({ length: 3000 }, (_, i) => i)) });
  const bytes = tableToIPC(
    new Table(table.batches.flatMap((b) => [b.slice(0, 1000), b.slice(1000)])),
    'stream',
  );
  const path = join(folder, 'part-0.arrow');
  writeFileSync(path, bytes);
  const staged = {
    uri: pathToFileURL(path).href,
    format: 'arrow-ipc-stream' as const,
    rows: 3000,
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  const read = async (batch: typeof staged, bufferUpToBytes: number): Promise<number[]> => {
    const reader = await openStagedObject({ client, batch, maxBytes: 1 << 20, bufferUpToBytes });
    const ids: number[] = [];
    for await (const recordBatch of reader.batches as AsyncIterable<RecordBatch>) {
      ids.push(...(recordBatch.getChild('id')?.toArray() ?? []));
    }
    return ids;
  };

  for (const [mode, bufferUpToBytes] of [
    ['read whole', 1 << 20],
    ['streamed', 0],
  ] as const) {
    it(`reads every row, checked against the job (${mode})`, async () => {
      const ids = await read(staged, bufferUpToBytes);
      expect(ids).toHaveLength(3000);
      expect(ids[2999]).toBe(2999);
    });

    it(`names the object when its sha256 is not the job's (${mode})`, async () => {
      const wrong = { ...staged, sha256: '0'.repeat(64) };
      await expect(read(wrong, bufferUpToBytes)).rejects.toThrow(
        `staged object ${staged.uri} has sha256 ${staged.sha256} but the job declares ${'0'.repeat(64)}: the object was replaced or corrupted in transit`,
      );
    });
  }
});
