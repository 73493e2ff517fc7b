import { describe, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import { boundExpressionToString } from '../expressions/bound.ts';
import { eq, gt, ref } from '../expressions/expression.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { planScan } from './plan.ts';
import { buildTable } from './scan-fixtures.test-helper.ts';

const fixture = await buildTable();
const { io, metadata, snapshots } = fixture;

async function failure(promise: Promise<unknown>): Promise<IcebergError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IcebergError);
  return error as IcebergError;
}

describe('planScan: snapshot selection', () => {
  it('plans the current snapshot under the current schema by default', async () => {
    const plan = await planScan(metadata, io);
    expect(plan.snapshot?.snapshotId).toBe(metadata.currentSnapshotId);
    expect(plan.schema.fields.map((f) => f.name)).toEqual(['id', 'region', 'note']);
    // 4 partitions in snapshot 1 (eu, us, ap, null) + 3 in snapshot 2 (eu, sa, us).
    expect(plan.tasks).toHaveLength(7);
    expect(plan.stats).toMatchObject({
      filesTotal: 7,
      filesSkipped: 0,
      manifestsTotal: 2,
      manifestsSkipped: 0,
    });
    expect(plan.tasks.every((t) => t.residual.kind === 'true')).toBe(true);
  });

  it('reads an old snapshot by id under the schema it was written with', async () => {
    const plan = await planScan(metadata, io, { snapshotId: snapshots[0]! });
    expect(plan.snapshot?.snapshotId).toBe(snapshots[0]);
    expect(plan.schema.fields.map((f) => f.name)).toEqual(['id', 'region']);
    expect(plan.tasks).toHaveLength(4);
  });

  it('finds the snapshot current at a timestamp, and by branch name', async () => {
    const first = metadata.snapshotLog[0]!;
    const asOf = await planScan(metadata, io, { asOfTimestampMs: first.timestampMs });
    expect(asOf.snapshot?.snapshotId).toBe(first.snapshotId);
    const main = await planScan(metadata, io, { ref: 'main' });
    expect(main.snapshot?.snapshotId).toBe(metadata.currentSnapshotId);
  });

  it('names the existing snapshots when the id is unknown', async () => {
    const error = await failure(planScan(metadata, io, { snapshotId: 123n, tableName: 'db.t' }));
    expect(error.kind).toBe('not-found');
    expect(error.message).toMatch(/^table db\.t has no snapshot 123; its snapshots are \d+ \(20\d\d-/);
    for (const id of snapshots) expect(error.message).toContain(String(id));
  });

  it('says when the first snapshot was committed for a timestamp before it', async () => {
    const first = metadata.snapshotLog[0]!.timestampMs;
    const error = await failure(
      planScan(metadata, io, { asOfTimestampMs: first - 1000n, tableName: 'db.t' }),
    );
    expect(error.message).toBe(
      `table db.t has no snapshot as of ${new Date(Number(first - 1000n)).toISOString()}: its first snapshot ` +
        `was committed at ${new Date(Number(first)).toISOString()}`,
    );
  });

  it('lists the refs when a branch or tag is unknown', async () => {
    const error = await failure(planScan(metadata, io, { ref: 'dev', tableName: 'db.t' }));
    expect(error.message).toBe("table db.t has no branch or tag 'dev'; its refs are main");
  });

  it('refuses two snapshot selectors at once', async () => {
    const error = await failure(
      planScan(metadata, io, { ref: 'main', snapshotId: snapshots[0]!, tableName: 'db.t' }),
    );
    expect(error.message).toBe(
      'a scan of db.t selects a snapshot by id, by timestamp or by ref — not by several at once',
    );
  });

  it('plans nothing for a table without snapshots', async () => {
    const plan = await planScan(newTableMetadata(), new MemoryFileIO());
    expect(plan.snapshot).toBeUndefined();
    expect(plan.tasks).toEqual([]);
    const error = await failure(
      planScan(newTableMetadata(), new MemoryFileIO(), { asOfTimestampMs: 5n, tableName: 'db.t' }),
    );
    expect(error.message).toBe(
      'table db.t has no snapshots, so nothing was current at 1970-01-01T00:00:00.005Z',
    );
  });
});

describe('planScan: pruning and residuals', () => {
  it('skips files of other partitions and leaves no residual for an identity partition', async () => {
    const plan = await planScan(metadata, io, { filter: eq('region', 'eu') });
    expect(plan.tasks.map((t) => t.file.partition)).toEqual([['eu'], ['eu']]);
    expect(plan.stats.filesSkipped).toBe(5);
    expect(plan.tasks.every((t) => t.residual.kind === 'true')).toBe(true);
  });

  it('skips whole manifests whose partition summaries cannot match', async () => {
    // Snapshot 1's manifest spans regions ap..us, snapshot 2's eu..us.
    const plan = await planScan(metadata, io, { filter: "region < 'b'" });
    expect(plan.stats).toMatchObject({
      manifestsTotal: 2,
      manifestsSkipped: 1,
      filesTotal: 4,
      filesSkipped: 3,
    });
    expect(plan.tasks.map((t) => t.file.partition)).toEqual([['ap']]);
  });

  it('prunes by column metrics and keeps a residual for rows', async () => {
    const plan = await planScan(metadata, io, { filter: gt('id', 6n) });
    // Only snapshot 2's files hold ids above 6.
    expect(plan.tasks).toHaveLength(3);
    expect(plan.stats.filesSkipped).toBe(4);
    expect(plan.tasks.map((t) => boundExpressionToString(t.residual))).toEqual(Array(3).fill('id > 6'));
  });

  it('simplifies residuals partition by partition', async () => {
    const plan = await planScan(metadata, io, { filter: "region = 'eu' or id = 9" });
    const residuals = plan.tasks.map((t) => [t.file.partition[0], boundExpressionToString(t.residual)]);
    expect(residuals).toContainEqual(['eu', 'true']);
    expect(residuals).toContainEqual(['us', 'id = 9']);
  });

  it('matches names ignoring case when asked', async () => {
    const plan = await planScan(metadata, io, {
      filter: eq(ref('REGION'), 'us'),
      columns: ['ID'],
      caseSensitive: false,
    });
    expect(plan.projectedSchema.fields.map((f) => f.name)).toEqual(['id']);
    expect(plan.tasks).toHaveLength(2);
  });

  it('names the table and suggests a column for an unknown filter column', async () => {
    const error = await failure(planScan(metadata, io, { filter: 'regoin = 1', tableName: 'db.t' }));
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toBe("filter on db.t: unknown column 'regoin'; did you mean 'region'?");
  });

  it('lists the columns for an unknown projected column', async () => {
    const error = await failure(planScan(metadata, io, { columns: ['id', 'nots'], tableName: 'db.t' }));
    expect(error.message).toBe(
      "cannot select unknown column 'nots' from db.t; did you mean 'note'? its columns are id, region, note",
    );
  });

  it('plans nothing for a filter that is always false', async () => {
    const plan = await planScan(metadata, io, { filter: 'false' });
    expect(plan.tasks).toEqual([]);
  });
});
