// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// `storage:` — the S3-compatible object store floe stages batches in and writes data files to
// (table locations come from the catalog; this section says how to talk to S3 and where
// staged Arrow batches go). Without static keys the AWS default credential chain is used;
// with `catalog.access_delegation: vended-credentials` table IO uses the catalog's credentials.
import { z } from 'zod';
import { bucketName, flag, httpUrl, integer, text } from './fields.ts';

export const StagingSchema = z
  .strictObject({
    /** Bucket holding staged Arrow IPC batches. */
    bucket: bucketName.optional(),
    /**
     * Instead of a bucket, a local folder (`file:///var/lib/floe/staging`) for floe on one
     * machine: producers and writers must share that filesystem.
     */
    location: z
      .string()
      .refine((location) => /^file:\/\/\/./.test(location), {
        message: 'must be a file:/// URI of a local folder',
        params: { fix: 'write an absolute folder as a URI, e.g. location: file:///var/lib/floe/staging' },
      })
      .optional(),
    /** Key prefix under which producers stage batches. */
    prefix: z
      .string()
      .default('staging/')
      .refine((prefix) => !prefix.startsWith('/'), {
        message: 'starts with /',
        params: { fix: 'write the key prefix without a leading slash, e.g. staging/' },
      }),
  })
  .superRefine((staging, ctx) => {
    if ((staging.bucket === undefined) === (staging.location === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: staging.bucket === undefined ? ['bucket'] : ['location'],
        message: staging.bucket === undefined ? 'is required' : 'is set together with bucket',
        params: {
          fix: 'give the S3 bucket producers stage in (bucket: floe-staging), or a local folder (location: file:///var/lib/floe/staging), not both',
        },
      });
    }
  });

/**
 * `storage.staging` as the staging area the workers confine themselves to (@floe/jobs
 * `StagingLocation`): a bucket and prefix, or a local folder (`localRoot`) and prefix.
 */
export function stagingLocationOf(staging: z.output<typeof StagingSchema>): {
  readonly bucket: string;
  readonly localRoot: string | undefined;
  readonly prefix: string;
} {
  return { bucket: staging.bucket ?? '', localRoot: staging.location, prefix: staging.prefix };
}

export const StorageSchema = z
  .strictObject({
    /** S3 endpoint; omit for AWS S3. MinIO: http://127.0.0.1:9000. */
    endpoint: httpUrl('http://127.0.0.1:9000').optional(),
    region: text.default('us-east-1'),
    /** Path-style addressing (http://endpoint/bucket/key); required by MinIO. */
    path_style: flag.default(false),
    access_key_id: text.optional(),
    secret_access_key: text.optional(),
    session_token: text.optional(),
    staging: StagingSchema,
    /** Largest staged object a producer may write; larger batches are split. */
    max_staged_object_bytes: integer({ min: 1024 }).default(256 * 1024 * 1024),
  })
  .superRefine((storage, ctx) => {
    if (storage.access_key_id !== undefined && storage.secret_access_key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret_access_key'],
        message: 'is missing while access_key_id is set',
        params: { fix: 'add secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}, or remove access_key_id' },
      });
    }
    if (storage.secret_access_key !== undefined && storage.access_key_id === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['access_key_id'],
        message: 'is missing while secret_access_key is set',
        params: { fix: 'add the access_key_id that goes with the secret' },
      });
    }
    if (storage.session_token !== undefined && storage.access_key_id === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['session_token'],
        message: 'is set without access_key_id/secret_access_key',
        params: { fix: 'a session token only works with temporary keys: set all three, or none' },
      });
    }
  });

export type StorageConfig = z.output<typeof StorageSchema>;
