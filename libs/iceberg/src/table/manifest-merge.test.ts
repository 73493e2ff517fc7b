import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { DataFile, ManifestEntry } from '../manifest/data-file.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { commitWithRebase } from './commit.ts';
import { InMemoryCatalog, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import { manifestMergeSettings, packFromEnd } from './manifest-merge.ts';
import { fastAppend, overwrite } from './table-actions.ts';

const identifier = { namespace: ['db'], name: 't' };

function dataFile(name: string, region: string, rows = 1n): { file: DataFile; specId: number } {
  return {
    specId: 0,
    file: {
      content: 'data',
      filePath: `mem://t/data/${name}.parquet`,
      fileFormat: 'parquet',
      partition: [region],
      recordCount: rows,
      fileSizeInBytes: rows * 10n,
    },
  };
}

function withProperties(updates: Record<string, string>): TableMetadata {
  return applyUpdates(newTableMetadata(), [{ action: 'set-properties', updates }]);
}

async function append(catalog: InMemoryCatalog, io: MemoryFileIO, name: string, region = 'eu') {
  return commitWithRebase({
    committer: catalog,
    identifier,
    io,
    base: await catalog.loadTable(identifier),
    change: fastAppend([dataFile(name, region)]),
    sleep: async () => undefined,
  });
}

async function currentEntries(io: MemoryFileIO, metadata: TableMetadata) {
  const snapshot = currentSnapshot(metadata);
  if (snapshot === undefined) throw new Error('no snapshot');
  const list = readManifestList(await io.read(snapshot.manifestList));
  const entries: ManifestEntry[] = [];
  for (const manifest of list.manifests) {
    entries.push(...readManifest(await io.read(manifest.manifestPath), manifest).entries);
  }
  return { manifests: list.manifests, entries };
}

describe('packFromEnd', () => {
  it('fills bins from the oldest end so the newest bin is the partial one', () => {
    const bins = packFromEnd([1n, 1n, 1n, 1n, 1n], (w) => w, 2n);
    expect(bins.map((b) => b.length)).toEqual([1, 2, 2]);
  });

  it('gives an item heavier than the target a bin of its own', () => {
    expect(packFromEnd([1n, 5n, 1n], (w) => w, 2n)).toEqual([[1n], [5n], [1n]]);
  });
});

describe('manifestMergeSettings', () => {
  it('uses the Iceberg defaults', () => {
    expect(manifestMergeSettings({})).toEqual({
      enabled: true,
      minCountToMerge: 100,
      targetSizeBytes: 8388608n,
    });
  });

  it('names the property and the fix for a malformed value', () => {
    expect(() => manifestMergeSettings({ 'commit.manifest.min-count-to-merge': 'lots' }, 'db.t')).toThrow(
      "table property commit.manifest.min-count-to-merge='lots' on table db.t is not an integer: fix it with ALTER TABLE … SET TBLPROPERTIES or remove it to use the default",
    );
    expect(() => manifestMergeSettings({ 'commit.manifest-merge.enabled': 'yes' })).toThrow(
      "table property commit.manifest-merge.enabled='yes' on the table is not true or false",
    );
    expect(() => manifestMergeSettings({ 'commit.manifest.target-size-bytes': '0' })).toThrow(
      'is not a positive number of bytes',
    );
  });
});

describe('manifest merging on commit', () => {
  it('keeps at most min-count manifests and preserves every entry with its sequence numbers', async () => {
    const catalog = new InMemoryCatalog(withProperties({ 'commit.manifest.min-count-to-merge': '5' }));
    const io = new MemoryFileIO();
    for (let i = 0; i < 23; i++) await append(catalog, io, `f${i}`);
    const { manifests, entries } = await currentEntries(io, catalog.metadata);
    expect(manifests.length).toBeLessThanOrEqual(5);
    expect(entries.map((e) => e.file.filePath).sort()).toEqual(
      Array.from({ length: 23 }, (_, i) => `mem://t/data/f${i}.parquet`).sort(),
    );
    // Every file keeps the data and file sequence number of the snapshot that added it.
    const snapshots = catalog.metadata.snapshots;
    for (const entry of entries) {
      const adder = snapshots.find((s) => s.snapshotId === entry.snapshotId);
      expect(adder?.sequenceNumber).toBe(entry.sequenceNumber);
      expect(entry.fileSequenceNumber).toBe(entry.sequenceNumber);
      const name = Number(entry.file.filePath.match(/f(\d+)\.parquet/)?.[1]);
      expect(entry.sequenceNumber).toBe(BigInt(name + 1));
    }
    // Merged-in files became EXISTING; what stays ADDED sits in the manifest of its own snapshot.
    const existing = entries.filter((e) => e.status === 'existing');
    expect(existing.length).toBeGreaterThanOrEqual(23 - 5);
    for (const manifest of manifests) {
      for (const entry of readManifest(await io.read(manifest.manifestPath), manifest).entries) {
        if (entry.status === 'added') expect(entry.snapshotId).toBe(manifest.addedSnapshotId);
      }
    }
  });

  it('does not merge when disabled, and never merges manifests of different specs or content', async () => {
    const catalog = new InMemoryCatalog(
      withProperties({ 'commit.manifest-merge.enabled': 'false', 'commit.manifest.min-count-to-merge': '2' }),
    );
    const io = new MemoryFileIO();
    for (let i = 0; i < 4; i++) await append(catalog, io, `f${i}`);
    expect((await currentEntries(io, catalog.metadata)).manifests).toHaveLength(4);

    catalog.metadata = applyUpdates(catalog.metadata, [
      { action: 'set-properties', updates: { 'commit.manifest-merge.enabled': 'true' } },
      { action: 'add-spec', spec: { specId: 1, fields: [] } },
    ]);
    await commitWithRebase({
      committer: catalog,
      identifier,
      io,
      base: await catalog.loadTable(identifier),
      change: fastAppend([{ specId: 1, file: { ...dataFile('unpartitioned', 'eu').file, partition: [] } }]),
      sleep: async () => undefined,
    });
    const { manifests } = await currentEntries(io, catalog.metadata);
    expect(manifests.filter((m) => m.partitionSpecId === 1)).toHaveLength(1);
    expect(manifests.filter((m) => m.partitionSpecId === 0)).toHaveLength(1);
  });

  it("keeps this snapshot's deletes and drops older tombstones", async () => {
    const catalog = new InMemoryCatalog(withProperties({ 'commit.manifest.min-count-to-merge': '2' }));
    const io = new MemoryFileIO();
    await append(catalog, io, 'a', 'eu');
    await append(catalog, io, 'b', 'us');
    const outcome = await commitWithRebase({
      committer: catalog,
      identifier,
      io,
      base: await catalog.loadTable(identifier),
      change: overwrite([dataFile('c', 'eu')], (file) => file.partition[0] === 'eu'),
      sleep: async () => undefined,
    });
    let { manifests, entries } = await currentEntries(io, catalog.metadata);
    expect(manifests).toHaveLength(1);
    expect(
      entries.map((e) => [e.file.filePath, e.status, e.snapshotId === outcome.snapshot.snapshotId]),
    ).toEqual(
      expect.arrayContaining([
        ['mem://t/data/c.parquet', 'added', true],
        ['mem://t/data/a.parquet', 'deleted', true],
        ['mem://t/data/b.parquet', 'existing', false],
      ]),
    );
    await append(catalog, io, 'd', 'us');
    ({ manifests, entries } = await currentEntries(io, catalog.metadata));
    expect(entries.map((e) => e.file.filePath).sort()).toEqual([
      'mem://t/data/b.parquet',
      'mem://t/data/c.parquet',
      'mem://t/data/d.parquet',
    ]);
  });

  it('leaves no merged manifest of a lost attempt behind after a rebase', async () => {
    const catalog = new InMemoryCatalog(withProperties({ 'commit.manifest.min-count-to-merge': '2' }));
    const io = new MemoryFileIO();
    await append(catalog, io, 'a');
    const concurrentIo = io;
    let raced = false;
    const base = await catalog.loadTable(identifier);
    catalog.beforeCommit = async () => {
      if (raced) return;
      raced = true;
      catalog.beforeCommit = undefined;
      await append(catalog, concurrentIo, 'concurrent');
      raced = true;
    };
    await commitWithRebase({
      committer: catalog,
      identifier,
      io,
      base,
      change: fastAppend([dataFile('b', 'eu')]),
      sleep: async () => undefined,
    });
    const { manifests, entries } = await currentEntries(io, catalog.metadata);
    expect(entries.map((e) => e.file.filePath).sort()).toEqual([
      'mem://t/data/a.parquet',
      'mem://t/data/b.parquet',
      'mem://t/data/concurrent.parquet',
    ]);
    const referenced = new Set<string>();
    for (const snapshot of catalog.metadata.snapshots) {
      referenced.add(snapshot.manifestList);
      for (const m of readManifestList(await io.read(snapshot.manifestList)).manifests)
        referenced.add(m.manifestPath);
    }
    const stored: string[] = [];
    for await (const info of io.list('mem://t/metadata/')) stored.push(info.location);
    expect(stored.filter((path) => !referenced.has(path))).toEqual([]);
    expect(manifests).toHaveLength(1);
  });
});
