// Issue 7 acceptance: one maintenance run per table at a time across processes, and a run killed
// midway is safe to run again.
//   1. Two REAL maintenance processes start with the same floe.yaml: two every-second schedules
//      (expire and orphans of two tables). The tables carry `history.expire.*` properties (age
//      1 s, keep 2) far from the floe.yaml defaults (5 days, keep 1): scheduled expiry leaving
//      2 snapshots shows the table properties beating the defaults. A burst of on-demand
//      expire/orphan jobs (keep 1) on the same tables follows and leaves 1: the job's policy beats
//      the table properties.
//      The test holds one table's lock while the burst arrives (as a third process would): jobs
//      of that table become active in both processes and wait. From the `maintenance run
//      finished` lines of both processes (startedAt/finishedAt of the work done under the table
//      lock): nothing ran on the held table meanwhile, no two runs of one table overlap, and
//      both processes ran.
//   2. A maintenance process expiring a table with many snapshots is kill -9'd after the catalog
//      accepted the expiry commit but before it deleted anything (a proxy holds the commit
//      response): the table reads correctly with PyIceberg and DuckDB, every referenced file is
//      there, the killed run's unreachable files are left behind; a new process finishes the
//      re-delivered job and an orphan run (short threshold) removes exactly what was left.

import { type CommitFaultProxy, commitFaults, startCommitFaultProxy } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, describeFailures, type Fleet, jobBatch, settle, sleep } from './support/fleet.ts';
import {
  createMaintenance,
  type Maintenance,
  type MaintenanceRun,
  overlappingRuns,
} from './support/maintenance-fleet.ts';
import { stateProblems, tableState } from './support/maintenance-writes.ts';

const ROWS = 10;
const fleets: Fleet[] = [];
const maintenances: Maintenance[] = [];
const proxies: CommitFaultProxy[] = [];

afterAll(async () => {
  await Promise.all(maintenances.map((m) => m.close()));
  await Promise.all(fleets.map((f) => f.close()));
  await Promise.all(proxies.map((p) => p.close()));
}, 120_000);

function setUp(name: string): { fleet: Fleet; maintenance: Maintenance } {
  const fleet = createFleet(name, { concurrency: 4, commitLingerMs: 50 });
  const maintenance = createMaintenance(fleet);
  fleets.push(fleet);
  maintenances.push(maintenance);
  return { fleet, maintenance };
}

/** `jobs` appends to each table, at most `inFlight` at once per table (one snapshot each, mostly). */
async function fillTables(
  fleet: Fleet,
  tables: readonly string[],
  jobs: number,
  properties: Record<string, string> = {},
): Promise<void> {
  const producer = fleet.producer();
  for (let round = 0; round < jobs; round++) {
    const handles = await Promise.all(
      tables.map(async (table, t) => {
        const job = t * 1000 + round;
        const handle = await producer.write(table, jobBatch(job, ROWS), {
          create: { partitionSpec: [{ source: 'job', transform: 'identity' }], properties },
          idempotencyKey: `${fleet.run}-${t}-${round}`,
        });
        return { job, handle };
      }),
    );
    expect(describeFailures(await settle(handles, 60_000))).toBe('');
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

describe('maintenance across processes', () => {
  it('two processes with the same schedule never run one table at once, and both work', async () => {
    const { fleet, maintenance } = setUp('mconc');
    const tables = [`${fleet.namespace}.alpha`, `${fleet.namespace}.beta`];
    await fleet.startWorkers(1);
    await fillTables(fleet, tables, 8, {
      // floe.yaml keeps 5 days by default: only these overrides make scheduled expiry act.
      'history.expire.max-snapshot-age-ms': '1000',
      'history.expire.min-snapshots-to-keep': '2',
    });

    const schedules = [
      { name: 'expire-every-second', everyMs: 1000, action: 'expire' as const, tables },
      { name: 'orphans-every-second', everyMs: 1000, action: 'orphans' as const, tables },
    ];
    const [first, second] = await Promise.all([
      maintenance.start({ concurrency: 2, schedules }),
      maintenance.start({ concurrency: 2, schedules }),
    ]);
    if (first === undefined || second === undefined) throw new Error('two processes expected');

    // Scheduled runs (no policy in the job) expire by the table properties, not the floe.yaml
    // defaults (5 days, keep 1): a table they expired keeps exactly 2 snapshots.
    const scheduledExpiry = (run: MaintenanceRun) =>
      run.action === 'expire' && run.snapshotsExpired > 0 && run.jobId.startsWith('repeat-');
    await waitFor(
      'a scheduled expiry that removed snapshots',
      () => maintenance.allRuns().some(scheduledExpiry),
      60_000,
    );
    const scheduled = maintenance.allRuns().find(scheduledExpiry);
    const byProperties = await tableState(scheduled?.table ?? '', { rowsPerJob: ROWS });
    expect(byProperties.snapshots).toHaveLength(2);
    expect(stateProblems(byProperties, { rows: 8 * ROWS })).toEqual([]);

    // A burst of on-demand runs while the schedules keep firing, most on one table. While the
    // burst arrives the test itself holds that table's lock (as a third process would): both
    // processes take jobs of the table, and every one of them must wait, not run.
    const BURST = 16;
    const release = await maintenance.holdTableLock(tables[0] as string);
    const heldAt = Date.now();
    const ids = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        maintenance.enqueue({
          action: i % 2 === 0 ? 'expire' : 'orphans',
          table: (i < 12 ? tables[0] : tables[1]) as string,
          policy: { maxSnapshotAgeMs: 1000, minSnapshotsToKeep: 1, orphanOlderThanMs: 3_600_000 },
        }),
      ),
    );
    await sleep(2500);
    const releasedAt = Date.now();
    await release();
    const burst = await Promise.all(ids.map((id) => maintenance.wait(id, 120_000)));
    expect(burst).toHaveLength(BURST);
    expect(burst.every((run) => run.failedDeletes === 0)).toBe(true);

    // Both processes ran table jobs, and every burst report shows up as a logged run (same
    // process, same locked interval); log lines reach us through a pipe, so wait for them.
    const burstKeys = burst.map(runKey);
    await waitFor(
      'every burst run logged, and table runs in both processes',
      () => {
        const logged = new Set(maintenance.allRuns().map(runKey));
        return (
          burstKeys.every((key) => logged.has(key)) &&
          [first, second].every((p) => p.runs().filter((run) => run.table !== undefined).length >= 3)
        );
      },
      60_000,
    );
    const runs = maintenance.allRuns().filter((run) => run.table !== undefined);
    expect(overlappingRuns(runs)).toEqual([]);
    // Many runs of each table, from the schedules and the burst.
    for (const table of tables) {
      expect(runs.filter((run) => run.table === table).length).toBeGreaterThanOrEqual(6);
    }
    // Nothing ran on the held table while the test held its lock, though jobs of that table
    // were active in both processes meanwhile: they waited, then ran one at a time (each in
    // the process that had taken it).
    const heldTable = tables[0] as string;
    const duringHold = runs.filter(
      (run) =>
        run.table === heldTable &&
        Date.parse(run.finishedAt) > heldAt &&
        Date.parse(run.startedAt) < releasedAt,
    );
    expect(duringHold).toEqual([]);
    // Runs (burst or scheduled) that a process had taken before the release: they waited.
    const waited: MaintenanceRun[] = [];
    for (const run of runs.filter((r) => r.table === heldTable && Date.parse(r.finishedAt) > heldAt)) {
      const activeAt = (await maintenance.processedOn(run.jobId)) ?? Number.POSITIVE_INFINITY;
      if (activeAt < releasedAt) waited.push(run);
    }
    expect(new Set(waited.map((run) => run.worker)).size).toBe(2);
    process.stderr.write(
      `maintenance: ${runs.length} table runs (${first.runs().length} by pid ${first.pid}, ${second.runs().length} by pid ${second.pid}), ${waited.length} runs waited for the held lock\n`,
    );

    for (const table of tables) {
      const state = await tableState(table, { rowsPerJob: ROWS });
      expect(stateProblems(state, { rows: 8 * ROWS })).toEqual([]);
      expect(state.jobsPresent).toBe(8);
      // The on-demand policy (keep 1) beat the table property (keep 2).
      expect(state.snapshots).toHaveLength(1);
    }
  }, 240_000);

  it('a run killed after its expiry commit leaves a readable table; a rerun cleans up', async () => {
    const { fleet, maintenance } = setUp('mkill');
    const table = `${fleet.namespace}.many_snapshots`;
    await fleet.startWorkers(1);
    await fillTables(fleet, [table], 15);
    const before = await tableState(table, { rowsPerJob: ROWS });
    expect(stateProblems(before, { rows: 15 * ROWS })).toEqual([]);
    expect(before.snapshots.length).toBeGreaterThanOrEqual(10);

    const proxy = await startCommitFaultProxy(fleet.stack.catalogUri);
    proxies.push(proxy);
    const victim = await maintenance.start({ catalogUri: proxy.url, concurrency: 1 });
    const held = proxy.arm(commitFaults.hold(true)).then((c) => c.upstreamStatus);
    const jobId = await maintenance.enqueue({
      action: 'expire',
      table,
      policy: { maxSnapshotAgeMs: 1, minSnapshotsToKeep: 1 },
    });
    // The catalog took the expiry commit; the process dies before deleting a single file.
    expect(await held).toBe(200);
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    expect(victim.runs()).toEqual([]);

    const afterKill = await tableState(table, { rowsPerJob: ROWS });
    expect(afterKill.snapshots).toHaveLength(1);
    // Readers are fine: nothing referenced is missing; the expired snapshots' files are left over
    // (allowed here whatever their age: the run that would delete them was killed).
    expect(stateProblems(afterKill, { rows: 15 * ROWS, unreferencedSinceMs: 0 })).toEqual([]);
    expect(afterKill.unreferenced.length).toBeGreaterThan(0);

    // A new process gets the killed job back once its lock expires and finishes it.
    const rescuer = await maintenance.start({ concurrency: 1 });
    const rerun: MaintenanceRun = await maintenance.wait(jobId, 120_000);
    expect(rerun.worker.endsWith(`:${rescuer.pid}`)).toBe(true);
    expect(rerun.snapshotsExpired).toBe(0);

    const orphans = await maintenance.run({ action: 'orphans', table, policy: { orphanOlderThanMs: 1 } });
    expect(orphans.failedDeletes).toBe(0);
    expect(orphans.filesDeleted).toBe(afterKill.unreferenced.length);
    const cleaned = await tableState(table, { rowsPerJob: ROWS });
    expect(stateProblems(cleaned, { rows: 15 * ROWS })).toEqual([]);
    expect(cleaned.unreferenced).toEqual([]);
    expect(cleaned.listedCount).toBe(cleaned.referencedCount);
    expect(cleaned.jobsPresent).toBe(15);
  }, 240_000);
});

function runKey(run: MaintenanceRun): string {
  return `${run.worker}|${run.table}|${run.action}|${run.startedAt}`;
}
