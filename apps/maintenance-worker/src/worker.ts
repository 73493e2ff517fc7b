// The maintenance-worker process around the actions: the catalog client, the staging FileIO and
// the write queue (read-only: the pending-job guard and the staging cleanup look at it) built
// from CompiledArtifacts; a BullMQ `Worker` on `queue.maintenance_queue` with the
// `maintenance.worker` settings; the job schedulers registered from `maintenance.schedules`; the
// ops server (/healthz, /readyz, /metrics on `metrics_host`:`metrics_port`); and a bounded graceful shutdown (stop taking jobs,
// let running ones finish, then release what is left — BullMQ re-delivers it and the table lock
// expires after its TTL, so a rerun is safe).
import { setTimeout as sleep } from 'node:timers/promises';
import { catalogCommitter, createCatalog } from '@floe/catalog';
import {
  type CompiledArtifacts,
  catalogOptionsFrom,
  effectiveSchedules,
  s3PropertiesFrom,
  stagingLocationOf,
} from '@floe/config';
import { fileIOFor } from '@floe/iceberg';
import { stagingAreaUri } from '@floe/jobs';
import { type Logger, type OpsServer, startOpsServer } from '@floe/telemetry';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { CommitRightOfWay } from './commit-right-of-way.ts';
import type { MaintenanceDeps } from './maintenance-deps.ts';
import { asQueueFailure } from './maintenance-error.ts';
import { createMaintenanceMetrics, type MaintenanceMetrics } from './maintenance-metrics.ts';
import { type MaintenanceRuntime, processMaintenanceJob, workerName } from './process-maintenance-job.ts';
import { registerSchedules, type ScheduleRegistration } from './schedulers.ts';

/** Time running jobs get to finish on shutdown before they are released for re-delivery. */
export const SHUTDOWN_DEADLINE_MS = 30_000;

export interface MaintenanceWorker {
  readonly worker: Worker;
  readonly metrics: MaintenanceMetrics;
  readonly ops: OpsServer;
  readonly schedules: ScheduleRegistration;
  /** Drains within the deadline; resolves to whether every running job finished. */
  shutdown(): Promise<boolean>;
}

export async function startMaintenanceWorker(
  artifacts: CompiledArtifacts,
  logger: Logger,
): Promise<MaintenanceWorker> {
  const settings = artifacts.maintenance.worker;
  const { prefix } = artifacts.queue;
  const metrics = createMaintenanceMetrics();
  const catalog = createCatalog(
    catalogOptionsFrom(artifacts.catalog, artifacts.storage, { logger, onCall: metrics.catalogCall }),
  );
  const connection = new Redis(artifacts.queue.redis_url, { maxRetriesPerRequest: null });
  connection.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection error'));
  const writeQueue = new Queue(artifacts.queue.write_queue, { connection, prefix });
  const queue = new Queue(artifacts.queue.maintenance_queue, { connection, prefix });
  metrics.watchQueues([writeQueue, queue]);
  const s3Properties = s3PropertiesFrom(artifacts.storage);
  const staging = stagingLocationOf(artifacts.storage.staging);
  // Its own connection, failing fast: a commit never waits on Redis for its right of way.
  const rightOfWayConnection = new Redis(artifacts.queue.redis_url, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
  });
  rightOfWayConnection.on('error', (error: Error) =>
    logger.warn({ err: error.message }, 'right-of-way redis connection error'),
  );
  const deps: MaintenanceDeps = {
    catalog,
    committer: catalogCommitter(catalog),
    s3Properties,
    vendedCredentials: artifacts.catalog.access_delegation === 'vended-credentials',
    retention: artifacts.maintenance.retention,
    writeQueue,
    staging,
    stagingIO: fileIOFor(stagingAreaUri(staging), s3Properties),
    logger,
    rightOfWay: new CommitRightOfWay({
      redis: rightOfWayConnection,
      queuePrefix: prefix,
      catalog: artifacts.catalog,
      token: workerName(),
    }),
  };
  const runtime: MaintenanceRuntime = {
    deps,
    queue,
    redis: connection,
    prefix,
    lockTtlMs: settings.table_lock_ttl_ms,
    lockWaitMs: settings.table_lock_wait_ms,
    metrics,
    worker: workerName(),
  };

  const schedules = await registerSchedules(queue, effectiveSchedules(artifacts.maintenance));
  const worker = new Worker(
    artifacts.queue.maintenance_queue,
    async (job: Job) =>
      processMaintenanceJob(job.data, job.id ?? 'unknown', job.attemptsMade + 1, runtime).catch(
        (error: unknown) => {
          throw asQueueFailure(error);
        },
      ),
    {
      connection,
      prefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lock_duration_ms,
      stalledInterval: settings.stalled_interval_ms,
      autorun: true,
    },
  );
  worker.on('error', (error) => logger.error({ err: error.message }, 'worker error'));

  let closing = false;
  const ops = await startOpsServer({
    port: settings.metrics_port,
    host: settings.metrics_host,
    portSetting: 'maintenance.worker.metrics_port',
    registry: metrics.registry,
    readiness: () => !closing && connection.status === 'ready' && worker.isRunning(),
  });
  await worker.waitUntilReady();
  logger.info(
    {
      queue: artifacts.queue.maintenance_queue,
      prefix,
      concurrency: settings.concurrency,
      schedules: schedules.upserted,
      removedSchedules: schedules.removed,
      worker: runtime.worker,
      metricsHost: ops.host,
      metricsPort: ops.port,
    },
    'maintenance worker started',
  );

  const shutdown = async (): Promise<boolean> => {
    closing = true;
    const started = Date.now();
    // Whichever comes first: every running job finished, or the deadline.
    const drained = await Promise.race([
      worker.close().then(() => true),
      sleep(SHUTDOWN_DEADLINE_MS, false, { ref: false }),
    ]);
    if (!drained) {
      logger.warn({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline reached; releasing running jobs');
      await worker.close(true).catch(() => undefined);
    }
    await Promise.allSettled([ops.close(), catalog.close(), queue.close(), writeQueue.close()]);
    await connection.quit().catch(() => undefined);
    await rightOfWayConnection.quit().catch(() => undefined);
    logger.info({ drained, durationMs: Date.now() - started }, 'maintenance worker stopped');
    return drained;
  };
  return { worker, metrics, ops, schedules, shutdown };
}
