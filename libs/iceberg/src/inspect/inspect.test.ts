import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../metadata/builder.ts';
import { buildTable } from '../scan/scan-fixtures.test-helper.ts';
import { filesTable, manifestsTable, partitionsTable } from './file-tables.ts';
import { historyTable, refsTable, snapshotsTable } from './metadata-tables.ts';

function rows(table: import('apache-arrow').Table): Record<string, unknown>[] {
  return table.toArray().map((row) => ({ ...row.toJSON() }));
}

describe('metadata inspection tables', () => {
  it('lists snapshots oldest first with parent links, operation and summary', async () => {
    const { metadata, snapshots } = await buildTable();
    const table = snapshotsTable(metadata);
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      'committed_at',
      'snapshot_id',
      'parent_id',
      'sequence_number',
      'operation',
      'manifest_list',
      'summary',
    ]);
    const [first, second] = rows(table);
    expect(first?.snapshot_id).toBe(snapshots[0]);
    expect(first?.parent_id).toBeNull();
    expect(second?.snapshot_id).toBe(snapshots[1]);
    expect(second?.parent_id).toBe(snapshots[0]);
    expect(second?.operation).toBe('append');
    expect(JSON.parse(second?.summary as string)).toMatchObject({ 'added-records': '3' });
    expect(typeof first?.committed_at).toBe('number');
  });

  it('marks a snapshot a rollback left behind as no longer a current ancestor', async () => {
    const { metadata, snapshots } = await buildTable();
    expect(rows(historyTable(metadata)).map((r) => r.is_current_ancestor)).toEqual([true, true]);
    const rolledBack = applyUpdates(metadata, [
      {
        action: 'set-snapshot-ref',
        refName: 'main',
        ref: { type: 'branch', snapshotId: snapshots[0] as bigint },
      },
    ]);
    const history = rows(historyTable(rolledBack));
    expect(history.map((r) => [r.snapshot_id, r.is_current_ancestor])).toEqual([
      [snapshots[0], true],
      [snapshots[1], false],
      [snapshots[0], true],
    ]);
    expect(history[1]?.parent_id).toBe(snapshots[0]);
  });

  it('lists refs with their snapshot and unset retention as null', async () => {
    const { metadata, snapshots } = await buildTable();
    const tagged = applyUpdates(metadata, [
      {
        action: 'set-snapshot-ref',
        refName: 'v1',
        ref: { type: 'tag', snapshotId: snapshots[0] as bigint, maxRefAgeMs: 1000n },
      },
    ]);
    expect(rows(refsTable(tagged))).toEqual([
      {
        name: 'main',
        type: 'branch',
        snapshot_id: snapshots[1],
        max_reference_age_in_ms: null,
        min_snapshots_to_keep: null,
        max_snapshot_age_in_ms: null,
      },
      {
        name: 'v1',
        type: 'tag',
        snapshot_id: snapshots[0],
        max_reference_age_in_ms: 1000n,
        min_snapshots_to_keep: null,
        max_snapshot_age_in_ms: null,
      },
    ]);
  });
});

describe('file inspection tables', () => {
  it('lists the manifests of the current snapshot with counts and decoded partition summaries', async () => {
    const { metadata, io, snapshots } = await buildTable();
    const manifests = rows(await manifestsTable(metadata, io));
    expect(manifests).toHaveLength(2);
    expect(manifests.map((m) => m.added_snapshot_id).sort()).toEqual([...snapshots].sort());
    expect(manifests.reduce((sum, m) => sum + (m.added_data_files_count as number), 0)).toBe(7);
    expect(manifests.every((m) => m.content === 0 && m.added_delete_files_count === 0)).toBe(true);
    const first = manifests.find((m) => m.added_snapshot_id === snapshots[0]);
    expect(JSON.parse(first?.partition_summaries as string)).toEqual([
      { field: 'region', contains_null: true, contains_nan: false, lower_bound: 'ap', upper_bound: 'us' },
    ]);
  });

  it('lists live files with partition, counts, sizes and bounds decoded by column name', async () => {
    const { metadata, io } = await buildTable();
    const files = rows(await filesTable(metadata, io));
    expect(files).toHaveLength(7);
    expect(files.reduce((sum, f) => sum + (f.record_count as bigint), 0n)).toBe(9n);
    expect(files.every((f) => (f.file_size_in_bytes as bigint) > 0n && f.file_format === 'PARQUET')).toBe(
      true,
    );
    const sa = files.find((f) => f.partition === '{"region":"sa"}');
    expect(sa).toMatchObject({ content: 0, spec_id: 0, record_count: 1n });
    expect(JSON.parse(sa?.lower_bounds as string)).toMatchObject({ id: 8, region: 'sa' });
    expect(JSON.parse(sa?.upper_bounds as string)).toMatchObject({ id: 8, region: 'sa' });
    expect(JSON.parse(sa?.value_counts as string)).toMatchObject({ id: 1, region: 1, note: 1 });
    expect(JSON.parse(sa?.null_value_counts as string)).toMatchObject({ id: 0, note: 1 });
    expect(files.some((f) => f.partition === '{"region":null}')).toBe(true);
  });

  it('lists the files of an older snapshot when asked by id', async () => {
    const { metadata, io, snapshots } = await buildTable();
    const files = rows(await filesTable(metadata, io, { snapshotId: snapshots[0] as bigint }));
    expect(files.map((f) => f.partition).sort()).toEqual([
      '{"region":"ap"}',
      '{"region":"eu"}',
      '{"region":"us"}',
      '{"region":null}',
    ]);
  });

  it('sums rows, files and bytes per partition', async () => {
    const { metadata, io } = await buildTable();
    const partitions = rows(await partitionsTable(metadata, io));
    const files = rows(await filesTable(metadata, io));
    expect(partitions.map((p) => p.partition)).toEqual([
      '{"region":"ap"}',
      '{"region":"eu"}',
      '{"region":"sa"}',
      '{"region":"us"}',
      '{"region":null}',
    ]);
    const eu = partitions.find((p) => p.partition === '{"region":"eu"}');
    const euBytes = files
      .filter((f) => f.partition === '{"region":"eu"}')
      .reduce((sum, f) => sum + (f.file_size_in_bytes as bigint), 0n);
    expect(eu).toMatchObject({
      spec_id: 0,
      record_count: 3n,
      file_count: 2,
      total_size: euBytes,
      delete_file_count: 0,
    });
  });

  it('returns empty tables for a table without snapshots', async () => {
    const { metadata, io } = await buildTable();
    const empty = { ...metadata, snapshots: [], snapshotLog: [], refs: {} } as typeof metadata;
    const { currentSnapshotId: _dropped, ...withoutCurrent } = empty;
    expect((await filesTable(withoutCurrent, io)).numRows).toBe(0);
    expect((await partitionsTable(withoutCurrent, io)).numRows).toBe(0);
    expect(snapshotsTable(withoutCurrent).numRows).toBe(0);
    expect(historyTable(withoutCurrent).numRows).toBe(0);
  });

  it('names the existing snapshots when asked for an unknown one', async () => {
    const { metadata, io, snapshots } = await buildTable();
    await expect(filesTable(metadata, io, { snapshotId: 42n, tableName: 'db.t' })).rejects.toThrow(
      new RegExp(`table db\\.t has no snapshot 42; its snapshots are ${snapshots[1]}`),
    );
  });
});
