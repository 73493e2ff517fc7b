// Interop of manifests and manifest lists with PyIceberg on the real stack. PyIceberg writes a
// partitioned table through the REST catalog; we read its manifest list and manifests straight
// from MinIO and compare every field with what PyIceberg reports. Then we write a manifest and
// manifest list of our own into the same bucket and let fastavro (raw Avro, header included)
// and PyIceberg's manifest readers judge them field by field.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadStackEnv, runPython } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSchema } from '../spec/type-json.ts';
import { parseJson } from '../util/json.ts';
import type { ManifestEntry } from './data-file.ts';
import type { ManifestFile } from './manifest-file.ts';
import { readManifestList, writeManifestList } from './manifest-list.ts';
import { readManifest } from './manifest-reader.ts';
import { ManifestWriter } from './manifest-writer.ts';

const stack = loadStackEnv();
const s3 = new S3Client({
  endpoint: stack.s3Endpoint,
  region: stack.s3Region,
  forcePathStyle: true,
  credentials: { accessKeyId: stack.s3AccessKeyId, secretAccessKey: stack.s3SecretAccessKey },
});
afterAll(() => s3.destroy());

function splitUri(uri: string): { Bucket: string; Key: string } {
  const match = /^s3a?:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match?.[1] || !match[2]) throw new Error(`not an s3 uri: ${uri}`);
  return { Bucket: match[1], Key: match[2] };
}

async function getObject(uri: string): Promise<Uint8Array> {
  const response = await s3.send(new GetObjectCommand(splitUri(uri)));
  return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
}

async function putObject(uri: string, bytes: Uint8Array): Promise<void> {
  await s3.send(new PutObjectCommand({ ...splitUri(uri), Body: bytes }));
}

const hex = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? null : Buffer.from(bytes).toString('hex');
const numberMap = (map: ReadonlyMap<number, bigint> | undefined) =>
  Object.fromEntries([...(map ?? [])].map(([k, v]) => [String(k), Number(v)]));
const hexMap = (map: ReadonlyMap<number, Uint8Array> | undefined) =>
  Object.fromEntries([...(map ?? [])].map(([k, v]) => [String(k), hex(v)]));
const STATUS = { existing: 0, added: 1, deleted: 2 } as const;

interface PyEntry {
  status: number;
  snapshotId: string;
  sequenceNumber: number | null;
  fileSequenceNumber: number | null;
  filePath: string;
  format: string;
  partition: (string | number | null)[];
  recordCount: number;
  fileSize: number;
  columnSizes: Record<string, number>;
  valueCounts: Record<string, number>;
  nullValueCounts: Record<string, number>;
  nanValueCounts: Record<string, number>;
  lowerBounds: Record<string, string>;
  upperBounds: Record<string, string>;
  splitOffsets: string[];
  sortOrderId: number | null;
}

interface PyManifest {
  path: string;
  length: number;
  specId: number;
  content: number;
  sequenceNumber: number;
  minSequenceNumber: number;
  addedSnapshotId: string;
  addedFiles: number;
  existingFiles: number;
  deletedFiles: number;
  addedRows: number;
  existingRows: number;
  deletedRows: number;
  partitions: {
    containsNull: boolean;
    containsNan: boolean | null;
    lower: string | null;
    upper: string | null;
  }[];
  entries: PyEntry[];
}

/** Python: dumps manifests (list entries + all entries) the way PyIceberg sees them. */
const DUMP_MANIFESTS = `
def dump_manifests(manifests, io):
    out = []
    for m in manifests:
        entry = {
            "path": m.manifest_path, "length": m.manifest_length, "specId": m.partition_spec_id,
            "content": int(m.content), "sequenceNumber": m.sequence_number,
            "minSequenceNumber": m.min_sequence_number, "addedSnapshotId": str(m.added_snapshot_id),
            "addedFiles": m.added_files_count, "existingFiles": m.existing_files_count,
            "deletedFiles": m.deleted_files_count, "addedRows": m.added_rows_count,
            "existingRows": m.existing_rows_count, "deletedRows": m.deleted_rows_count,
            "partitions": [{"containsNull": p.contains_null, "containsNan": p.contains_nan,
                            "lower": p.lower_bound.hex() if p.lower_bound is not None else None,
                            "upper": p.upper_bound.hex() if p.upper_bound is not None else None}
                           for p in (m.partitions or [])],
            "entries": [],
        }
        for e in m.fetch_manifest_entry(io, discard_deleted=False):
            f = e.data_file
            entry["entries"].append({
                "status": int(e.status), "snapshotId": str(e.snapshot_id), "sequenceNumber": e.sequence_number,
                "fileSequenceNumber": e.file_sequence_number, "filePath": f.file_path,
                "format": f.file_format.name, "partition": [f.partition[i] for i in range(len(f.partition))],
                "recordCount": f.record_count, "fileSize": f.file_size_in_bytes,
                "columnSizes": {str(k): v for k, v in (f.column_sizes or {}).items()},
                "valueCounts": {str(k): v for k, v in (f.value_counts or {}).items()},
                "nullValueCounts": {str(k): v for k, v in (f.null_value_counts or {}).items()},
                "nanValueCounts": {str(k): v for k, v in (f.nan_value_counts or {}).items()},
                "lowerBounds": {str(k): v.hex() for k, v in (f.lower_bounds or {}).items()},
                "upperBounds": {str(k): v.hex() for k, v in (f.upper_bounds or {}).items()},
                "splitOffsets": [str(x) for x in (f.split_offsets or [])],
                "sortOrderId": f.sort_order_id,
            })
        out.append(entry)
    return out
`;

interface PyTable {
  namespace: string;
  snapshotId: string;
  parentSnapshotId: string;
  sequenceNumber: number;
  manifestList: string;
  location: string;
  manifests: PyManifest[];
}

let table: PyTable;

beforeAll(async () => {
  // Identity partitions only: PyIceberg's day/bucket transforms need pyiceberg-core, which
  // the stack's venv does not ship.
  table = await runPython<PyTable>(`
import datetime, uuid
import pyarrow as pa
from floe_peers import catalog, emit
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, StringType, DateType, DoubleType
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.transforms import IdentityTransform
${DUMP_MANIFESTS}
ns = "manifest_it_" + uuid.uuid4().hex[:8]
cat = catalog()
cat.create_namespace(ns)
schema = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "region", StringType(), required=False),
    NestedField(3, "event_date", DateType(), required=False),
    NestedField(4, "score", DoubleType(), required=False),
)
spec = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="region"),
    PartitionField(source_id=3, field_id=1001, transform=IdentityTransform(), name="event_date"),
)
table = cat.create_table(f"{ns}.events", schema=schema, partition_spec=spec)
def batch(rows):
    return pa.Table.from_pylist(rows, schema=schema.as_arrow())
table.append(batch([
    {"id": 2**60 + 1, "region": "eu", "event_date": datetime.date(2024, 5, 1), "score": 1.5},
    {"id": 2, "region": "us", "event_date": datetime.date(2024, 5, 2), "score": float("nan")},
]))
table.append(batch([{"id": 3, "region": None, "event_date": datetime.date(2024, 5, 1), "score": None}]))
table = cat.load_table(f"{ns}.events")
snap = table.current_snapshot()
emit({"namespace": ns, "snapshotId": str(snap.snapshot_id), "parentSnapshotId": str(snap.parent_snapshot_id),
      "sequenceNumber": snap.sequence_number, "manifestList": snap.manifest_list,
      "location": table.metadata.location, "manifests": dump_manifests(snap.manifests(table.io), table.io)})
`);
});

function expectEntryMatches(ours: ManifestEntry, theirs: PyEntry): void {
  expect({
    status: STATUS[ours.status],
    snapshotId: String(ours.snapshotId),
    sequenceNumber: Number(ours.sequenceNumber),
    fileSequenceNumber: Number(ours.fileSequenceNumber),
    filePath: ours.file.filePath,
    format: ours.file.fileFormat.toUpperCase(),
    partition: ours.file.partition,
    recordCount: Number(ours.file.recordCount),
    fileSize: Number(ours.file.fileSizeInBytes),
    columnSizes: numberMap(ours.file.columnSizes),
    valueCounts: numberMap(ours.file.valueCounts),
    nullValueCounts: numberMap(ours.file.nullValueCounts),
    nanValueCounts: numberMap(ours.file.nanValueCounts),
    lowerBounds: hexMap(ours.file.lowerBounds),
    upperBounds: hexMap(ours.file.upperBounds),
    splitOffsets: (ours.file.splitOffsets ?? []).map(String),
    sortOrderId: ours.file.sortOrderId ?? null,
  }).toEqual(theirs);
}

function expectManifestMatches(ours: ManifestFile, theirs: PyManifest): void {
  expect({
    path: ours.manifestPath,
    length: Number(ours.manifestLength),
    specId: ours.partitionSpecId,
    content: ours.content === 'data' ? 0 : 1,
    sequenceNumber: Number(ours.sequenceNumber),
    minSequenceNumber: Number(ours.minSequenceNumber),
    addedSnapshotId: String(ours.addedSnapshotId),
    addedFiles: ours.addedFilesCount,
    existingFiles: ours.existingFilesCount,
    deletedFiles: ours.deletedFilesCount,
    addedRows: Number(ours.addedRowsCount),
    existingRows: Number(ours.existingRowsCount),
    deletedRows: Number(ours.deletedRowsCount),
    partitions: (ours.partitions ?? []).map((p) => ({
      containsNull: p.containsNull,
      containsNan: p.containsNan ?? null,
      lower: hex(p.lowerBound),
      upper: hex(p.upperBound),
    })),
  }).toEqual({ ...theirs, entries: undefined });
}

describe('reading manifests PyIceberg wrote', () => {
  it('reads the manifest list and every manifest exactly as PyIceberg sees them', async () => {
    const list = readManifestList(await getObject(table.manifestList));
    expect(list.formatVersion).toBe(2);
    expect(String(list.snapshotId)).toBe(table.snapshotId);
    expect(String(list.parentSnapshotId)).toBe(table.parentSnapshotId);
    expect(Number(list.sequenceNumber)).toBe(table.sequenceNumber);
    expect(list.manifests).toHaveLength(table.manifests.length);
    expect(table.manifests.length).toBeGreaterThanOrEqual(2);

    for (const [index, manifest] of list.manifests.entries()) {
      const theirs = table.manifests[index] as PyManifest;
      expectManifestMatches(manifest, theirs);
      const contents = readManifest(await getObject(manifest.manifestPath), manifest);
      expect(contents.partitionFields.map((f) => f.name)).toEqual(['region', 'event_date']);
      expect(contents.entries).toHaveLength(theirs.entries.length);
      contents.entries.forEach((entry, i) => {
        expectEntryMatches(entry, theirs.entries[i] as PyEntry);
      });
    }
    // Values follow the library's contract: the date partition is days as a number, ids are exact.
    const all = await Promise.all(
      list.manifests.map(async (m) => readManifest(await getObject(m.manifestPath), m).entries),
    );
    const eu = all.flat().find((e) => e.file.partition[0] === 'eu' && e.file.recordCount === 1n);
    expect(eu?.file.partition).toEqual(['eu', 19_844]);
    expect(eu?.file.lowerBounds?.get(1)).toEqual(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0x10));
  });
});

describe('PyIceberg and fastavro reading manifests we wrote', () => {
  it('sees our manifest list and manifest field by field, field ids in the header', async () => {
    const source = readManifestList(await getObject(table.manifestList));
    const first = source.manifests[0] as ManifestFile;
    const read = readManifest(await getObject(first.manifestPath), first);
    const schema = parseSchema(parseJson(read.schemaJson ?? 'null'));
    const spec = { specId: read.partitionSpecId ?? 0, fields: read.partitionFields };
    const snapshotId = 2n ** 62n + 4242n;
    const sequenceNumber = BigInt(table.sequenceNumber) + 1n;

    // One manifest: PyIceberg's files carried over as EXISTING plus one new file ADDED.
    const manifestPath = `${table.location}/metadata/floe-${snapshotId}-m0.avro`;
    const writer = new ManifestWriter({ path: manifestPath, spec, schema, snapshotId });
    for (const entry of read.entries) writer.existing(entry);
    const template = read.entries[0]?.file;
    if (template === undefined) throw new Error('PyIceberg manifest has no entries');
    writer.add({
      ...template,
      filePath: `${table.location}/data/floe-added.parquet`,
      partition: ['ap', 19_900],
      recordCount: 2n ** 40n,
      nanValueCounts: new Map([[4, 1n]]),
    });
    const written = writer.finish();
    await putObject(manifestPath, written.bytes);
    const listPath = `${table.location}/metadata/snap-${snapshotId}-floe.avro`;
    const writtenList = writeManifestList({
      snapshotId,
      parentSnapshotId: BigInt(table.snapshotId),
      sequenceNumber,
      manifests: [written.manifestFile, ...source.manifests.slice(1)],
    });
    await putObject(listPath, writtenList.bytes);

    const peers = await runPython<{
      header: Record<string, string>;
      avroSchema: unknown;
      records: Record<string, unknown>[];
      listHeader: Record<string, string>;
      manifests: PyManifest[];
    }>(`
import datetime, json, fastavro
from pyiceberg.io import load_file_io
from pyiceberg.manifest import read_manifest_list
from floe_peers import emit, s3_properties
${DUMP_MANIFESTS}
io = load_file_io(s3_properties())
def plain(value):
    # fastavro applies our logicalType date: back to days since epoch for comparison.
    if isinstance(value, datetime.date):
        return (value - datetime.date(1970, 1, 1)).days
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, int) and abs(value) > 2**53:
        return str(value)
    return value
with io.new_input("${manifestPath}").open() as f:
    reader = fastavro.reader(f)
    header = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in reader.metadata.items()}
    records = [plain(r) for r in reader]
with io.new_input("${listPath}").open() as f:
    list_header = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in fastavro.reader(f).metadata.items()}
manifests = dump_manifests(list(read_manifest_list(io.new_input("${listPath}"))), io)
emit({"header": header, "avroSchema": json.loads(header["avro.schema"]), "records": records,
      "listHeader": list_header, "manifests": manifests})
`);

    // Header keys, and a field id on every record field of the raw Avro schema.
    expect(peers.header).toMatchObject({
      'format-version': '2',
      content: 'data',
      'partition-spec-id': String(spec.specId),
      'schema-id': String(schema.schemaId),
      'avro.codec': 'deflate',
    });
    expect(JSON.parse(peers.header['partition-spec'] ?? '[]')).toEqual([
      { name: 'region', transform: 'identity', 'source-id': 2, 'field-id': 1000 },
      { name: 'event_date', transform: 'identity', 'source-id': 3, 'field-id': 1001 },
    ]);
    const missingIds: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) {
        for (const branch of node) walk(branch, path);
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      for (const field of (record['fields'] ?? []) as Record<string, unknown>[]) {
        if (typeof field['field-id'] !== 'number') missingIds.push(`${path}.${String(field['name'])}`);
        walk(field['type'], `${path}.${String(field['name'])}`);
      }
      if (record['items'] !== undefined) walk(record['items'], `${path}[]`);
    };
    walk(peers.avroSchema, '');
    expect(missingIds).toEqual([]);
    expect(peers.listHeader).toMatchObject({
      'snapshot-id': String(snapshotId),
      'parent-snapshot-id': table.snapshotId,
      'sequence-number': String(sequenceNumber),
      'format-version': '2',
    });

    // fastavro's raw records, field by field.
    const ours = readManifest(written.bytes);
    expect(peers.records).toHaveLength(ours.entries.length);
    peers.records.forEach((record, i) => {
      const entry = ours.entries[i] as ManifestEntry;
      const file = record['data_file'] as Record<string, unknown>;
      expect(record['status']).toBe(STATUS[entry.status]);
      expect(String(record['snapshot_id'])).toBe(String(entry.snapshotId));
      expect(record['sequence_number']).toBe(
        entry.sequenceNumber === undefined ? null : Number(entry.sequenceNumber),
      );
      expect(file['file_path']).toBe(entry.file.filePath);
      expect(file['file_format']).toBe('PARQUET');
      expect(file['content']).toBe(0);
      expect(file['partition']).toEqual({
        region: entry.file.partition[0],
        event_date: entry.file.partition[1],
      });
      expect(String(file['record_count'])).toBe(String(entry.file.recordCount));
      expect(file['lower_bounds']).toEqual(
        [...(entry.file.lowerBounds ?? [])].map(([key, value]) => ({ key, value: hex(value) })),
      );
      expect(file['column_sizes']).toEqual(
        [...(entry.file.columnSizes ?? [])].map(([key, value]) => ({ key, value: Number(value) })),
      );
    });
    expect(peers.records[peers.records.length - 1]).toMatchObject({
      sequence_number: null,
      file_sequence_number: null,
    });

    // PyIceberg's manifest readers: inheritance gives the new file our snapshot's sequence number.
    expect(peers.manifests).toHaveLength(writtenList.manifests.length);
    const mine = peers.manifests[0] as PyManifest;
    expectManifestMatches(writtenList.manifests[0] as ManifestFile, mine);
    expect(mine.entries.map((e) => [e.status, e.sequenceNumber])).toEqual([
      ...read.entries.map((e) => [0, Number(e.sequenceNumber)]),
      [1, Number(sequenceNumber)],
    ]);
    const added = mine.entries[mine.entries.length - 1] as PyEntry;
    expect(added).toMatchObject({
      snapshotId: String(snapshotId),
      partition: ['ap', 19_900],
      recordCount: 2 ** 40,
      nanValueCounts: { '4': 1 },
    });
  });
});
