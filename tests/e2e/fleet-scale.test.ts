// Issue 6 acceptance, scale: 3 real writer processes, 500 small jobs (20 rows each) into 2
// tables through FloeProducer. PyIceberg must see exactly 500 × 20 rows, every unique key once
// and every job's rows exactly once, and fewer snapshots than jobs: group commit coalesces jobs
// of the same table, which the snapshot summaries' `floe.job-ids` (several ids) prove.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFleet,
  describeFailures,
  type Fleet,
  settle,
  tableReport,
  writeJobs,
} from './support/fleet.ts';

const JOBS = Number(process.env.FLEET_SCALE_JOBS ?? 500);
const ROWS = 20;
const TABLES = ['events_a', 'events_b'] as const;

let fleet: Fleet;

beforeAll(async () => {
  fleet = createFleet('scale', { concurrency: 8, commitLingerMs: 200 });
  await fleet.startWorkers(3);
}, 120_000);

afterAll(async () => {
  await fleet?.close();
}, 60_000);

describe('fleet at scale: 3 writer processes, 500 jobs, 2 tables', () => {
  it('lands every row exactly once with fewer commits than jobs', async () => {
    const handles = await writeJobs(fleet, JOBS, {
      table: (job) => `${fleet.namespace}.${TABLES[job % 2]}`,
      key: (job) => `${fleet.run}-job-${job}`,
      rows: ROWS,
      inFlight: 16,
    });
    expect(handles).toHaveLength(JOBS);

    const outcomes = await settle(handles, 240_000);
    expect(describeFailures(outcomes)).toBe('');
    expect(outcomes.filter((o) => o.ok)).toHaveLength(JOBS);

    const jobsPerTable = JOBS / 2;
    for (const name of TABLES) {
      const report = await tableReport(`${fleet.namespace}.${name}`, ROWS);
      const largest = Math.max(...report.jobIdsPerSnapshot.map((ids) => ids.length));
      process.stderr.write(
        `fleet: ${name}: ${report.snapshots} snapshots for ${jobsPerTable} jobs (largest group ${largest})\n`,
      );
      expect(report.rows).toBe(jobsPerTable * ROWS);
      expect(report.distinctIds).toBe(jobsPerTable * ROWS);
      expect(report.jobsPresent).toBe(jobsPerTable);
      expect(report.wrongJobs).toEqual([]);
      // Every job's marker is in exactly one snapshot.
      const marked = report.jobIdsPerSnapshot.flat();
      expect(marked).toHaveLength(jobsPerTable);
      expect(new Set(marked).size).toBe(jobsPerTable);
      // Group commit: fewer snapshots than jobs, and at least one snapshot carries several ids.
      expect(report.snapshots).toBeLessThan(jobsPerTable);
      expect(largest).toBeGreaterThan(1);
    }
  }, 330_000);
});
