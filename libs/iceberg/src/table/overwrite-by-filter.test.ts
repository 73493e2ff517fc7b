import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bind } from '../expressions/bind.ts';
import { eq, gtEq, lt, not, or } from '../expressions/expression.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { readDataFile } from '../read/read-data-file.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { writePartitionedDataFiles } from '../write/partitioned-writer.ts';
import { commitWithRebase } from './commit.ts';
import { InMemoryCatalog, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import {
  commitOverwriteByFilter,
  liveDataFiles,
  overwriteByFilter,
  prepareOverwriteByFilter,
} from './overwrite-by-filter.ts';
import { currentSchema, SnapshotProducer, specById } from './snapshot-producer.ts';
import { type AddedDataFile, fastAppend } from './table-actions.ts';

const identifier = { namespace: ['db'], name: 't' };
const ID_LT_100 = { type: 'lt', term: 'id', value: 100 };

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i += step) out.push(i);
  return out;
}

/** Writes rows (id, region) as real Parquet files under the table's current schema and spec. */
async function writeRows(
  io: MemoryFileIO,
  metadata: TableMetadata,
  ids: readonly number[],
  region: string,
): Promise<AddedDataFile[]> {
  const batch = new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids.map(BigInt))),
    region: arrow.vectorFromArray(
      ids.map(() => region),
      new arrow.Utf8(),
    ),
  }).batches[0] as arrow.RecordBatch;
  const spec = specById(metadata, metadata.defaultSpecId);
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: metadata.location,
    schema: currentSchema(metadata),
    spec,
    arrowSchema: batch.schema,
  });
  return files.map((file) => ({ file, specId: spec.specId }));
}

async function append(catalog: InMemoryCatalog, io: MemoryFileIO, files: readonly AddedDataFile[]) {
  return commitWithRebase({
    committer: catalog,
    identifier,
    io,
    base: await catalog.loadTable(identifier),
    change: fastAppend(files),
  });
}

/** Every row of the current snapshot as `region:id`, sorted. */
async function tableRows(io: MemoryFileIO, metadata: TableMetadata): Promise<string[]> {
  const rows: string[] = [];
  for (const { file } of await liveDataFiles(io, metadata)) {
    for await (const batch of readDataFile(io, file.filePath, currentSchema(metadata))) {
      for (const row of new arrow.Table(batch)) rows.push(`${row.region}:${row.id}`);
    }
  }
  return rows.sort();
}

async function dataObjects(io: MemoryFileIO): Promise<string[]> {
  const found: string[] = [];
  for await (const info of io.list('mem://t/data/')) found.push(info.location);
  return found.sort();
}

function expectedRows(region: string, ids: readonly number[]): string[] {
  return ids.map((id) => `${region}:${id}`);
}

/** eu: ids 0…49 (all < 100), us: 50…149 (half), asia: 200…299 (none). */
async function seededTable(io: MemoryFileIO): Promise<InMemoryCatalog> {
  const catalog = new InMemoryCatalog(newTableMetadata());
  const files = [
    ...(await writeRows(io, catalog.metadata, range(0, 50), 'eu')),
    ...(await writeRows(io, catalog.metadata, range(50, 150), 'us')),
    ...(await writeRows(io, catalog.metadata, range(200, 300), 'asia')),
  ];
  await append(catalog, io, files);
  return catalog;
}

describe('prepareOverwriteByFilter', () => {
  it('drops all-rows files whole, keeps no-rows files, rewrites some-rows files', async () => {
    const io = new MemoryFileIO();
    const catalog = await seededTable(io);
    const base = catalog.metadata;
    const prepared = await overwriteByFilter({ io, base, filter: ID_LT_100 });

    expect(prepared.baseSnapshotId).toBe(currentSnapshot(base)?.snapshotId);
    expect(prepared.droppedFiles.map((d) => d.file.partition)).toEqual([['eu']]);
    expect(prepared.rewrittenFiles).toHaveLength(1);
    const [rewrite] = prepared.rewrittenFiles;
    expect(rewrite?.original.partition).toEqual(['us']);
    expect(rewrite?.keptRows).toBe(50n);
    expect(rewrite?.deletedRows).toBe(50n);
    expect(rewrite?.replacements.map((f) => f.partition)).toEqual([['us']]);
    expect(rewrite?.replacements[0]?.filePath).toMatch(/^mem:\/\/t\/data\/region=us\//);
    expect(rewrite?.replacements[0]?.recordCount).toBe(50n);
    expect(prepared.deletedRows).toBe(100n);
    expect(prepared.change.operation).toBe('overwrite');
    expect(prepared.change.extraRequirements).toEqual([
      { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: prepared.baseSnapshotId },
    ]);
  });

  it('keeps a file the metrics could not rule out when no row actually matches', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(newTableMetadata());
    await append(catalog, io, await writeRows(io, catalog.metadata, range(50, 150, 2), 'us'));
    const before = await dataObjects(io);
    const prepared = await prepareOverwriteByFilter(catalog.metadata, {
      io,
      filter: { type: 'eq', term: 'id', value: 75 },
    });
    expect(prepared.rewrittenFiles).toEqual([]);
    expect(prepared.droppedFiles).toEqual([]);
    expect(prepared.deletedRows).toBe(0n);
    expect(await dataObjects(io)).toEqual(before);
  });

  it('accepts unbound and bound expressions as well as REST JSON', async () => {
    const io = new MemoryFileIO();
    const catalog = await seededTable(io);
    const schema = currentSchema(catalog.metadata);
    const unbound = await prepareOverwriteByFilter(catalog.metadata, { io, filter: lt('id', 100) });
    const bound = await prepareOverwriteByFilter(catalog.metadata, {
      io,
      filter: bind(schema, or(eq('id', 1000), not(gtEq('id', 100)))),
    });
    const unboundTree = await prepareOverwriteByFilter(catalog.metadata, {
      io,
      filter: or(eq('id', 1000), not(gtEq('id', 100))),
    });
    expect(unbound.deletedRows).toBe(100n);
    expect(bound.deletedRows).toBe(100n);
    expect(unboundTree.deletedRows).toBe(100n);
  });

  it('has nothing to delete on an empty table', async () => {
    const io = new MemoryFileIO();
    const metadata = newTableMetadata();
    const newFiles = await writeRows(io, metadata, [1, 2], 'eu');
    const prepared = await prepareOverwriteByFilter(metadata, { io, filter: ID_LT_100, newFiles });
    expect(prepared.baseSnapshotId).toBeUndefined();
    expect(prepared.change.addedFiles).toEqual(newFiles);
    expect(prepared.change.extraRequirements).toEqual([
      { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null },
    ]);
  });

  it('names the unknown column of a bad filter', async () => {
    const io = new MemoryFileIO();
    const metadata = newTableMetadata();
    await expect(
      prepareOverwriteByFilter(metadata, { io, filter: { type: 'lt', term: 'idd', value: 1 } }),
    ).rejects.toThrow(/idd/);
    await expect(prepareOverwriteByFilter(metadata, { io, filter: { op: 'lt' } })).rejects.toThrow(/type/);
  });
});

describe('copy-on-write edge cases', () => {
  it('rewrites unpartitioned files under a compound filter', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(newTableMetadata(false));
    await append(catalog, io, await writeRows(io, catalog.metadata, range(0, 100), 'eu'));
    const filter = {
      type: 'or',
      left: { type: 'lt', term: 'id', value: 10 },
      right: { type: 'not', child: { type: 'lt', term: 'id', value: 90 } },
    };
    const prepared = await prepareOverwriteByFilter(catalog.metadata, { io, filter });
    const [rewrite] = prepared.rewrittenFiles;
    expect(rewrite?.keptRows).toBe(80n);
    expect(rewrite?.replacements[0]?.partition).toEqual([]);
    expect(rewrite?.replacements[0]?.filePath).toMatch(/^mem:\/\/t\/data\/[^/]+\.parquet$/);
  });

  it('drops a file whose rows all match even when the metrics could not tell', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(newTableMetadata());
    await append(catalog, io, await writeRows(io, catalog.metadata, [10, 30], 'eu'));
    const before = await dataObjects(io);
    const prepared = await prepareOverwriteByFilter(catalog.metadata, {
      io,
      filter: { type: 'not-eq', term: 'id', value: 20 },
    });
    expect(prepared.droppedFiles).toEqual([]);
    expect(prepared.rewrittenFiles.map((r) => [r.deletedRows, r.replacements.length])).toEqual([[2n, 0]]);
    expect(await dataObjects(io)).toEqual(before);
  });

  it('refuses a file whose row count disagrees with its manifest entry, leaving no partial rewrite', async () => {
    const io = new MemoryFileIO();
    const catalog = new InMemoryCatalog(newTableMetadata());
    const [written] = await writeRows(io, catalog.metadata, range(50, 150), 'us');
    const lying = { ...written!, file: { ...written!.file, recordCount: 101n } };
    await append(catalog, io, [lying]);
    const before = await dataObjects(io);
    await expect(prepareOverwriteByFilter(catalog.metadata, { io, filter: ID_LT_100 })).rejects.toThrow(
      `data file ${lying.file.filePath} holds 100 rows but its manifest entry says 101`,
    );
    expect(await dataObjects(io)).toEqual(before);
  });
});

describe('commitOverwriteByFilter', () => {
  it('commits exactly the rows the filter does not match plus the new rows', async () => {
    const io = new MemoryFileIO();
    const catalog = await seededTable(io);
    const newFiles = await writeRows(io, catalog.metadata, range(0, 10), 'eu');
    const outcome = await commitOverwriteByFilter({
      committer: catalog,
      identifier,
      io,
      base: await catalog.loadTable(identifier),
      filter: ID_LT_100,
      newFiles,
      summaryProperties: { 'floe.job-ids': 'job-9' },
    });
    expect(outcome).toMatchObject({ status: 'committed', preparations: 1, conflicts: 0 });
    expect(outcome.snapshot.summary).toMatchObject({
      operation: 'overwrite',
      'added-data-files': '2',
      'deleted-data-files': '2',
      'added-records': '60',
      'deleted-records': '150',
      'total-records': '160',
      'floe.job-ids': 'job-9',
    });
    expect(await tableRows(io, catalog.metadata)).toEqual(
      [
        ...expectedRows('eu', range(0, 10)),
        ...expectedRows('us', range(100, 150)),
        ...expectedRows('asia', range(200, 300)),
      ].sort(),
    );
  });

  it('prepares again after a concurrent append, rewriting the new file and reusing the old rewrite', async () => {
    const io = new MemoryFileIO();
    const catalog = await seededTable(io);
    const concurrent = await writeRows(io, catalog.metadata, range(90, 110), 'us');
    catalog.beforeCommit = async (attempt) => {
      if (attempt !== 2) return;
      const producer = new SnapshotProducer(io, fastAppend(concurrent));
      const prepared = await producer.prepare(catalog.metadata, 1);
      catalog.metadata = applyUpdates(catalog.metadata, prepared.updates);
    };
    const rewrites: string[][] = [];
    const outcome = await commitOverwriteByFilter({
      committer: catalog,
      identifier,
      io,
      base: await catalog.loadTable(identifier),
      filter: ID_LT_100,
      sleep: async () => undefined,
      logger: { info: () => undefined, warn: (fields) => rewrites.push([String(fields['attempt'])]) },
    });
    expect(outcome).toMatchObject({ status: 'committed', preparations: 2, conflicts: 1 });
    expect(rewrites).toEqual([['1']]);
    expect(outcome.prepared?.rewrittenFiles.map((r) => r.deletedRows).sort()).toEqual([10n, 50n]);
    expect(await tableRows(io, catalog.metadata)).toEqual(
      [
        ...expectedRows('us', range(100, 150)),
        ...expectedRows('us', range(100, 110)),
        ...expectedRows('asia', range(200, 300)),
      ].sort(),
    );
    // Only live files remain in data/: the round-1 rewrite was reused, nothing orphaned.
    const live = (await liveDataFiles(io, catalog.metadata)).map((l) => l.file.filePath);
    const originals = (await dataObjects(io)).filter((p) => !live.includes(p));
    expect(originals).toHaveLength(3); // the dropped eu file and the two rewritten us originals
  });

  it('late landing: attempt 1 lands while reported 504, attempt 2 meets 409; the landed rewrites and manifests stay', async () => {
    const io = new MemoryFileIO();
    const catalog = await seededTable(io);
    catalog.unknownOutcome.set(catalog.commits + 1, 'late');
    const outcome = await commitOverwriteByFilter({
      committer: catalog,
      identifier,
      io,
      base: await catalog.loadTable(identifier),
      filter: ID_LT_100,
      sleep: async () => undefined,
    });
    expect(outcome).toMatchObject({ status: 'committed', preparations: 2, conflicts: 1, unknownOutcomes: 1 });
    expect(outcome.prepared?.rewrittenFiles.length).toBeGreaterThan(0);
    // Every file the table references exists, the rewritten files included.
    const live = (await liveDataFiles(io, catalog.metadata)).map((l) => l.file.filePath);
    for (const path of [...live, outcome.snapshot.manifestList]) expect(await io.exists(path)).toBe(true);
    expect(await tableRows(io, catalog.metadata)).toEqual(
      [...expectedRows('us', range(100, 150)), ...expectedRows('asia', range(200, 300))].sort(),
    );
  });

  it('gives up after the retry budget and deletes the files it rewrote', async () => {
    const io = new MemoryFileIO();
    const catalog = await seededTable(io);
    catalog.metadata = applyUpdates(catalog.metadata, [
      { action: 'set-properties', updates: { 'commit.retry.num-retries': '1' } },
    ]);
    const before = await dataObjects(io);
    catalog.beforeCommit = async () => {
      const more = await writeRows(io, catalog.metadata, [500], 'asia');
      before.push(...more.map((m) => m.file.filePath));
      const producer = new SnapshotProducer(io, fastAppend(more));
      catalog.metadata = applyUpdates(
        catalog.metadata,
        (await producer.prepare(catalog.metadata, 1)).updates,
      );
    };
    await expect(
      commitOverwriteByFilter({
        committer: catalog,
        identifier,
        io,
        base: await catalog.loadTable(identifier),
        filter: ID_LT_100,
        sleep: async () => undefined,
      }),
    ).rejects.toMatchObject({
      kind: 'commit-conflict',
      retryable: true,
      message: expect.stringMatching(
        /^overwrite by filter commit to db\.t lost 2 optimistic-concurrency races in 2 attempts \(\d+ ms\); raise commit\.retry\.num-retries/,
      ),
    });
    expect(await dataObjects(io)).toEqual(before.sort());
  });

  it('returns the marked snapshot without rewriting anything when it is already committed', async () => {
    const io = new MemoryFileIO();
    const catalog = await seededTable(io);
    const before = await dataObjects(io);
    const outcome = await commitOverwriteByFilter({
      committer: catalog,
      identifier,
      io,
      base: await catalog.loadTable(identifier),
      filter: ID_LT_100,
      alreadyCommitted: (table) => currentSnapshot(table.metadata),
    });
    expect(outcome).toMatchObject({ status: 'already-committed', preparations: 0, prepared: undefined });
    expect(await dataObjects(io)).toEqual(before);
  });
});
