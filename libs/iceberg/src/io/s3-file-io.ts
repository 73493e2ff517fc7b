// FileIO over S3 and S3-compatible stores (MinIO locally, AWS in production). Small writes are
// one PutObject; large or streamed writes go through @aws-sdk/lib-storage's multipart Upload so a
// 512 MiB Parquet file never sits in memory whole and a failed upload aborts its parts. Reads
// support byte ranges (Parquet footers). Credentials are static properties, the SDK default
// chain, or a provider the catalog supplies for vended credentials that refresh.

import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  BaseFileIO,
  checkRange,
  DEFAULT_DELETE_CONCURRENCY,
  type DeleteManyOptions,
  type DeleteManyResult,
  type FileInfo,
  forEachBounded,
  rangeOutside,
  type WriteSource,
} from './file-io.ts';
import { type S3CredentialsProvider, s3SettingsFromProperties } from './s3-config.ts';
import { mapS3Error, type S3Operation } from './s3-errors.ts';
import { formatS3Location, parseS3Location, type S3Location } from './s3-location.ts';

export interface S3FileIOOptions {
  /** Iceberg FileIO properties (`s3.endpoint`, `s3.access-key-id`, `client.region`, …). */
  readonly properties?: Readonly<Record<string, string>>;
  /** Takes precedence over static credentials in `properties` (vended, refreshing credentials). */
  readonly credentials?: S3CredentialsProvider;
  /** A ready client (tests, shared connection pools); `properties` are then ignored. */
  readonly client?: S3Client;
  /** Buffers at least this large, and every stream, are uploaded as multipart. Default 8 MiB. */
  readonly multipartThresholdBytes?: number;
  /** Multipart part size; S3 requires ≥ 5 MiB. Default 8 MiB. */
  readonly partSizeBytes?: number;
  /** Parts uploaded in parallel per file. Default 4. */
  readonly uploadConcurrency?: number;
}

const MiB = 1024 * 1024;
const DELETE_BATCH = 1000; // the DeleteObjects limit

export class S3FileIO extends BaseFileIO {
  readonly client: S3Client;
  readonly #accessKeyId: string | undefined;
  readonly #multipartThreshold: number;
  readonly #partSize: number;
  readonly #uploadConcurrency: number;

  constructor(options: S3FileIOOptions = {}) {
    super();
    const settings = s3SettingsFromProperties(options.properties ?? {});
    this.#accessKeyId = options.credentials === undefined ? settings.credentials?.accessKeyId : undefined;
    this.#multipartThreshold = options.multipartThresholdBytes ?? 8 * MiB;
    this.#partSize = Math.max(options.partSizeBytes ?? 8 * MiB, 5 * MiB);
    this.#uploadConcurrency = options.uploadConcurrency ?? 4;
    if (options.client) {
      this.client = options.client;
      return;
    }
    const config: S3ClientConfig = {
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      // Checksums only where S3 demands them: S3-compatible stores differ in what they accept.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (settings.endpoint !== undefined) config.endpoint = settings.endpoint;
    if (options.credentials) config.credentials = options.credentials;
    else if (settings.credentials) config.credentials = settings.credentials;
    this.client = new S3Client(config);
  }

  async write(location: string, source: WriteSource): Promise<number> {
    const target = parseS3Location(location);
    try {
      if (source instanceof Uint8Array && source.byteLength < this.#multipartThreshold) {
        await this.client.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: target.key,
            Body: source,
            ContentLength: source.byteLength,
          }),
        );
        return source.byteLength;
      }
      let written = 0;
      const counted = async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          written += chunk.byteLength;
          yield chunk;
        }
      };
      const chunks = source instanceof Uint8Array ? [source] : (source as AsyncIterable<Uint8Array>);
      const upload = new Upload({
        client: this.client,
        params: { Bucket: target.bucket, Key: target.key, Body: Readable.from(counted(toAsync(chunks))) },
        partSize: this.#partSize,
        queueSize: this.#uploadConcurrency,
        leavePartsOnError: false,
      });
      await upload.done();
      return written;
    } catch (error) {
      throw this.#error(error, 'write', location, target);
    }
  }

  async read(location: string): Promise<Uint8Array> {
    const target = parseS3Location(location);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: target.bucket, Key: target.key }),
      );
      return await bodyBytes(response.Body);
    } catch (error) {
      throw this.#error(error, 'read', location, target);
    }
  }

  async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(location, offset, length);
    const target = parseS3Location(location);
    if (length === 0) return new Uint8Array(0);
    let bytes: Uint8Array;
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      );
      bytes = await bodyBytes(response.Body);
    } catch (error) {
      throw this.#error(error, 'read', location, target);
    }
    // S3 answers a range running past the end with the bytes it has; that is a caller bug.
    if (bytes.byteLength !== length) throw rangeOutside(location, offset, length, offset + bytes.byteLength);
    return bytes;
  }

  async length(location: string): Promise<number> {
    const target = parseS3Location(location);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      throw this.#error(error, 'stat', location, target);
    }
  }

  async exists(location: string): Promise<boolean> {
    try {
      await this.length(location);
      return true;
    } catch (error) {
      if ((error as { kind?: string }).kind === 'not-found') return false;
      throw error;
    }
  }

  async delete(location: string): Promise<void> {
    const target = parseS3Location(location);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: target.key }));
    } catch (error) {
      const mapped = this.#error(error, 'delete', location, target);
      if (mapped.kind !== 'not-found' || (error as { name?: string }).name === 'NoSuchBucket') throw mapped;
    }
  }

  /** Batches keys per bucket into DeleteObjects calls of up to 1000 keys, a few calls at a time. */
  override async deleteMany(
    locations: Iterable<string>,
    options: DeleteManyOptions = {},
  ): Promise<DeleteManyResult> {
    const batches: { bucket: string; entries: { location: string; key: string }[] }[] = [];
    const byBucket = new Map<string, { location: string; key: string }[]>();
    for (const location of locations) {
      const { bucket, key } = parseS3Location(location);
      const entries = byBucket.get(bucket) ?? [];
      byBucket.set(bucket, entries);
      entries.push({ location, key });
    }
    for (const [bucket, entries] of byBucket) {
      for (let i = 0; i < entries.length; i += DELETE_BATCH) {
        batches.push({ bucket, entries: entries.slice(i, i + DELETE_BATCH) });
      }
    }
    let deleted = 0;
    const failed: { location: string; error: Error }[] = [];
    await forEachBounded(
      batches,
      options.concurrency ?? DEFAULT_DELETE_CONCURRENCY,
      async ({ bucket, entries }) => {
        const locationOf = new Map(entries.map((entry) => [entry.key, entry.location]));
        try {
          const response = await this.client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: entries.map(({ key }) => ({ Key: key })), Quiet: true },
            }),
          );
          const errors = response.Errors ?? [];
          for (const entryError of errors) {
            const key = entryError.Key ?? '';
            const location = locationOf.get(key) ?? `s3://${bucket}/${key}`;
            failed.push({
              location,
              error: mapS3Error(
                { name: entryError.Code, message: entryError.Message },
                this.#details('delete', location, { bucket, key }),
              ),
            });
          }
          deleted += entries.length - errors.length;
        } catch (error) {
          for (const { location, key } of entries) {
            failed.push({
              location,
              error: mapS3Error(error, this.#details('delete', location, { bucket, key })),
            });
          }
        }
      },
    );
    return { deleted, failed };
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    const target = parseS3Location(prefix);
    let continuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: target.bucket,
            Prefix: target.key,
            ...(continuationToken === undefined ? {} : { ContinuationToken: continuationToken }),
          }),
        );
      } catch (error) {
        throw this.#error(error, 'list', prefix, target);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          location: formatS3Location({ scheme: target.scheme, bucket: target.bucket, key: object.Key }),
          size: object.Size ?? 0,
          ...(object.LastModified ? { lastModifiedMs: object.LastModified.getTime() } : {}),
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  #details(operation: S3Operation, location: string, target: Pick<S3Location, 'bucket' | 'key'>) {
    return {
      operation,
      location,
      target,
      ...(this.#accessKeyId === undefined ? {} : { accessKeyId: this.#accessKeyId }),
    };
  }

  #error(error: unknown, operation: S3Operation, location: string, target: S3Location) {
    return mapS3Error(error, this.#details(operation, location, target));
  }
}

async function* toAsync(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) yield chunk;
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  const streamBody = body as { transformToByteArray?: () => Promise<Uint8Array> } | undefined;
  if (!streamBody?.transformToByteArray) return new Uint8Array(0);
  return streamBody.transformToByteArray();
}
