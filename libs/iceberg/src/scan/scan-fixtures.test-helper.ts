// A small real table in memory for scan tests: the in-memory catalog's (id long, region string)
// table partitioned by identity(region), appended to with our own Parquet writer and commit
// loop, with a column added between snapshots so old files read under a newer schema.
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import type { FileIO } from '../io/file-io.ts';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { readManifestList, writeManifestList } from '../manifest/manifest-list.ts';
import { ManifestWriter } from '../manifest/manifest-writer.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { currentSnapshot } from '../metadata/snapshot-queries.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import { commitWithRebase } from '../table/commit.ts';
import { InMemoryCatalog, newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { currentSchema, newSnapshotId, specById } from '../table/snapshot-producer.ts';
import { fastAppend } from '../table/table-actions.ts';
import { writePartitionedDataFiles } from '../write/partitioned-writer.ts';

export const identifier = { namespace: ['db'], name: 't' };

export interface Row {
  id: bigint;
  region: string | null;
  note?: string | null;
}

export function rowsBatch(rows: readonly Row[], withNote: boolean): arrow.RecordBatch {
  const columns: Record<string, arrow.Vector> = {
    id: arrow.makeVector(BigInt64Array.from(rows.map((r) => r.id))),
    region: arrow.vectorFromArray(
      rows.map((r) => r.region),
      new arrow.Utf8(),
    ),
  };
  if (withNote)
    columns.note = arrow.vectorFromArray(
      rows.map((r) => r.note ?? null),
      new arrow.Utf8(),
    );
  return new arrow.Table(columns).batches[0]!;
}

export async function appendRows(
  catalog: InMemoryCatalog,
  io: FileIO,
  rows: readonly Row[],
): Promise<DataFile[]> {
  const metadata = catalog.metadata;
  const schema = currentSchema(metadata);
  const batch = rowsBatch(
    rows,
    schema.fields.some((f) => f.name === 'note'),
  );
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: metadata.location,
    schema,
    spec: specById(metadata, metadata.defaultSpecId),
    arrowSchema: batch.schema,
  });
  await commit(
    catalog,
    io,
    files.map((file) => ({ file, specId: metadata.defaultSpecId })),
  );
  return files;
}

export async function commit(
  catalog: InMemoryCatalog,
  io: FileIO,
  files: readonly { file: DataFile; specId: number }[],
): Promise<void> {
  await commitWithRebase({
    committer: catalog,
    identifier,
    io,
    base: await catalog.loadTable(identifier),
    change: fastAppend(files),
    sleep: async () => undefined,
  });
}

export const NOTE_SCHEMA: Schema = {
  schemaId: 1,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'region', required: false, type: { kind: 'string' } },
    { id: 3, name: 'note', required: false, type: { kind: 'string' } },
  ],
};

export function addNoteColumn(catalog: InMemoryCatalog): void {
  catalog.metadata = applyUpdates(catalog.metadata, [
    { action: 'add-schema', schema: NOTE_SCHEMA, lastColumnId: 3 },
    { action: 'set-current-schema', schemaId: -1 },
  ]);
}

export interface Fixture {
  readonly io: MemoryFileIO;
  readonly catalog: InMemoryCatalog;
  readonly metadata: TableMetadata;
  /** Snapshot ids in commit order. */
  readonly snapshots: readonly bigint[];
}

/**
 * Snapshot 1: ids 1-6 over eu/us/ap. Then `note` is added. Snapshot 2: ids 7-9 with notes,
 * one of them in a new region `sa`.
 */
export async function buildTable(): Promise<Fixture> {
  const io = new MemoryFileIO();
  const catalog = new InMemoryCatalog(newTableMetadata());
  await appendRows(catalog, io, [
    { id: 1n, region: 'eu' },
    { id: 2n, region: 'us' },
    { id: 3n, region: 'ap' },
    { id: 4n, region: 'eu' },
    { id: 5n, region: 'us' },
    { id: 6n, region: null },
  ]);
  addNoteColumn(catalog);
  await appendRows(catalog, io, [
    { id: 7n, region: 'eu', note: 'seven' },
    { id: 8n, region: 'sa', note: null },
    { id: 9n, region: 'us', note: 'nine' },
  ]);
  const metadata = catalog.metadata;
  return { io, catalog, metadata, snapshots: metadata.snapshotLog.map((e) => e.snapshotId) };
}

/** A plain Parquet file (no field ids: columns are matched by name) from an Arrow table. */
export function parquetOf(table: arrow.Table): Uint8Array {
  return parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
}

/** Counts bytes and requests that go through `readRange` and `read`. */
export class CountingFileIO extends MemoryFileIO {
  rangeBytes = 0;
  wholeReads = 0;
  override async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    const bytes = await super.readRange(location, offset, length);
    this.rangeBytes += bytes.length;
    return bytes;
  }
  override async read(location: string): Promise<Uint8Array> {
    if (location.endsWith('.parquet')) this.wholeReads++;
    return super.read(location);
  }
}

/**
 * Commits delete files as a `delete` snapshot (our commit path only writes data manifests): a
 * delete manifest under spec 0 next to the parent's manifests, applied to the catalog directly.
 */
export async function commitDeletes(
  catalog: InMemoryCatalog,
  io: FileIO,
  files: readonly DataFile[],
  formatVersion: 2 | 3 = 2,
): Promise<void> {
  const metadata = catalog.metadata;
  const parent = currentSnapshot(metadata);
  const snapshotId = newSnapshotId();
  const sequenceNumber = metadata.lastSequenceNumber + 1n;
  const writer = new ManifestWriter({
    path: `${metadata.location}/metadata/deletes-${snapshotId}.avro`,
    spec: specById(metadata, 0),
    schema: currentSchema(metadata),
    snapshotId,
    content: 'deletes',
    formatVersion,
  });
  for (const file of files) writer.add(file);
  const written = writer.finish();
  await io.write(written.manifestFile.manifestPath, written.bytes);
  const previous = parent === undefined ? [] : readManifestList(await io.read(parent.manifestList)).manifests;
  const list = writeManifestList({
    snapshotId,
    parentSnapshotId: parent?.snapshotId,
    sequenceNumber,
    manifests: [...previous, written.manifestFile],
    formatVersion,
  });
  const listPath = `${metadata.location}/metadata/snap-${snapshotId}.avro`;
  await io.write(listPath, list.bytes);
  catalog.metadata = applyUpdates(metadata, [
    {
      action: 'add-snapshot',
      snapshot: {
        snapshotId,
        ...(parent === undefined ? {} : { parentSnapshotId: parent.snapshotId }),
        sequenceNumber,
        timestampMs: BigInt(Date.now()),
        manifestList: listPath,
        summary: { operation: 'delete' },
        schemaId: metadata.currentSchemaId,
      },
    },
    { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId, type: 'branch' } },
  ]);
}
