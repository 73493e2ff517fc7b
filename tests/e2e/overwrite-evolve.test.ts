// Overwrite by filter (copy-on-write), replace partitions and schema evolution on the commit path,
// end to end against the real stack and judged by PyIceberg: we create partitioned tables through
// the REST catalog, write and commit with @floe/iceberg, and PyIceberg reads exactly the rows we
// expect from the new snapshot — including rows we rewrote out of partly matched files, old rows
// reading as null in a column added by an append, and old int values read through a widened long.
import { randomUUID } from 'node:crypto';
import { catalogCommitter, RestCatalog, tableMetadataOf } from '@floe/catalog';
import {
  type AddedDataFile,
  type CommittedTable,
  castBatch,
  commitOverwriteByFilter,
  commitWithRebase,
  fastAppend,
  fileIOFor,
  reconcileWithTable,
  replacePartitions,
  type SnapshotChange,
  schemaToJson,
  type TableMetadata,
  withSchemaChange,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { loadStackEnv, runPython, stackS3Properties } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const catalog = new RestCatalog({ uri: stack.catalogUri });
const committer = catalogCommitter(catalog);
const namespace = `overwrite_${randomUUID().slice(0, 8)}`;
const s3Properties = stackS3Properties(stack);

const baseSchema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'region', required: false, type: { kind: 'string' } },
    { id: 3, name: 'count', required: false, type: { kind: 'int' } },
  ],
} as const;

function identifier(name: string) {
  return { namespace: [namespace], name };
}

async function createTable(name: string): Promise<CommittedTable> {
  const created = await catalog.createTable(identifier(name), {
    schema: { ...schemaToJson(baseSchema) },
    partitionSpec: {
      'spec-id': 0,
      fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }],
    },
  });
  return { metadata: tableMetadataOf(created), metadataLocation: created.metadataLocation };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Rows (id, region, count) as Arrow; `count` is int32 unless `wideCount`, `id` int64 unless `narrowId`. */
function rowsBatch(
  ids: readonly number[],
  region: string,
  options: { extraNote?: boolean; wideCount?: boolean; narrowId?: boolean } = {},
): arrow.RecordBatch {
  const counts = ids.map((id) => (options.wideCount ? 3_000_000_000 + id : id * 2));
  const columns: Record<string, arrow.Vector> = {
    id: options.narrowId
      ? arrow.makeVector(Int32Array.from(ids))
      : arrow.makeVector(BigInt64Array.from(ids.map(BigInt))),
    region: arrow.vectorFromArray(
      ids.map(() => region),
      new arrow.Utf8(),
    ),
    count: options.wideCount
      ? arrow.makeVector(BigInt64Array.from(counts.map(BigInt)))
      : arrow.makeVector(Int32Array.from(counts)),
  };
  if (options.extraNote) {
    columns['note'] = arrow.vectorFromArray(
      ids.map((id) => `n${id}`),
      new arrow.Utf8(),
    );
  }
  return new arrow.Table(columns).batches[0] as arrow.RecordBatch;
}

/**
 * Reconciles the batch with the table (add-columns mode), writes it as data files under the
 * resulting write schema, and returns the files plus the schema change to commit with them.
 */
async function writeBatch(metadata: TableMetadata, batch: arrow.RecordBatch) {
  const reconciled = reconcileWithTable(metadata, batch.schema, 'add-columns');
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  if (!spec) throw new Error('table without a default spec');
  const cast = castBatch(batch, reconciled.plan);
  const io = fileIOFor(metadata.location, s3Properties);
  const files = await writePartitionedDataFiles([cast], {
    io,
    tableLocation: metadata.location,
    schema: reconciled.writeSchema,
    spec,
    arrowSchema: cast.schema,
  });
  const added: AddedDataFile[] = files.map((file) => ({ file, specId: spec.specId }));
  return { io, added, evolution: reconciled.evolution };
}

async function commit(name: string, base: CommittedTable, change: SnapshotChange) {
  return commitWithRebase({
    committer,
    identifier: identifier(name),
    io: fileIOFor(base.metadata.location, s3Properties),
    base,
    change,
  });
}

async function appendRows(name: string, batch: arrow.RecordBatch) {
  const base = await committer.loadTable(identifier(name));
  const { added, evolution } = await writeBatch(base.metadata, batch);
  return commit(name, base, withSchemaChange(fastAppend(added), evolution));
}

/** PyIceberg's rows of a snapshot (default: the current one), sorted by id, with its schema. */
async function pyRead(
  name: string,
  snapshotId?: bigint,
): Promise<{ fields: [string, string][]; rows: Record<string, unknown>[] }> {
  return runPython(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.${name}")
scan = t.scan(${snapshotId === undefined ? '' : `snapshot_id=${snapshotId}`})
tbl = scan.to_arrow().sort_by("id")
emit({"fields": [[f.name, str(f.field_type)] for f in t.schema().fields], "rows": tbl.to_pylist()})
`);
}

function row(id: number, region: string, count: number | null, extra: Record<string, unknown> = {}) {
  return { id, region, count, ...extra };
}

beforeAll(async () => {
  await catalog.createNamespace(namespace);
});

afterAll(async () => {
  await catalog.close();
});

describe('overwrite by filter (copy-on-write)', () => {
  it('replaces the rows matching id < 100: whole files dropped, partly matched files rewritten', async () => {
    await createTable('cow');
    await appendRows('cow', rowsBatch(range(0, 50), 'eu'));
    await appendRows('cow', rowsBatch(range(50, 150), 'us'));
    await appendRows('cow', rowsBatch(range(200, 240), 'asia'));
    const base = await committer.loadTable(identifier('cow'));
    const { io, added } = await writeBatch(base.metadata, rowsBatch([1, 2, 3], 'eu'));

    const outcome = await commitOverwriteByFilter({
      committer,
      identifier: identifier('cow'),
      io,
      base,
      filter: { type: 'lt', term: 'id', value: 100 },
      newFiles: added,
    });
    expect(outcome.status).toBe('committed');
    expect(outcome.prepared?.droppedFiles.map((d) => d.file.partition)).toEqual([['eu']]);
    expect(outcome.prepared?.rewrittenFiles.map((r) => [r.original.partition, r.keptRows])).toEqual([
      [['us'], 50n],
    ]);
    expect(outcome.snapshot.summary).toMatchObject({ operation: 'overwrite', 'total-records': '93' });

    const want = [
      ...[1, 2, 3].map((id) => row(id, 'eu', id * 2)),
      ...range(100, 150).map((id) => row(id, 'us', id * 2)),
      ...range(200, 240).map((id) => row(id, 'asia', id * 2)),
    ];
    expect((await pyRead('cow', outcome.snapshot.snapshotId)).rows).toEqual(want);
    // PyIceberg sees the rewritten file in the us partition with the kept row count.
    const files = await runPython<{ partition: string; count: number }[]>(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.cow")
emit([{"partition": task.file.partition[0], "count": task.file.record_count} for task in t.scan().plan_files()])
`);
    expect(files.filter((f) => f.partition === 'us').reduce((sum, f) => sum + f.count, 0)).toBe(50);
  });
});

describe('replace partitions', () => {
  it('replaces exactly the partitions the new files touch', async () => {
    await createTable('replace');
    await appendRows('replace', rowsBatch(range(0, 10), 'eu'));
    await appendRows('replace', rowsBatch(range(10, 20), 'us'));
    const base = await committer.loadTable(identifier('replace'));
    const { added } = await writeBatch(base.metadata, rowsBatch([100, 101], 'us'));
    const outcome = await commit('replace', base, replacePartitions(added));
    expect(outcome.snapshot.summary).toMatchObject({ 'deleted-records': '10', 'added-records': '2' });
    expect((await pyRead('replace', outcome.snapshot.snapshotId)).rows).toEqual([
      ...range(0, 10).map((id) => row(id, 'eu', id * 2)),
      row(100, 'us', 200),
      row(101, 'us', 202),
    ]);
  });
});

describe('schema evolution committed with the data', () => {
  it('adds a column in the same commit as the append; old rows read null in it', async () => {
    await createTable('add_column');
    await appendRows('add_column', rowsBatch([1, 2], 'eu'));
    const before = await committer.loadTable(identifier('add_column'));
    const outcome = await appendRows('add_column', rowsBatch([3, 4], 'us', { extraNote: true }));
    const after = await committer.loadTable(identifier('add_column'));
    // One commit: exactly one new snapshot and one new schema.
    expect(after.metadata.snapshots.length).toBe(before.metadata.snapshots.length + 1);
    expect(after.metadata.currentSchemaId).toBe(1);
    expect(after.metadata.currentSnapshotId).toBe(outcome.snapshot.snapshotId);

    const read = await pyRead('add_column');
    expect(read.fields).toEqual([
      ['id', 'long'],
      ['region', 'string'],
      ['count', 'int'],
      ['note', 'string'],
    ]);
    expect(read.rows).toEqual([
      row(1, 'eu', 2, { note: null }),
      row(2, 'eu', 4, { note: null }),
      row(3, 'us', 6, { note: 'n3' }),
      row(4, 'us', 8, { note: 'n4' }),
    ]);
  });

  it('casts int data into a long column, and widens an int column to long for long data', async () => {
    await createTable('widen');
    await appendRows('widen', rowsBatch([1, 2], 'eu', { narrowId: true }));
    const outcome = await appendRows('widen', rowsBatch([3, 4], 'us', { wideCount: true }));
    expect(outcome.status).toBe('committed');

    const read = await pyRead('widen');
    expect(read.fields).toEqual([
      ['id', 'long'],
      ['region', 'string'],
      ['count', 'long'],
    ]);
    expect(read.rows).toEqual([
      row(1, 'eu', 2),
      row(2, 'eu', 4),
      row(3, 'us', 3_000_000_003),
      row(4, 'us', 3_000_000_004),
    ]);
  });
});
