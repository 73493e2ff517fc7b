import { describe, expect, it } from 'vitest';
import { metadataText, readAvroContainer, writeAvroContainer } from './avro-container.ts';
import { manifestFileAvroSchema } from './avro-schemas.ts';
import type { ManifestFile } from './manifest-file.ts';
import { type Overrides, withoutUndefined } from './manifest-fixtures.test-helper.ts';
import { assignSequenceNumbers, readManifestList, writeManifestList } from './manifest-list.ts';

const SNAPSHOT = 9_000_000_000_000_000_001n;
const PARENT = 9_000_000_000_000_000_000n;

function manifest(overrides: Overrides<ManifestFile> = {}): ManifestFile {
  return withoutUndefined({
    manifestPath: 's3://warehouse/db/t/metadata/new-m0.avro',
    manifestLength: 7_000n,
    partitionSpecId: 2,
    content: 'data',
    sequenceNumber: undefined,
    minSequenceNumber: undefined,
    addedSnapshotId: SNAPSHOT,
    addedFilesCount: 3,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: 2n ** 54n,
    existingRowsCount: 0n,
    deletedRowsCount: 0n,
    partitions: [
      {
        containsNull: true,
        containsNan: false,
        lowerBound: Uint8Array.of(1, 0, 0, 0),
        upperBound: Uint8Array.of(9, 0, 0, 0),
      },
      { containsNull: false },
    ],
    ...overrides,
  } as ManifestFile);
}

const carried = manifest({
  manifestPath: 's3://warehouse/db/t/metadata/old-m0.avro',
  sequenceNumber: 4n,
  minSequenceNumber: 2n,
  addedSnapshotId: PARENT,
  addedFilesCount: 0,
  existingFilesCount: 5,
  existingRowsCount: 50n,
  keyMetadata: Uint8Array.of(1, 2, 3),
});

describe('writeManifestList / readManifestList', () => {
  it('assigns the snapshot sequence number to new manifests and round-trips every field', () => {
    const fresh = manifest();
    const deletes = manifest({
      manifestPath: 's3://warehouse/db/t/metadata/new-d0.avro',
      content: 'deletes',
      minSequenceNumber: 3n,
      partitions: undefined,
    });
    const { bytes, manifests } = writeManifestList({
      snapshotId: SNAPSHOT,
      parentSnapshotId: PARENT,
      sequenceNumber: 5n,
      manifests: [fresh, carried, deletes],
    });
    expect(manifests).toEqual([
      { ...fresh, sequenceNumber: 5n, minSequenceNumber: 5n },
      carried,
      { ...deletes, sequenceNumber: 5n, minSequenceNumber: 3n },
    ]);
    const list = readManifestList(bytes);
    expect(list).toEqual({
      formatVersion: 2,
      snapshotId: SNAPSHOT,
      parentSnapshotId: PARENT,
      sequenceNumber: 5n,
      manifests,
    });
  });

  it('writes the header keys the spec requires', () => {
    const { bytes } = writeManifestList({
      snapshotId: SNAPSHOT,
      parentSnapshotId: undefined,
      sequenceNumber: 1n,
      manifests: [],
      codec: 'null',
    });
    const container = readAvroContainer(bytes);
    expect(metadataText(container, 'snapshot-id')).toBe('9000000000000000001');
    expect(metadataText(container, 'parent-snapshot-id')).toBe('null');
    expect(metadataText(container, 'sequence-number')).toBe('1');
    expect(metadataText(container, 'format-version')).toBe('2');
    expect(container.schema).toEqual(manifestFileAvroSchema(2));
    expect(readManifestList(bytes).parentSnapshotId).toBeUndefined();
  });

  it('writes format v1 lists that read back with sequence number 0', () => {
    const v1 = manifest({ sequenceNumber: 0n, minSequenceNumber: 0n, keyMetadata: Uint8Array.of(4) });
    const { bytes, manifests } = writeManifestList({
      snapshotId: SNAPSHOT,
      parentSnapshotId: PARENT,
      sequenceNumber: 9n,
      manifests: [v1],
      formatVersion: 1,
    });
    expect(manifests).toEqual([v1]);
    const container = readAvroContainer(bytes);
    expect(metadataText(container, 'sequence-number')).toBeUndefined();
    const list = readManifestList(bytes);
    expect(list.formatVersion).toBe(1);
    expect(list.sequenceNumber).toBe(0n);
    expect(list.manifests).toEqual([v1]);
  });

  it('writes and reads the v3 first_row_id', () => {
    const { bytes } = writeManifestList({
      snapshotId: SNAPSHOT,
      parentSnapshotId: PARENT,
      sequenceNumber: 2n,
      manifests: [manifest({ firstRowId: 1000n })],
      formatVersion: 3,
    });
    expect(readManifestList(bytes).manifests[0]?.firstRowId).toBe(1000n);
  });

  it('refuses to number a manifest written by another snapshot', () => {
    expect(() => assignSequenceNumbers([manifest({ addedSnapshotId: 77n })], SNAPSHOT, 5n)).toThrow(
      'manifest s3://warehouse/db/t/metadata/new-m0.avro has no sequence number but was added by snapshot 77, not by the committing snapshot 9000000000000000001',
    );
  });

  it('refuses delete manifests in a v1 list', () => {
    expect(() =>
      writeManifestList({
        snapshotId: 1n,
        parentSnapshotId: undefined,
        sequenceNumber: 1n,
        manifests: [manifest({ content: 'deletes' })],
        formatVersion: 1,
      }),
    ).toThrow(
      'format v1 manifest lists cannot hold delete manifest s3://warehouse/db/t/metadata/new-m0.avro',
    );
  });

  it('names malformed list entries and headers', () => {
    const schema = manifestFileAvroSchema(1);
    const list = (records: unknown[], metadata: Record<string, string> = {}) =>
      readManifestList(
        writeAvroContainer({ schema, records, metadata: { 'format-version': '1', ...metadata } }),
      );
    const base = {
      manifest_path: 's3://m.avro',
      manifest_length: 1n,
      partition_spec_id: 0,
      added_snapshot_id: 1n,
      added_data_files_count: 1,
      existing_data_files_count: 0,
      deleted_data_files_count: 0,
      partitions: null,
      added_rows_count: 1n,
      existing_rows_count: 0n,
      deleted_rows_count: 0n,
      key_metadata: null,
    };
    expect(list([base]).manifests[0]?.addedFilesCount).toBe(1);
    expect(() => list([{ ...base, added_data_files_count: null }])).toThrow(
      'manifest list entry for s3://m.avro has no added_files_count (field id 504)',
    );
    expect(() => list([base], { 'snapshot-id': 'abc' })).toThrow(
      "manifest list header snapshot-id is not an integer: 'abc'",
    );
    expect(list([base], { 'parent-snapshot-id': 'None' }).parentSnapshotId).toBeUndefined();

    const v2 = manifestFileAvroSchema(2);
    const v2Record = {
      manifest_path: 's3://m2.avro',
      manifest_length: 1n,
      partition_spec_id: 0,
      content: 4,
      sequence_number: 1n,
      min_sequence_number: 1n,
      added_snapshot_id: 1n,
      added_files_count: 1,
      existing_files_count: 0,
      deleted_files_count: 0,
      added_rows_count: 1n,
      existing_rows_count: 0n,
      deleted_rows_count: 0n,
      partitions: null,
      key_metadata: null,
    };
    expect(() =>
      readManifestList(
        writeAvroContainer({ schema: v2, records: [v2Record], metadata: { 'format-version': '2' } }),
      ),
    ).toThrow('manifest list entry for s3://m2.avro has unknown content 4');
    const noPath = {
      type: 'record',
      name: 'manifest_file',
      fields: [{ name: 'x', type: 'int', 'field-id': 501 }],
    };
    expect(() => readManifestList(writeAvroContainer({ schema: noPath, records: [{ x: 1 }] }))).toThrow(
      'manifest list entry has no manifest_path (field id 500)',
    );
  });
});
