// The `staging` action: deletes staged Arrow batches nobody will read again. Objects live at
// `<prefix><yyyy-mm-dd>/<idempotency key>/part-NNNNN.arrows` (@floe/jobs stagingKey) and the
// write job's BullMQ id is that idempotency key. An object goes when it is older than the
// retention AND its job is completed, failed or no longer in the queue; objects of waiting,
// active, delayed (…) jobs stay whatever their age, because a retry still reads them. Objects
// that do not follow the layout, or that a client could resolve outside the staging area
// (`..` segments, @floe/jobs outsideStagingArea), are not ours to judge and stay too.

import type { FileInfo } from '@floe/iceberg';
import { type MaintenanceJob, outsideStagingArea, type StagingLocation, stagingAreaUri } from '@floe/jobs';
import type { ActionOutcome, MaintenanceDeps } from './maintenance-deps.ts';
import { stagingDecision } from './retention-policy.ts';

const STAGED_OBJECT = /^\d{4}-\d{2}-\d{2}\/(.+)\/part-\d{5,}\.arrows$/;
const FINISHED_STATES: ReadonlySet<string> = new Set(['completed', 'failed', 'unknown']);

/** The idempotency key a staged object belongs to, or undefined when the object is not ours. */
export function stagedJobKey(area: StagingLocation, location: string): string | undefined {
  if (outsideStagingArea(location, area) !== undefined) return undefined;
  return STAGED_OBJECT.exec(location.slice(stagingAreaUri(area).length))?.[1];
}

export async function runStaging(
  job: MaintenanceJob,
  deps: MaintenanceDeps,
  assertLockHeld: () => void,
): Promise<ActionOutcome> {
  const listPrefix = stagingAreaUri(deps.staging);
  const decision = stagingDecision(job.policy, deps.retention);
  const cutoffMs = Date.now() - decision.retentionMs;
  const oldByJob = new Map<string, FileInfo[]>();
  let kept = 0;
  for await (const info of deps.stagingIO.list(listPrefix)) {
    const key = stagedJobKey(deps.staging, info.location);
    if (key === undefined || info.lastModifiedMs === undefined || info.lastModifiedMs >= cutoffMs) {
      kept += 1;
      continue;
    }
    oldByJob.set(key, [...(oldByJob.get(key) ?? []), info]);
  }
  const doomed: FileInfo[] = [];
  for (const [key, objects] of oldByJob) {
    const state = await deps.writeQueue.getJobState(key);
    if (FINISHED_STATES.has(state)) doomed.push(...objects);
    else kept += objects.length;
  }
  doomed.sort((a, b) => (a.location < b.location ? -1 : 1));
  const files = doomed.map((f) => f.location);
  let failed: readonly { location: string }[] = [];
  if (!job.dryRun && files.length > 0) {
    assertLockHeld();
    failed = (await deps.stagingIO.deleteMany(files)).failed;
  }
  const failedSet = new Set(failed.map((f) => f.location));
  const deleted = doomed.filter((f) => !failedSet.has(f.location));
  deps.logger.info(
    { prefix: listPrefix, dryRun: job.dryRun, staleObjects: files.length, kept, failed: failed.length },
    job.dryRun ? 'stale staged objects listed' : 'stale staged objects deleted',
  );
  return {
    snapshotsExpired: 0,
    snapshotsRetainedForPendingJobs: 0,
    filesDeleted: deleted.length,
    bytesDeleted: deleted.reduce((sum, f) => sum + f.size, 0),
    failedDeletes: failed.length,
    files,
    settings: decision.settings,
  };
}
