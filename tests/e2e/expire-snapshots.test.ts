// Snapshot expiry end to end against the real stack, judged by PyIceberg and by the bucket
// itself: we build a partitioned table with appends and an overwrite (so some data files end up
// referenced only by old snapshots), expire the old snapshots with @floe/iceberg, and then
//   - PyIceberg reads the current and every retained snapshot (time travel by id) with the row
//     counts each had when it was committed;
//   - every object under the table location in MinIO is referenced by the retained metadata
//     (metadata.json files in the log, manifest lists, manifests, live data files), and every
//     referenced file is still there;
//   - the files reachable only from the expired snapshots are gone, and the dry run listed
//     exactly the objects the real run deleted.
import { randomUUID } from 'node:crypto';
import { catalogCommitter, RestCatalog } from '@floe/catalog';
import {
  type AddedDataFile,
  commitWithRebase,
  expireSnapshots,
  type FileIO,
  fastAppend,
  fileIOFor,
  overwrite,
  readManifest,
  readManifestList,
  type SnapshotChange,
  schemaToJson,
  type TableMetadata,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { loadStackEnv, runPython, stackS3Properties } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const stack = loadStackEnv();
const catalog = new RestCatalog({ uri: stack.catalogUri });
const committer = catalogCommitter(catalog);
const namespace = `expire_${randomUUID().slice(0, 8)}`;
const identifier = { namespace: [namespace], name: 'events' };
const s3Properties = stackS3Properties(stack);

const schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'region', required: false, type: { kind: 'string' } },
  ],
} as const;

function rows(from: number, to: number, regions: readonly string[]): arrow.RecordBatch {
  const ids = Array.from({ length: to - from }, (_, i) => from + i);
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids.map(BigInt))),
    region: arrow.vectorFromArray(
      ids.map((id) => regions[id % regions.length] as string),
      new arrow.Utf8(),
    ),
  }).batches[0] as arrow.RecordBatch;
}

async function commitBatch(
  batch: arrow.RecordBatch,
  change: (files: AddedDataFile[]) => SnapshotChange,
): Promise<{ snapshotId: bigint; rows: number }> {
  const base = await committer.loadTable(identifier);
  const metadata = base.metadata;
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  const current = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
  if (!spec || !current) throw new Error('table without spec or schema');
  const io = fileIOFor(metadata.location, s3Properties);
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: metadata.location,
    schema: current,
    spec,
    arrowSchema: batch.schema,
  });
  const outcome = await commitWithRebase({
    committer,
    identifier,
    io,
    base,
    change: change(files.map((file) => ({ file, specId: spec.specId }))),
  });
  return { snapshotId: outcome.snapshot.snapshotId, rows: Number(outcome.snapshot.summary['total-records']) };
}

async function listObjects(io: FileIO, location: string): Promise<string[]> {
  const found: string[] = [];
  for await (const info of io.list(`${location.replace(/\/$/, '')}/`)) found.push(info.location);
  return found.sort();
}

/** Every file the retained metadata references: metadata.json files, lists, manifests, live files. */
async function referencedFiles(
  io: FileIO,
  metadata: TableMetadata,
  metadataLocation: string,
): Promise<string[]> {
  const files = new Set<string>([metadataLocation, ...metadata.metadataLog.map((e) => e.metadataFile)]);
  for (const snapshot of metadata.snapshots) {
    files.add(snapshot.manifestList);
    for (const manifest of readManifestList(await io.read(snapshot.manifestList)).manifests) {
      files.add(manifest.manifestPath);
      for (const entry of readManifest(await io.read(manifest.manifestPath)).entries) {
        if (entry.status !== 'deleted') files.add(entry.file.filePath);
      }
    }
  }
  return [...files].sort();
}

async function pyRowCounts(
  snapshotIds: readonly bigint[],
): Promise<{ current: number; bySnapshot: number[] }> {
  return runPython(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.events")
ids = [${snapshotIds.join(', ')}]
emit({"current": t.scan().to_arrow().num_rows,
      "bySnapshot": [t.scan(snapshot_id=i).to_arrow().num_rows for i in ids]})
`);
}

beforeAll(async () => {
  await catalog.createNamespace(namespace);
  await catalog.createTable(identifier, {
    schema: { ...schemaToJson(schema) },
    partitionSpec: {
      'spec-id': 0,
      fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }],
    },
    properties: {
      'write.metadata.delete-after-commit.enabled': 'true',
      'write.metadata.previous-versions-max': '3',
    },
  });
});

afterAll(async () => {
  await catalog.close();
});

describe('expireSnapshots on the real stack', () => {
  it('keeps every retained snapshot readable and deletes exactly what only expired snapshots reached', async () => {
    const regions = ['eu', 'us', 'apac'];
    const s1 = await commitBatch(rows(0, 90, regions), (files) => fastAppend(files));
    const s2 = await commitBatch(rows(90, 180, regions), (files) => fastAppend(files));
    // Replace everything in 'eu': the eu files of s1 and s2 stay reachable only from them.
    const s3 = await commitBatch(rows(1000, 1040, ['eu']), (files) =>
      overwrite(files, (file) => file.partition[0] === 'eu'),
    );
    const s4 = await commitBatch(rows(180, 240, regions), (files) => fastAppend(files));
    const s5 = await commitBatch(rows(240, 300, regions), (files) => fastAppend(files));
    expect([s1.rows, s2.rows, s3.rows, s4.rows, s5.rows]).toEqual([90, 180, 160, 220, 280]);

    const before = await committer.loadTable(identifier);
    const io = fileIOFor(before.metadata.location, s3Properties);
    const s3Snapshot = before.metadata.snapshots.find((s) => s.snapshotId === s3.snapshotId);
    // Expire what is older than s3 but keep the last 3 of main whatever their age.
    const policy = { olderThanMs: s3Snapshot?.timestampMs ?? 0n, retainLast: 3 };

    const objectsBefore = await listObjects(io, before.metadata.location);
    const dry = await expireSnapshots({ committer, identifier, io, policy, dryRun: true });
    expect(dry.expiredSnapshotIds).toEqual([s1.snapshotId, s2.snapshotId]);
    expect(await listObjects(io, before.metadata.location)).toEqual(objectsBefore);
    expect((await committer.loadTable(identifier)).metadataLocation).toBe(before.metadataLocation);
    // s1's and s2's eu files (one per append) are the data that only they reach.
    expect(dry.files.dataFiles).toHaveLength(2);
    expect(dry.files.dataFiles.every((f) => f.includes('region=eu'))).toBe(true);
    expect(dry.files.manifestLists).toHaveLength(2);
    // s1's and s2's manifests were both rewritten by the overwrite, so no retained list names them.
    expect(dry.files.manifests).toHaveLength(2);
    // delete-after-commit with 3 previous versions: the expiry commit pushes the oldest log entry out.
    expect(dry.files.metadataFiles).toEqual([before.metadata.metadataLog[0]?.metadataFile]);

    const report = await expireSnapshots({ committer, identifier, io, policy, concurrency: 4 });
    expect(report.dryRun).toBe(false);
    expect(report.expiredSnapshotIds).toEqual(dry.expiredSnapshotIds);
    expect(report.files).toEqual(dry.files);
    expect(report.failedDeletes).toEqual([]);
    expect(report.bytesDeleted).toBeGreaterThan(0n);

    const after = await committer.loadTable(identifier);
    expect(after.metadata.snapshots.map((s) => s.snapshotId)).toEqual([
      s3.snapshotId,
      s4.snapshotId,
      s5.snapshotId,
    ]);

    // PyIceberg reads the current snapshot and travels to every retained one.
    expect(await pyRowCounts([s3.snapshotId, s4.snapshotId, s5.snapshotId])).toEqual({
      current: 280,
      bySnapshot: [160, 220, 280],
    });

    // The bucket holds exactly what the retained metadata references …
    const objectsAfter = await listObjects(io, after.metadata.location);
    const referenced = await referencedFiles(io, after.metadata, after.metadataLocation as string);
    expect(objectsAfter).toEqual(referenced);
    // … and what disappeared is exactly what the dry run listed (plus nothing the commit added).
    const deleted = objectsBefore.filter((o) => !objectsAfter.includes(o));
    const listed = [
      ...dry.files.manifestLists,
      ...dry.files.manifests,
      ...dry.files.dataFiles,
      ...dry.files.deleteFiles,
      ...dry.files.statisticsFiles,
      ...dry.files.metadataFiles,
    ].sort();
    expect(deleted).toEqual(listed);
    for (const file of listed) expect(await io.exists(file)).toBe(false);

    // The expired table keeps taking writes: an append on top reads back whole.
    const s6 = await commitBatch(rows(300, 330, regions), (files) => fastAppend(files));
    expect(s6.rows).toBe(310);
    expect(await pyRowCounts([s3.snapshotId])).toEqual({ current: 310, bySnapshot: [160] });
  });
});
