// The exactly-once window: ONE definition shared by every part that keeps a write job from
// landing twice (DESIGN §5). A job's id is its idempotency key; within the window after its
// enqueue time:
//   - the producer's enqueue dedup holds (BullMQ keeps finished jobs this long, job id = key);
//   - a writer looks for the job's id in the `floe.job-ids` marker of every snapshot committed
//     since enqueue minus the clock-skew margin, on every delivery and commit attempt;
//   - snapshot expiry keeps every snapshot a still-unfinished job may need for that marker check;
//   - the Dagster integration searches the same span of snapshots before re-enqueueing.
// A replay of the same key after the window is a new write (it commits again); the README says so.
/** The snapshot-summary property listing the ids of the write jobs a snapshot holds (comma-separated). */
export const JOB_IDS_PROPERTY = 'floe.job-ids';

/** The job ids a snapshot's `floe.job-ids` marker lists. */
export function jobIdsInSummary(summary: Readonly<Record<string, string>>): string[] {
  const raw = summary[JOB_IDS_PROPERTY];
  return raw === undefined || raw === '' ? [] : raw.split(',');
}

/** How long after enqueue a job's idempotency key is guaranteed to commit at most once. */
export const EXACTLY_ONCE_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Producers, workers and the catalog do not share a clock: marker searches start this much earlier. */
export const MARKER_CLOCK_SKEW_MS = 10 * 60 * 1000;

/** The oldest snapshot timestamp (ms) that can hold the marker of a job enqueued at `enqueuedAtMs`. */
export function markerSearchStartMs(enqueuedAtMs: number): number {
  return enqueuedAtMs - MARKER_CLOCK_SKEW_MS;
}
