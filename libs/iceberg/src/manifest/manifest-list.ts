// Manifest lists (spec §Manifest Lists): the Avro file a snapshot points at, one
// `manifest_file` record per manifest, with header keys `snapshot-id`, `parent-snapshot-id`,
// `sequence-number` and `format-version`. Writing happens once per commit attempt: manifests
// written for this snapshot carry no sequence number yet, and receive the snapshot's here, so a
// commit retried on a new parent (new sequence number) rewrites only this small file. Reading
// locates fields by field id, so v1 lists (no sequence numbers, `added_data_files_count`) read
// into the same domain shape with sequence number 0.

import { IcebergError } from '../errors.ts';
import { type AvroCodec, metadataText, readAvroContainer, writeAvroContainer } from './avro-container.ts';
import { type ManifestFormatVersion, manifestFileAvroSchema } from './avro-schemas.ts';
import { AvroNames, asBuffer, copyBytes, fieldsById } from './avro-values.ts';
import {
  type FieldSummary,
  MANIFEST_CONTENT_CODES,
  type ManifestContent,
  type ManifestFile,
} from './manifest-file.ts';
import { parseFormatVersion } from './manifest-reader.ts';

export interface ManifestListWriteOptions {
  readonly snapshotId: bigint;
  readonly parentSnapshotId: bigint | undefined;
  /** The committing snapshot's sequence number; assigned to manifests that have none. */
  readonly sequenceNumber: bigint;
  readonly manifests: readonly ManifestFile[];
  readonly formatVersion?: ManifestFormatVersion;
  readonly codec?: AvroCodec;
}

export interface WrittenManifestList {
  readonly bytes: Uint8Array;
  /** The manifests as written, sequence numbers assigned. */
  readonly manifests: readonly ManifestFile[];
}

export interface ManifestList {
  readonly formatVersion: ManifestFormatVersion;
  readonly snapshotId: bigint | undefined;
  readonly parentSnapshotId: bigint | undefined;
  readonly sequenceNumber: bigint | undefined;
  readonly manifests: readonly ManifestFile[];
}

/** Gives manifests written for this snapshot the snapshot's sequence number. */
export function assignSequenceNumbers(
  manifests: readonly ManifestFile[],
  snapshotId: bigint,
  sequenceNumber: bigint,
): ManifestFile[] {
  return manifests.map((manifest) => {
    if (manifest.sequenceNumber !== undefined && manifest.minSequenceNumber !== undefined) return manifest;
    // Only the snapshot that wrote a manifest may number it; anything else means the manifest
    // was lost track of between commits and would get a wrong (too new) sequence number.
    if (manifest.addedSnapshotId !== snapshotId) {
      throw new IcebergError(
        'invalid-argument',
        `manifest ${manifest.manifestPath} has no sequence number but was added by snapshot ${manifest.addedSnapshotId}, not by the committing snapshot ${snapshotId}`,
        { context: { manifestPath: manifest.manifestPath, snapshotId } },
      );
    }
    return {
      ...manifest,
      sequenceNumber: manifest.sequenceNumber ?? sequenceNumber,
      minSequenceNumber: manifest.minSequenceNumber ?? sequenceNumber,
    };
  });
}

function summaryToAvro(summary: FieldSummary): Record<string, unknown> {
  return {
    contains_null: summary.containsNull,
    contains_nan: summary.containsNan ?? null,
    lower_bound: summary.lowerBound === undefined ? null : asBuffer(summary.lowerBound),
    upper_bound: summary.upperBound === undefined ? null : asBuffer(summary.upperBound),
  };
}

function manifestToAvro(manifest: ManifestFile, version: ManifestFormatVersion): Record<string, unknown> {
  const partitions = manifest.partitions === undefined ? null : manifest.partitions.map(summaryToAvro);
  const keyMetadata = manifest.keyMetadata === undefined ? null : asBuffer(manifest.keyMetadata);
  if (version === 1) {
    return {
      manifest_path: manifest.manifestPath,
      manifest_length: manifest.manifestLength,
      partition_spec_id: manifest.partitionSpecId,
      added_snapshot_id: manifest.addedSnapshotId,
      added_data_files_count: manifest.addedFilesCount,
      existing_data_files_count: manifest.existingFilesCount,
      deleted_data_files_count: manifest.deletedFilesCount,
      partitions,
      added_rows_count: manifest.addedRowsCount,
      existing_rows_count: manifest.existingRowsCount,
      deleted_rows_count: manifest.deletedRowsCount,
      key_metadata: keyMetadata,
    };
  }
  return {
    manifest_path: manifest.manifestPath,
    manifest_length: manifest.manifestLength,
    partition_spec_id: manifest.partitionSpecId,
    content: MANIFEST_CONTENT_CODES[manifest.content],
    sequence_number: manifest.sequenceNumber,
    min_sequence_number: manifest.minSequenceNumber,
    added_snapshot_id: manifest.addedSnapshotId,
    added_files_count: manifest.addedFilesCount,
    existing_files_count: manifest.existingFilesCount,
    deleted_files_count: manifest.deletedFilesCount,
    added_rows_count: manifest.addedRowsCount,
    existing_rows_count: manifest.existingRowsCount,
    deleted_rows_count: manifest.deletedRowsCount,
    partitions,
    key_metadata: keyMetadata,
    ...(version >= 3 ? { first_row_id: manifest.firstRowId ?? null } : {}),
  };
}

export function writeManifestList(options: ManifestListWriteOptions): WrittenManifestList {
  const version = options.formatVersion ?? 2;
  let manifests: ManifestFile[];
  if (version === 1) {
    const deletes = options.manifests.find((manifest) => manifest.content === 'deletes');
    if (deletes !== undefined) {
      throw new IcebergError(
        'invalid-argument',
        `format v1 manifest lists cannot hold delete manifest ${deletes.manifestPath}`,
        {
          context: { manifestPath: deletes.manifestPath },
        },
      );
    }
    manifests = [...options.manifests];
  } else {
    manifests = assignSequenceNumbers(options.manifests, options.snapshotId, options.sequenceNumber);
  }
  const metadata: Record<string, string> = {
    'snapshot-id': options.snapshotId.toString(),
    'parent-snapshot-id':
      options.parentSnapshotId === undefined ? 'null' : options.parentSnapshotId.toString(),
    'format-version': String(version),
  };
  if (version >= 2) metadata['sequence-number'] = options.sequenceNumber.toString();
  const bytes = writeAvroContainer({
    schema: manifestFileAvroSchema(version),
    records: manifests.map((manifest) => manifestToAvro(manifest, version)),
    metadata,
    ...(options.codec === undefined ? {} : { codec: options.codec }),
  });
  return { bytes, manifests };
}

function optionalLong(text: string | undefined, key: string): bigint | undefined {
  if (text === undefined || text === 'null' || text === 'None') return undefined;
  if (!/^-?\d+$/.test(text)) {
    throw new IcebergError('invalid-metadata', `manifest list header ${key} is not an integer: '${text}'`, {
      context: { key },
    });
  }
  return BigInt(text);
}

export function readManifestList(bytes: Uint8Array): ManifestList {
  const container = readAvroContainer(bytes);
  const formatVersion = parseFormatVersion(metadataText(container, 'format-version'));
  const names = new AvroNames(container.schema);
  const fields = fieldsById(container.schema, names, 'manifest_file');
  const summaryFields = (() => {
    const partitions = fields.get(507);
    if (partitions === undefined) return undefined;
    const list = (
      Array.isArray(partitions.type) ? partitions.type.find((t) => t !== 'null') : partitions.type
    ) as {
      items?: unknown;
    };
    return fieldsById(list.items, names, 'field_summary');
  })();
  const nameOf = (id: number): string | undefined => fields.get(id)?.name;

  const manifests = container.records.map((raw): ManifestFile => {
    const record = raw as Record<string, unknown>;
    const value = (id: number): unknown => {
      const name = nameOf(id);
      const found = name === undefined ? undefined : record[name];
      return found === null ? undefined : found;
    };
    const path = value(500);
    if (typeof path !== 'string') {
      throw new IcebergError('invalid-metadata', 'manifest list entry has no manifest_path (field id 500)');
    }
    const requireValue = <T>(id: number, label: string): T => {
      const found = value(id);
      if (found === undefined) {
        throw new IcebergError(
          'invalid-metadata',
          `manifest list entry for ${path} has no ${label} (field id ${id})`,
          {
            context: { manifestPath: path, fieldId: id },
          },
        );
      }
      return found as T;
    };
    const contentCode = (value(517) ?? 0) as number;
    const content: ManifestContent | undefined =
      contentCode === 0 ? 'data' : contentCode === 1 ? 'deletes' : undefined;
    if (content === undefined) {
      throw new IcebergError(
        'invalid-metadata',
        `manifest list entry for ${path} has unknown content ${contentCode}`,
        {
          context: { manifestPath: path },
        },
      );
    }
    // v1 lists predate sequence numbers: every v1 manifest has sequence number 0.
    const sequenceNumber = formatVersion === 1 ? 0n : requireValue<bigint>(515, 'sequence_number');
    const partitions = value(507) as Record<string, unknown>[] | undefined;
    const keyMetadata = value(519);
    const firstRowId = value(520);
    return {
      manifestPath: path,
      manifestLength: requireValue<bigint>(501, 'manifest_length'),
      partitionSpecId: requireValue<number>(502, 'partition_spec_id'),
      content,
      sequenceNumber,
      minSequenceNumber: formatVersion === 1 ? 0n : requireValue<bigint>(516, 'min_sequence_number'),
      addedSnapshotId: requireValue<bigint>(503, 'added_snapshot_id'),
      addedFilesCount: requireValue<number>(504, 'added_files_count'),
      existingFilesCount: requireValue<number>(505, 'existing_files_count'),
      deletedFilesCount: requireValue<number>(506, 'deleted_files_count'),
      addedRowsCount: requireValue<bigint>(512, 'added_rows_count'),
      existingRowsCount: requireValue<bigint>(513, 'existing_rows_count'),
      deletedRowsCount: requireValue<bigint>(514, 'deleted_rows_count'),
      ...(partitions === undefined || summaryFields === undefined
        ? {}
        : { partitions: partitions.map((summary) => summaryFromAvro(summary, summaryFields)) }),
      ...(keyMetadata instanceof Uint8Array ? { keyMetadata: copyBytes(keyMetadata) } : {}),
      ...(typeof firstRowId === 'bigint' ? { firstRowId } : {}),
    };
  });
  return {
    formatVersion,
    snapshotId: optionalLong(metadataText(container, 'snapshot-id'), 'snapshot-id'),
    parentSnapshotId: optionalLong(metadataText(container, 'parent-snapshot-id'), 'parent-snapshot-id'),
    sequenceNumber:
      formatVersion === 1 ? 0n : optionalLong(metadataText(container, 'sequence-number'), 'sequence-number'),
    manifests,
  };
}

function summaryFromAvro(
  record: Record<string, unknown>,
  fields: ReadonlyMap<number, { readonly name: string }>,
): FieldSummary {
  const value = (id: number): unknown => {
    const name = fields.get(id)?.name;
    return name === undefined ? undefined : record[name];
  };
  const containsNan = value(518);
  const lower = value(510);
  const upper = value(511);
  return {
    containsNull: value(509) === true,
    ...(typeof containsNan === 'boolean' ? { containsNan } : {}),
    ...(lower instanceof Uint8Array ? { lowerBound: copyBytes(lower) } : {}),
    ...(upper instanceof Uint8Array ? { upperBound: copyBytes(upper) } : {}),
  };
}
