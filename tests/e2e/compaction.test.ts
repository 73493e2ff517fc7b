// Compaction against the real stack, driven through @floe/iceberg (the fleet version with two
// writers and the maintenance worker is maintenance-compaction.test.ts):
//   - a compaction whose inputs a concurrent overwrite removes between its rewrite and its
//     commit fails with a retryable commit-conflict, and the bucket holds nothing it wrote;
//   - rewrite-manifests clusters PyIceberg-readable manifests by partition, every entry keeping
//     its snapshot id and sequence numbers (PyIceberg's inspect.entries());
//   - a table with a position delete file written by hand to the spec (Parquet with the
//     reserved field ids, in a delete manifest) compacts to the same rows — as PyIceberg reads
//     them — and the delete file is gone from the current snapshot.
import {
  commitWithRebase,
  compactTable,
  type DataFile,
  type FileIO,
  isIcebergError,
  ManifestWriter,
  overwrite,
  ParquetFileWriter,
  readManifestList,
  rewriteManifests,
  writeManifestList,
} from '@floe/iceberg';
import { runPython } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { libraryTable } from './support/library-table.ts';

const FILE_PATH_ID = 2147483546;
const POS_ID = 2147483545;

async function listed(io: FileIO, location: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of io.list(`${location.replace(/\/$/, '')}/`)) out.push(info.location);
  return out.sort();
}

interface PyRead {
  readonly ids: number[];
  readonly deleteFiles: number;
  readonly dataFiles: number;
}

function pyRead(name: string): Promise<PyRead> {
  return runPython<PyRead>(`
from floe_peers import catalog, emit
t = catalog().load_table("${name}")
files = t.inspect.files().to_pylist()
emit({"ids": sorted(t.scan().to_arrow().column("id").to_pylist()),
      "deleteFiles": sum(1 for f in files if f["content"] != 0),
      "dataFiles": sum(1 for f in files if f["content"] == 0)})
`);
}

describe('compaction when its inputs are removed meanwhile (real stack)', () => {
  const table = libraryTable('cmprace');
  afterAll(() => table.close());

  it('fails retryably and leaves no file it wrote in the bucket', async () => {
    await table.create();
    for (let i = 0; i < 6; i++) await table.append([i * 2, i * 2 + 1]);
    const io = await table.io();
    const location = (await table.committer.loadTable(table.identifier)).metadata.location;
    const before = await listed(io, location);
    const error = await compactTable({
      committer: table.committer,
      identifier: table.identifier,
      io,
      options: { minInputFiles: 2 },
      beforeCommit: async () => {
        await commitWithRebase({
          committer: table.committer,
          identifier: table.identifier,
          io,
          base: await table.committer.loadTable(table.identifier),
          change: overwrite([], (file) => file.partition[0] === 'eu'),
        });
      },
    }).catch((e: unknown) => e);
    expect(isIcebergError(error, 'commit-conflict')).toBe(true);
    expect(isIcebergError(error) && error.retryable).toBe(true);
    expect((error as Error).message).toContain('removed it meanwhile; the next run plans again');

    // New objects: only the overwrite's metadata (metadata.json, its list and manifests).
    const after = await table.committer.loadTable(table.identifier);
    const current = after.metadata.snapshots.at(-1);
    const referenced = new Set([current?.manifestList as string]);
    for (const m of readManifestList(await io.read(current?.manifestList as string)).manifests) {
      referenced.add(m.manifestPath);
    }
    const added = (await listed(io, location)).filter((p) => !before.includes(p));
    expect(added.filter((p) => !referenced.has(p) && !p.endsWith('.metadata.json'))).toEqual([]);
    expect((await pyRead(table.name)).ids).toEqual([1, 3, 5, 7, 9, 11]);
  }, 300_000);
});

describe('compaction of a table with position deletes (real stack)', () => {
  const table = libraryTable('cmpdel');
  afterAll(() => table.close());

  /** Writes a position delete file for `targets` and commits it in a delete manifest. */
  async function commitPositionDeletes(io: FileIO, targets: readonly { path: string; pos: number }[]) {
    const base = await table.committer.loadTable(table.identifier);
    const metadata = base.metadata;
    const location = `${metadata.location}/data/region=eu/pos-deletes-1.parquet`;
    const batch = new arrow.Table({
      file_path: arrow.vectorFromArray(
        targets.map((t) => t.path),
        new arrow.Utf8(),
      ),
      pos: arrow.makeVector(BigInt64Array.from(targets.map((t) => BigInt(t.pos)))),
    }).batches[0] as arrow.RecordBatch;
    const writer = new ParquetFileWriter({
      io,
      location,
      schema: {
        schemaId: 0,
        identifierFieldIds: [],
        fields: [
          { id: FILE_PATH_ID, name: 'file_path', required: true, type: { kind: 'string' } },
          { id: POS_ID, name: 'pos', required: true, type: { kind: 'long' } },
        ],
      },
      arrowSchema: batch.schema,
    });
    await writer.writeBatches([batch]);
    const written = await writer.close();
    const deleteFile: DataFile = {
      content: 'position-deletes',
      filePath: location,
      fileFormat: 'parquet',
      partition: ['eu'],
      recordCount: BigInt(targets.length),
      fileSizeInBytes: BigInt(written.fileSizeInBytes),
    };
    const parent = metadata.snapshots.find((s) => s.snapshotId === metadata.refs.main?.snapshotId);
    if (parent === undefined) throw new Error('no current snapshot');
    const snapshotId = BigInt(Date.now()) * 1000n + 7n;
    const sequenceNumber = metadata.lastSequenceNumber + 1n;
    const manifestPath = `${metadata.location}/metadata/pos-deletes-${snapshotId}-m0.avro`;
    const spec = metadata.partitionSpecs[0];
    const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
    if (spec === undefined || schema === undefined)
      throw new Error('table has no partition spec or current schema');
    const manifest = new ManifestWriter({
      path: manifestPath,
      spec,
      schema,
      snapshotId,
      content: 'deletes',
    });
    manifest.add(deleteFile);
    const finished = manifest.finish();
    await io.write(manifestPath, finished.bytes);
    const listPath = `${metadata.location}/metadata/snap-${snapshotId}-pos-deletes.avro`;
    const previous = readManifestList(await io.read(parent.manifestList)).manifests;
    const list = writeManifestList({
      snapshotId,
      parentSnapshotId: parent.snapshotId,
      sequenceNumber,
      manifests: [finished.manifestFile, ...previous],
    });
    await io.write(listPath, list.bytes);
    await table.committer.commitTable(
      table.identifier,
      [{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: parent.snapshotId }],
      [
        {
          action: 'add-snapshot',
          snapshot: {
            snapshotId,
            parentSnapshotId: parent.snapshotId,
            sequenceNumber,
            timestampMs: BigInt(Date.now()),
            manifestList: listPath,
            summary: { operation: 'delete' },
            schemaId: metadata.currentSchemaId,
          },
        },
        { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId, type: 'branch' } },
      ],
    );
  }

  it('yields the same rows as PyIceberg reads them, without the delete file', async () => {
    await table.create();
    for (let i = 0; i < 5; i++) await table.append([i * 2, i * 2 + 1]);
    const io = await table.io();
    // The eu files holding ids 0 and 4 (first and third append) lose their only row.
    const withIds = await runPython<{ path: string; id: number }[]>(`
from floe_peers import catalog, emit
import pyarrow.parquet as pq
t = catalog().load_table("${table.name}")
out = []
for f in t.inspect.files().to_pylist():
    if f["partition"]["region"] == "eu":
        with t.io.new_input(f["file_path"]).open() as data:
            out.append({"path": f["file_path"], "id": pq.read_table(data).column("id").to_pylist()[0]})
emit(out)
`);
    expect(withIds).toHaveLength(5);
    const targets = withIds.filter((f) => f.id === 0 || f.id === 4).map((f) => ({ path: f.path, pos: 0 }));
    expect(targets).toHaveLength(2);
    await commitPositionDeletes(io, targets);
    const before = await pyRead(table.name);
    expect(before).toMatchObject({ ids: [1, 2, 3, 5, 6, 7, 8, 9], deleteFiles: 1, dataFiles: 10 });

    const report = await compactTable({
      committer: table.committer,
      identifier: table.identifier,
      io,
      options: { minInputFiles: 2 },
    });
    expect(report).toMatchObject({ retiredDeleteFiles: 1 });
    const after = await pyRead(table.name);
    expect(after).toMatchObject({ ids: before.ids, deleteFiles: 0, dataFiles: 2 });
  }, 300_000);
});

describe('rewrite-manifests (real stack)', () => {
  const table = libraryTable('rwman');
  afterAll(() => table.close());

  it('clusters the manifests by partition; entries keep snapshot ids and sequence numbers', async () => {
    await table.create();
    for (let i = 0; i < 6; i++) await table.append([i * 2, i * 2 + 1]);
    interface Entries {
      readonly manifests: { length: number; regions: string[] }[];
      readonly entries: { path: string; status: number; snapshot: string; seq: string; fileSeq: string }[];
    }
    const inspect = () =>
      runPython<Entries>(`
from floe_peers import catalog, emit
t = catalog().load_table("${table.name}")
ms = [{"length": m["length"],
       "regions": sorted({s["lower_bound"] for s in m["partition_summaries"]} | {s["upper_bound"] for s in m["partition_summaries"]})}
      for m in t.inspect.manifests().to_pylist()]
emit({"manifests": ms,
      "entries": [{"path": r["data_file"]["file_path"], "status": r["status"], "snapshot": str(r["snapshot_id"]),
                   "seq": str(r["sequence_number"]), "fileSeq": str(r["file_sequence_number"])}
                  for r in t.inspect.entries().to_pylist()]})
`);
    const before = await inspect();
    expect(before.manifests).toHaveLength(6);
    // Each manifest holds one eu and one us file: a target of ~6.5 entries makes one per region.
    const perEntry = before.manifests.reduce((sum, m) => sum + m.length, 0) / 12;
    const report = await rewriteManifests({
      committer: table.committer,
      identifier: table.identifier,
      io: await table.io(),
      targetManifestSizeBytes: Math.floor(perEntry * 6.5),
    });
    expect(report).toMatchObject({ manifestsReplaced: 6, manifestsWritten: 2, entries: 12 });
    const after = await inspect();
    expect(after.manifests.map((m) => m.regions).sort()).toEqual([['eu'], ['us']]);
    const byPath = new Map(after.entries.map((e) => [e.path, e]));
    for (const entry of before.entries) {
      expect(byPath.get(entry.path)).toMatchObject({
        status: 0,
        snapshot: entry.snapshot,
        seq: entry.seq,
        fileSeq: entry.fileSeq,
      });
    }
    expect((await pyRead(table.name)).ids).toEqual(Array.from({ length: 12 }, (_, i) => i));
  }, 300_000);
});
