import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { appendRows } from '../scan/scan-fixtures.test-helper.ts';
import { InMemoryCatalog, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import { assignRowIds } from './row-lineage.ts';

const rows = (from: number, count: number, region = 'eu') =>
  Array.from({ length: count }, (_, i) => ({ id: BigInt(from + i), region }));

async function dataFilesOf(io: MemoryFileIO, catalog: InMemoryCatalog) {
  const snapshot = currentSnapshot(catalog.metadata)!;
  const list = readManifestList(await io.read(snapshot.manifestList));
  const files: { path: string; firstRowId: bigint | undefined; records: bigint }[] = [];
  for (const manifest of list.manifests) {
    for (const entry of readManifest(await io.read(manifest.manifestPath), manifest).entries) {
      files.push({
        path: entry.file.filePath,
        firstRowId: entry.file.firstRowId,
        records: entry.file.recordCount,
      });
    }
  }
  return { list, files };
}

describe('row lineage on v3 tables', () => {
  it('assigns first-row-id, added-rows and next-row-id on each append; files inherit disjoint ranges', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(
      applyUpdates(newTableMetadata(), [{ action: 'upgrade-format-version', formatVersion: 3 }]),
    );
    expect(catalog.metadata.nextRowId).toBe(0n);
    await appendRows(catalog, io, [...rows(0, 3, 'eu'), ...rows(3, 2, 'us')]);
    const first = currentSnapshot(catalog.metadata)!;
    expect([first.firstRowId, first.addedRows, catalog.metadata.nextRowId]).toEqual([0n, 5n, 5n]);
    await appendRows(catalog, io, rows(10, 4));
    const second = currentSnapshot(catalog.metadata)!;
    expect([second.firstRowId, second.addedRows, catalog.metadata.nextRowId]).toEqual([5n, 4n, 9n]);

    const { list, files } = await dataFilesOf(io, catalog);
    expect(list.formatVersion).toBe(3);
    expect(list.manifests.map((m) => m.firstRowId)).toEqual([5n, 0n]);
    // Every row id range is disjoint and together they cover 0..9.
    const ranges = files
      .map((f) => [f.firstRowId!, f.firstRowId! + f.records] as const)
      .sort((a, b) => Number(a[0] - b[0]));
    expect(ranges[0]![0]).toBe(0n);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
    expect(ranges.at(-1)![1]).toBe(9n);
  });

  it('gives the existing rows of an upgraded v2 table ids in its first v3 commit', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(newTableMetadata());
    await appendRows(catalog, io, rows(0, 6));
    expect(currentSnapshot(catalog.metadata)!.firstRowId).toBeUndefined();
    catalog.metadata = applyUpdates(catalog.metadata, [
      { action: 'upgrade-format-version', formatVersion: 3 },
    ]);
    expect(catalog.metadata.nextRowId).toBe(0n);
    await appendRows(catalog, io, rows(6, 2));
    const snapshot = currentSnapshot(catalog.metadata)!;
    expect([snapshot.firstRowId, snapshot.addedRows, catalog.metadata.nextRowId]).toEqual([0n, 8n, 8n]);
    const { files } = await dataFilesOf(io, catalog);
    expect(files.map((f) => f.firstRowId).sort()).toEqual([0n, 2n]);
  });

  it('refuses a v3 snapshot without lineage or behind next-row-id, naming the problem', () => {
    const metadata = applyUpdates(newTableMetadata(), [
      { action: 'upgrade-format-version', formatVersion: 3 },
    ]);
    const snapshot = {
      snapshotId: 1n,
      sequenceNumber: 1n,
      timestampMs: 1n,
      manifestList: 'mem://t/metadata/snap-1.avro',
      summary: { operation: 'append' as const },
    };
    expect(() => applyUpdates(metadata, [{ action: 'add-snapshot', snapshot }])).toThrow(
      'cannot apply add-snapshot (updates[0]): v3 snapshot 1 needs first-row-id and added-rows (row lineage)',
    );
    const ahead = applyUpdates(metadata, [
      { action: 'add-snapshot', snapshot: { ...snapshot, firstRowId: 0n, addedRows: 10n } },
    ]);
    expect(() =>
      applyUpdates(ahead, [
        {
          action: 'add-snapshot',
          snapshot: { ...snapshot, snapshotId: 2n, sequenceNumber: 2n, firstRowId: 5n, addedRows: 1n },
        },
      ]),
    ).toThrow("first-row-id 5 is behind the table's next-row-id 10");
  });

  it('assigns ids to data manifests without one, counting added and existing rows, never to delete manifests', () => {
    const manifest = (content: 'data' | 'deletes', added: bigint, existing: bigint, firstRowId?: bigint) => ({
      manifestPath: `m-${content}-${added}-${existing}`,
      manifestLength: 1n,
      partitionSpecId: 0,
      content,
      sequenceNumber: undefined,
      minSequenceNumber: undefined,
      addedSnapshotId: 1n,
      addedFilesCount: 1,
      existingFilesCount: 0,
      deletedFilesCount: 0,
      addedRowsCount: added,
      existingRowsCount: existing,
      deletedRowsCount: 0n,
      ...(firstRowId === undefined ? {} : { firstRowId }),
    });
    // The spec's row lineage example: next-row-id 1000, three new manifests after an existing one.
    const { manifests, firstRowId, addedRows } = assignRowIds(
      [
        manifest('data', 75n, 0n, 925n),
        manifest('data', 100n, 25n),
        manifest('deletes', 3n, 0n),
        manifest('data', 0n, 100n),
        manifest('data', 125n, 25n),
      ],
      1000n,
    );
    expect(manifests.map((m) => m.firstRowId)).toEqual([925n, 1000n, undefined, 1125n, 1225n]);
    expect([firstRowId, addedRows]).toEqual([1000n, 375n]);
  });
});
