// The CPU-heavy middle of a write job: stream the job's staged Arrow IPC objects from S3,
// reconcile their schema with the table (`add-columns` / `strict`), cast every batch, partition
// and encode Parquet data files into the table location. It returns the written DataFile records
// and the schema change the commit must carry. The same function runs in an encode thread
// (encode-thread.ts, the normal path: the main event loop stays free for BullMQ lock renewal)
// or in-process when no pool is given (tests, tools); everything it takes is structured-clone
// safe except the two clients, which the thread builds from plain settings. A big job on an
// unpartitioned table is encoded as several files at once (the library's encode threads).
import type { S3Client } from '@aws-sdk/client-s3';
import {
  castBatch,
  type DataFile,
  type FileIO,
  reconcileWithTable,
  type SchemaUpdateResult,
  type TableMetadata,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import type { StagedBatch, WriteJob } from '@floe/jobs';
import type { Schema as ArrowSchema, RecordBatch } from 'apache-arrow';
import { openStagedObject, type StagedObjectReader } from './staged-objects.ts';
import { WriterError } from './writer-error.ts';

/**
 * Parquet files one big unpartitioned job encodes at once (row ranges on the library's encode
 * threads). Kept small because every encode thread of the writer may run such a job at the same
 * time, and each file in flight holds its chunk in memory.
 */
export const JOB_ENCODE_THREADS = 2;

/** What a job needs encoded; plain data, so it crosses a thread boundary by structured clone. */
export interface EncodeRequest {
  /** Dotted table name, for messages. */
  readonly tableName: string;
  readonly metadata: TableMetadata;
  readonly batches: readonly StagedBatch[];
  readonly schemaEvolution: WriteJob['schemaEvolution'];
  readonly mode: WriteJob['mode'];
  readonly hasOverwriteFilter: boolean;
  readonly maxStagedObjectBytes: number;
  readonly targetFileSizeBytes: number;
  readonly stagingAccessKeyId?: string;
}

/**
 * The table metadata as encoding reads it (schemas, partition specs, properties, location, format
 * version): the snapshot history — most of a busy table's metadata — is left out, so a job's
 * structured clone into the encode thread stays small however long the history grows.
 */
export function encodeView(metadata: TableMetadata): TableMetadata {
  const {
    currentSnapshotId: _current,
    statistics: _stats,
    partitionStatistics: _partStats,
    ...rest
  } = metadata;
  return { ...rest, snapshots: [], snapshotLog: [], metadataLog: [], refs: {} };
}

export interface EncodeResult {
  readonly files: readonly DataFile[];
  /** Partition spec the files were written with (the table's default). */
  readonly specId: number;
  /** The schema change to commit with the files; absent when the table already fits. */
  readonly evolution?: SchemaUpdateResult;
}

export interface EncodeClients {
  readonly staging: S3Client;
  readonly io: FileIO;
}

function sameArrowSchema(a: ArrowSchema, b: ArrowSchema): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every(
      (field, i) => field.name === b.fields[i]?.name && String(field.type) === String(b.fields[i]?.type),
    )
  );
}

/**
 * Reads every staged object of the job as one stream of batches cast to the write schema. The
 * next object is opened (and, when small, downloaded and hashed: staged-objects.ts) while this
 * one's batches are decoded and encoded, so the network never waits for the CPU or back.
 */
async function* castBatches(
  request: EncodeRequest,
  clients: EncodeClients,
  first: StagedObjectReader,
  cast: (batch: RecordBatch) => RecordBatch,
): AsyncGenerator<RecordBatch> {
  let next: Promise<StagedObjectReader> | undefined;
  const prefetch = (index: number): void => {
    const staged = request.batches[index];
    next = staged === undefined ? undefined : open(request, clients, staged);
    // Awaited below; until then a failure must not count as unhandled.
    next?.catch(() => undefined);
  };
  try {
    for (let index = 0; index < request.batches.length; index++) {
      const reader = index === 0 ? first : await (next as Promise<StagedObjectReader>);
      prefetch(index + 1);
      if (index > 0 && !sameArrowSchema(first.schema, reader.schema)) {
        throw new WriterError(
          'staged-object-mismatch',
          `staged object ${reader.uri} has a different Arrow schema than ${first.uri}: all parts of one job must share one schema`,
          { context: { uri: reader.uri } },
        );
      }
      for await (const batch of reader.batches) yield cast(batch);
    }
  } finally {
    // Stopped early (a failure): free the connection of an object opened ahead.
    void next?.then(
      (reader) => reader.close(),
      () => undefined,
    );
  }
}

function open(
  request: EncodeRequest,
  clients: EncodeClients,
  batch: StagedBatch,
): Promise<StagedObjectReader> {
  return openStagedObject({
    client: clients.staging,
    batch,
    maxBytes: request.maxStagedObjectBytes,
    ...(request.stagingAccessKeyId === undefined ? {} : { accessKeyId: request.stagingAccessKeyId }),
  });
}

/** Pulls the first batch so its (cast) Arrow schema is known before the writer starts. */
async function peeked(
  source: AsyncGenerator<RecordBatch>,
): Promise<{ schema: ArrowSchema | undefined; batches: AsyncIterable<RecordBatch> }> {
  const head = await source.next();
  if (head.done) return { schema: undefined, batches: source };
  async function* all(): AsyncGenerator<RecordBatch> {
    yield head.value as RecordBatch;
    yield* source;
  }
  return { schema: (head.value as RecordBatch).schema, batches: all() };
}

export async function encodeJob(request: EncodeRequest, clients: EncodeClients): Promise<EncodeResult> {
  const { metadata, tableName } = request;
  const first = await open(request, clients, request.batches[0] as StagedBatch);
  const reconciled = reconcileWithTable(metadata, first.schema, request.schemaEvolution, tableName);
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  if (spec === undefined) throw new Error(`table ${tableName} has no default partition spec`);
  if (request.mode === 'overwrite' && request.hasOverwriteFilter && reconciled.evolution !== undefined) {
    throw new WriterError(
      'unsupported-request',
      `an overwrite with a filter cannot also change the schema of ${tableName} in this version of floe: ` +
        `${reconciled.casts.length > 0 ? 'the data needs new or wider columns; ' : ''}` +
        'evolve the table first (append with add-columns or `floe table`), then overwrite',
      { context: { table: tableName } },
    );
  }
  const source = castBatches(request, clients, first, (batch) =>
    castBatch(batch, reconciled.plan, { tableName }),
  );
  const { schema: arrowSchema, batches } = await peeked(source);
  const files =
    arrowSchema === undefined
      ? []
      : await writePartitionedDataFiles(batches, {
          io: clients.io,
          tableLocation: metadata.location,
          schema: reconciled.writeSchema,
          spec,
          arrowSchema,
          properties: {
            'write.target-file-size-bytes': String(request.targetFileSizeBytes),
            ...metadata.properties,
          },
          // A big unpartitioned job's row ranges: how many at once, and their size.
          encodeThreads: JOB_ENCODE_THREADS,
          expectedBytes: request.batches.reduce((sum, staged) => sum + staged.bytes, 0),
        });
  return {
    files,
    specId: spec.specId,
    ...(reconciled.evolution === undefined ? {} : { evolution: reconciled.evolution }),
  };
}
