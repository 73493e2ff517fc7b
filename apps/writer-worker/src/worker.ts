// The writer-worker process around the pipeline: a BullMQ `Worker` on the configured write
// queue (concurrency from `writer.concurrency`), the catalog client and the staging S3 client
// built from CompiledArtifacts, job outcomes turned into retry-or-fail (classify-error.ts),
// metrics and the ops server (/healthz, /readyz, /metrics on `metrics_host`:`metrics_port`), the
// catalog credentials check (catalog-access.ts: while the catalog rejects them the worker pauses
// and jobs stay queued), and a bounded graceful shutdown:
// stop taking jobs, let in-flight jobs finish within `writer.shutdown_deadline_ms`, then release
// whatever is still running (BullMQ re-delivers it; the commit marker keeps that exactly-once).
// Each delivery runs inside a `floe.write_job` span parented on the producer's traceparent
// (job-span.ts). Encoding runs in a worker-thread pool (encode-pool.ts) and commits go through one per-table
// commit queue (table-committer.ts), so jobs of the same table share snapshots (group commit);
// with `writer.commit_lease` on, the writers of a table hand their appends to the holder of the
// table's commit lease in Redis (commit-lease.ts, on a connection of its own that fails fast
// instead of queueing commands while Redis is away). Jobs start from the process's newest known
// table state (table-state-cache.ts, refreshed by every commit answer and reload of the
// committer) and share one FileIO per table storage setting (table-io-cache.ts).
import { createCatalog, RestCatalog } from '@floe/catalog';
import type { CompiledArtifacts } from '@floe/config';
import { catalogOptionsFrom, s3PropertiesFrom, stagingLocationOf } from '@floe/config';
import { catalogScopeOf, WRITE_JOB_NAME } from '@floe/jobs';
import { type Logger, type OpsServer, startOpsServer } from '@floe/telemetry';
import { type Job, Queue, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AutoCompaction } from './auto-compaction.ts';
import { CatalogAccess, credentialRefusal } from './catalog-access.ts';
import { errorKind, isRetryable, toQueueError } from './classify-error.ts';
import { CommitLease } from './commit-lease.ts';
import { EncodePool } from './encode-pool.ts';
import { jobSpanInfo, traceWriteJob } from './job-span.ts';
import { processWriteJob, type WriteJobDeps } from './process-write-job.ts';
import { StagedObjectDeletes } from './staged-object-deletes.ts';
import { stagingClientFrom } from './staged-objects.ts';
import { TableCommitter } from './table-committer.ts';
import { TableIOCache } from './table-io-cache.ts';
import { TableStateCache } from './table-state-cache.ts';
import { createWriterMetrics, type WriterMetrics } from './worker-metrics.ts';

export interface WriterWorker {
  readonly worker: Worker;
  readonly metrics: WriterMetrics;
  readonly encodePool: EncodePool;
  /** The ops server, when `writer.metrics_port` is set (0 = a random free port). */
  readonly ops: OpsServer | undefined;
  /** Whether the catalog accepts the credentials (the worker takes no jobs while it does not). */
  readonly catalogAccess: CatalogAccess;
  /** Drains within the shutdown deadline; resolves to whether every in-flight job finished. */
  shutdown(): Promise<boolean>;
}

export async function startWriterWorker(artifacts: CompiledArtifacts, logger: Logger): Promise<WriterWorker> {
  const metrics = createWriterMetrics();
  const catalog = createCatalog(
    catalogOptionsFrom(artifacts.catalog, artifacts.storage, { logger, onCall: metrics.catalogCall }),
  );
  if (catalog instanceof RestCatalog) metrics.watchBreaker(() => catalog.breakerState);
  const staging = stagingClientFrom(artifacts.storage);
  const stagingArea = stagingLocationOf(artifacts.storage.staging);
  const tableStates = new TableStateCache(catalog);
  const maintenanceQueue = new Queue(artifacts.queue.maintenance_queue, {
    connection: new Redis(artifacts.queue.redis_url, { maxRetriesPerRequest: 1 }),
    prefix: artifacts.queue.prefix,
  });
  maintenanceQueue.on('error', (error: Error) =>
    logger.warn({ err: error.message }, 'maintenance queue connection error'),
  );
  const autoCompaction = new AutoCompaction({
    queue: maintenanceQueue,
    triggerSmallFiles: artifacts.writer.compaction_trigger_small_files,
    minIntervalMs: artifacts.writer.compaction_trigger_interval_ms,
    logger,
    onRequested: () => metrics.compactionRequested(),
  });
  const committer = autoCompaction.committer(tableStates.catalogCommitter(catalog));
  const onCommit = (observation: Parameters<WriterMetrics['commit']>[0]) => metrics.commit(observation);
  // `writer.encode_threads`, else one thread per spare core.
  const encodeThreads = artifacts.writer.encode_threads;
  const encodePool = new EncodePool(encodeThreads === undefined ? {} : { size: encodeThreads });
  const leaseConfig = artifacts.writer.commit_lease;
  const leaseConnection = leaseConfig.enabled
    ? new Redis(artifacts.queue.redis_url, {
        maxRetriesPerRequest: 1,
        commandTimeout: leaseConfig.ttl_ms,
      })
    : undefined;
  leaseConnection?.on('error', (error: Error) =>
    logger.warn({ err: error.message }, 'commit lease redis connection error'),
  );
  const lease =
    leaseConnection === undefined
      ? undefined
      : new CommitLease({
          redis: leaseConnection,
          prefix: artifacts.queue.prefix,
          catalogScope: catalogScopeOf(artifacts.catalog),
          ttlMs: leaseConfig.ttl_ms,
          answerTimeoutMs: leaseConfig.answer_timeout_ms,
        });
  const tableCommitter = new TableCommitter({
    committer,
    maxJobsPerCommit: artifacts.writer.max_jobs_per_commit,
    lingerMs: artifacts.writer.commit_linger_ms,
    commitIntervalMs: artifacts.writer.commit_interval_ms,
    logger,
    onCommit,
    ...(lease === undefined
      ? {}
      : {
          coordination: {
            lease,
            answerTimeoutMs: leaseConfig.answer_timeout_ms,
            onEvent: (event) => metrics.lease(event),
          },
        }),
  });
  await tableCommitter.start();
  const deps: WriteJobDeps = {
    catalog,
    committer,
    staging,
    stagingArea,
    stagedDeletes: new StagedObjectDeletes(staging, stagingArea),
    storage: artifacts.storage,
    encodePool,
    tableCommitter,
    tableStates,
    tableIOs: new TableIOCache({ cacheMetadata: true }),
    s3Properties: s3PropertiesFrom(artifacts.storage),
    vendedCredentials: artifacts.catalog.access_delegation === 'vended-credentials',
    maxStagedObjectBytes: artifacts.storage.max_staged_object_bytes,
    targetFileSizeBytes: artifacts.writer.target_file_size_bytes,
    ...(artifacts.storage.access_key_id === undefined
      ? {}
      : { stagingAccessKeyId: artifacts.storage.access_key_id }),
    logger,
    onCommit,
  };

  const connection = new Redis(artifacts.queue.redis_url, { maxRetriesPerRequest: null });
  connection.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection error'));
  const queueName = artifacts.queue.write_queue;

  let worker: Worker | undefined;
  const catalogAccess = new CatalogAccess({
    // The SQL catalog has no credentials to refuse: a listing proves the database answers.
    probe: () =>
      catalog instanceof RestCatalog ? catalog.checkAccess() : catalog.listNamespaces().then(() => undefined),
    recheckMs: artifacts.writer.catalog_recheck_ms,
    // Not waiting for active jobs: they meet the same refusal and go back to the queue.
    stopTaking: async () => worker?.pause(true),
    resumeTaking: async () => worker?.resume(),
    logger,
  });
  metrics.watchCatalogAuth(() => catalogAccess.accepted);

  worker = new Worker(
    queueName,
    async (job: Job, token?: string) => {
      const attempt = job.attemptsMade + 1;
      // attemptsStarted counts every hand-out, stalled ones included.
      const redelivered = attempt > 1 || job.attemptsStarted > 1;
      const spanInfo = jobSpanInfo(job.data, job.id, attempt);
      const table = spanInfo.table;
      if (job.name !== WRITE_JOB_NAME) {
        logger.warn(
          { jobId: job.id, jobName: job.name, table },
          `unexpected job name; expected '${WRITE_JOB_NAME}'`,
        );
      }
      try {
        const result = await traceWriteJob(spanInfo, () =>
          processWriteJob(job.data, deps, { attempt, redelivered }),
        );
        metrics.job(
          result.alreadyCommitted ? 'already-committed' : 'committed',
          result.table,
          Date.now() - job.timestamp,
        );
        if (!result.alreadyCommitted) metrics.written(result.addedRows, result.addedBytes);
        return result;
      } catch (error) {
        const refusal = credentialRefusal(error);
        if (refusal !== undefined && token !== undefined) {
          // Not the job's fault: back to the queue without spending an attempt (WaitingError).
          await catalogAccess.refused(refusal);
          await job.moveToWait(token);
          metrics.job('requeued', table);
          logger.warn(
            { jobId: job.id, table, attempt, kind: refusal.kind },
            'catalog rejected the writer credentials; job returned to the queue',
          );
          throw new WaitingError();
        }
        const retryable = isRetryable(error);
        metrics.job(retryable ? 'retry' : 'failed', table, Date.now() - job.timestamp);
        logger.error(
          {
            jobId: job.id,
            table,
            attempt,
            kind: errorKind(error),
            retryable,
            err: error instanceof Error ? error.message : String(error),
          },
          retryable ? 'write job failed; it will be retried' : 'write job failed permanently',
        );
        throw toQueueError(error);
      }
    },
    {
      connection,
      prefix: artifacts.queue.prefix,
      concurrency: artifacts.writer.concurrency,
      // A crashed worker's jobs come back after its lock expires and a stalled check runs; the
      // commit marker makes that re-delivery safe, so a few stalls per job are allowed.
      lockDuration: artifacts.writer.lock_duration_ms,
      stalledInterval: artifacts.writer.stalled_interval_ms,
      maxStalledCount: artifacts.writer.max_stalled_count,
      autorun: true,
    },
  );
  worker.on('error', (error) => logger.error({ err: error.message }, 'worker error'));

  let closing = false;
  const ops =
    artifacts.writer.metrics_port === undefined
      ? undefined
      : await startOpsServer({
          port: artifacts.writer.metrics_port,
          host: artifacts.writer.metrics_host,
          registry: metrics.registry,
          readiness: () => {
            const reason = catalogAccess.reason;
            if (reason !== undefined) return { ready: false, reason };
            return !closing && connection.status === 'ready' && worker.isRunning() && !worker.isPaused();
          },
        });
  await worker.waitUntilReady();
  logger.info(
    {
      queue: queueName,
      prefix: artifacts.queue.prefix,
      concurrency: artifacts.writer.concurrency,
      encodeThreads: encodePool.size,
      maxJobsPerCommit: artifacts.writer.max_jobs_per_commit,
      commitLease: lease === undefined ? false : { ttlMs: lease.ttlMs, holderId: lease.token },
      ...(ops === undefined ? {} : { metricsHost: ops.host, metricsPort: ops.port }),
    },
    'writer worker started',
  );
  // In the background: jobs already run, and one that meets a refusal pauses the worker too.
  void catalogAccess.check();

  const shutdown = async (): Promise<boolean> => {
    closing = true;
    catalogAccess.close();
    const deadlineMs = artifacts.writer.shutdown_deadline_ms;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      worker.close().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (!drained) {
      logger.warn({ deadlineMs }, 'shutdown deadline reached; releasing in-flight jobs for re-delivery');
      await worker.close(true).catch(() => undefined);
    }
    await tableCommitter.close().catch(() => undefined);
    await Promise.allSettled([
      ops?.close(),
      catalog.close(),
      connection.quit(),
      leaseConnection?.quit(),
      maintenanceQueue.close(),
      encodePool.close(),
    ]);
    staging.destroy();
    logger.info({ drained, durationMs: Date.now() - started }, 'writer worker stopped');
    return drained;
  };
  return { worker, metrics, encodePool, ops, catalogAccess, shutdown };
}
