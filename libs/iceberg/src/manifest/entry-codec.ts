// Converts manifest entries between the domain (`ManifestEntry`, `DataFile`) and avsc's
// record form. Encoding follows our own schemas (avro-schemas.ts). Decoding follows whatever
// schema the file's writer used: fields are found by Iceberg field id, so manifests from Java,
// PyIceberg and iceberg-rust (v1, v2 or v3) read into the same domain shape.

import { IcebergError } from '../errors.ts';
import type { PrimitiveType, StructType } from '../spec/types.ts';
import type { AvroSchema } from './avro-container.ts';
import type { ManifestFormatVersion } from './avro-schemas.ts';
import {
  type AvroFieldInfo,
  AvroNames,
  asBuffer,
  copyBytes,
  fieldsById,
  fromAvroPrimitive,
  recordFields,
  toAvroPrimitive,
} from './avro-values.ts';
import {
  DATA_FILE_CONTENT_CODES,
  type DataFile,
  type DataFileContent,
  type DataFileFormat,
  ENTRY_STATUS_CODES,
  type ManifestEntry,
  type ManifestEntryStatus,
  type PartitionValue,
} from './data-file.ts';

/** v1 writers had to fill `block_size_in_bytes`; Java wrote 64 MiB. */
const V1_BLOCK_SIZE = 64n * 1024n * 1024n;

type AvroRecord = Record<string, unknown>;

function mapToEntries<V>(map: ReadonlyMap<number, V> | undefined, convert: (value: V) => unknown): unknown {
  if (map === undefined) return null;
  return [...map].map(([key, value]) => ({ key, value: convert(value) }));
}

const same = <V>(value: V): V => value;

/** Domain entry → avsc record for our schema of `version`. */
export function entryToAvro(
  entry: ManifestEntry,
  version: ManifestFormatVersion,
  partitionType: StructType,
): AvroRecord {
  const file = entry.file;
  if (file.partition.length !== partitionType.fields.length) {
    throw new IcebergError(
      'invalid-argument',
      `data file ${file.filePath} has ${file.partition.length} partition values but the spec has ${partitionType.fields.length} fields`,
      { context: { filePath: file.filePath } },
    );
  }
  const partition: AvroRecord = {};
  partitionType.fields.forEach((field, index) => {
    partition[field.name] = toAvroPrimitive(file.partition[index] ?? null, field.type as PrimitiveType);
  });
  const dataFile: AvroRecord = {
    file_path: file.filePath,
    file_format: file.fileFormat.toUpperCase(),
    partition,
    record_count: file.recordCount,
    file_size_in_bytes: file.fileSizeInBytes,
    column_sizes: mapToEntries(file.columnSizes, same),
    value_counts: mapToEntries(file.valueCounts, same),
    null_value_counts: mapToEntries(file.nullValueCounts, same),
    nan_value_counts: mapToEntries(file.nanValueCounts, same),
    lower_bounds: mapToEntries(file.lowerBounds, asBuffer),
    upper_bounds: mapToEntries(file.upperBounds, asBuffer),
    key_metadata: file.keyMetadata === undefined ? null : asBuffer(file.keyMetadata),
    split_offsets: file.splitOffsets === undefined ? null : [...file.splitOffsets],
    sort_order_id: file.sortOrderId ?? null,
  };
  if (version === 1) {
    if (file.content !== 'data') {
      throw new IcebergError('invalid-argument', `format v1 manifests cannot hold ${file.content} files`, {
        context: { filePath: file.filePath },
      });
    }
    if (entry.snapshotId === undefined) {
      throw new IcebergError('invalid-argument', 'format v1 manifest entries need a snapshot id', {
        context: { filePath: file.filePath },
      });
    }
    dataFile['block_size_in_bytes'] = V1_BLOCK_SIZE;
    return { status: ENTRY_STATUS_CODES[entry.status], snapshot_id: entry.snapshotId, data_file: dataFile };
  }
  dataFile['content'] = DATA_FILE_CONTENT_CODES[file.content];
  dataFile['equality_ids'] = file.equalityIds === undefined ? null : [...file.equalityIds];
  if (version >= 3) {
    dataFile['first_row_id'] = file.firstRowId ?? null;
    dataFile['referenced_data_file'] = file.referencedDataFile ?? null;
    dataFile['content_offset'] = file.contentOffset ?? null;
    dataFile['content_size_in_bytes'] = file.contentSizeInBytes ?? null;
  }
  return {
    status: ENTRY_STATUS_CODES[entry.status],
    snapshot_id: entry.snapshotId ?? null,
    sequence_number: entry.sequenceNumber ?? null,
    file_sequence_number: entry.fileSequenceNumber ?? null,
    data_file: dataFile,
  };
}

/** Where each field lives in one writer's schema; built once per file. */
export interface EntryDecoder {
  decode(record: unknown): ManifestEntry;
}

/** Field ids of the partition spec in spec order; undefined = use the Avro struct's order. */
export type PartitionFieldOrder = readonly { readonly fieldId: number; readonly name: string }[] | undefined;

const STATUS_BY_CODE: readonly ManifestEntryStatus[] = ['existing', 'added', 'deleted'];
const CONTENT_BY_CODE: readonly DataFileContent[] = ['data', 'position-deletes', 'equality-deletes'];
const FORMATS: readonly DataFileFormat[] = ['parquet', 'avro', 'orc', 'puffin'];

function invalid(message: string, context: Record<string, string | number> = {}): IcebergError {
  return new IcebergError('invalid-metadata', message, { context });
}

/** Builds a decoder for records of `entrySchema` (the writer's `manifest_entry` schema). */
export function entryDecoderFor(entrySchema: AvroSchema, partitionOrder: PartitionFieldOrder): EntryDecoder {
  const names = new AvroNames(entrySchema);
  const entryFields = fieldsById(entrySchema, names, 'manifest_entry');
  const dataFileField = entryFields.get(2);
  if (dataFileField === undefined) throw invalid('manifest_entry schema has no data_file (field id 2)');
  const fileFields = fieldsById(dataFileField.type, names, 'data_file');
  const partitionField = fileFields.get(102);
  const partitionColumns = partitionField === undefined ? [] : recordFields(partitionField.type, names);
  // Positional tuple in spec order: match by field id, then by name, then by position.
  const partitionSlots =
    partitionOrder === undefined
      ? partitionColumns
      : partitionOrder.map((specField, index) => {
          const column =
            partitionColumns.find((c) => c.fieldId === specField.fieldId) ??
            partitionColumns.find((c) => c.name === specField.name) ??
            partitionColumns[index];
          if (column === undefined) {
            throw invalid(`manifest partition struct has no field for partition field ${specField.name}`, {
              fieldId: specField.fieldId,
            });
          }
          return column;
        });

  const name = (fields: Map<number, AvroFieldInfo>, id: number): string | undefined => fields.get(id)?.name;
  const statusName = name(entryFields, 0);
  const snapshotName = name(entryFields, 1);
  const sequenceName = name(entryFields, 3);
  const fileSequenceName = name(entryFields, 4);
  const dataFileName = dataFileField.name;
  const n = (id: number): string | undefined => name(fileFields, id);

  const get = (record: AvroRecord, field: string | undefined): unknown =>
    field === undefined ? undefined : record[field];
  const requireField = (
    record: AvroRecord,
    field: string | undefined,
    label: string,
    path: unknown,
  ): unknown => {
    const value = get(record, field);
    if (value === undefined || value === null) {
      throw invalid(`manifest entry for ${String(path)} has no ${label}`, { field: label });
    }
    return value;
  };

  return {
    decode(raw: unknown): ManifestEntry {
      const record = raw as AvroRecord;
      const fileRecord = record[dataFileName] as AvroRecord;
      const filePath = requireField(fileRecord, n(100), 'file_path', '?') as string;
      const statusCode = requireField(record, statusName, 'status', filePath) as number;
      const status = STATUS_BY_CODE[statusCode];
      if (status === undefined)
        throw invalid(`manifest entry for ${filePath} has unknown status ${statusCode}`);
      const contentCode = (get(fileRecord, n(134)) ?? 0) as number;
      const content = CONTENT_BY_CODE[contentCode];
      if (content === undefined)
        throw invalid(`data file ${filePath} has unknown content type ${contentCode}`);
      const formatText = String(requireField(fileRecord, n(101), 'file_format', filePath)).toLowerCase();
      const fileFormat = FORMATS.find((format) => format === formatText);
      if (fileFormat === undefined)
        throw invalid(`data file ${filePath} has unknown file format '${formatText}'`);

      const partitionRecord = (get(fileRecord, n(102)) ?? {}) as AvroRecord;
      const partition: PartitionValue[] = partitionSlots.map((column) =>
        fromAvroPrimitive(partitionRecord[column.name], column.type, names),
      );
      const file: Mutable<DataFile> = {
        content,
        filePath,
        fileFormat,
        partition,
        recordCount: requireField(fileRecord, n(103), 'record_count', filePath) as bigint,
        fileSizeInBytes: requireField(fileRecord, n(104), 'file_size_in_bytes', filePath) as bigint,
      };
      setIfPresent(file, 'columnSizes', readIdMap(get(fileRecord, n(108)), same<bigint>));
      setIfPresent(file, 'valueCounts', readIdMap(get(fileRecord, n(109)), same<bigint>));
      setIfPresent(file, 'nullValueCounts', readIdMap(get(fileRecord, n(110)), same<bigint>));
      setIfPresent(file, 'nanValueCounts', readIdMap(get(fileRecord, n(137)), same<bigint>));
      setIfPresent(file, 'lowerBounds', readIdMap(get(fileRecord, n(125)), copyBytes));
      setIfPresent(file, 'upperBounds', readIdMap(get(fileRecord, n(128)), copyBytes));
      setIfPresent(file, 'keyMetadata', optionalBytes(get(fileRecord, n(131))));
      setIfPresent(file, 'splitOffsets', optionalArray<bigint>(get(fileRecord, n(132))));
      setIfPresent(file, 'equalityIds', optionalArray<number>(get(fileRecord, n(135))));
      setIfPresent(file, 'sortOrderId', nullToUndefined<number>(get(fileRecord, n(140))));
      setIfPresent(file, 'firstRowId', nullToUndefined<bigint>(get(fileRecord, n(142))));
      setIfPresent(file, 'referencedDataFile', nullToUndefined<string>(get(fileRecord, n(143))));
      setIfPresent(file, 'contentOffset', nullToUndefined<bigint>(get(fileRecord, n(144))));
      setIfPresent(file, 'contentSizeInBytes', nullToUndefined<bigint>(get(fileRecord, n(145))));
      return {
        status,
        snapshotId: nullToUndefined<bigint>(get(record, snapshotName)),
        sequenceNumber: nullToUndefined<bigint>(get(record, sequenceName)),
        fileSequenceNumber: nullToUndefined<bigint>(get(record, fileSequenceName)),
        file,
      };
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function setIfPresent<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function nullToUndefined<T>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (value as T);
}

function optionalBytes(value: unknown): Uint8Array | undefined {
  return value instanceof Uint8Array ? copyBytes(value) : undefined;
}

function optionalArray<T>(value: unknown): readonly T[] | undefined {
  return Array.isArray(value) ? [...(value as T[])] : undefined;
}

function readIdMap<V>(value: unknown, convert: (raw: never) => V): ReadonlyMap<number, V> | undefined {
  if (!Array.isArray(value)) return undefined;
  const map = new Map<number, V>();
  for (const pair of value as { key: number; value: never }[]) map.set(pair.key, convert(pair.value));
  return map;
}
