// Issue 7 acceptance: maintenance never breaks a reader while the write fleet keeps appending.
// Two REAL writer processes append to a partitioned table (bucket[2] on id, metadata files
// deleted after commit, 4 previous versions kept) in a continuous producer loop, while a REAL
// maintenance worker process runs on-demand expiry (snapshots older than a few seconds, keep 3)
// and orphan cleanup (10 s threshold) at least 10 times each. After every expiry + orphan pair
// the producer pauses at a quiet point and independent readers judge the table:
//   - PyIceberg and DuckDB read the current snapshot with exactly the rows committed so far;
//   - every retained snapshot reads with PyIceberg (a time-travel scan by snapshot id) with the
//     row count its summary states, and so do its manifests and every data file they name;
//   - the objects under the table location are exactly the files the retained metadata
//     references (computed by PyIceberg), plus only objects younger than the orphan threshold
//     at the orphan run. Two orphans planted under the table location survive while young and
//     are deleted once older than the threshold; an object under a sibling prefix that merely
//     starts with the table's name (`events-sibling`) is never touched.
// Runs plan while write jobs are queued or in flight; the pending-write-job guard keeps the
// snapshots holding their markers (maintenance-markers.test.ts pins that case down). The loop
// goes on (past 10 cycles if need be) until expiry has removed snapshots, then checks that every
// job's rows are present exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, sleep } from './support/fleet.ts';
import { createMaintenance, type MaintenanceRun } from './support/maintenance-fleet.ts';
import { plantedObjects } from './support/maintenance-objects.ts';
import { startWriteLoop, stateProblems, tableState, type WriteLoop } from './support/maintenance-writes.ts';

const ROWS = 20;
const ORPHAN_THRESHOLD_MS = 10_000;
const MIN_CYCLES = 10;
const MAX_CYCLES = 24;

const fleet = createFleet('mcont', { concurrency: 2, commitLingerMs: 100 });
const maintenance = createMaintenance(fleet);
const objects = plantedObjects(fleet.stack);
let loop: WriteLoop | undefined;

afterAll(async () => {
  await loop?.stop();
  await maintenance.close();
  await fleet.close();
  objects.close();
}, 120_000);

interface Planted {
  readonly uri: string;
  readonly plantedAtMs: number;
  deletedBy?: MaintenanceRun;
}

describe('maintenance while the write fleet appends continuously', () => {
  it('expires and cleans up at least 10 times without ever breaking a reader', async () => {
    const table = `${fleet.namespace}.events`;
    await Promise.all([fleet.startWorkers(2), maintenance.start({ concurrency: 2 })]);
    loop = startWriteLoop(fleet, table, {
      rowsPerJob: ROWS,
      inFlight: 2,
      paceMs: 400,
      create: {
        partitionSpec: [{ source: 'id', transform: 'bucket[2]' }],
        properties: {
          'write.metadata.delete-after-commit.enabled': 'true',
          'write.metadata.previous-versions-max': '4',
        },
      },
    });
    const writes = loop;
    for (let waited = 0; writes.committed.length === 0 && waited < 120; waited++) await sleep(500);
    expect(writes.failures).toEqual([]);
    expect(writes.committed.length).toBeGreaterThan(0);

    const expiries: MaintenanceRun[] = [];
    const orphanRuns: MaintenanceRun[] = [];
    const retainedAfterExpiry: number[] = [];
    const planted: Planted[] = [];
    let location: string | undefined;
    let sibling: string | undefined;
    for (let cycle = 0; cycle < MAX_CYCLES; cycle++) {
      if (cycle >= MIN_CYCLES && expiries.some((run) => run.snapshotsExpired > 0)) break;
      // Unrelated to the writers' rhythm, so some runs plan while a write job is queued.
      await sleep(500 + ((cycle * 337) % 1000));
      if (location !== undefined && (cycle === 1 || cycle === 2)) {
        // What a crashed writer leaves behind, and an object of a table whose name merely
        // starts with this one's: the first goes once older than the threshold, the second never.
        const uri = `${location}/data/planted-orphan-${cycle}.parquet`;
        const plantedAtMs = Date.now();
        await objects.plant(uri);
        planted.push({ uri, plantedAtMs });
        sibling ??= `${location}-sibling/data/not-this-table.parquet`;
        await objects.plant(sibling);
      }
      // Both runs happen while the writers keep committing.
      const expiry = await maintenance.run({
        action: 'expire',
        table,
        policy: { maxSnapshotAgeMs: 4000, minSnapshotsToKeep: 3 },
      });
      const orphans = await maintenance.run({
        action: 'orphans',
        table,
        policy: { orphanOlderThanMs: ORPHAN_THRESHOLD_MS },
      });
      expiries.push(expiry);
      orphanRuns.push(orphans);
      expect(expiry.failedDeletes, `cycle ${cycle}`).toBe(0);
      expect(orphans.failedDeletes, `cycle ${cycle}`).toBe(0);

      await writes.pause();
      const state = await tableState(table, { rowsPerJob: ROWS });
      const problems = stateProblems(state, {
        rows: writes.committed.length * ROWS,
        unreferencedSinceMs: Date.parse(orphans.startedAt) - ORPHAN_THRESHOLD_MS,
      });
      expect(problems, `cycle ${cycle}: ${JSON.stringify({ expiry, orphans })}`).toEqual([]);
      location = state.location;
      for (const object of planted) {
        const present = state.unreferenced.some((o) => o.path === object.uri);
        if (present || object.deletedBy !== undefined) continue;
        // Gone: only an orphan run that started when the object was already past the threshold
        // may have deleted it (one second of slack for LastModified's precision).
        object.deletedBy = orphans;
        expect(Date.parse(orphans.finishedAt) - ORPHAN_THRESHOLD_MS + 1000).toBeGreaterThan(
          object.plantedAtMs,
        );
      }
      expect(writes.failures).toEqual([]);
      process.stderr.write(
        `maintenance cycle ${cycle}: ${state.snapshots.length} snapshots, ${state.rows} rows, expired ${expiry.snapshotsExpired} ` +
          `(kept ${expiry.snapshotsRetainedForPendingJobs ?? 0} for pending jobs), orphans deleted ${orphans.filesDeleted}, ` +
          `${state.unreferenced.length} young unreferenced\n`,
      );
      // The newest snapshot and the minimum to keep always survive an expiry.
      expect(state.currentSnapshotId).toBe(state.snapshots.at(-1)?.id);
      if (expiry.snapshotsExpired > 0) retainedAfterExpiry.push(state.snapshots.length);
      writes.resume();
    }

    await writes.stop();
    expect(expiries.length).toBeGreaterThanOrEqual(MIN_CYCLES);
    // Both planted orphans survived while young (checked above) and were deleted once old; the
    // sibling table's object was never touched.
    expect(planted).toHaveLength(2);
    expect(planted.map((object) => object.deletedBy !== undefined)).toEqual([true, true]);
    expect(orphanRuns.reduce((sum, run) => sum + run.filesDeleted, 0)).toBeGreaterThanOrEqual(2);
    expect(await objects.exists(sibling ?? '')).toBe(true);
    expect(orphanRuns.length).toBe(expiries.length);
    // Expiry did real work while write jobs were queued and in flight.
    expect(expiries.reduce((sum, run) => sum + run.snapshotsExpired, 0)).toBeGreaterThan(0);
    expect(expiries.reduce((sum, run) => sum + run.filesDeleted, 0)).toBeGreaterThan(0);
    expect(Math.min(...retainedAfterExpiry)).toBeGreaterThanOrEqual(3);

    // Every job the loop committed is in the table exactly once, and the table still reads.
    const final = await tableState(table, { rowsPerJob: ROWS });
    const lastOrphanRun = Date.parse(orphanRuns.at(-1)?.startedAt ?? '');
    expect(
      stateProblems(final, {
        rows: writes.committed.length * ROWS,
        unreferencedSinceMs: lastOrphanRun - ORPHAN_THRESHOLD_MS,
      }),
    ).toEqual([]);
    expect(final.jobsPresent).toBe(writes.committed.length);
    expect(new Set(writes.committed).size).toBe(writes.committed.length);
  }, 300_000);
});
