// The write job pipeline, one job from payload to committed snapshot (DESIGN §4–§6):
//   1. parse the payload against the v1 contract (invalid → JobContractError, not retryable);
//   2. load the table; if it is missing, create it from the staged data when the job asks
//      (`create`), else fail with what to do;
//   3. marker check: a snapshot whose `floe.job-ids` holds this job means a previous delivery
//      already committed it — return that snapshot, read and write nothing;
//   4. stream the staged Arrow IPC objects, reconcile their schema with the table
//      (`add-columns` / `strict`), cast, partition and encode Parquet data files;
//   5. commit with the marker in the snapshot summary (append / overwrite [by filter] /
//      replace-partitions), re-checking the marker on every attempt (commitWithRebase);
//   6. after the commit is durable, delete the staged objects (best effort).
// If data files were written and the commit failed, the table is reloaded once: the marker
// present means the commit landed after all (success); absent means the files are abandoned and
// deleted (best effort). If the reload itself fails the files stay for the orphan sweep — they
// might be referenced.
// Group commit and worker threads are not here yet: one job, one snapshot, on the event loop.
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { type Catalog, CatalogError, type LoadedTable, tableMetadataOf } from '@floe/catalog';
import {
  type AddedDataFile,
  type CatalogCommitter,
  type CommitLogger,
  type CommitOutcome,
  type CommittedTable,
  castBatch,
  commitOverwriteByFilter,
  commitWithRebase,
  type FileIO,
  fastAppend,
  fileIOFor,
  findSnapshotWithProperty,
  overwrite,
  reconcileWithTable,
  replacePartitions,
  type Snapshot,
  type SnapshotChange,
  type TableMetadata,
  withSchemaChange,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { parseWriteJob, type WriteJob, type WriteResult } from '@floe/jobs';
import type { Schema as ArrowSchema, RecordBatch } from 'apache-arrow';
import { createTableFromData } from './create-table.ts';
import { deleteStagedObjects, openStagedObject, type StagedObjectReader } from './staged-objects.ts';
import { writeResultFrom } from './write-result-from.ts';
import { WriterError } from './writer-error.ts';

export const JOB_IDS_PROPERTY = 'floe.job-ids';
export const COMMIT_ID_PROPERTY = 'floe.commit-id';
/** Clock-skew margin of the marker search: nothing committed before enqueue minus this holds the job. */
export const MARKER_SKEW_MS = 10 * 60 * 1000;

export interface WriteJobLogger extends CommitLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

export interface CommitObservation {
  readonly table: string;
  readonly status: CommitOutcome['status'];
  readonly attempts: number;
  readonly conflicts: number;
  readonly durationMs: number;
}

export interface WriteJobDeps {
  readonly catalog: Catalog;
  readonly committer: CatalogCommitter;
  /** S3 client for the staging bucket. */
  readonly staging: S3Client;
  /** `s3.*` FileIO properties from floe.yaml's storage section; the catalog's table config wins. */
  readonly s3Properties: Readonly<Record<string, string>>;
  /** Use the catalog's vended, refreshing credentials for table IO. */
  readonly vendedCredentials: boolean;
  readonly maxStagedObjectBytes: number;
  readonly targetFileSizeBytes: number;
  readonly stagingAccessKeyId?: string;
  readonly logger?: WriteJobLogger;
  readonly onCommit?: (observation: CommitObservation) => void;
}

export interface WriteJobContext {
  /** BullMQ delivery attempt (1-based), for logs. */
  readonly attempt?: number;
}

function dotted(job: WriteJob): string {
  return [...job.table.namespace, job.table.name].join('.');
}

function markerCheck(job: WriteJob): (base: CommittedTable) => Snapshot | undefined {
  const jobId = job.idempotencyKey;
  const notBeforeMs = BigInt(Date.parse(job.enqueuedAt) - MARKER_SKEW_MS);
  return (base) =>
    findSnapshotWithProperty(base.metadata, JOB_IDS_PROPERTY, (value) => value.split(',').includes(jobId), {
      notBeforeMs,
    });
}

async function loadOrCreate(
  job: WriteJob,
  deps: WriteJobDeps,
  openFirst: () => Promise<StagedObjectReader>,
): Promise<LoadedTable> {
  try {
    return await deps.catalog.loadTable(job.table);
  } catch (error) {
    const missing =
      error instanceof CatalogError && (error.kind === 'no-such-table' || error.kind === 'no-such-namespace');
    if (!missing) throw error;
    const name = dotted(job);
    if (job.create === undefined) {
      throw new WriterError(
        'table-missing',
        `table ${name} does not exist; pass create (with a partitionSpec) in the write job to create it from the data, ` +
          'or create the table in the catalog first',
        { context: { table: name } },
      );
    }
    const first = await openFirst();
    const created = await createTableFromData(deps.catalog, job.table, first.schema, job.create);
    deps.logger?.info({ table: name, created: created.created }, 'created table from the staged data');
    return created;
  }
}

function sameArrowSchema(a: ArrowSchema, b: ArrowSchema): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every(
      (field, i) => field.name === b.fields[i]?.name && String(field.type) === String(b.fields[i]?.type),
    )
  );
}

/** Reads every staged object of the job as one stream of batches cast to the write schema. */
async function* castBatches(
  job: WriteJob,
  deps: WriteJobDeps,
  first: StagedObjectReader,
  cast: (batch: RecordBatch) => RecordBatch,
): AsyncGenerator<RecordBatch> {
  for (const [index, staged] of job.batches.entries()) {
    const reader =
      index === 0
        ? first
        : await openStagedObject({
            client: deps.staging,
            batch: staged,
            maxBytes: deps.maxStagedObjectBytes,
            ...(deps.stagingAccessKeyId === undefined ? {} : { accessKeyId: deps.stagingAccessKeyId }),
          });
    if (index > 0 && !sameArrowSchema(first.schema, reader.schema)) {
      throw new WriterError(
        'staged-object-mismatch',
        `staged object ${reader.uri} has a different Arrow schema than ${first.uri}: all parts of one job must share one schema`,
        { context: { uri: reader.uri } },
      );
    }
    for await (const batch of reader.batches) yield cast(batch);
  }
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

function tableIO(deps: WriteJobDeps, loaded: LoadedTable, metadata: TableMetadata): FileIO {
  const properties = { ...deps.s3Properties, ...loaded.config };
  if (!deps.vendedCredentials) return fileIOFor(metadata.location, properties);
  const provider = deps.catalog.credentialsFor(loaded.identifier);
  return fileIOFor(metadata.location, properties, { s3Credentials: provider.awsCredentialProvider });
}

export async function processWriteJob(
  payload: unknown,
  deps: WriteJobDeps,
  context: WriteJobContext = {},
): Promise<WriteResult> {
  const started = Date.now();
  const job = parseWriteJob(payload);
  const name = dotted(job);
  const jobId = job.idempotencyKey;
  const fields = { table: name, jobId, attempt: context.attempt ?? 1 };
  const alreadyCommitted = markerCheck(job);

  let first: StagedObjectReader | undefined;
  const openFirst = async () => {
    first ??= await openStagedObject({
      client: deps.staging,
      batch: job.batches[0] as WriteJob['batches'][number],
      maxBytes: deps.maxStagedObjectBytes,
      ...(deps.stagingAccessKeyId === undefined ? {} : { accessKeyId: deps.stagingAccessKeyId }),
    });
    return first;
  };

  const loaded = await loadOrCreate(job, deps, openFirst);
  const metadata = tableMetadataOf(loaded);
  const base: CommittedTable = { metadata, metadataLocation: loaded.metadataLocation };
  const finishStaging = async () => {
    const { failed } = await deleteStagedObjects(
      deps.staging,
      job.batches.map((b) => b.uri),
    );
    for (const failure of failed) {
      deps.logger?.warn(
        { ...fields, uri: failure.uri, err: failure.error },
        'could not delete a staged object',
      );
    }
  };

  // A previous delivery committed this job: answer with its snapshot, touch nothing.
  const found = alreadyCommitted(base);
  if (found !== undefined) {
    await finishStaging();
    deps.logger?.info(
      { ...fields, snapshotId: found.snapshotId.toString(), durationMs: Date.now() - started },
      'job already committed; returning its snapshot',
    );
    return writeResultFrom({
      table: name,
      snapshot: found,
      currentSchemaId: metadata.currentSchemaId,
      attempts: 1,
      alreadyCommitted: true,
    });
  }

  const reader = await openFirst();
  const reconciled = reconcileWithTable(metadata, reader.schema, job.schemaEvolution, name);
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  if (spec === undefined) throw new Error(`table ${name} has no default partition spec`);
  if (job.mode === 'overwrite' && job.overwriteFilter !== undefined && reconciled.evolution !== undefined) {
    throw new WriterError(
      'unsupported-request',
      `an overwrite with a filter cannot also change the schema of ${name} in this version of floe: ` +
        `${reconciled.casts.length > 0 ? 'the data needs new or wider columns; ' : ''}` +
        'evolve the table first (append with add-columns or `floe table`), then overwrite',
      { context: { table: name } },
    );
  }

  const io = tableIO(deps, loaded, metadata);
  const source = castBatches(job, deps, reader, (batch) =>
    castBatch(batch, reconciled.plan, { tableName: name }),
  );
  const { schema: arrowSchema, batches } = await peeked(source);
  const files =
    arrowSchema === undefined
      ? []
      : await writePartitionedDataFiles(batches, {
          io,
          tableLocation: metadata.location,
          schema: reconciled.writeSchema,
          spec,
          arrowSchema,
          properties: {
            'write.target-file-size-bytes': String(deps.targetFileSizeBytes),
            ...metadata.properties,
          },
        });
  const added: AddedDataFile[] = files.map((file) => ({ file, specId: spec.specId }));
  const summaryProperties = {
    ...job.snapshotProperties,
    [JOB_IDS_PROPERTY]: jobId,
    [COMMIT_ID_PROPERTY]: randomUUID(),
  };

  let outcome: CommitOutcome;
  try {
    outcome = await commit(job, deps, {
      base,
      io,
      added,
      summaryProperties,
      alreadyCommitted,
      evolution: reconciled.evolution,
    });
  } catch (error) {
    const landed = await landedAfterFailure(deps, job, alreadyCommitted, io, added, fields);
    if (landed === undefined) throw error;
    outcome = {
      status: 'committed',
      snapshot: landed.snapshot,
      table: landed.table,
      attempts: 1,
      conflicts: 0,
      durationMs: Date.now() - started,
    };
  }
  deps.onCommit?.({
    table: name,
    status: outcome.status,
    attempts: outcome.attempts,
    conflicts: outcome.conflicts,
    durationMs: outcome.durationMs,
  });
  if (outcome.status === 'already-committed' && added.length > 0) {
    // A concurrent delivery won: our files are not referenced by its snapshot.
    await io.deleteMany(added.map((a) => a.file.filePath)).catch(() => undefined);
  }
  await finishStaging();
  const result = writeResultFrom({
    table: name,
    snapshot: outcome.snapshot,
    currentSchemaId: outcome.table.metadata.currentSchemaId,
    attempts: outcome.attempts,
    alreadyCommitted: outcome.status === 'already-committed',
  });
  deps.logger?.info(
    {
      ...fields,
      snapshotId: result.snapshotId,
      commitAttempts: result.attempts,
      rows: result.addedRows,
      files: result.addedFiles,
      bytes: result.addedBytes,
      durationMs: Date.now() - started,
    },
    result.alreadyCommitted ? 'job already committed' : 'job committed',
  );
  return result;
}

interface CommitInput {
  readonly base: CommittedTable;
  readonly io: FileIO;
  readonly added: readonly AddedDataFile[];
  readonly summaryProperties: Readonly<Record<string, string>>;
  readonly alreadyCommitted: (base: CommittedTable) => Snapshot | undefined;
  readonly evolution: Parameters<typeof withSchemaChange>[1];
}

async function commit(job: WriteJob, deps: WriteJobDeps, input: CommitInput): Promise<CommitOutcome> {
  const common = {
    committer: deps.committer,
    identifier: job.table,
    io: input.io,
    base: input.base,
    alreadyCommitted: input.alreadyCommitted,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  };
  if (job.mode === 'overwrite' && job.overwriteFilter !== undefined) {
    return commitOverwriteByFilter({
      ...common,
      filter: job.overwriteFilter as never,
      newFiles: input.added,
      summaryProperties: input.summaryProperties,
    });
  }
  const options = { summaryProperties: input.summaryProperties };
  let change: SnapshotChange;
  if (job.mode === 'append') change = fastAppend(input.added, options);
  else if (job.mode === 'overwrite') change = overwrite(input.added, undefined, options);
  else change = replacePartitions(input.added, options);
  return commitWithRebase({ ...common, change: withSchemaChange(change, input.evolution) });
}

/**
 * After a failed commit: reload once. The marker present → the commit landed (return it).
 * Absent → nothing of ours is referenced: delete the data files written for this job.
 * Reload failing → unknown; leave the files for the orphan sweep.
 */
async function landedAfterFailure(
  deps: WriteJobDeps,
  job: WriteJob,
  alreadyCommitted: (base: CommittedTable) => Snapshot | undefined,
  io: FileIO,
  added: readonly AddedDataFile[],
  fields: Record<string, unknown>,
): Promise<{ snapshot: Snapshot; table: CommittedTable } | undefined> {
  let table: CommittedTable;
  try {
    table = await deps.committer.loadTable(job.table);
  } catch (error) {
    deps.logger?.warn(
      { ...fields, err: String(error) },
      'commit failed and the table could not be reloaded; data files left for the orphan sweep',
    );
    return undefined;
  }
  const snapshot = alreadyCommitted(table);
  if (snapshot !== undefined) return { snapshot, table };
  if (added.length > 0) {
    const result = await io.deleteMany(added.map((a) => a.file.filePath)).catch(() => undefined);
    deps.logger?.warn(
      { ...fields, files: added.length, notDeleted: result?.failed.length ?? added.length },
      'commit failed; deleted the data files written for it',
    );
  }
  return undefined;
}
