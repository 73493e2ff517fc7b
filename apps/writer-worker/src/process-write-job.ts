// The write job pipeline, one job from payload to committed snapshot (DESIGN §4–§6):
//   1. parse the payload against the v1 contract (invalid → JobContractError, not retryable) and
//      check that every batch lies in the staging area (else fail before anything is read);
//   2. the table: the process's cached state when it may be used (table-state-cache.ts), else a
//      load; if it is missing, create it from the staged data when the job asks (`create`), else
//      fail with what to do;
//   3. marker check: a snapshot whose `floe.job-ids` holds this job means a previous delivery
//      already committed it — return that snapshot, read and write nothing (on a cached state
//      only "found" is final; "absent" is re-checked by the commit driver on every attempt, see
//      the exactly-once argument in table-state-cache.ts);
//   3b. row-level modes (upsert, delete) need a v2+ table: refused here, before anything is
//      encoded or uploaded; a `delete` job stages nothing and skips step 4;
//   4. encode (encode-job.ts): stream the staged objects, reconcile, cast, partition and write
//      Parquet data files — in the encode thread pool when one is given, so the main event loop
//      stays free for BullMQ lock renewal;
//   5. commit through the per-table commit queue (table-committer.ts): jobs of the same table
//      that finish while a commit is in flight share the next snapshot (group commit); the
//      marker is re-checked for every job of the group on every attempt (commit-group.ts);
//   6. after the commit is durable, delete the staged objects (best effort).
// Without a committer the job commits alone; without a pool it encodes on the calling thread;
// without a state cache it loads the table; without a FileIO cache it builds its own FileIO.
import type { S3Client } from '@aws-sdk/client-s3';
import { type Catalog, CatalogError, tableMetadataOf } from '@floe/catalog';
import type { StorageConfig } from '@floe/config';
import {
  type CatalogCommitter,
  type CommitLogger,
  type CommittedTable,
  type FileIO,
  formatTable,
  isCommitStateUnknown,
  type TableMetadata,
} from '@floe/iceberg';
import {
  EXACTLY_ONCE_WINDOW_MS,
  markerSearchStartMs,
  parseWriteJob,
  type StagingLocation,
  type WriteJob,
  type WriteResult,
} from '@floe/jobs';
import { type CommitRequest, commitGroup, type GroupCommitObservation, markerCheck } from './commit-group.ts';
import { createTableFromData } from './create-table.ts';
import { type EncodeRequest, type EncodeResult, encodeJob, encodeView } from './encode-job.ts';
import type { EncodePool } from './encode-pool.ts';
import type { TableIOSettings } from './encode-protocol.ts';
import { deleteStagedObjects, type StagedObjectDeletes } from './staged-object-deletes.ts';
import { assertInStagingArea, openStagedObject, type StagedObjectReader } from './staged-objects.ts';
import type { CommitSlot, TableCommitter } from './table-committer.ts';
import { TableIOCache } from './table-io-cache.ts';
import type { JobTable, TableStateCache } from './table-state-cache.ts';
import { writeResultFrom } from './write-result-from.ts';
import { WriterError } from './writer-error.ts';

export { COMMIT_ID_PROPERTY, JOB_IDS_PROPERTY } from './commit-group.ts';

export interface WriteJobLogger extends CommitLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

/** One commit to the catalog (a group of `coalescedJobs` jobs, or a job committed alone). */
export type CommitObservation = GroupCommitObservation;

export interface WriteJobDeps {
  readonly catalog: Catalog;
  readonly committer: CatalogCommitter;
  /** S3 client for the staging bucket. */
  readonly staging: S3Client;
  /** floe.yaml `storage.staging`: the only place batches are read from and deleted in. */
  readonly stagingArea: StagingLocation;
  /** `s3.*` FileIO properties from floe.yaml's storage section; the catalog's table config wins. */
  readonly s3Properties: Readonly<Record<string, string>>;
  /** Use the catalog's vended, refreshing credentials for table IO. */
  readonly vendedCredentials: boolean;
  readonly maxStagedObjectBytes: number;
  readonly targetFileSizeBytes: number;
  readonly stagingAccessKeyId?: string;
  readonly logger?: WriteJobLogger;
  readonly onCommit?: (observation: CommitObservation) => void;
  /** Encode threads; absent → the job encodes on the calling thread. */
  readonly encodePool?: EncodePool;
  /** floe.yaml's storage section, which encode threads build their staging client from (with a pool). */
  readonly storage?: StorageConfig;
  /** The process's per-table commit queue (group commit); absent → the job commits alone. */
  readonly tableCommitter?: TableCommitter;
  /**
   * The process's table states (its `committer()` must be `committer`, so commits refresh it);
   * absent → every job loads the table.
   */
  readonly tableStates?: TableStateCache;
  /** The process's FileIOs per table storage setting; absent → one FileIO per job. */
  readonly tableIOs?: TableIOCache;
  /** The process's staged-object deletes, one request per group commit; absent → each job deletes its own. */
  readonly stagedDeletes?: StagedObjectDeletes;
}

export interface WriteJobContext {
  /** BullMQ delivery attempt (1-based), for logs. */
  readonly attempt?: number;
  /** A retry or a stalled job handed out again: the table is loaded, never taken from the cache. */
  readonly redelivered?: boolean;
}

async function loadOrCreate(
  job: WriteJob,
  deps: WriteJobDeps,
  context: WriteJobContext,
  openFirst: () => Promise<StagedObjectReader>,
): Promise<JobTable> {
  try {
    if (deps.tableStates !== undefined) {
      return await deps.tableStates.forJob(job.table, { redelivered: context.redelivered === true });
    }
    const loaded = await deps.catalog.loadTable(job.table);
    const table = { metadata: tableMetadataOf(loaded), metadataLocation: loaded.metadataLocation };
    return { identifier: loaded.identifier, table, config: loaded.config, cached: false };
  } catch (error) {
    const missing =
      error instanceof CatalogError && (error.kind === 'no-such-table' || error.kind === 'no-such-namespace');
    if (!missing) throw error;
    const name = formatTable(job.table);
    if (job.mode === 'delete') {
      throw new WriterError('table-missing', `table ${name} does not exist; there are no rows to delete`, {
        context: { table: name },
      });
    }
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
    if (deps.tableStates !== undefined) return { ...deps.tableStates.rememberLoad(created), cached: false };
    const table = { metadata: tableMetadataOf(created), metadataLocation: created.metadataLocation };
    return { identifier: created.identifier, table, config: created.config, cached: false };
  }
}

async function tableIOSettings(
  deps: WriteJobDeps,
  loaded: Omit<JobTable, 'cached'>,
  location: string,
): Promise<TableIOSettings> {
  const properties = { ...deps.s3Properties, ...loaded.config };
  if (!deps.vendedCredentials) return { location, properties };
  // Threads cannot share the refreshing provider: hand them the credentials valid now.
  const credentials = await deps.catalog.credentialsFor(loaded.identifier).awsCredentialProvider();
  return { location, properties, credentials };
}

/** The job's FileIO for the table: the process's shared one for these settings (table-io-cache.ts). */
function tableIO(deps: WriteJobDeps, loaded: Omit<JobTable, 'cached'>, metadata: TableMetadata): FileIO {
  const properties = { ...deps.s3Properties, ...loaded.config };
  const ios = deps.tableIOs ?? new TableIOCache({ maxEntries: 1 });
  if (!deps.vendedCredentials) return ios.fileIO({ location: metadata.location, properties });
  const provider = deps.catalog.credentialsFor(loaded.identifier);
  return ios.fileIO({ location: metadata.location, properties, credentials: provider.awsCredentialProvider });
}

async function encode(
  request: EncodeRequest,
  deps: WriteJobDeps,
  loaded: Omit<JobTable, 'cached'>,
  io: FileIO,
): Promise<EncodeResult> {
  if (deps.encodePool === undefined || deps.storage === undefined) {
    return encodeJob(request, { staging: deps.staging, io });
  }
  const settings = await tableIOSettings(deps, loaded, request.metadata.location);
  return deps.encodePool.encode({ request, io: settings, staging: deps.storage });
}

/** Refuses, before encoding, a write the table's format cannot hold. */
function refuseUnwritable(job: WriteJob, metadata: TableMetadata, name: string): void {
  if ((job.mode === 'upsert' || job.mode === 'delete') && metadata.formatVersion < 2) {
    throw new WriterError(
      'unsupported-request',
      `${job.mode} needs row-level deletes, which format v1 table ${name} cannot hold; ` +
        `upgrade it with \`floe table upgrade ${name} --format-version 2\` (or 3)`,
      { context: { table: name, mode: job.mode, formatVersion: metadata.formatVersion } },
    );
  }
}

async function commitAlone(request: CommitRequest, deps: WriteJobDeps) {
  const { settled } = await commitGroup([request], {
    committer: deps.committer,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.onCommit === undefined ? {} : { onCommit: deps.onCommit }),
  });
  const outcome = settled[0];
  if (outcome === undefined) throw new Error('group commit returned no outcome');
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

export async function processWriteJob(
  payload: unknown,
  deps: WriteJobDeps,
  context: WriteJobContext = {},
): Promise<WriteResult> {
  const started = Date.now();
  const job = parseWriteJob(payload);
  assertInStagingArea(
    job.batches.map((batch) => batch.uri),
    deps.stagingArea,
  );
  const name = formatTable(job.table);
  const jobId = job.idempotencyKey;
  const fields = { table: name, jobId, attempt: context.attempt ?? 1 };
  // The marker search starts at enqueue (minus the shared clock-skew margin) however late the
  // delivery: expiry keeps every snapshot an unfinished job may need, so a job delivered after
  // the exactly-once window still finds its own earlier commit. Only the producer's enqueue
  // dedup ends with the window (README "Exactly once: what bounds it").
  const enqueuedAtMs = Date.parse(job.enqueuedAt);
  const markerNotBeforeMs = BigInt(markerSearchStartMs(enqueuedAtMs));
  if (started - enqueuedAtMs > EXACTLY_ONCE_WINDOW_MS) {
    deps.logger?.warn(
      { ...fields, enqueuedAt: job.enqueuedAt, windowMs: EXACTLY_ONCE_WINDOW_MS },
      'job delivered after the exactly-once window; its marker search still covers every snapshot since enqueue',
    );
  }
  const alreadyCommitted = markerCheck({ jobId, markerNotBeforeMs });

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

  let loaded: JobTable;
  try {
    loaded = await loadOrCreate(job, deps, context, openFirst);
  } finally {
    // Only the schema was needed (to create the table); the encode step reads the objects itself.
    first?.close();
  }
  const base: CommittedTable = loaded.table;
  const metadata = base.metadata;
  const finishStaging = async () => {
    const uris = job.batches.map((b) => b.uri);
    const failed =
      deps.stagedDeletes === undefined
        ? (await deleteStagedObjects(deps.staging, uris, deps.stagingArea)).failed
        : await deps.stagedDeletes.delete(uris);
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

  const slot: CommitSlot | undefined = deps.tableCommitter?.reserve(name);
  let request: CommitRequest;
  try {
    refuseUnwritable(job, metadata, name);
    const io = tableIO(deps, loaded, metadata);
    const encoded: EncodeResult =
      job.mode === 'delete'
        ? { files: [], specId: metadata.defaultSpecId }
        : await encode(
            {
              tableName: name,
              // Only what encoding reads crosses to the thread: no snapshot history.
              metadata: encodeView(metadata),
              batches: job.batches,
              schemaEvolution: job.schemaEvolution,
              mode: job.mode,
              hasOverwriteFilter: job.overwriteFilter !== undefined,
              maxStagedObjectBytes: deps.maxStagedObjectBytes,
              targetFileSizeBytes: deps.targetFileSizeBytes,
              ...(deps.stagingAccessKeyId === undefined
                ? {}
                : { stagingAccessKeyId: deps.stagingAccessKeyId }),
            },
            deps,
            loaded,
            io,
          );
    request = {
      jobId,
      identifier: job.table,
      mode: job.mode,
      files: encoded.files.map((file) => ({ file, specId: encoded.specId })),
      snapshotProperties: job.snapshotProperties ?? {},
      ...(encoded.evolution === undefined ? {} : { schemaChange: encoded.evolution }),
      ...(job.overwriteFilter === undefined ? {} : { overwriteFilter: job.overwriteFilter }),
      ...(job.keys === undefined ? {} : { keys: job.keys }),
      io,
      base,
      markerNotBeforeMs,
    };
  } catch (error) {
    slot?.release();
    // On a cached state, a failure before the commit (a staged object already deleted by the
    // delivery that committed the job, a table changed meanwhile) is judged again on a fresh
    // load — the same answer the job would get without the cache (table-state-cache.ts).
    if (loaded.cached && context.redelivered !== true) {
      deps.logger?.info(
        { ...fields, err: error instanceof Error ? error.message : String(error) },
        'job failed before its commit on the cached table state; running it again on a fresh load',
      );
      return processWriteJob(payload, deps, { ...context, redelivered: true });
    }
    throw error;
  }

  let committed: Awaited<ReturnType<typeof commitAlone>>;
  try {
    committed = slot === undefined ? await commitAlone(request, deps) : await slot.submit(request);
  } catch (error) {
    // A definite refusal of a commit prepared on the cached state (the table was upgraded or
    // changed in a way no commit requirement covers, e.g. format v3's row lineage) is judged
    // again on a fresh load: nothing landed and this job's files are gone. After an unknown
    // outcome the files stay and the next delivery's marker check settles it.
    if (loaded.cached && context.redelivered !== true && !isCommitStateUnknown(error)) {
      deps.logger?.info(
        { ...fields, err: error instanceof Error ? error.message : String(error) },
        'commit refused on the cached table state; running the job again on a fresh load',
      );
      return processWriteJob(payload, deps, { ...context, redelivered: true });
    }
    throw error;
  }
  await finishStaging();
  const own = {
    rows: request.files.reduce((sum, a) => sum + Number(a.file.recordCount), 0),
    files: request.files.length,
    bytes: request.files.reduce((sum, a) => sum + Number(a.file.fileSizeInBytes), 0),
  };
  const result = writeResultFrom({
    table: name,
    snapshot: committed.snapshot,
    currentSchemaId: committed.table.metadata.currentSchemaId,
    attempts: committed.attempts,
    alreadyCommitted: committed.status === 'already-committed',
    coalescedJobs: committed.coalescedJobs,
    // In a group snapshot the summary counts everyone's files: report this job's own.
    ...(committed.status === 'committed' ? { own } : {}),
  });
  deps.logger?.info(
    {
      ...fields,
      snapshotId: result.snapshotId,
      commitAttempts: result.attempts,
      coalescedJobs: result.coalescedJobs,
      rows: result.addedRows,
      files: result.addedFiles,
      bytes: result.addedBytes,
      durationMs: Date.now() - started,
    },
    result.alreadyCommitted ? 'job already committed' : 'job committed',
  );
  return result;
}
