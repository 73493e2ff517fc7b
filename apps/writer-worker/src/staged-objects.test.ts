// The staging-area guard of the writer as a user meets it: the message of a job naming an object
// outside storage.staging, and the delete that refuses such an object without sending a request
// (the client below points at a closed port, so any request would fail differently).
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { assertInStagingArea, deleteStagedObjects } from './staged-objects.ts';
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
