// Issue 7 acceptance: expiry keeps the `floe.job-ids` markers of write jobs still in their retry
// window, so a worker restarting after expiry still finds them.
// A REAL writer commits job J through a proxy that holds the catalog's answer, and is kill -9'd:
// J's rows are committed but J stays unfinished in the write queue (active, then re-delivered).
// Meanwhile writers on another queue commit more snapshots to the same table, and a REAL
// maintenance worker (watching J's write queue) runs the most aggressive expiry there is (max age
// 1 ms, keep 1): its report counts the snapshots kept for pending jobs, and J's snapshot is among
// them. A healthy writer then gets J back, finds its marker and returns `alreadyCommitted`;
// PyIceberg shows J's rows exactly once. Finally the same expiry with nothing pending removes
// J's snapshot: without the guard, J's retry would have found no marker and written its rows
// a second time.

import { type CommitFaultProxy, commitFaults, startCommitFaultProxy } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, type Fleet, jobBatch, tableReport } from './support/fleet.ts';
import { createMaintenance, type Maintenance } from './support/maintenance-fleet.ts';
import { stateProblems, tableState } from './support/maintenance-writes.ts';

const ROWS = 15;
const OTHER_JOBS = 4;
const fleets: Fleet[] = [];
let maintenance: Maintenance | undefined;
let proxy: CommitFaultProxy | undefined;

afterAll(async () => {
  await maintenance?.close();
  await Promise.all(fleets.map((fleet) => fleet.close()));
  await proxy?.close();
}, 120_000);

describe('expiry and the commit markers of pending write jobs', () => {
  it('keeps the snapshot of a job in its retry window; the re-delivered job finds its marker', async () => {
    const fleet = createFleet('mmark');
    // Other writers, on their own queue, keep committing to the same table meanwhile.
    const others = createFleet('mmark_others');
    fleets.push(fleet, others);
    maintenance = createMaintenance(fleet);
    proxy = await startCommitFaultProxy(fleet.stack.catalogUri);
    const table = `${fleet.namespace}.marked`;
    const stalledJobId = `${fleet.run}-stalled`;

    const [doomed] = await Promise.all([
      fleet.startWorker({ catalogUri: proxy.url, concurrency: 1 }),
      others.startWorker({ concurrency: 1 }),
      maintenance.start({ concurrency: 1 }),
    ]);
    const held = proxy.arm(commitFaults.hold(true)).then((c) => c.upstreamStatus);
    const handle = await fleet.producer().write(table, jobBatch(0, ROWS), {
      create: { partitionSpec: [{ source: 'job', transform: 'identity' }] },
      idempotencyKey: stalledJobId,
    });
    // The catalog committed J; its worker dies before hearing so or acknowledging the job.
    expect(await held).toBe(200);
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    for (let job = 1; job <= OTHER_JOBS; job++) {
      const other = await others.producer().write(table, jobBatch(job, ROWS), {
        idempotencyKey: `${others.run}-job-${job}`,
      });
      await other.result(60_000);
    }
    const before = await tableState(table, { rowsPerJob: ROWS });
    expect(before.snapshots).toHaveLength(1 + OTHER_JOBS);
    const marked = before.snapshots.find((snapshot) => snapshot.jobIds.includes(stalledJobId));
    expect(marked).toBeDefined();
    expect(await fleet.producer().queue.getJobState(stalledJobId)).toBe('active');

    // The most aggressive expiry: only the pending-job guard keeps anything but the current snapshot.
    const guarded = await maintenance.run({
      action: 'expire',
      table,
      policy: { maxSnapshotAgeMs: 1, minSnapshotsToKeep: 1 },
    });
    expect(guarded.snapshotsExpired).toBe(0);
    expect(guarded.snapshotsRetainedForPendingJobs).toBe(OTHER_JOBS);
    const afterGuarded = await tableState(table, { rowsPerJob: ROWS });
    expect(afterGuarded.snapshots.map((s) => s.id)).toEqual(before.snapshots.map((s) => s.id));

    // A healthy writer gets J back (its lock expired) and finds J's marker: no second commit.
    await fleet.startWorker({ concurrency: 1 });
    const result = (await handle.result(120_000)) as { alreadyCommitted?: boolean; snapshotId: string };
    expect(result.alreadyCommitted).toBe(true);
    expect(result.snapshotId).toBe(marked?.id);
    const report = await tableReport(table, ROWS);
    expect(report.wrongJobs).toEqual([]);
    expect(report.jobsPresent).toBe(1 + OTHER_JOBS);
    expect(report.rows).toBe((1 + OTHER_JOBS) * ROWS);
    expect(report.snapshots).toBe(1 + OTHER_JOBS);

    // With nothing pending, the same policy removes J's snapshot: the guard was what kept it.
    const unguarded = await maintenance.run({
      action: 'expire',
      table,
      policy: { maxSnapshotAgeMs: 1, minSnapshotsToKeep: 1 },
    });
    expect(unguarded.snapshotsExpired).toBe(OTHER_JOBS);
    expect(unguarded.snapshotsRetainedForPendingJobs).toBe(0);
    const after = await tableState(table, { rowsPerJob: ROWS });
    expect(after.snapshots.some((snapshot) => snapshot.jobIds.includes(stalledJobId))).toBe(false);
    expect(stateProblems(after, { rows: (1 + OTHER_JOBS) * ROWS })).toEqual([]);
  }, 240_000);
});
