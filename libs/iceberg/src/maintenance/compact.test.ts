import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isIcebergError } from '../errors.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { scanTable } from '../scan/read.ts';
import { appendRows, commitDeletes, identifier, parquetOf } from '../scan/scan-fixtures.test-helper.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { commitWithRebase } from '../table/commit.ts';
import { InMemoryCatalog, newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { overwrite } from '../table/table-actions.ts';
import { compactTable } from './compact.ts';
import { planCompaction } from './compaction-plan.ts';

async function ids(catalog: InMemoryCatalog, io: MemoryFileIO): Promise<bigint[]> {
  const { table } = await scanTable(catalog.metadata, io);
  return idColumn(table).sort((a, b) => (a < b ? -1 : 1));
}

function idColumn(table: arrow.Table): bigint[] {
  const column = table.getChild('id');
  if (column === null) throw new Error('scan returned no id column');
  return [...(column.toArray() as BigInt64Array)];
}

async function smallFilesTable(appends: number): Promise<{ catalog: InMemoryCatalog; io: MemoryFileIO }> {
  const catalog = new InMemoryCatalog(newTableMetadata());
  const io = new MemoryFileIO();
  for (let i = 0; i < appends; i++) {
    await appendRows(catalog, io, [
      { id: BigInt(i * 2), region: 'eu' },
      { id: BigInt(i * 2 + 1), region: 'us' },
    ]);
  }
  return { catalog, io };
}

async function dataFiles(io: MemoryFileIO): Promise<string[]> {
  const out: string[] = [];
  for await (const info of io.list('mem://t/data/')) out.push(info.location);
  return out.sort();
}

describe('planCompaction', () => {
  it('groups small files per partition and skips partitions below min-input-files', async () => {
    const { catalog, io } = await smallFilesTable(6);
    await appendRows(catalog, io, [{ id: 100n, region: 'ap' }]);
    const plan = await planCompaction(catalog.metadata, io);
    expect(plan.groups.map((g) => [g.partitionPath, g.tasks.length]).sort()).toEqual([
      ['region=eu', 6],
      ['region=us', 6],
    ]);
    expect(plan.dataFilesTotal).toBe(13);
  });
});

describe('compactTable', () => {
  it('rewrites small files into one per partition; the rows stay the same; dry run changes nothing', async () => {
    const { catalog, io } = await smallFilesTable(6);
    const before = await ids(catalog, io);
    const dry = await compactTable({ committer: catalog, identifier, io, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, snapshotId: undefined, rewrittenDataFiles: 12 });
    expect(dry.files).toHaveLength(12);
    expect(catalog.metadata.snapshots).toHaveLength(6);

    const report = await compactTable({ committer: catalog, identifier, io, sleep: async () => undefined });
    expect(report).toMatchObject({ rewrittenDataFiles: 12, addedDataFiles: 2, rows: 12n });
    const snapshot = currentSnapshot(catalog.metadata);
    expect(snapshot?.summary).toMatchObject({
      operation: 'replace',
      'added-data-files': '2',
      'deleted-data-files': '12',
      'total-data-files': '2',
      'total-records': '12',
    });
    expect(await ids(catalog, io)).toEqual(before);
    expect((await planCompaction(catalog.metadata, io)).groups).toHaveLength(0);
  });

  it('commits over concurrent appends; the appended rows survive', async () => {
    const { catalog, io } = await smallFilesTable(5);
    let appended = 0;
    const report = await compactTable({
      committer: catalog,
      identifier,
      io,
      sleep: async () => undefined,
      beforeCommit: async () => {
        await appendRows(catalog, io, [{ id: 1000n, region: 'eu' }]);
        appended++;
      },
    });
    expect(appended).toBe(1);
    expect(report.snapshotId).toBeDefined();
    expect(await ids(catalog, io)).toEqual([...Array.from({ length: 10 }, (_, i) => BigInt(i)), 1000n]);
  });

  it('fails retryably and leaves no file behind when a concurrent overwrite removed its inputs', async () => {
    const { catalog, io } = await smallFilesTable(5);
    const filesBefore = await dataFiles(io);
    const metadataBefore: string[] = [];
    for await (const info of io.list('mem://t/metadata/')) metadataBefore.push(info.location);
    let overwrites = 0;
    const error = await compactTable({
      committer: catalog,
      identifier,
      io,
      sleep: async () => undefined,
      beforeCommit: async () => {
        overwrites++;
        await commitWithRebase({
          committer: catalog,
          identifier,
          io,
          base: await catalog.loadTable(identifier),
          change: overwrite([], (file) => file.partition[0] === 'eu'),
          sleep: async () => undefined,
        });
      },
    }).catch((e: unknown) => e);
    expect(overwrites).toBe(1);
    expect(isIcebergError(error, 'commit-conflict')).toBe(true);
    expect((error as Error).message).toMatch(
      /compaction of db\.t lost its input .*removed it meanwhile; the next run plans again/,
    );
    expect(isIcebergError(error) && error.retryable).toBe(true);
    expect(await dataFiles(io)).toEqual(filesBefore);
    const metadataAfter: string[] = [];
    for await (const info of io.list('mem://t/metadata/')) metadataAfter.push(info.location);
    // Only the overwrite's own metadata was added: the compaction's manifests and list are gone.
    const current = currentSnapshot(catalog.metadata);
    expect(current?.summary.operation).toBe('overwrite');
    const referenced = new Set([current?.manifestList as string]);
    for (const m of readManifestList(await io.read(current?.manifestList as string)).manifests) {
      referenced.add(m.manifestPath);
    }
    expect(metadataAfter.filter((p) => !metadataBefore.includes(p) && !referenced.has(p))).toEqual([]);
  });

  it('applies position deletes while rewriting and retires the delete file', async () => {
    const { catalog, io } = await smallFilesTable(5);
    const eu = (await planCompaction(catalog.metadata, io)).groups.find(
      (g) => g.partitionPath === 'region=eu',
    );
    const target = eu?.tasks[0]?.file.filePath as string;
    const positions = parquetOf(
      new arrow.Table({
        file_path: arrow.vectorFromArray([target], new arrow.Utf8()),
        pos: arrow.makeVector(BigInt64Array.from([0n])),
      }),
    );
    await io.write('mem://t/data/region=eu/pos.parquet', positions);
    await commitDeletes(catalog, io, [
      {
        content: 'position-deletes',
        filePath: 'mem://t/data/region=eu/pos.parquet',
        fileFormat: 'parquet',
        partition: ['eu'],
        recordCount: 1n,
        fileSizeInBytes: BigInt(positions.length),
      },
    ]);
    const before = await ids(catalog, io);
    expect(before).toHaveLength(9);
    const report = await compactTable({ committer: catalog, identifier, io, sleep: async () => undefined });
    expect(report).toMatchObject({ retiredDeleteFiles: 1, rows: 9n });
    const { plan } = await scanTable(catalog.metadata, io);
    expect(plan.stats.deleteFiles).toBe(0);
    expect(await ids(catalog, io)).toEqual(before);
    expect(currentSnapshot(catalog.metadata)?.summary).toMatchObject({ 'removed-delete-files': '1' });
  });

  it('orders rewritten rows by the table sort order', async () => {
    const catalog = new InMemoryCatalog(
      applyUpdates(newTableMetadata(false), [
        {
          action: 'add-sort-order',
          sortOrder: {
            orderId: 1,
            fields: [{ sourceId: 1, transform: 'identity', direction: 'desc', nullOrder: 'nulls-last' }],
          },
        },
        { action: 'set-default-sort-order', sortOrderId: -1 },
      ]) as TableMetadata,
    );
    const io = new MemoryFileIO();
    for (const id of [3n, 9n, 1n, 7n, 5n]) await appendRows(catalog, io, [{ id, region: 'eu' }]);
    await compactTable({ committer: catalog, identifier, io, sleep: async () => undefined });
    const { table } = await scanTable(catalog.metadata, io);
    expect(idColumn(table)).toEqual([9n, 7n, 5n, 3n, 1n]);
  });
});
