// The pending-write-job guard of snapshot expiry. A write job still in its retry window looks,
// on its next attempt, for its own id in the `floe.job-ids` marker of the snapshots on the
// table's main history; if expiry removed the snapshot holding it, the retry would commit the
// rows a second time. So before planning, the worker scans the WRITE queue for the table's jobs
// that may still be delivered: unfinished ones (waiting — paused queues included —, active,
// delayed, prioritized, waiting-children) and failed ones within the exactly-once window (an
// operator or the Dagster integration may retry them). `markerPin` turns the scan into what the
// expiry must keep:
//   - v2+ tables: every snapshot from the oldest one whose marker lists such a job, and every
//     snapshot committed after the table was opened (its sequence number is higher). The table
//     is opened BEFORE the queue is scanned, so a job enqueued after the scan can only have
//     committed after the open; a job finished before the scan is never delivered again (the
//     queue answers its producer). History stays contiguous from the head, so the writer's
//     marker walk reaches the pinned snapshot.
//   - v1 tables (no sequence numbers): every snapshot committed at or after the oldest unfinished
//     job's enqueue minus the clock-skew margin, where the writer's marker search starts.
// An unfinished job is protected however old it is. On a busy table this pins a handful of
// snapshots instead of the whole clock-skew margin (minutes of commits), so the count cap holds.

import type { ExpiryPolicy, TableMetadata } from '@floe/iceberg';
import {
  EXACTLY_ONCE_WINDOW_MS,
  jobIdsInSummary,
  markerSearchStartMs,
  type TableIdentifier,
} from '@floe/jobs';
import type { Job, JobType, Queue } from 'bullmq';

// A paused queue keeps its jobs in the wait list (BullMQ 5+), so 'waiting' covers them.
const UNFINISHED = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
const PAGE = 500;

function sameTable(payload: unknown, table: TableIdentifier): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const target = Reflect.get(payload, 'table') as unknown;
  if (typeof target !== 'object' || target === null) return false;
  const namespace = Reflect.get(target, 'namespace') as unknown;
  return (
    Reflect.get(target, 'name') === table.name &&
    Array.isArray(namespace) &&
    namespace.length === table.namespace.length &&
    namespace.every((part, i) => part === table.namespace[i])
  );
}

/** When the job entered the queue: its `enqueuedAt`, else BullMQ's own timestamp. */
function enqueuedAtMs(payload: unknown, queuedAtMs: number): number {
  const raw =
    typeof payload === 'object' && payload !== null ? Reflect.get(payload, 'enqueuedAt') : undefined;
  const parsed = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  return Number.isFinite(parsed) ? Math.min(parsed, queuedAtMs) : queuedAtMs;
}

/** The id the job's commit marker carries: its idempotency key, else the BullMQ job id. */
function markerId(job: Job): string | undefined {
  const key =
    typeof job.data === 'object' && job.data !== null ? Reflect.get(job.data, 'idempotencyKey') : undefined;
  return typeof key === 'string' ? key : job.id;
}

export interface PendingWriteJobs {
  /** Unfinished write jobs of the table. */
  readonly count: number;
  /** v1 guard: snapshots at or after this instant must stay (undefined: no unfinished job). */
  readonly retainSinceMs: number | undefined;
  /** Marker ids of the unfinished jobs and of the failed ones within the exactly-once window. */
  readonly jobIds: ReadonlySet<string>;
}

async function scan(writeQueue: Queue, state: JobType, each: (job: Job) => void): Promise<void> {
  for (let start = 0; ; start += PAGE) {
    const jobs = await writeQueue.getJobs([state], start, start + PAGE - 1, true);
    for (const job of jobs) if (job !== undefined) each(job);
    if (jobs.length < PAGE) break;
  }
}

/** Scans the write queue for the table's jobs that may still be delivered (see the module header). */
export async function pendingWriteJobs(
  writeQueue: Queue,
  table: TableIdentifier,
  nowMs: number = Date.now(),
): Promise<PendingWriteJobs> {
  let oldest: number | undefined;
  let count = 0;
  const jobIds = new Set<string>();
  for (const state of UNFINISHED) {
    await scan(writeQueue, state, (job) => {
      if (!sameTable(job.data, table)) return;
      count += 1;
      const id = markerId(job);
      if (id !== undefined) jobIds.add(id);
      const at = enqueuedAtMs(job.data, job.timestamp);
      oldest = oldest === undefined ? at : Math.min(oldest, at);
    });
  }
  await scan(writeQueue, 'failed', (job) => {
    if (!sameTable(job.data, table)) return;
    if ((job.finishedOn ?? nowMs) < nowMs - EXACTLY_ONCE_WINDOW_MS) return;
    const id = markerId(job);
    if (id !== undefined) jobIds.add(id);
  });
  return { count, retainSinceMs: oldest === undefined ? undefined : markerSearchStartMs(oldest), jobIds };
}

/**
 * What expiry must keep for `pending`, given the table as opened before the queue scan (see the
 * module header): a sequence-number floor on v2+ tables, a time floor on v1.
 */
export function markerPin(
  opened: Pick<TableMetadata, 'formatVersion' | 'lastSequenceNumber' | 'snapshots'>,
  pending: PendingWriteJobs,
): Pick<ExpiryPolicy, 'retainFromSequenceNumber' | 'retainSinceMs'> {
  if (opened.formatVersion < 2) {
    return pending.retainSinceMs === undefined ? {} : { retainSinceMs: BigInt(pending.retainSinceMs) };
  }
  let floor = opened.lastSequenceNumber + 1n;
  if (pending.jobIds.size > 0) {
    for (const snapshot of opened.snapshots) {
      if (snapshot.sequenceNumber >= floor) continue;
      if (jobIdsInSummary(snapshot.summary).some((id) => pending.jobIds.has(id)))
        floor = snapshot.sequenceNumber;
    }
  }
  return { retainFromSequenceNumber: floor };
}
