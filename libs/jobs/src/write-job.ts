// The write job contract, version 1 (DESIGN §4). A job holds references to staged Arrow IPC
// stream objects, never rows. Its idempotency key is also the BullMQ job id, so a producer retry
// cannot enqueue a second job, and it is the marker the writer records in `floe.job-ids`.
// Modes: `append`, `overwrite` (whole table, or the rows `overwriteFilter` matches),
// `replace-partitions`, `upsert` (the staged rows replace the table's rows with the same `keys`,
// default the table's identifier fields; others are inserted; a key twice in one job is an
// error) and `delete` (removes the rows `overwriteFilter` matches; stages no batches). Upsert and
// delete are merge-on-read: position delete files on v2 tables, deletion vectors on v3.
import type { TableIdentifier } from '@floe/iceberg';
import { z } from 'zod';
import { expressionJson } from './expression.ts';

export const WRITE_JOB_VERSION = 1;

/** BullMQ job ids may not contain ':' and may not be plain integers. */
export const idempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._~@=+\-/]+$/, "use letters, digits and . _ ~ @ = + - / (no ':' or spaces)")
  .refine((key) => !/^\d+$/.test(key), 'must not be a plain integer (BullMQ reserves those)')
  // The key is a part of the staged objects' keys; writers refuse keys a client could normalise.
  .refine(
    (key) => key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'),
    "must not hold an empty, '.' or '..' path segment (it becomes part of the staged object keys)",
  );

const identifierPart = z.string().min(1).max(255);

/** Namespace levels: a plain array on the wire, readonly in TS (the one `TableIdentifier`). */
const namespaceLevels: z.ZodType<readonly string[], readonly string[]> = z.array(identifierPart).min(1);

export const tableIdentifier = z.strictObject({
  namespace: namespaceLevels,
  name: identifierPart,
});

export const stagedBatch = z.strictObject({
  uri: z
    .string()
    .regex(
      /^(s3a?:\/\/[^/]+\/.+|file:\/\/\/.+)/,
      'must be an s3://bucket/key URI, or a file:///path URI for local staging',
    ),
  format: z.literal('arrow-ipc-stream'),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
    .optional(),
});

export const partitionFieldRequest = z.strictObject({
  /** source column name (dotted for nested fields) */
  source: z.string().min(1),
  /** identity, bucket[N], truncate[W], year, month, day, hour, void */
  transform: z.string().regex(/^(identity|year|month|day|hour|void|bucket\[\d+\]|truncate\[\d+\])$/),
  name: z.string().min(1).optional(),
});

export const sortFieldRequest = z.strictObject({
  source: z.string().min(1),
  transform: z.string().default('identity'),
  direction: z.enum(['asc', 'desc']).default('asc'),
  nullOrder: z.enum(['nulls-first', 'nulls-last']).default('nulls-first'),
});

export const createTableRequest = z.strictObject({
  partitionSpec: z.array(partitionFieldRequest).default([]),
  sortOrder: z.array(sortFieldRequest).optional(),
  properties: z.record(z.string(), z.string()).optional(),
  location: z.string().min(1).optional(),
});

const traceparent = z
  .string()
  .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent');

export const writeJob = z
  .strictObject({
    version: z.literal(WRITE_JOB_VERSION),
    table: tableIdentifier,
    mode: z.enum(['append', 'overwrite', 'replace-partitions', 'upsert', 'delete']),
    overwriteFilter: expressionJson.optional(),
    /** upsert: the key columns (top-level names); default: the table's identifier fields */
    keys: z.array(z.string().min(1)).min(1).optional(),
    batches: z.array(stagedBatch),
    schemaEvolution: z.enum(['add-columns', 'strict']).default('add-columns'),
    create: createTableRequest.optional(),
    idempotencyKey,
    snapshotProperties: z
      .record(z.string(), z.string())
      .superRefine((properties, ctx) => {
        for (const key of Object.keys(properties)) {
          if (key.startsWith('floe.')) {
            ctx.addIssue({ code: 'custom', path: [key], message: "keys starting with 'floe.' are reserved" });
          }
        }
      })
      .optional(),
    traceparent: traceparent.optional(),
    /** when the producer enqueued the job; bounds the writer's commit-marker search */
    enqueuedAt: z.iso.datetime(),
  })
  .refine((job) => job.overwriteFilter === undefined || job.mode === 'overwrite' || job.mode === 'delete', {
    message: 'overwriteFilter is only allowed with mode "overwrite" or "delete"',
    path: ['overwriteFilter'],
  })
  .refine((job) => job.mode !== 'delete' || job.overwriteFilter !== undefined, {
    message:
      'mode "delete" needs overwriteFilter: the rows to delete (use mode "overwrite" to empty a table)',
    path: ['overwriteFilter'],
  })
  .refine((job) => (job.mode === 'delete' ? job.batches.length === 0 : job.batches.length > 0), {
    message: 'a write job needs at least one staged batch (and a "delete" job none)',
    path: ['batches'],
  })
  .refine((job) => job.keys === undefined || job.mode === 'upsert', {
    message: 'keys is only allowed with mode "upsert"',
    path: ['keys'],
  });

export type WriteJob = z.output<typeof writeJob>;
export type WriteJobInput = z.input<typeof writeJob>;
export type StagedBatch = z.output<typeof stagedBatch>;
/** A job's table is the one floe table identifier (defined by @floe/iceberg). */
export type { TableIdentifier };
