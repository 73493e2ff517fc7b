// Issue 7 acceptance: a table written and rewritten by another engine is expired correctly and
// keeps working with our writers afterwards.
// PyIceberg creates the table, appends three times, then overwrites it with the same rows in one
// file (what an external compaction does: the old data files leave the table, new ones replace
// them). `floe maintenance run expire` (the CLI, done by a REAL maintenance worker process) first
// dry-runs, then expires everything but the current snapshot. Then:
//   - the dry run deleted nothing and listed exactly what the real run deleted;
//   - PyIceberg and DuckDB read the three appends' rows; the replaced data files are gone and
//     the bucket holds exactly what the retained metadata references;
//   - our writer fleet appends to the table and PyIceberg reads the old rows and the new ones.
import { join } from 'node:path';
import { repoRoot, runPython } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, jobBatch } from './support/fleet.ts';
import { createMaintenance, type MaintenanceRun } from './support/maintenance-fleet.ts';
import { stateProblems, tableState } from './support/maintenance-writes.ts';

const ROWS = 25;
const fleet = createFleet('mrewrite', { concurrency: 1 });
const maintenance = createMaintenance(fleet);

afterAll(async () => {
  await maintenance.close();
  await fleet.close();
}, 120_000);

interface Rewritten {
  /** data files of the three appends, replaced by the overwrite */
  readonly replaced: string[];
  /** data files of the overwrite */
  readonly current: string[];
  readonly snapshots: number;
}

/** PyIceberg: create, append jobs 0..2 (one file each), overwrite with their rows in one file. */
function writeAndRewriteWithPyIceberg(table: string): Promise<Rewritten> {
  return runPython<Rewritten>(`
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import IntegerType, LongType, NestedField, StringType
from floe_peers import catalog, emit
cat = catalog()
namespace, name = ${JSON.stringify(table)}.rsplit(".", 1)
cat.create_namespace_if_not_exists(namespace)
schema = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "job", IntegerType(), required=False),
    NestedField(3, "label", StringType(), required=False),
)
t = cat.create_table(${JSON.stringify(table)}, schema=schema)
arrow_schema = pa.schema([("id", pa.int64()), ("job", pa.int32()), ("label", pa.string())])
def job_rows(job):
    return pa.table({
        "id": [job * ${ROWS} + i for i in range(${ROWS})],
        "job": [job] * ${ROWS},
        "label": [f"job-{job}-row-{i}" for i in range(${ROWS})],
    }, schema=arrow_schema)
for job in range(3):
    t.append(job_rows(job))
def data_files(table):
    return sorted(task.file.file_path for task in table.scan().plan_files())
replaced = data_files(t)
t.overwrite(pa.concat_tables([job_rows(job) for job in range(3)]))
t = cat.load_table(${JSON.stringify(table)})
emit({"replaced": replaced, "current": data_files(t), "snapshots": len(t.snapshots())})
`);
}

function listObjects(location: string): Promise<string[]> {
  const support = join(repoRoot, 'tests', 'e2e', 'support');
  return runPython<string[]>(`
import sys
sys.path.insert(0, ${JSON.stringify(support)})
from floe_peers import emit
from maintenance_peers import list_objects
emit(sorted(list_objects(${JSON.stringify(location)})))
`);
}

async function expireWithCli(table: string, dryRun: boolean): Promise<MaintenanceRun> {
  const outcome = await maintenance.cli([
    'maintenance',
    'run',
    'expire',
    '--table',
    table,
    '--max-snapshot-age-ms',
    '1',
    '--min-snapshots-to-keep',
    '1',
    '--timeout-ms',
    '120000',
    '--json',
    ...(dryRun ? ['--dry-run'] : []),
  ]);
  expect(outcome.code, outcome.stderr).toBe(0);
  // Progress goes to stderr, the report JSON alone to stdout.
  expect(outcome.stderr).toContain(`queued expire of ${table}`);
  return JSON.parse(outcome.stdout) as MaintenanceRun;
}

describe('a table rewritten by PyIceberg', () => {
  it('is expired correctly by floe and keeps taking our writes', async () => {
    const table = `${fleet.namespace}.compacted`;
    const [rewritten] = await Promise.all([
      writeAndRewriteWithPyIceberg(table),
      fleet.startWorker(),
      maintenance.start({ concurrency: 1 }),
    ]);
    expect(rewritten.replaced).toHaveLength(3);
    expect(rewritten.current).toHaveLength(1);
    expect(rewritten.current.some((file) => rewritten.replaced.includes(file))).toBe(false);
    const before = await tableState(table, { rowsPerJob: ROWS });
    expect(stateProblems(before, { rows: 3 * ROWS })).toEqual([]);
    const objectsBefore = await listObjects(before.location);

    const dry = await expireWithCli(table, true);
    expect(dry.dryRun).toBe(true);
    expect(dry.snapshotsExpired).toBe(rewritten.snapshots - 1);
    expect(await listObjects(before.location)).toEqual(objectsBefore);
    expect([...dry.files].sort()).toEqual(expect.arrayContaining(rewritten.replaced));

    const real = await expireWithCli(table, false);
    expect(real.dryRun).toBe(false);
    expect(real.snapshotsExpired).toBe(rewritten.snapshots - 1);
    expect(real.failedDeletes).toBe(0);
    const objectsAfter = await listObjects(before.location);
    const deleted = objectsBefore.filter((object) => !objectsAfter.includes(object));
    expect(deleted).toEqual([...dry.files].sort());
    expect(real.filesDeleted).toBe(deleted.length);
    for (const file of rewritten.replaced) expect(objectsAfter).not.toContain(file);

    const expired = await tableState(table, { rowsPerJob: ROWS });
    expect(expired.snapshots).toHaveLength(1);
    expect(stateProblems(expired, { rows: 3 * ROWS })).toEqual([]);
    expect(expired.jobsPresent).toBe(3);

    // Our writers append to the table PyIceberg made and floe expired.
    const handle = await fleet.producer().write(table, jobBatch(3, ROWS), {
      idempotencyKey: `${fleet.run}-after-expiry`,
    });
    const result = await handle.result(90_000);
    expect(result.addedRows).toBe(ROWS);
    const appended = await tableState(table, { rowsPerJob: ROWS });
    expect(stateProblems(appended, { rows: 4 * ROWS })).toEqual([]);
    expect(appended.jobsPresent).toBe(4);
    expect(appended.snapshots).toHaveLength(2);
  }, 180_000);
});
