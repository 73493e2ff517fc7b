// Shared fixtures for the manifest tests: a table schema covering every partitionable
// primitive, a spec partitioning on each of them, its partition struct, and data files.

import type { PartitionSpec } from '../spec/partition-types.ts';
import type { Schema, StructType } from '../spec/types.ts';
import type { DataFile, ManifestEntry, PartitionValue } from './data-file.ts';
import { ManifestWriter, type ManifestWriterOptions } from './manifest-writer.ts';

export const SCHEMA: Schema = {
  schemaId: 3,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'region', required: false, type: { kind: 'string' } },
    { id: 3, name: 'ts', required: false, type: { kind: 'timestamptz' } },
    { id: 4, name: 'price', required: false, type: { kind: 'decimal', precision: 9, scale: 2 } },
    { id: 5, name: 'uid', required: false, type: { kind: 'uuid' } },
    { id: 6, name: 'score', required: false, type: { kind: 'double' } },
    { id: 7, name: 'flag', required: false, type: { kind: 'boolean' } },
    { id: 8, name: 'blob', required: false, type: { kind: 'binary' } },
    { id: 9, name: 'code', required: false, type: { kind: 'fixed', length: 3 } },
    { id: 10, name: 'big', required: false, type: { kind: 'long' } },
    { id: 11, name: 'ratio', required: false, type: { kind: 'float' } },
  ],
};

export const SPEC: PartitionSpec = {
  specId: 4,
  fields: [
    { sourceId: 2, fieldId: 1000, name: 'region', transform: 'identity' },
    { sourceId: 3, fieldId: 1001, name: 'ts_day', transform: 'day' },
    { sourceId: 4, fieldId: 1002, name: 'price', transform: 'identity' },
    { sourceId: 5, fieldId: 1003, name: 'uid', transform: 'identity' },
    { sourceId: 6, fieldId: 1004, name: 'score', transform: 'identity' },
    { sourceId: 7, fieldId: 1005, name: 'flag', transform: 'identity' },
    { sourceId: 8, fieldId: 1006, name: 'blob', transform: 'identity' },
    { sourceId: 9, fieldId: 1007, name: 'code', transform: 'identity' },
    { sourceId: 1, fieldId: 1008, name: 'id_bucket', transform: 'bucket[16]' },
    { sourceId: 10, fieldId: 1009, name: 'big', transform: 'identity' },
    { sourceId: 11, fieldId: 1010, name: 'ratio', transform: 'identity' },
  ],
};

export const PARTITION_TYPE: StructType = {
  kind: 'struct',
  fields: [
    { id: 1000, name: 'region', required: false, type: { kind: 'string' } },
    { id: 1001, name: 'ts_day', required: false, type: { kind: 'date' } },
    { id: 1002, name: 'price', required: false, type: { kind: 'decimal', precision: 9, scale: 2 } },
    { id: 1003, name: 'uid', required: false, type: { kind: 'uuid' } },
    { id: 1004, name: 'score', required: false, type: { kind: 'double' } },
    { id: 1005, name: 'flag', required: false, type: { kind: 'boolean' } },
    { id: 1006, name: 'blob', required: false, type: { kind: 'binary' } },
    { id: 1007, name: 'code', required: false, type: { kind: 'fixed', length: 3 } },
    { id: 1008, name: 'id_bucket', required: false, type: { kind: 'int' } },
    { id: 1009, name: 'big', required: false, type: { kind: 'long' } },
    { id: 1010, name: 'ratio', required: false, type: { kind: 'float' } },
  ],
};

export const UNPARTITIONED: PartitionSpec = { specId: 0, fields: [] };
export const EMPTY_STRUCT: StructType = { kind: 'struct', fields: [] };

export function partitionTuple(overrides: Partial<Record<number, PartitionValue>> = {}): PartitionValue[] {
  const base: PartitionValue[] = [
    'eu-west',
    19_700,
    -12_345n,
    '0f8fad5b-d9cb-469f-a165-70867728950e',
    1.5,
    true,
    Uint8Array.of(1, 2),
    Uint8Array.of(9, 8, 7),
    5,
    2n ** 60n,
    0.25,
  ];
  for (const [index, value] of Object.entries(overrides)) base[Number(index)] = value ?? null;
  return base;
}

/** Partial overrides where `undefined` removes the property. */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function dataFile(path: string, overrides: Overrides<DataFile> = {}): DataFile {
  return withoutUndefined({
    content: 'data',
    filePath: `s3://warehouse/db/t/data/${path}.parquet`,
    fileFormat: 'parquet',
    partition: partitionTuple(),
    recordCount: 100n,
    fileSizeInBytes: 4096n,
    columnSizes: new Map([
      [1, 800n],
      [2, 120n],
    ]),
    valueCounts: new Map([[1, 100n]]),
    nullValueCounts: new Map([[2, 3n]]),
    nanValueCounts: new Map([[6, 0n]]),
    lowerBounds: new Map([[1, Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0)]]),
    upperBounds: new Map([[1, Uint8Array.of(100, 0, 0, 0, 0, 0, 0, 0)]]),
    splitOffsets: [4n],
    sortOrderId: 0,
    ...overrides,
  } as DataFile);
}

export const SNAPSHOT = 8_765_432_109_876_543_210n;
export const PATH = 's3://warehouse/db/t/metadata/m0.avro';

export function writer(overrides: Partial<ManifestWriterOptions> = {}): ManifestWriter {
  return new ManifestWriter({
    path: PATH,
    spec: SPEC,
    schema: SCHEMA,
    partitionType: PARTITION_TYPE,
    snapshotId: SNAPSHOT,
    ...overrides,
  });
}

export const existingEntry = (path: string, sequenceNumber: bigint): ManifestEntry => ({
  status: 'added',
  snapshotId: 11n,
  sequenceNumber,
  fileSequenceNumber: sequenceNumber + 1n,
  file: dataFile(path),
});
