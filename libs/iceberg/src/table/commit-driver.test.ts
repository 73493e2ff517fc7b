import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { findSnapshotWithProperty } from '../metadata/snapshot-queries.ts';
import type { CommittedTable } from './catalog-committer.ts';
import { commitWithRebase } from './commit.ts';
import { isUnresolvedCommit } from './commit-driver.ts';
import {
  FakeCatalogError,
  InMemoryCatalog,
  memDataFile,
  newTableMetadata,
} from './in-memory-catalog.test-helper.ts';
import { fastAppend } from './table-actions.ts';

const identifier = { namespace: ['db'], name: 't' };
const MARKER = { 'floe.job-ids': 'job-7' };

const dataFile = (name: string, rows: bigint) => memDataFile(name, 'eu', rows);

const markerCheck = (table: CommittedTable) =>
  findSnapshotWithProperty(table.metadata, 'floe.job-ids', (v) => v.split(',').includes('job-7'));

/** Records every metadata file the commit under test writes. */
function recordingIO(): { io: MemoryFileIO; written: string[] } {
  const io = new MemoryFileIO();
  const written: string[] = [];
  const write = io.write.bind(io);
  io.write = async (location, source) => {
    written.push(location);
    return write(location, source);
  };
  return { io, written };
}

async function commit(
  catalog: InMemoryCatalog,
  io: MemoryFileIO,
  extra: { maxUnknownOutcomes?: number } = {},
) {
  return commitWithRebase({
    committer: catalog,
    identifier,
    io,
    base: await catalog.loadTable(identifier),
    change: fastAppend([dataFile('a', 4n)], { summaryProperties: MARKER }),
    alreadyCommitted: markerCheck,
    sleep: async () => undefined,
    ...extra,
  });
}

async function existing(io: MemoryFileIO, paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) if (await io.exists(path)) found.push(path);
  return found;
}

describe('commit driver', () => {
  it('late landing: 504 while applying, attempt 2 meets 409, the reload shows attempt 1: committed, its files kept', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const { io, written } = recordingIO();
    catalog.unknownOutcome.set(1, 'late');
    const outcome = await commit(catalog, io);

    expect(outcome).toMatchObject({ status: 'committed', attempts: 2, conflicts: 1, unknownOutcomes: 1 });
    expect(catalog.metadata.snapshots).toHaveLength(1);
    const landed = catalog.metadata.snapshots[0];
    expect(outcome.snapshot.snapshotId).toBe(landed?.snapshotId);
    // The snapshot that landed is attempt 1's, and every file it references is still there.
    expect(landed?.manifestList).toMatch(/\/snap-\d+-1-[0-9a-f-]+\.avro$/);
    expect(outcome.snapshot.manifestList).toBe(landed?.manifestList);
    const list = readManifestList(await io.read(landed?.manifestList as string));
    const referenced = [landed?.manifestList as string, ...list.manifests.map((m) => m.manifestPath)];
    expect(await existing(io, referenced)).toEqual(referenced);
    // Attempt 2's manifest list, which nothing references, is gone.
    const attempt2 = written.filter((p) => /\/snap-\d+-2-/.test(p));
    expect(attempt2).toHaveLength(1);
    expect(await existing(io, attempt2)).toEqual([]);
  });

  it('a 2xx whose table does not show the change is unknown: the reload finds it committed', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const { io } = recordingIO();
    catalog.staleAnswers = true;
    const outcome = await commit(catalog, io);
    expect(outcome).toMatchObject({ status: 'committed', attempts: 1, unknownOutcomes: 1 });
    expect(catalog.metadata.snapshots).toHaveLength(1);
    expect(await io.exists(outcome.snapshot.manifestList)).toBe(true);
  });

  it('a reload that throws after an unknown outcome ends unresolved, retryable, deleting nothing', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const { io, written } = recordingIO();
    catalog.unknownOutcome.set(1, 'lost');
    catalog.beforeCommit = () => {
      catalog.failLoads = true;
    };
    const error = await commit(catalog, io).catch((e: unknown) => e);
    expect(isUnresolvedCommit(error)).toBe(true);
    expect(error).toMatchObject({
      kind: 'commit-state-unknown',
      retryable: true,
      message: expect.stringContaining('nothing was deleted, retry the job'),
    });
    expect(written.length).toBeGreaterThan(0);
    expect(await existing(io, written)).toEqual(written);
  });

  it('unknown outcomes beyond their budget end unresolved while the attempt could still land', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const { io, written } = recordingIO();
    for (let attempt = 1; attempt <= 5; attempt++) catalog.unknownOutcome.set(attempt, 'lost');
    const error = await commit(catalog, io, { maxUnknownOutcomes: 2 }).catch((e: unknown) => e);
    expect(isUnresolvedCommit(error)).toBe(true);
    expect(catalog.commits).toBe(3);
    expect(await existing(io, written)).toEqual(written);
  });

  it('a definite rejection after an unknown outcome cleans up only once the table has moved past every attempt', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const { io, written } = recordingIO();
    catalog.unknownOutcome.set(1, 'lost');
    catalog.beforeCommit = async (attempt) => {
      if (attempt !== 2) return;
      // Another writer commits; then the catalog refuses ours for good.
      catalog.beforeCommit = undefined;
      await commitWithRebase({
        committer: catalog,
        identifier,
        io: new MemoryFileIO(),
        base: await catalog.loadTable(identifier),
        change: fastAppend([dataFile('other', 1n)]),
      });
      throw new FakeCatalogError('bad-request', '400 invalid update');
    };
    await expect(commit(catalog, io)).rejects.toThrow('400 invalid update');
    // Attempt 1 asserted the old parent, which is gone: it can never land, so clean-up ran.
    expect(await existing(io, written)).toEqual([]);
  });

  it('a definite rejection after an unknown outcome that may still land deletes nothing', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const { io, written } = recordingIO();
    catalog.unknownOutcome.set(1, 'lost');
    catalog.beforeCommit = (attempt) => {
      if (attempt === 2) throw new FakeCatalogError('bad-request', '400 invalid update');
    };
    const error = await commit(catalog, io).catch((e: unknown) => e);
    expect(isUnresolvedCommit(error)).toBe(true);
    expect(await existing(io, written)).toEqual(written);
  });
});
