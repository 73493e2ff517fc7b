// Reads a job's staged Arrow IPC stream objects from S3 as a stream of record batches:
// GetObject's body is piped through a byte counter (the configured
// `storage.max_staged_object_bytes` limit), a sha256 hash and a row count into apache-arrow's
// streaming reader. An object up to BUFFERED_OBJECT_BYTES is read whole into one buffer as it
// downloads (hashed on the way), so a caller can fetch the next object while decoding this one
// and the decoder reads batches in place instead of gathering them from network chunks; a
// bigger one is streamed without being held in memory. Every failure names the object's URI and says whether retrying can help:
// a missing object, rejected credentials, corrupt IPC bytes, an oversized object or a checksum /
// row-count mismatch fail the job; a dropped connection is retried. Only objects of the staging
// area (floe.yaml `storage.staging`) are ever read or deleted: `assertInStagingArea` runs on a
// job's URIs before anything is read, and the delete (staged-object-deletes.ts) refuses anything outside.
import { createHash } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from '@floe/config';
import { classifyS3Failure } from '@floe/iceberg';
import {
  outsideStagingArea,
  parseS3Uri,
  type StagedBatch,
  type StagingLocation,
  stagingAreaUri,
} from '@floe/jobs';
import { type RecordBatch, RecordBatchReader, type Schema } from 'apache-arrow';
import { isLocalStagedUri, localStagedError, openLocalBody } from './local-staged-objects.ts';
import { WriterError } from './writer-error.ts';

/** Largest staged object read whole into memory (the producer SDK stages 16 MiB parts). */
export const BUFFERED_OBJECT_BYTES = 64 * 1024 * 1024;

export function stagingClientFrom(storage: StorageConfig): S3Client {
  const credentials =
    storage.access_key_id !== undefined && storage.secret_access_key !== undefined
      ? {
          accessKeyId: storage.access_key_id,
          secretAccessKey: storage.secret_access_key,
          ...(storage.session_token === undefined ? {} : { sessionToken: storage.session_token }),
        }
      : undefined;
  return new S3Client({
    region: storage.region,
    forcePathStyle: storage.path_style,
    // The job's sha256 checks every staged byte end to end; the SDK's CRC32 on top costs about
    // 50 ms of CPU per 88 MB read and proves nothing more.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(storage.endpoint === undefined ? {} : { endpoint: storage.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
}

/** Turns an S3 SDK failure on a staged object into a WriterError naming the object. */
export function stagedObjectError(error: unknown, uri: string, accessKeyId: string | undefined): WriterError {
  if (error instanceof WriterError) return error;
  const failure = classifyS3Failure(error);
  const { status, code } = failure;
  const context = { uri, status, code };
  if (failure.kind === 'auth') {
    const who = accessKeyId === undefined ? '' : ` for access key id '${accessKeyId}'`;
    return new WriterError(
      'storage-auth',
      `storage rejected the credentials${who} reading staged object ${uri} (${status ?? 'no status'} ${code}): ` +
        'check storage.access_key_id / storage.secret_access_key in floe.yaml and that they may read the staging bucket',
      { context },
    );
  }
  if (failure.kind === 'not-found') {
    return new WriterError(
      'staged-object-missing',
      `staged object ${uri} does not exist (${code}): it was deleted or never uploaded; re-stage the data and enqueue the job again`,
      { context },
    );
  }
  return new WriterError(
    'staged-object-io',
    `reading staged object ${uri} failed (${status ?? 'no response'} ${code}): ${failure.message}`,
    { context, cause: error },
  );
}

/** Fails (not retryable) on the first URI outside the staging area, naming it and the allowed prefix. */
export function assertInStagingArea(uris: readonly string[], area: StagingLocation): void {
  for (const uri of uris) {
    const problem = outsideStagingArea(uri, area);
    if (problem === undefined) continue;
    const allowed = stagingAreaUri(area);
    throw new WriterError(
      'staged-object-outside-staging',
      `staged object ${uri} is outside the staging area ${allowed} (${problem}); nothing was read: ` +
        `writers only read and delete objects under ${allowed} (storage.staging.bucket and storage.staging.prefix ` +
        'in floe.yaml) — stage the data there (the producer SDK and the Dagster IO manager do) and enqueue the job again',
      { context: { uri, allowed } },
    );
  }
}

export interface StagedObjectReader {
  readonly uri: string;
  readonly schema: Schema;
  /** The object's record batches; checks size, checksum and row count as the stream ends. */
  readonly batches: AsyncIterable<RecordBatch>;
  /** Rows seen so far (complete once `batches` is exhausted). */
  rowsRead(): number;
  bytesRead(): number;
  /** Stops reading and frees the connection (when only the schema was needed). */
  close(): void;
}

export interface OpenStagedObjectOptions {
  readonly client: S3Client;
  readonly batch: StagedBatch;
  readonly maxBytes: number;
  /** Shown in storage-auth messages; never the secret. */
  readonly accessKeyId?: string;
  /** Largest object read whole into memory; bigger ones are streamed (default BUFFERED_OBJECT_BYTES). */
  readonly bufferUpToBytes?: number;
}

/** Opens a staged object and reads its Arrow IPC stream header (schema); batches follow lazily. */
export async function openStagedObject(options: OpenStagedObjectOptions): Promise<StagedObjectReader> {
  const { batch, maxBytes } = options;
  const uri = batch.uri;
  const tooLarge = (bytes: number) =>
    new WriterError(
      'staged-object-too-large',
      `staged object ${uri} is ${bytes} bytes or more, above storage.max_staged_object_bytes (${maxBytes}): ` +
        'split the data into smaller parts (the producer SDK does this) or raise the limit',
      { context: { uri, bytes, limit: maxBytes } },
    );
  if (batch.bytes > maxBytes) throw tooLarge(batch.bytes);
  const local = isLocalStagedUri(uri);
  const readError = (error: unknown) =>
    local ? localStagedError(error, uri) : stagedObjectError(error, uri, options.accessKeyId);
  let body: AsyncIterable<Uint8Array>;
  let destroyBody: () => void = () => undefined;
  if (local) {
    ({ body, destroy: destroyBody } = await openLocalBody(uri, maxBytes, tooLarge));
  } else {
    const { bucket, key } = parseS3Uri(uri);
    try {
      const response = await options.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
        (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw tooLarge(response.ContentLength);
      }
      body = response.Body as AsyncIterable<Uint8Array>;
      destroyBody = () => (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
    } catch (error) {
      throw stagedObjectError(error, uri, options.accessKeyId);
    }
  }

  const hash = createHash('sha256');
  let bytes = 0;
  async function* countedBody(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of body) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) throw tooLarge(bytes);
        hash.update(chunk);
        yield chunk;
      }
    } catch (error) {
      throw readError(error);
    }
  }

  const corrupt = (error: unknown) =>
    error instanceof WriterError
      ? error
      : new WriterError(
          'staged-object-corrupt',
          `staged object ${uri} is not a readable Arrow IPC stream (${error instanceof Error ? error.message : String(error)}): ` +
            "stage it with apache-arrow's tableToIPC(table, 'stream') or pyarrow's ipc.new_stream",
          { context: { uri }, cause: error },
        );

  let reader: RecordBatchReader;
  try {
    reader =
      batch.bytes <= (options.bufferUpToBytes ?? BUFFERED_OBJECT_BYTES)
        ? RecordBatchReader.from(await readWhole(countedBody(), batch.bytes))
        : await RecordBatchReader.from(countedBody());
    await reader.open();
  } catch (error) {
    throw corrupt(error);
  }
  if (reader.isFile()) {
    throw corrupt(new Error('it is in the Arrow IPC *file* format; the contract asks for the stream format'));
  }
  const schema = reader.schema as Schema | undefined;
  if (schema === undefined || schema.fields.length === 0) {
    throw corrupt(new Error(bytes === 0 ? 'the object is empty' : 'the stream has no schema'));
  }

  let rows = 0;
  const opened = reader;
  async function* batches(): AsyncGenerator<RecordBatch> {
    try {
      for await (const recordBatch of opened as AsyncIterable<RecordBatch>) {
        rows += recordBatch.numRows;
        yield recordBatch;
      }
    } catch (error) {
      throw corrupt(error);
    }
    if (rows !== batch.rows) {
      throw new WriterError(
        'staged-object-mismatch',
        `staged object ${uri} holds ${rows} rows but the job declares ${batch.rows}: the object was replaced or the job is wrong`,
        { context: { uri, rows, declared: batch.rows } },
      );
    }
    const digest = hash.digest('hex');
    if (batch.sha256 !== undefined && digest !== batch.sha256) {
      throw new WriterError(
        'staged-object-mismatch',
        `staged object ${uri} has sha256 ${digest} but the job declares ${batch.sha256}: the object was replaced or corrupted in transit`,
        { context: { uri, sha256: digest, declared: batch.sha256 } },
      );
    }
  }
  return {
    uri,
    schema,
    batches: batches(),
    rowsRead: () => rows,
    bytesRead: () => bytes,
    close: () => {
      destroyBody();
      Promise.resolve()
        .then(() => opened.cancel())
        .catch(() => undefined);
    },
  };
}

/**
 * The whole body in one buffer, sized by the declared length (grown if the object is longer; the
 * byte counter upstream enforces the limit). A shorter body yields just what arrived.
 */
async function readWhole(body: AsyncIterable<Uint8Array>, declared: number): Promise<Uint8Array> {
  let buffer = new Uint8Array(Math.max(0, declared));
  let length = 0;
  for await (const chunk of body) {
    if (length + chunk.byteLength > buffer.byteLength) {
      const grown = new Uint8Array(Math.max(length + chunk.byteLength, buffer.byteLength * 2));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.byteLength;
  }
  return buffer.subarray(0, length);
}
