// Crash safety of row-level writes with real writer processes: an upsert job whose worker is
// kill -9'd after it wrote its data and delete files but before its commit reached the catalog
// (the commit request is held by a proxy and never forwarded) changes nothing — the table still
// has its one snapshot — and, re-delivered to a healthy worker, commits exactly once: every key
// once, the overlapping keys updated, one upsert snapshot.
import { type CommitFaultProxy, commitFaults, runPython, startCommitFaultProxy } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleet, type Fleet, jobBatch, tableReport } from './support/fleet.ts';

const ROWS = 20;
let fleet: Fleet | undefined;
let proxy: CommitFaultProxy | undefined;

afterAll(async () => {
  await fleet?.close();
  await proxy?.close();
}, 90_000);

/** Rows ids 10..29 (10..19 already in the table) of job 1, labelled as upserted. */
function upsertBatch(): arrow.Table {
  const ids = Array.from({ length: ROWS }, (_, i) => BigInt(10 + i));
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids)),
    job: arrow.makeVector(Int32Array.from(ids, () => 1)),
    label: arrow.vectorFromArray(
      ids.map((id) => `upserted-${id}`),
      new arrow.Utf8(),
    ),
  });
}

describe('row-level writes under kill -9', () => {
  it('an upsert killed between writing and committing changes nothing, then lands once', async () => {
    fleet = createFleet('upsert-crash');
    proxy = await startCommitFaultProxy(fleet.stack.catalogUri);
    const doomed = await fleet.startWorker({ catalogUri: proxy.url, concurrency: 1 });
    const producer = fleet.producer();
    const table = `${fleet.namespace}.keyed`;
    const created = await producer.write(table, jobBatch(0, ROWS), {
      create: { partitionSpec: [] },
      idempotencyKey: `${fleet.run}-base`,
    });
    await created.result(120_000);

    // The commit request is held and never forwarded: the catalog never sees it.
    const blocked = proxy.arm(commitFaults.hold(false), table);
    const handle = await producer.write(table, upsertBatch(), {
      mode: 'upsert',
      keys: ['id'],
      idempotencyKey: `${fleet.run}-upsert`,
    });
    await blocked;
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const untouched = await tableReport(table, ROWS);
    expect([untouched.rows, untouched.snapshots]).toEqual([ROWS, 1]);

    await fleet.startWorker();
    const result = (await handle.result(180_000)) as {
      operation: string;
      deletedRows: number;
      alreadyCommitted: boolean;
    };
    expect([result.operation, result.deletedRows, result.alreadyCommitted]).toEqual(['overwrite', 10, false]);
    const report = await runPython<{ ids: number[]; labels: string[]; snapshots: number }>(`
from floe_peers import catalog, emit
t = catalog().load_table("${table}")
rows = t.scan().to_arrow().sort_by("id").to_pylist()
emit({"ids": [r["id"] for r in rows], "labels": [r["label"] for r in rows], "snapshots": len(t.snapshots())})
`);
    expect(report.ids).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(report.labels.slice(10)).toEqual(Array.from({ length: 20 }, (_, i) => `upserted-${10 + i}`));
    expect(report.snapshots).toBe(2);
    expect(proxy.commits.filter((c) => c.fault === 'hold').map((c) => c.upstreamStatus)).toEqual([undefined]);
  }, 300_000);
});
