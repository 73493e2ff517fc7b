import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { scanTable } from '../scan/read.ts';
import { appendRows, identifier } from '../scan/scan-fixtures.test-helper.ts';
import { InMemoryCatalog, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import { commitRowLevelChange } from './row-level-commit.ts';
import type { RowMatcher } from './row-level-delete.ts';

const rows = (ids: readonly number[]) =>
  ids.map((id) => ({ id: BigInt(id), region: id % 2 === 0 ? 'eu' : 'us' }));

async function table(formatVersion: 2 | 3) {
  const io = new MemoryFileIO();
  const metadata = newTableMetadata();
  const catalog = new InMemoryCatalog(
    formatVersion === 3
      ? applyUpdates(metadata, [{ action: 'upgrade-format-version', formatVersion: 3 }])
      : metadata,
  );
  await appendRows(catalog, io, rows([1, 2, 3, 4, 5, 6, 7, 8]));
  return { io, catalog };
}

async function remove(
  catalog: InMemoryCatalog,
  io: MemoryFileIO,
  matcher: RowMatcher,
  base?: Awaited<ReturnType<InMemoryCatalog['loadTable']>>,
) {
  return commitRowLevelChange({
    committer: catalog,
    identifier,
    io,
    base: base ?? (await catalog.loadTable(identifier)),
    matcher,
    sleep: async () => undefined,
  });
}

async function ids(catalog: InMemoryCatalog, io: MemoryFileIO, snapshotId?: bigint) {
  const { table: t } = await scanTable(catalog.metadata, io, snapshotId === undefined ? {} : { snapshotId });
  return [...(t.getChild('id')?.toArray() ?? [])].map(Number).sort((a, b) => a - b);
}

async function deleteEntries(catalog: InMemoryCatalog, io: MemoryFileIO) {
  const list = readManifestList(await io.read(currentSnapshot(catalog.metadata)!.manifestList));
  const out = [];
  for (const m of list.manifests.filter((x) => x.content === 'deletes')) {
    for (const e of readManifest(await io.read(m.manifestPath), m).entries) {
      if (e.status !== 'deleted') out.push(e.file);
    }
  }
  return out;
}

describe('row-level delete (merge-on-read)', () => {
  it('v2: writes one position delete file per data file touched; pruned files are never read', async () => {
    const { io, catalog } = await table(2);
    const outcome = await remove(catalog, io, { filter: "region = 'eu' and id > 2" });
    expect(outcome.status).toBe('committed');
    expect(outcome.plan!.deletedRows).toBe(3n);
    // The `us` file is ruled out by its partition: one candidate file.
    expect(outcome.plan!.filesScanned).toBe(1);
    expect(await ids(catalog, io)).toEqual([1, 2, 3, 5, 7]);
    const snapshot = currentSnapshot(catalog.metadata)!;
    expect(snapshot.summary).toMatchObject({
      operation: 'delete',
      'added-delete-files': '1',
      'added-position-delete-files': '1',
      'added-position-deletes': '3',
      'total-delete-files': '1',
      'total-position-deletes': '3',
      'total-records': '8',
    });
    const [deletes] = await deleteEntries(catalog, io);
    expect([deletes!.fileFormat, deletes!.content, deletes!.recordCount]).toEqual([
      'parquet',
      'position-deletes',
      3n,
    ]);
    // Earlier snapshots still see every row.
    expect(await ids(catalog, io, snapshot.parentSnapshotId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('v3: writes a deletion vector, and a second delete merges into it and removes the old one', async () => {
    const { io, catalog } = await table(3);
    await remove(catalog, io, { filter: 'id in (2, 4)' });
    expect(await ids(catalog, io)).toEqual([1, 3, 5, 6, 7, 8]);
    const [first] = await deleteEntries(catalog, io);
    expect([first!.fileFormat, first!.recordCount, first!.contentOffset]).toEqual(['puffin', 2n, 4n]);
    const outcome = await remove(catalog, io, { filter: 'id = 6 or id = 4' });
    // Row 4 was already gone: only row 6 is newly deleted.
    expect(outcome.plan!.deletedRows).toBe(1n);
    expect(await ids(catalog, io)).toEqual([1, 3, 5, 7, 8]);
    const live = await deleteEntries(catalog, io);
    expect(live.map((f) => [f.fileFormat, f.recordCount])).toEqual([['puffin', 3n]]);
    expect(currentSnapshot(catalog.metadata)!.summary).toMatchObject({
      'added-dvs': '1',
      'removed-dvs': '1',
      'total-delete-files': '1',
      'total-position-deletes': '3',
    });
  });

  it('rebases on a concurrent delete of the same file: both deletes hold, none is lost', async () => {
    const { io, catalog } = await table(3);
    const stale = await catalog.loadTable(identifier);
    await remove(catalog, io, { filter: 'id = 2' });
    const outcome = await remove(catalog, io, { filter: 'id = 4' }, stale);
    expect(outcome.plans).toBe(2);
    expect(outcome.conflicts).toBe(1);
    expect(await ids(catalog, io)).toEqual([1, 3, 5, 6, 7, 8]);
    expect((await deleteEntries(catalog, io)).map((f) => f.recordCount)).toEqual([2n]);
    // The stale plan's Puffin file was cleaned up: only the live DV's file remains.
    const puffins = [];
    for await (const f of io.list('mem://t/data/'))
      if (f.location.endsWith('.puffin')) puffins.push(f.location);
    expect(puffins).toHaveLength(2);
  });

  it('commits an empty delete snapshot when nothing matches (so a job marker still lands once)', async () => {
    const { io, catalog } = await table(2);
    const outcome = await remove(catalog, io, { filter: 'id > 100' });
    expect(outcome.plan!.deletedRows).toBe(0n);
    expect(outcome.plan!.filesScanned).toBe(0);
    expect(currentSnapshot(catalog.metadata)!.summary.operation).toBe('delete');
  });

  it('refuses a v1 table, naming the upgrade', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog({ ...newTableMetadata(), formatVersion: 1 });
    await appendRows(catalog, io, rows([1, 2]));
    await expect(remove(catalog, io, { filter: 'id = 1' })).rejects.toThrow(
      'db.t is a format v1 table, which has no row-level deletes; upgrade it first with `floe table upgrade db.t --format-version 2`',
    );
  });
});
