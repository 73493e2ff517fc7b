// What a write job returns (the BullMQ return value), and why it failed when it did.
// Iceberg longs (snapshot id, sequence number) travel as decimal strings: they exceed 2^53.
import { z } from 'zod';

const decimalLong = z.string().regex(/^-?\d{1,19}$/, 'must be a decimal integer string (an Iceberg long)');

export const writeResult = z.strictObject({
  /** dotted table name, e.g. `bronze.events` */
  table: z.string().min(1),
  snapshotId: decimalLong,
  sequenceNumber: decimalLong,
  operation: z.enum(['append', 'overwrite', 'replace', 'delete']),
  addedRows: z.number().int().nonnegative(),
  addedFiles: z.number().int().nonnegative(),
  addedBytes: z.number().int().nonnegative(),
  removedFiles: z.number().int().nonnegative(),
  /** rows removed by row-level deletes (upsert, delete): position deletes and deletion vectors */
  deletedRows: z.number().int().nonnegative().default(0),
  schemaId: z.number().int().nonnegative(),
  /** commit attempts of the snapshot that holds this job */
  attempts: z.number().int().positive(),
  /** jobs committed together in that snapshot (group commit), this one included */
  coalescedJobs: z.number().int().positive(),
  committedAt: z.iso.datetime(),
  /** true when the job had already been committed (found by its marker) and nothing new was written */
  alreadyCommitted: z.boolean().default(false),
});

export const failureReason = z.strictObject({
  kind: z.string().min(1),
  message: z.string().min(1),
  retryable: z.boolean(),
  context: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export type WriteResult = z.output<typeof writeResult>;
export type FailureReason = z.output<typeof failureReason>;
