import { describe, expect, it } from 'vitest';
import { parseSchema } from '../spec/type-json.ts';
import { metadataText, readAvroContainer, writeAvroContainer } from './avro-container.ts';
import { manifestEntryAvroSchema } from './avro-schemas.ts';
import type { ManifestEntry } from './data-file.ts';
import { entryToAvro } from './entry-codec.ts';
import {
  dataFile,
  EMPTY_STRUCT,
  existingEntry,
  PARTITION_TYPE,
  PATH,
  partitionTuple,
  SCHEMA,
  SNAPSHOT,
  SPEC,
  UNPARTITIONED,
  writer,
} from './manifest-fixtures.test-helper.ts';
import { inherit, readManifest } from './manifest-reader.ts';
import { ManifestWriter } from './manifest-writer.ts';

describe('ManifestWriter + readManifest', () => {
  it('round-trips added, existing and deleted entries with every partition type', () => {
    const w = writer();
    const added = dataFile('a', { keyMetadata: Uint8Array.of(7), equalityIds: undefined });
    w.add(added);
    w.existing(existingEntry('b', 3n));
    w.delete(existingEntry('c', 2n));
    expect(w.entryCount).toBe(3);
    const { bytes, manifestFile } = w.finish();

    const read = readManifest(bytes);
    expect(read.formatVersion).toBe(2);
    expect(read.content).toBe('data');
    expect(read.partitionSpecId).toBe(4);
    expect(read.schemaId).toBe(3);
    expect(parseSchema(JSON.parse(read.schemaJson ?? 'null'))).toEqual(SCHEMA);
    expect(read.partitionFields).toEqual(SPEC.fields);
    expect(read.entries).toEqual([
      {
        status: 'added',
        snapshotId: SNAPSHOT,
        sequenceNumber: undefined,
        fileSequenceNumber: undefined,
        file: added,
      },
      { ...existingEntry('b', 3n), status: 'existing' },
      { ...existingEntry('c', 2n), status: 'deleted', snapshotId: SNAPSHOT },
    ]);

    expect(manifestFile).toMatchObject({
      manifestPath: PATH,
      manifestLength: BigInt(bytes.length),
      partitionSpecId: 4,
      content: 'data',
      sequenceNumber: undefined,
      // The deleted entry (seq 2) is not live; the existing one (seq 3) is the minimum.
      minSequenceNumber: 3n,
      addedSnapshotId: SNAPSHOT,
      addedFilesCount: 1,
      existingFilesCount: 1,
      deletedFilesCount: 1,
      addedRowsCount: 100n,
      existingRowsCount: 100n,
      deletedRowsCount: 100n,
    });
  });

  it('derives the partition struct from spec and schema when not given', () => {
    const w = new ManifestWriter({ path: PATH, spec: SPEC, schema: SCHEMA, snapshotId: SNAPSHOT });
    w.add(dataFile('derived'));
    const { bytes } = w.finish();
    expect(readAvroContainer(bytes).schema).toEqual(manifestEntryAvroSchema(2, PARTITION_TYPE));
    expect(readManifest(bytes).entries[0]?.file).toEqual(dataFile('derived'));
  });

  it('writes the header keys other engines read', () => {
    const { bytes } = writer().finish();
    const container = readAvroContainer(bytes);
    expect(metadataText(container, 'format-version')).toBe('2');
    expect(metadataText(container, 'content')).toBe('data');
    expect(metadataText(container, 'partition-spec-id')).toBe('4');
    expect(metadataText(container, 'schema-id')).toBe('3');
    expect(JSON.parse(metadataText(container, 'partition-spec') ?? '')[1]).toEqual({
      name: 'ts_day',
      transform: 'day',
      'source-id': 3,
      'field-id': 1001,
    });
    expect(JSON.parse(metadataText(container, 'schema') ?? '')).toMatchObject({
      type: 'struct',
      'schema-id': 3,
    });
    // The Avro schema in the header is ours verbatim, field ids included.
    expect(container.schema).toEqual(manifestEntryAvroSchema(2, PARTITION_TYPE));
  });

  it('summarises each partition field: nulls, NaNs and bounds in spec order', () => {
    const w = writer();
    w.add(dataFile('a', { partition: partitionTuple({ 0: 'b', 4: Number.NaN, 8: -3, 9: -(2n ** 62n) }) }));
    w.add(dataFile('b', { partition: partitionTuple({ 0: 'a', 1: null, 2: 99n, 4: -0.5, 5: false }) }));
    w.add(dataFile('c', { partition: partitionTuple({ 0: 'é', 6: Uint8Array.of(255), 10: Number.NaN }) }));
    const summaries = w.finish().manifestFile.partitions ?? [];
    expect(summaries).toHaveLength(11);
    // Strings compare by code point: 'é' (U+00E9) sorts after ASCII.
    expect(new TextDecoder().decode(summaries[0]?.lowerBound)).toBe('a');
    expect(new TextDecoder().decode(summaries[0]?.upperBound)).toBe('é');
    expect(summaries[0]).toMatchObject({ containsNull: false, containsNan: false });
    expect(summaries[1]?.containsNull).toBe(true);
    // Decimal bounds are minimal two's complement: -12345 → 0xcf c7, 99 → 0x63.
    expect([...(summaries[2]?.lowerBound ?? [])]).toEqual([0xcf, 0xc7]);
    expect([...(summaries[2]?.upperBound ?? [])]).toEqual([0x63]);
    // NaN is recorded but never becomes a bound.
    expect(summaries[4]?.containsNan).toBe(true);
    expect(new DataView(Uint8Array.from(summaries[4]?.lowerBound ?? []).buffer).getFloat64(0, true)).toBe(
      -0.5,
    );
    expect(new DataView(Uint8Array.from(summaries[4]?.upperBound ?? []).buffer).getFloat64(0, true)).toBe(
      1.5,
    );
    expect([...(summaries[5]?.lowerBound ?? [])]).toEqual([0]);
    expect([...(summaries[5]?.upperBound ?? [])]).toEqual([1]);
    expect([...(summaries[6]?.upperBound ?? [])]).toEqual([255]);
    expect(new DataView(Uint8Array.from(summaries[8]?.lowerBound ?? []).buffer).getInt32(0, true)).toBe(-3);
    expect(new DataView(Uint8Array.from(summaries[9]?.lowerBound ?? []).buffer).getBigInt64(0, true)).toBe(
      -(2n ** 62n),
    );
    expect(summaries[10]?.containsNan).toBe(true);
  });

  it('leaves bounds out when a field only ever holds null', () => {
    const w = new ManifestWriter({
      path: PATH,
      spec: { specId: 1, fields: [{ sourceId: 2, fieldId: 1000, name: 'region', transform: 'identity' }] },
      schema: SCHEMA,
      partitionType: { kind: 'struct', fields: [PARTITION_TYPE.fields[0] as never] },
      snapshotId: 1n,
    });
    w.add(dataFile('a', { partition: [null] }));
    expect(w.finish().manifestFile.partitions).toEqual([{ containsNull: true, containsNan: false }]);
  });

  it('writes delete manifests holding position and equality delete files', () => {
    const w = writer({ content: 'deletes', spec: UNPARTITIONED, partitionType: EMPTY_STRUCT, codec: 'null' });
    w.add(
      dataFile('pos', { content: 'position-deletes', partition: [], referencedDataFile: 'ignored-in-v2' }),
    );
    w.add(dataFile('eq', { content: 'equality-deletes', partition: [], equalityIds: [1, 2] }));
    const { bytes, manifestFile } = w.finish();
    expect(manifestFile.content).toBe('deletes');
    expect(manifestFile.partitions).toEqual([]);
    const read = readManifest(bytes);
    expect(read.content).toBe('deletes');
    expect(read.entries.map((e) => e.file.content)).toEqual(['position-deletes', 'equality-deletes']);
    expect(read.entries[1]?.file.equalityIds).toEqual([1, 2]);
    // v2 has no referenced_data_file column: the value is not written.
    expect(read.entries[0]?.file.referencedDataFile).toBeUndefined();
  });

  it('writes and reads format v3 fields', () => {
    const w = writer({ formatVersion: 3 });
    const file = dataFile('v3', {
      firstRowId: 2n ** 55n,
      referencedDataFile: 's3://x/y.parquet',
      contentOffset: 4n,
      contentSizeInBytes: 40n,
    });
    w.add(file);
    const read = readManifest(w.finish().bytes);
    expect(read.formatVersion).toBe(3);
    expect(read.entries[0]?.file).toEqual(file);
  });

  it('writes format v1 manifests that read back with explicit snapshot ids', () => {
    const w = writer({ formatVersion: 1 });
    const file = dataFile('v1', { sortOrderId: undefined });
    w.add(file);
    const { bytes } = w.finish();
    const container = readAvroContainer(bytes);
    expect(metadataText(container, 'format-version')).toBe('1');
    expect(metadataText(container, 'content')).toBeUndefined();
    const read = readManifest(bytes, { sequenceNumber: 0n, addedSnapshotId: 5n });
    expect(read.formatVersion).toBe(1);
    expect(read.entries[0]).toEqual({
      status: 'added',
      snapshotId: SNAPSHOT,
      sequenceNumber: 0n,
      fileSequenceNumber: 0n,
      file,
    });
  });

  it('reads manifests whose header has no format-version or partition-spec as v1 in Avro order', () => {
    const schema = manifestEntryAvroSchema(1, PARTITION_TYPE);
    const entry: ManifestEntry = {
      status: 'existing',
      snapshotId: 9n,
      sequenceNumber: undefined,
      fileSequenceNumber: undefined,
      file: dataFile('old'),
    };
    const bytes = writeAvroContainer({ schema, records: [entryToAvro(entry, 1, PARTITION_TYPE)] });
    const read = readManifest(bytes);
    expect(read.formatVersion).toBe(1);
    expect(read.partitionFields).toEqual([]);
    expect(read.partitionSpecId).toBeUndefined();
    expect(read.entries[0]?.file.partition).toEqual(partitionTuple());
  });

  it('orders partition values by the header spec even when the Avro struct lists them differently', () => {
    const reversed = { kind: 'struct' as const, fields: [...PARTITION_TYPE.fields].reverse() };
    const entry: ManifestEntry = {
      status: 'added',
      snapshotId: 1n,
      sequenceNumber: undefined,
      fileSequenceNumber: undefined,
      file: dataFile('r', { partition: [...partitionTuple()].reverse() }),
    };
    const bytes = writeAvroContainer({
      schema: manifestEntryAvroSchema(2, reversed),
      records: [entryToAvro(entry, 2, reversed)],
      metadata: {
        'format-version': '2',
        'partition-spec': JSON.stringify({
          'spec-id': 4,
          fields: SPEC.fields.map((f) => ({
            name: f.name,
            transform: f.transform,
            'source-ids': [f.sourceId],
            'field-id': f.fieldId,
          })),
        }),
      },
    });
    const read = readManifest(bytes);
    expect(read.partitionFields.map((f) => f.sourceId)).toEqual(SPEC.fields.map((f) => f.sourceId));
    expect(read.entries[0]?.file.partition).toEqual(partitionTuple());
  });

  it('resolves named-type references, as Java writes repeated partition types, and namespaces', () => {
    const decimal = { kind: 'decimal' as const, precision: 9, scale: 2 };
    const struct = {
      kind: 'struct' as const,
      fields: [
        { id: 1000, name: 'a', required: false, type: decimal },
        { id: 1001, name: 'b', required: false, type: decimal },
      ],
    };
    const schema = JSON.parse(JSON.stringify(manifestEntryAvroSchema(2, struct)));
    schema.namespace = 'org.apache.iceberg';
    const partition = schema.fields[4].type.fields[3].type;
    partition.fields[1].type = ['null', 'org.apache.iceberg.decimal_1000'];
    const entry: ManifestEntry = {
      status: 'added',
      snapshotId: 1n,
      sequenceNumber: undefined,
      fileSequenceNumber: undefined,
      file: dataFile('named', { partition: [-5n, 123_456_789n] }),
    };
    const bytes = writeAvroContainer({
      schema,
      records: [{ ...entryToAvro(entry, 2, struct) }],
      metadata: { 'format-version': '2' },
    });
    expect(readManifest(bytes).entries[0]?.file.partition).toEqual([-5n, 123_456_789n]);
  });

  it('assigns v1-style field ids from 1000 when the header spec omits them', () => {
    const w = writer({
      spec: { specId: 0, fields: [{ sourceId: 2, fieldId: 1000, name: 'region', transform: 'identity' }] },
      partitionType: { kind: 'struct', fields: [PARTITION_TYPE.fields[0] as never] },
    });
    w.add(dataFile('a', { partition: ['x'] }));
    const bytes = Buffer.from(w.finish().bytes);
    const header = '[{"name":"region","transform":"identity","source-id":2,"field-id":1000}]';
    const at = bytes.indexOf(Buffer.from(header));
    // Same length replacement: drop the field id, pad with spaces inside the JSON.
    const replacement = `${'[{"name":"region","transform":"identity","source-id":2}'.padEnd(header.length - 1)}]`;
    expect(replacement.length).toBe(header.length);
    Buffer.from(replacement).copy(bytes, at);
    const read = readManifest(bytes);
    expect(read.partitionFields).toEqual([
      { sourceId: 2, fieldId: 1000, name: 'region', transform: 'identity' },
    ]);
    expect(read.entries[0]?.file.partition).toEqual(['x']);
  });
});

describe('sequence number and snapshot id inheritance', () => {
  const bare: ManifestEntry = {
    status: 'added',
    snapshotId: undefined,
    sequenceNumber: undefined,
    fileSequenceNumber: undefined,
    file: dataFile('x'),
  };

  it('gives ADDED entries the manifest sequence number and snapshot id', () => {
    const w = writer();
    w.add(dataFile('a'));
    const { bytes, manifestFile } = w.finish();
    const read = readManifest(bytes, { ...manifestFile, sequenceNumber: 42n });
    expect(read.entries[0]).toMatchObject({
      snapshotId: SNAPSHOT,
      sequenceNumber: 42n,
      fileSequenceNumber: 42n,
    });
  });

  it('keeps explicit sequence numbers of added entries', () => {
    const w = writer();
    w.add(dataFile('a'), { sequenceNumber: 5n, fileSequenceNumber: 6n });
    const { bytes, manifestFile } = w.finish();
    expect(manifestFile.minSequenceNumber).toBe(5n);
    expect(readManifest(bytes, { ...manifestFile, sequenceNumber: 42n }).entries[0]).toMatchObject({
      sequenceNumber: 5n,
      fileSequenceNumber: 6n,
    });
  });

  it('inherits the snapshot id for any status but sequence numbers only for ADDED (or manifest seq 0)', () => {
    expect(inherit(bare, { sequenceNumber: 7n, addedSnapshotId: 3n })).toMatchObject({
      snapshotId: 3n,
      sequenceNumber: 7n,
      fileSequenceNumber: 7n,
    });
    expect(
      inherit({ ...bare, status: 'existing' }, { sequenceNumber: 7n, addedSnapshotId: 3n }),
    ).toMatchObject({
      snapshotId: 3n,
      sequenceNumber: undefined,
    });
    expect(
      inherit({ ...bare, status: 'existing' }, { sequenceNumber: 0n, addedSnapshotId: 3n }),
    ).toMatchObject({
      sequenceNumber: 0n,
      fileSequenceNumber: 0n,
    });
    expect(inherit(bare, { sequenceNumber: undefined, addedSnapshotId: 3n })).toMatchObject({
      snapshotId: 3n,
      sequenceNumber: undefined,
    });
  });
});
