// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
// `storage:` — the S3-compatible object store floe stages batches in and writes data files to
// (table locations come from the catalog; this section says how to talk to S3 and where
// staged Arrow batches go). Without static keys the AWS default credential chain is used;
// with `catalog.access_delegation: vended-credentials` table IO uses the catalog's credentials.
import { z } from 'zod';
import { bucketName, flag, httpUrl, integer, text } from './fields.ts';

export const StagingSchema = z.strictObject({
  /** Bucket holding staged Arrow IPC batches. */
  bucket: bucketName,
  /** Key prefix under which producers stage batches. */
  prefix: z
    .string()
    .default('staging/')
    .refine((prefix) => !prefix.startsWith('/'), {
      message: 'starts with /',
      params: { fix: 'write the key prefix without a leading slash, e.g. staging/' },
    }),
});

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
