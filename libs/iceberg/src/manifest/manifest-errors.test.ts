import { describe, expect, it } from 'vitest';
import { writeAvroContainer } from './avro-container.ts';
import { manifestEntryAvroSchema } from './avro-schemas.ts';
import { entryToAvro } from './entry-codec.ts';
import {
  dataFile,
  EMPTY_STRUCT,
  existingEntry,
  PARTITION_TYPE,
  PATH,
  partitionTuple,
  writer,
} from './manifest-fixtures.test-helper.ts';
import { readManifest } from './manifest-reader.ts';

describe('manifest errors a user would read', () => {
  it('rejects files that do not belong in the manifest', () => {
    expect(() => writer().add(dataFile('d', { content: 'equality-deletes' }))).toThrow(
      'cannot put a equality-deletes file (s3://warehouse/db/t/data/d.parquet) into a data manifest',
    );
    expect(() => writer({ content: 'deletes' }).add(dataFile('d'))).toThrow(
      'cannot put a data file (s3://warehouse/db/t/data/d.parquet) into a deletes manifest',
    );
    expect(() => writer({ formatVersion: 1, content: 'deletes' })).toThrow(
      'format v1 tables have no delete manifests',
    );
  });

  it('rejects partition tuples that do not fit the spec', () => {
    expect(() => writer().add(dataFile('p', { partition: ['x'] }))).toThrow(
      'data file s3://warehouse/db/t/data/p.parquet has 1 partition values but partition spec 4 has 11 fields',
    );
    expect(() => writer().add(dataFile('p', { partition: partitionTuple({ 8: 5n }) }))).toThrow(
      "data file s3://warehouse/db/t/data/p.parquet partition field 'id_bucket': value 5n is not a valid int: expected a 32-bit integer number",
    );
    expect(() => writer({ partitionType: EMPTY_STRUCT })).toThrow(
      'partition type has 0 fields but partition spec 4 has 11',
    );
  });

  it('requires carried-over entries to have their snapshot id and sequence number', () => {
    expect(() => writer().existing({ ...existingEntry('e', 1n), sequenceNumber: undefined })).toThrow(
      'existing entry for s3://warehouse/db/t/data/e.parquet needs its snapshot id and sequence number (read it with inheritance applied)',
    );
  });

  it('cannot be used after finish', () => {
    const w = writer();
    w.finish();
    expect(() => w.add(dataFile('late'))).toThrow(`manifest ${PATH} is already finished`);
    expect(() => w.finish()).toThrow(`manifest ${PATH} is already finished`);
  });

  it('rejects v1 entries that v1 cannot express', () => {
    const entry = {
      ...existingEntry('x', 1n),
      file: dataFile('x', { content: 'position-deletes' as const }),
    };
    expect(() => entryToAvro(entry, 1, PARTITION_TYPE)).toThrow(
      'format v1 manifests cannot hold position-deletes files',
    );
    expect(() =>
      entryToAvro({ ...existingEntry('x', 1n), snapshotId: undefined }, 1, PARTITION_TYPE),
    ).toThrow('format v1 manifest entries need a snapshot id');
    expect(() =>
      entryToAvro({ ...existingEntry('x', 1n), file: dataFile('x', { partition: [] }) }, 2, PARTITION_TYPE),
    ).toThrow(
      'data file s3://warehouse/db/t/data/x.parquet has 0 partition values but the spec has 11 fields',
    );
  });

  it('names bad headers', () => {
    const withHeader = (metadata: Record<string, string>) =>
      writeAvroContainer({ schema: manifestEntryAvroSchema(2, EMPTY_STRUCT), records: [], metadata });
    expect(() => readManifest(withHeader({ 'format-version': '4' }))).toThrow(
      "Iceberg format-version '4' is not supported (1, 2 or 3)",
    );
    expect(() => readManifest(withHeader({ content: 'stuff' }))).toThrow(
      "manifest header has unknown content 'stuff'",
    );
    expect(() => readManifest(withHeader({ 'partition-spec-id': 'x' }))).toThrow(
      "manifest header partition-spec-id is not an integer: 'x'",
    );
    expect(() => readManifest(withHeader({ 'partition-spec': '{' }))).toThrow(
      /manifest header partition-spec is not JSON/,
    );
    expect(() => readManifest(withHeader({ 'partition-spec': '{"a":1}' }))).toThrow(
      'manifest header partition-spec is not a list of partition fields',
    );
    expect(() => readManifest(withHeader({ 'partition-spec': '[{"name":"x"}]' }))).toThrow(
      'manifest header partition-spec field 0 is malformed',
    );
    expect(() =>
      readManifest(
        withHeader({
          'partition-spec': '[{"name":"x","transform":"identity","source-id":1,"field-id":1000}]',
        }),
      ),
    ).toThrow('manifest partition struct has no field for partition field x');
  });

  it('names malformed entries', () => {
    const schema = manifestEntryAvroSchema(2, EMPTY_STRUCT);
    const good = entryToAvro(
      { ...existingEntry('bad', 1n), file: dataFile('bad', { partition: [] }) },
      2,
      EMPTY_STRUCT,
    ) as { status: number; data_file: Record<string, unknown> };
    const read = (record: unknown) => readManifest(writeAvroContainer({ schema, records: [record] }));
    expect(() => read({ ...good, status: 7 })).toThrow(
      'manifest entry for s3://warehouse/db/t/data/bad.parquet has unknown status 7',
    );
    expect(() => read({ ...good, data_file: { ...good.data_file, content: 3 } })).toThrow(
      'data file s3://warehouse/db/t/data/bad.parquet has unknown content type 3',
    );
    expect(() => read({ ...good, data_file: { ...good.data_file, file_format: 'CSV' } })).toThrow(
      "data file s3://warehouse/db/t/data/bad.parquet has unknown file format 'csv'",
    );
    const noDataFile = {
      type: 'record',
      name: 'manifest_entry',
      fields: [{ name: 'status', type: 'int', 'field-id': 0 }],
    };
    expect(() => readManifest(writeAvroContainer({ schema: noDataFile, records: [{ status: 1 }] }))).toThrow(
      'manifest_entry schema has no data_file (field id 2)',
    );
    const noPath = {
      type: 'record',
      name: 'manifest_entry',
      fields: [
        { name: 'status', type: 'int', 'field-id': 0 },
        { name: 'data_file', 'field-id': 2, type: { type: 'record', name: 'r2', fields: [] } },
      ],
    };
    expect(() =>
      readManifest(writeAvroContainer({ schema: noPath, records: [{ status: 1, data_file: {} }] })),
    ).toThrow('manifest entry for ? has no file_path');
    expect(() => readManifest(writeAvroContainer({ schema: 'int', records: [] }))).toThrow(
      'manifest_entry schema is not an Avro record',
    );
  });
});
