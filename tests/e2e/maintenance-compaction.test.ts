// Issue 13 acceptance, compaction with concurrent writers: two REAL writer processes append to
// one table continuously (jobs of 10 rows from the producer SDK), while a REAL maintenance
// worker compacts it on demand (`compact`, small files → one file per partition) at least five
// times. No compaction may fail because of an append (appends committed between its plan and
// its commit are rebased over, never a conflict), and at the end PyIceberg reads every job's
// rows exactly once. Then `floe table health --format json` is compared with PyIceberg's own
// inspection of the same table.
import { runPython } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, sleep, tableReport } from './support/fleet.ts';
import { createMaintenance, type MaintenanceRun } from './support/maintenance-fleet.ts';
import { startWriteLoop, type WriteLoop } from './support/maintenance-writes.ts';

const ROWS = 10;
const COMPACTIONS = 5;
const MAX_RUNS = 20;

const fleet = createFleet('mcompact', { concurrency: 2, commitLingerMs: 100 });
const maintenance = createMaintenance(fleet);
let loop: WriteLoop | undefined;

afterAll(async () => {
  await loop?.stop();
  await maintenance.close();
  await fleet.close();
}, 120_000);

interface PyHealth {
  readonly dataFiles: number;
  readonly records: number;
  readonly dataBytes: number;
  readonly medianFileBytes: number;
  readonly manifests: number;
  readonly deleteFiles: number;
  readonly snapshots: number;
  readonly metadataJsonBytes: number;
  readonly partitions: number;
  readonly mostFiles: number;
}

describe('compaction while two writers append continuously', () => {
  it(`compacts ≥ ${COMPACTIONS} times, never failing because of an append; rows are neither lost nor doubled`, async () => {
    const table = `${fleet.namespace}.events`;
    await Promise.all([fleet.startWorkers(2), maintenance.start({ concurrency: 1 })]);
    loop = startWriteLoop(fleet, table, {
      rowsPerJob: ROWS,
      inFlight: 2,
      paceMs: 200,
      create: { partitionSpec: [{ source: 'id', transform: 'bucket[2]' }] },
    });
    const writes = loop;
    for (let waited = 0; writes.committed.length < 8 && waited < 240; waited++) await sleep(500);
    expect(writes.failures).toEqual([]);

    const runs: MaintenanceRun[] = [];
    for (
      let i = 0;
      i < MAX_RUNS && runs.filter((r) => r.rewrite?.snapshotId !== undefined).length < COMPACTIONS;
      i++
    ) {
      await sleep(500);
      // A failure rejects here with the worker's message: that alone fails the test.
      runs.push(
        await maintenance
          .run({ action: 'compact', table, policy: { minInputFiles: 2 } }, 180_000)
          .catch((error: unknown) => {
            const log = maintenance.processes.map((p) => p.output().slice(-4000)).join('\n');
            throw new Error(`${String(error)}\nmaintenance worker output:\n${log}`);
          }),
      );
    }
    const committed = runs.filter((r) => r.rewrite?.snapshotId !== undefined);
    expect(committed.length).toBeGreaterThanOrEqual(COMPACTIONS);
    expect(committed.every((r) => (r.rewrite?.filesRewritten ?? 0) >= 2)).toBe(true);

    await writes.stop();
    expect(writes.failures).toEqual([]);
    const report = await tableReport(table, ROWS);
    expect(report.wrongJobs).toEqual([]);
    expect(report.jobsPresent).toBe(writes.committed.length);
    expect(report.rows).toBe(writes.committed.length * ROWS);
    expect(report.distinctIds).toBe(report.rows);
    const worked = committed.map((r) => r.durationMs);
    process.stdout.write(
      `compaction under load: ${committed.length} compactions committed in ${runs.length} runs ` +
        `(${worked.join(', ')} ms), ${writes.committed.length} jobs appended meanwhile\n`,
    );

    // `floe table health` against PyIceberg's inspection of the same (now quiet) table.
    const cli = await maintenance.cli(['table', 'health', table, '--format', 'json']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const health = JSON.parse(cli.stdout) as PyHealth & { topPartitions: { dataFiles: number }[] };
    const py = await runPython<PyHealth>(`
from floe_peers import catalog, emit
import statistics
t = catalog().load_table("${table}")
files = t.inspect.files().to_pylist()
data = [f for f in files if f["content"] == 0]
sizes = sorted(f["file_size_in_bytes"] for f in data)
parts = t.inspect.partitions().to_pylist()
emit({"dataFiles": len(data), "records": sum(f["record_count"] for f in data),
      "dataBytes": sum(sizes), "medianFileBytes": int(statistics.median(sizes) + 0.5) if sizes else 0,  # whole bytes, half up (floe's rounding; Python rounds half to even)
      "manifests": len(t.inspect.manifests()), "deleteFiles": len(files) - len(data),
      "snapshots": len(t.metadata.snapshots), "metadataJsonBytes": len(t.io.new_input(t.metadata_location)),
      "partitions": len(parts), "mostFiles": max(p["file_count"] for p in parts)})
`);
    expect(health).toMatchObject({
      dataFiles: py.dataFiles,
      records: py.records,
      dataBytes: py.dataBytes,
      medianFileBytes: py.medianFileBytes,
      manifests: py.manifests,
      deleteFiles: py.deleteFiles,
      snapshots: py.snapshots,
      metadataJsonBytes: py.metadataJsonBytes,
      partitions: py.partitions,
    });
    expect(health.topPartitions[0]?.dataFiles).toBe(py.mostFiles);
  }, 900_000);
});
