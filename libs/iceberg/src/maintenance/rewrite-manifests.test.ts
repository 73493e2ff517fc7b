import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { ManifestEntry } from '../manifest/data-file.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { scanTable } from '../scan/read.ts';
import { appendRows, identifier } from '../scan/scan-fixtures.test-helper.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { InMemoryCatalog, newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { rewriteManifests } from './rewrite-manifests.ts';

async function entries(io: MemoryFileIO, metadata: TableMetadata) {
  const snapshot = currentSnapshot(metadata);
  const list = readManifestList(await io.read(snapshot?.manifestList as string)).manifests;
  const out: { manifest: string; entry: ManifestEntry }[] = [];
  for (const m of list) {
    for (const entry of readManifest(await io.read(m.manifestPath), m).entries)
      out.push({ manifest: m.manifestPath, entry });
  }
  return { manifests: list, entries: out };
}

describe('rewriteManifests', () => {
  it('clusters manifests by partition, keeping each entry with its snapshot id and sequence numbers', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    for (let i = 0; i < 8; i++) {
      await appendRows(catalog, io, [
        { id: BigInt(i), region: 'eu' },
        { id: BigInt(100 + i), region: 'us' },
      ]);
    }
    const before = await entries(io, catalog.metadata);
    const rowsBefore = (await scanTable(catalog.metadata, io)).table.numRows;
    const dry = await rewriteManifests({ committer: catalog, identifier, io, dryRun: true });
    expect(dry).toMatchObject({ manifestsReplaced: 8, snapshotId: undefined });

    // A target that fits about eight entries: two manifests, one per region.
    const perEntry = Number(before.manifests[0]?.manifestLength) / 2;
    const report = await rewriteManifests({
      committer: catalog,
      identifier,
      io,
      targetManifestSizeBytes: Math.floor(perEntry * 8.5),
      sleep: async () => undefined,
    });
    expect(report).toMatchObject({ manifestsReplaced: 8, manifestsWritten: 2, entries: 16 });
    expect(currentSnapshot(catalog.metadata)?.summary).toMatchObject({
      operation: 'replace',
      'total-records': '16',
    });
    const after = await entries(io, catalog.metadata);
    expect(after.manifests).toHaveLength(2);
    for (const m of after.manifests) {
      const regions = new Set(
        after.entries.filter((e) => e.manifest === m.manifestPath).map((e) => e.entry.file.partition[0]),
      );
      expect(regions.size).toBe(1);
    }
    const byPath = new Map(before.entries.map((e) => [e.entry.file.filePath, e.entry]));
    for (const { entry } of after.entries) {
      const old = byPath.get(entry.file.filePath);
      expect(entry.status).toBe('existing');
      expect([entry.snapshotId, entry.sequenceNumber, entry.fileSequenceNumber]).toEqual([
        old?.snapshotId,
        old?.sequenceNumber,
        old?.fileSequenceNumber,
      ]);
    }
    expect((await scanTable(catalog.metadata, io)).table.numRows).toBe(rowsBefore);
  });
});
