import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { scanTable } from '../scan/read.ts';
import { appendRows, identifier } from '../scan/scan-fixtures.test-helper.ts';
import { InMemoryCatalog, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import { commitOverwriteByFilter } from './overwrite-by-filter.ts';
import { commitRowLevelChange } from './row-level-commit.ts';

async function tableWithDeletes(formatVersion: 2 | 3) {
  const io = new MemoryFileIO();
  const base = newTableMetadata();
  const catalog = new InMemoryCatalog(
    formatVersion === 3 ? applyUpdates(base, [{ action: 'upgrade-format-version', formatVersion: 3 }]) : base,
  );
  await appendRows(
    catalog,
    io,
    [1, 2, 3, 4, 5, 6].map((id) => ({ id: BigInt(id), region: id <= 3 ? 'eu' : 'us' })),
  );
  await commitRowLevelChange({
    committer: catalog,
    identifier,
    io,
    base: await catalog.loadTable(identifier),
    matcher: { filter: 'id = 2 or id = 5' },
  });
  return { io, catalog };
}

async function liveDeleteFiles(catalog: InMemoryCatalog, io: MemoryFileIO) {
  const list = readManifestList(await io.read(currentSnapshot(catalog.metadata)!.manifestList));
  const paths: string[] = [];
  for (const m of list.manifests.filter((x) => x.content === 'deletes')) {
    for (const e of readManifest(await io.read(m.manifestPath), m).entries) {
      if (e.status !== 'deleted') paths.push(e.file.referencedDataFile ?? e.file.filePath);
    }
  }
  return paths;
}

const ids = async (catalog: InMemoryCatalog, io: MemoryFileIO) =>
  [...((await scanTable(catalog.metadata, io)).table.getChild('id')?.toArray() ?? [])].map(Number).sort();

describe.each([2, 3] as const)('overwrite by filter on a v%i table with delete files', (formatVersion) => {
  it('keeps deleted rows deleted in the rewrite and drops the delete files of removed data files', async () => {
    const { io, catalog } = await tableWithDeletes(formatVersion);
    expect(await ids(catalog, io)).toEqual([1, 3, 4, 6]);
    expect(await liveDeleteFiles(catalog, io)).toHaveLength(2);
    // Rewrites the eu file (id 1 matches; id 2 was deleted before; id 3 stays).
    const outcome = await commitOverwriteByFilter({
      committer: catalog,
      identifier,
      io,
      base: await catalog.loadTable(identifier),
      filter: { type: 'eq', term: 'id', value: 1 },
    });
    expect(outcome.prepared!.deletedRows).toBe(1n);
    expect(await ids(catalog, io)).toEqual([3, 4, 6]);
    // The eu file's delete file went with it; the us file's stays and still applies.
    const left = await liveDeleteFiles(catalog, io);
    expect(left).toHaveLength(1);
    expect(currentSnapshot(catalog.metadata)!.summary).toMatchObject({
      'removed-delete-files': '1',
      'total-delete-files': '1',
    });
  });

  it('a whole-table overwrite leaves no delete file behind', async () => {
    const { io, catalog } = await tableWithDeletes(formatVersion);
    await commitOverwriteByFilter({
      committer: catalog,
      identifier,
      io,
      base: await catalog.loadTable(identifier),
      filter: { type: 'true' },
    });
    expect(await ids(catalog, io)).toEqual([]);
    expect(await liveDeleteFiles(catalog, io)).toEqual([]);
    expect(currentSnapshot(catalog.metadata)!.summary['total-delete-files']).toBe('0');
  });
});
