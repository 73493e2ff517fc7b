// What a FloeProducer is built from and what one `write` call accepts, as zod schemas, so a
// bad option fails before anything is staged with a message that names the field path
// (`s3.region: …`, `create.partitionSpec.0.transform: …`). The write options reuse the pieces
// of the v1 job contract from @floe/jobs, so the SDK can never accept what the worker rejects.
import type { CompiledArtifacts } from '@floe/config';
import { DEFAULT_QUEUE_PREFIX, DEFAULT_WRITE_QUEUE, type TableIdentifier, writeJob } from '@floe/jobs';
import { z } from 'zod';
import { FloeProducerError } from './errors.ts';

const MiB = 1024 * 1024;
/**
 * A big write is staged as several objects of about this size: the next part is serialized while
 * the previous ones upload, and the writer reads them as separate objects.
 */
export const DEFAULT_PART_BYTES = 16 * MiB;
/** Parts serialized and uploading at once: up to 8 × (16 MiB + one batch) in memory. */
export const DEFAULT_CONCURRENCY = 8;

const queueName = z
  .string()
  .min(1)
  .refine((name) => !name.includes(':'), 'BullMQ queue names cannot contain ":"');

export const producerOptionsSchema = z.strictObject({
  redis: z.strictObject({
    url: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
    prefix: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
    /** how long to wait for Redis before reporting it unreachable */
    connectTimeoutMs: z.number().int().positive().default(5000),
  }),
  queueName: queueName.default(DEFAULT_WRITE_QUEUE),
  s3: z
    .strictObject({
      endpoint: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
      region: z.string().min(1).default('us-east-1'),
      forcePathStyle: z.boolean().default(false),
      credentials: z
        .strictObject({
          accessKeyId: z.string().min(1),
          secretAccessKey: z.string().min(1),
          sessionToken: z.string().min(1).optional(),
        })
        .optional(),
    })
    .default({ region: 'us-east-1', forcePathStyle: false }),
  staging: z
    .strictObject({
      bucket: z.string().min(3).max(63).optional(),
      /** A local folder (`file:///…`) instead of a bucket, for floe on one machine. */
      localRoot: z.string().startsWith('file:///').optional(),
      prefix: z.string().default('staging'),
    })
    .refine((staging) => (staging.bucket === undefined) !== (staging.localRoot === undefined), {
      message: 'give either a staging bucket or a local staging folder (file:///…), not both',
    }),
  /** target size of one staged object; whole record batches per part */
  partBytes: z
    .number()
    .int()
    .min(1024)
    .max(5 * 1024 * MiB)
    .default(DEFAULT_PART_BYTES),
  /** parts encoded and uploading at once */
  concurrency: z.number().int().min(1).max(64).default(DEFAULT_CONCURRENCY),
  job: z
    .strictObject({
      attempts: z.number().int().min(1).max(1000).default(10),
      /** first retry delay; doubles per attempt */
      backoffMs: z.number().int().min(1).default(1000),
      // Finished jobs are kept for the exactly-once window (@floe/jobs), not an option: that is
      // what makes an enqueue with the same key within the window return the existing job.
    })
    .default({ attempts: 10, backoffMs: 1000 }),
});

export type FloeProducerOptions = z.input<typeof producerOptionsSchema>;
export type ResolvedProducerOptions = z.output<typeof producerOptionsSchema>;

const shape = writeJob.shape;

export const writeOptionsSchema = z.strictObject({
  /** `delete` has its own method (`FloeProducer.delete`): it stages no data. */
  mode: z.enum(['append', 'overwrite', 'replace-partitions', 'upsert']).default('append'),
  overwriteFilter: shape.overwriteFilter,
  /** upsert: key columns (default: the table's identifier fields). */
  keys: shape.keys,
  schemaEvolution: shape.schemaEvolution,
  create: shape.create,
  snapshotProperties: shape.snapshotProperties,
  idempotencyKey: shape.idempotencyKey.optional(),
  traceparent: shape.traceparent,
});

export type WriteOptions = z.input<typeof writeOptionsSchema>;

export const deleteOptionsSchema = z.strictObject({
  snapshotProperties: shape.snapshotProperties,
  idempotencyKey: shape.idempotencyKey.optional(),
  traceparent: shape.traceparent,
});

export type DeleteOptions = z.input<typeof deleteOptionsSchema>;

export function resolveDeleteOptions(
  options: DeleteOptions | undefined,
): z.output<typeof deleteOptionsSchema> {
  return parseOrThrow(deleteOptionsSchema, options ?? {}, 'delete options');
}
export type ResolvedWriteOptions = z.output<typeof writeOptionsSchema>;

/** A table as `ns.name` / `ns.sub.name`, or namespace parts and a name. */
export type TableReference =
  | string
  | { readonly namespace: string | readonly string[]; readonly name: string };

export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      if (issue.code === 'unrecognized_keys') return `${path}: unknown option(s) ${issue.keys.join(', ')}`;
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new FloeProducerError('invalid-options', `invalid ${what}: ${describeZodIssues(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

export function resolveProducerOptions(options: FloeProducerOptions): ResolvedProducerOptions {
  return parseOrThrow(producerOptionsSchema, options, 'producer options');
}

export function resolveWriteOptions(options: WriteOptions | undefined): ResolvedWriteOptions {
  const resolved = parseOrThrow(writeOptionsSchema, options ?? {}, 'write options');
  if (resolved.overwriteFilter !== undefined && resolved.mode !== 'overwrite') {
    throw new FloeProducerError(
      'invalid-options',
      `invalid write options: overwriteFilter: is only allowed with mode "overwrite" (mode is "${resolved.mode}")`,
    );
  }
  if (resolved.keys !== undefined && resolved.mode !== 'upsert') {
    throw new FloeProducerError(
      'invalid-options',
      `invalid write options: keys: is only allowed with mode "upsert" (mode is "${resolved.mode}")`,
    );
  }
  return resolved;
}

export function resolveTable(table: TableReference): TableIdentifier {
  const candidate =
    typeof table === 'string'
      ? (() => {
          const parts = table.split('.');
          if (parts.length < 2 || parts.some((part) => part.length === 0)) {
            throw new FloeProducerError(
              'invalid-options',
              `invalid table "${table}": write it as namespace.name (e.g. bronze.events)`,
            );
          }
          return { namespace: parts.slice(0, -1), name: parts.at(-1) as string };
        })()
      : {
          namespace: typeof table.namespace === 'string' ? table.namespace.split('.') : [...table.namespace],
          name: table.name,
        };
  return parseOrThrow(shape.table, candidate, 'table');
}

/**
 * Producer options from CompiledArtifacts (`storage` and `queue`). The part size stays well
 * under `storage.max_staged_object_bytes`, the limit writers enforce, because part sizes are
 * estimated from Arrow buffer sizes before encoding.
 */
export function producerOptionsFromArtifacts(
  artifacts: Pick<CompiledArtifacts, 'storage' | 'queue'>,
  overrides: Partial<Pick<FloeProducerOptions, 'partBytes' | 'concurrency' | 'job'>> = {},
): FloeProducerOptions {
  const { storage, queue } = artifacts;
  const limit = Math.floor(storage.max_staged_object_bytes * 0.8);
  return {
    redis: { url: queue.redis_url, prefix: queue.prefix },
    queueName: queue.write_queue,
    s3: {
      ...(storage.endpoint === undefined ? {} : { endpoint: storage.endpoint }),
      region: storage.region,
      forcePathStyle: storage.path_style,
      ...(storage.access_key_id !== undefined && storage.secret_access_key !== undefined
        ? {
            credentials: {
              accessKeyId: storage.access_key_id,
              secretAccessKey: storage.secret_access_key,
              ...(storage.session_token === undefined ? {} : { sessionToken: storage.session_token }),
            },
          }
        : {}),
    },
    staging: {
      ...(storage.staging.bucket === undefined ? {} : { bucket: storage.staging.bucket }),
      ...(storage.staging.location === undefined ? {} : { localRoot: storage.staging.location }),
      prefix: storage.staging.prefix,
    },
    partBytes: Math.min(overrides.partBytes ?? DEFAULT_PART_BYTES, Math.max(1024, limit)),
    ...(overrides.concurrency === undefined ? {} : { concurrency: overrides.concurrency }),
    ...(overrides.job === undefined ? {} : { job: overrides.job }),
  };
}
