import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { appendRows, identifier } from '../scan/scan-fixtures.test-helper.ts';
import { InMemoryCatalog, newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { commitRowLevelChange } from '../table/row-level-commit.ts';
import { referencedFiles } from './referenced-files.ts';
import { unreachableFiles } from './unreachable-files.ts';

// Maintenance sees Puffin files holding deletion vectors like any delete file: referenced while a
// retained snapshot names one of its blobs, unreachable (a delete file to remove) once the only
// snapshots naming it expire.
describe('deletion vector files in maintenance', () => {
  it('are referenced by their snapshots and become unreachable when those expire', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(
      applyUpdates(newTableMetadata(), [{ action: 'upgrade-format-version', formatVersion: 3 }]),
    );
    await appendRows(
      catalog,
      io,
      [1n, 2n, 3n].map((id) => ({ id, region: 'eu' })),
    );
    const remove = async (filter: string) =>
      commitRowLevelChange({
        committer: catalog,
        identifier,
        io,
        base: await catalog.loadTable(identifier),
        matcher: { filter },
      });
    await remove('id = 1');
    await remove('id = 2'); // merges the first DV into a new Puffin file and removes the old entry
    const puffins: string[] = [];
    for await (const f of io.list('mem://t/data/'))
      if (f.location.endsWith('.puffin')) puffins.push(f.location);
    expect(puffins).toHaveLength(2);

    const before = catalog.metadata;
    const referenced = await referencedFiles({
      io,
      metadata: before,
      metadataLocation: undefined,
      concurrency: 2,
    });
    for (const puffin of puffins) expect(referenced.has(puffin)).toBe(true);

    const olderThanCurrent = before.snapshots.filter((s) => s.snapshotId !== before.currentSnapshotId);
    const after = {
      ...before,
      snapshots: before.snapshots.filter((s) => s.snapshotId === before.currentSnapshotId),
    };
    const gone = await unreachableFiles(io, before, after, olderThanCurrent, 2);
    // The first DV's Puffin file is named only by the expired snapshot; the current one is kept.
    expect(gone.deleteFiles).toHaveLength(1);
    expect(puffins).toContain(gone.deleteFiles[0]);
    expect(gone.dataFiles).toEqual([]);
  });
});
