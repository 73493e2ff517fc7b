import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import { scanTable } from '../scan/read.ts';
import { appendRows, identifier, type Row, rowsBatch } from '../scan/scan-fixtures.test-helper.ts';
import { writePartitionedDataFiles } from '../write/partitioned-writer.ts';
import type { CommittedTable } from './catalog-committer.ts';
import { InMemoryCatalog, newTableMetadata } from './in-memory-catalog.test-helper.ts';
import { commitRowLevelChange } from './row-level-commit.ts';
import { currentSchema, specById } from './snapshot-producer.ts';
import { upsertKeyFields, upsertMatcher } from './upsert.ts';

async function table(formatVersion: 2 | 3) {
  const io = new MemoryFileIO();
  const base = newTableMetadata();
  const catalog = new InMemoryCatalog(
    formatVersion === 3 ? applyUpdates(base, [{ action: 'upgrade-format-version', formatVersion: 3 }]) : base,
  );
  await appendRows(catalog, io, [
    { id: 1n, region: 'eu' },
    { id: 2n, region: 'eu' },
    { id: 3n, region: 'us' },
    { id: 4n, region: 'us' },
  ]);
  return { io, catalog };
}

async function upsert(
  catalog: InMemoryCatalog,
  io: MemoryFileIO,
  rows: readonly Row[],
  base?: CommittedTable,
) {
  const start = base ?? (await catalog.loadTable(identifier));
  const metadata = start.metadata;
  const schema = currentSchema(metadata);
  const batch = rowsBatch(rows, false);
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: metadata.location,
    schema,
    spec: specById(metadata, metadata.defaultSpecId),
    arrowSchema: batch.schema,
  });
  const matcher = await upsertMatcher(io, schema, files, upsertKeyFields(schema, ['id'], 'db.t'), 'db.t');
  return commitRowLevelChange({
    committer: catalog,
    identifier,
    io,
    base: start,
    matcher,
    addedFiles: files.map((file) => ({ file, specId: metadata.defaultSpecId })),
    sleep: async () => undefined,
  });
}

async function rowsOf(catalog: InMemoryCatalog, io: MemoryFileIO) {
  const { table: t } = await scanTable(catalog.metadata, io);
  return t
    .toArray()
    .map((r) => `${r.id}:${r.region}`)
    .sort();
}

describe.each([2, 3] as const)('upsert by key on a v%i table', (formatVersion) => {
  it('replaces rows with the same key and inserts the others, in one overwrite snapshot', async () => {
    const { io, catalog } = await table(formatVersion);
    const outcome = await upsert(catalog, io, [
      { id: 2n, region: 'us' },
      { id: 4n, region: 'us' },
      { id: 9n, region: 'eu' },
    ]);
    expect(outcome.plan!.deletedRows).toBe(2n);
    expect(await rowsOf(catalog, io)).toEqual(['1:eu', '2:us', '3:us', '4:us', '9:eu']);
    const summary = currentSnapshot(catalog.metadata)!.summary;
    expect(summary).toMatchObject({
      operation: 'overwrite',
      'added-records': '3',
      'total-position-deletes': '2',
    });
  });

  it('two concurrent upserts of overlapping keys end with exactly one row per key (the later commit wins)', async () => {
    const { io, catalog } = await table(formatVersion);
    const stale = await catalog.loadTable(identifier);
    await upsert(catalog, io, [
      { id: 4n, region: 'eu' },
      { id: 7n, region: 'eu' },
    ]);
    const second = await upsert(
      catalog,
      io,
      [
        { id: 4n, region: 'us' },
        { id: 7n, region: 'us' },
      ],
      stale,
    );
    expect(second.plans).toBe(2);
    expect(await rowsOf(catalog, io)).toEqual(['1:eu', '2:eu', '3:us', '4:us', '7:us']);
  });
});

describe('upsert input rules', () => {
  it('refuses a key that appears twice in one upsert, naming it', async () => {
    const { io, catalog } = await table(2);
    await expect(
      upsert(catalog, io, [
        { id: 5n, region: 'eu' },
        { id: 5n, region: 'us' },
      ]),
    ).rejects.toThrow(
      'upsert into db.t: key (id) = (5) appears more than once in the staged rows; a key may appear once per upsert — deduplicate the batch first',
    );
  });

  it('builds the key range from the rows when the new files carry no bounds', async () => {
    const io = new MemoryFileIO();
    const metadata = newTableMetadata();
    const schema = currentSchema(metadata);
    const batch = rowsBatch(
      [
        { id: 7n, region: 'eu' },
        { id: 3n, region: 'eu' },
      ],
      false,
    );
    const files = await writePartitionedDataFiles([batch], {
      io,
      tableLocation: metadata.location,
      schema,
      spec: specById(metadata, 0),
      arrowSchema: batch.schema,
    });
    const bare = files.map(({ lowerBounds: _l, upperBounds: _u, ...file }) => file);
    const withBounds = await upsertMatcher(
      io,
      schema,
      files,
      upsertKeyFields(schema, ['id'], 'db.t'),
      'db.t',
    );
    const withoutBounds = await upsertMatcher(
      io,
      schema,
      bare,
      upsertKeyFields(schema, ['id'], 'db.t'),
      'db.t',
    );
    expect(withoutBounds.filter).toEqual(withBounds.filter);
    expect(JSON.stringify(withBounds.filter, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).toContain(
      '"3n"',
    );
  });

  it('needs keys or identifier fields, and known columns', () => {
    const schema = currentSchema(newTableMetadata());
    expect(() => upsertKeyFields(schema, undefined, 'db.t')).toThrow(
      'upsert into db.t needs key columns: pass keys (e.g. --key id) or set identifier fields on the table',
    );
    expect(() => upsertKeyFields(schema, ['nope'], 'db.t')).toThrow(
      "upsert key 'nope' is not a column of db.t; its columns are id, region",
    );
  });
});
