// The pending-write-job guard of snapshot expiry. A write job still in its retry window looks,
// on its next attempt, for its own id in the `floe.job-ids` marker of snapshots committed since
// it was enqueued; if expiry removed that snapshot, the retry would commit the rows a second
// time. So before planning, the worker scans the WRITE queue for unfinished jobs of the table
// (waiting — paused queues included —, active, delayed, prioritized, waiting-children) and keeps every snapshot
// committed at or after the oldest one's `enqueuedAt` minus the clock-skew margin (producers,
// workers and the catalog do not share a clock) — where the writer's marker search starts, both
// from @floe/jobs `markerSearchStartMs`. An unfinished job is protected however old it is.
import { markerSearchStartMs, type TableIdentifier } from '@floe/jobs';
import type { Queue } from 'bullmq';

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

export interface PendingWriteJobs {
  /** Unfinished write jobs of the table. */
  readonly count: number;
  /** Snapshots at or after this instant must stay (undefined: no unfinished job). */
  readonly retainSinceMs: number | undefined;
}

/** Scans the write queue for unfinished jobs of `table` (see the module header). */
export async function pendingWriteJobs(writeQueue: Queue, table: TableIdentifier): Promise<PendingWriteJobs> {
  let oldest: number | undefined;
  let count = 0;
  for (const state of UNFINISHED) {
    for (let start = 0; ; start += PAGE) {
      const jobs = await writeQueue.getJobs([state], start, start + PAGE - 1, true);
      for (const job of jobs) {
        if (job === undefined || !sameTable(job.data, table)) continue;
        count += 1;
        const at = enqueuedAtMs(job.data, job.timestamp);
        oldest = oldest === undefined ? at : Math.min(oldest, at);
      }
      if (jobs.length < PAGE) break;
    }
  }
  return { count, retainSinceMs: oldest === undefined ? undefined : markerSearchStartMs(oldest) };
}
