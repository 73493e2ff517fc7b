// Reads a manifest file (spec §Manifests) written by us, Java, PyIceberg or iceberg-rust, in
// format v1, v2 or v3, into domain entries. Given the manifest's list entry, it applies the
// spec's inheritance rules: an entry without a snapshot id takes the manifest's
// `added_snapshot_id`, and an entry without sequence numbers takes the manifest's sequence
// number when it was ADDED by that manifest's snapshot (or when the manifest's number is 0, as
// for everything written under format v1). On v3 data manifests with a `first_row_id`, a data
// file without one inherits that id plus the record counts of the null-id files before it.
// Without a list entry, entries are returned as stored.

import { IcebergError } from '../errors.ts';
import type { PartitionField } from '../spec/partition-types.ts';
import { parseJson } from '../util/json.ts';
import { type AvroContainer, metadataText, readAvroContainer } from './avro-container.ts';
import type { ManifestFormatVersion } from './avro-schemas.ts';
import type { ManifestEntry } from './data-file.ts';
import { entryDecoderFor } from './entry-codec.ts';
import type { ManifestContent, ManifestFile } from './manifest-file.ts';

/** What inheritance needs from the manifest's list entry. */
export type ManifestInheritance = Pick<ManifestFile, 'sequenceNumber' | 'addedSnapshotId'> &
  Partial<Pick<ManifestFile, 'firstRowId'>>;

export interface ManifestContents {
  readonly formatVersion: ManifestFormatVersion;
  readonly content: ManifestContent;
  /** From the `partition-spec-id` header; undefined when the writer left it out. */
  readonly partitionSpecId: number | undefined;
  /** Fields of the `partition-spec` header; `entries[i].file.partition` follows their order. */
  readonly partitionFields: readonly PartitionField[];
  /** The table schema JSON from the `schema` header, unparsed (parse with `parseSchema`). */
  readonly schemaJson: string | undefined;
  readonly schemaId: number | undefined;
  readonly entries: readonly ManifestEntry[];
}

export function readManifest(bytes: Uint8Array, inheritance?: ManifestInheritance): ManifestContents {
  const container = readAvroContainer(bytes);
  const formatVersion = parseFormatVersion(metadataText(container, 'format-version'));
  const contentText = metadataText(container, 'content') ?? 'data';
  if (contentText !== 'data' && contentText !== 'deletes') {
    throw new IcebergError('invalid-metadata', `manifest header has unknown content '${contentText}'`, {
      context: { content: contentText },
    });
  }
  const partitionFields = parsePartitionFields(container);
  const decoder = entryDecoderFor(
    container.schema,
    partitionFields.length > 0 || metadataText(container, 'partition-spec') !== undefined
      ? partitionFields.map((field) => ({ fieldId: field.fieldId, name: field.name }))
      : undefined,
  );
  let nextRowId = inheritance?.firstRowId;
  const entries = container.records.map((record) => {
    const entry = decoder.decode(record);
    if (inheritance === undefined) return entry;
    const inherited = inherit(entry, inheritance);
    if (nextRowId === undefined || entry.file.content !== 'data' || entry.file.firstRowId !== undefined) {
      return inherited;
    }
    const firstRowId = nextRowId;
    nextRowId += entry.file.recordCount;
    return { ...inherited, file: { ...inherited.file, firstRowId } };
  });
  return {
    formatVersion,
    content: contentText,
    partitionSpecId: optionalInt(container, 'partition-spec-id'),
    partitionFields,
    schemaJson: metadataText(container, 'schema'),
    schemaId: optionalInt(container, 'schema-id'),
    entries,
  };
}

/** Applies the spec's snapshot-id and sequence-number inheritance to one entry. */
export function inherit(entry: ManifestEntry, manifest: ManifestInheritance): ManifestEntry {
  const manifestSequence = manifest.sequenceNumber;
  const inheritsSequence =
    manifestSequence !== undefined && (entry.status === 'added' || manifestSequence === 0n);
  return {
    ...entry,
    snapshotId: entry.snapshotId ?? manifest.addedSnapshotId,
    sequenceNumber: entry.sequenceNumber ?? (inheritsSequence ? manifestSequence : undefined),
    fileSequenceNumber: entry.fileSequenceNumber ?? (inheritsSequence ? manifestSequence : undefined),
  };
}

export function parseFormatVersion(text: string | undefined): ManifestFormatVersion {
  // Writers before format v2 existed did not record a version: those files are v1.
  if (text === undefined) return 1;
  if (text === '1' || text === '2' || text === '3') return Number(text) as ManifestFormatVersion;
  throw new IcebergError('unsupported', `Iceberg format-version '${text}' is not supported (1, 2 or 3)`, {
    context: { formatVersion: text },
  });
}

function optionalInt(container: AvroContainer, key: string): number | undefined {
  const text = metadataText(container, key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) {
    throw new IcebergError('invalid-metadata', `manifest header ${key} is not an integer: '${text}'`, {
      context: { key },
    });
  }
  return value;
}

/** The `partition-spec` header: a JSON array of fields (older writers wrapped it in a spec). */
function parsePartitionFields(container: AvroContainer): PartitionField[] {
  const text = metadataText(container, 'partition-spec');
  if (text === undefined) return [];
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (error) {
    throw new IcebergError(
      'invalid-metadata',
      `manifest header partition-spec is not JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const fields = Array.isArray(json) ? json : (json as { fields?: unknown } | null)?.fields;
  if (!Array.isArray(fields)) {
    throw new IcebergError(
      'invalid-metadata',
      'manifest header partition-spec is not a list of partition fields',
    );
  }
  return fields.map((raw, index) => {
    const field = raw as Record<string, unknown>;
    const sourceIds = field['source-ids'];
    const sourceId = field['source-id'] ?? (Array.isArray(sourceIds) ? sourceIds[0] : undefined);
    const fieldId = field['field-id'];
    if (
      typeof field['name'] !== 'string' ||
      typeof field['transform'] !== 'string' ||
      typeof sourceId !== 'number'
    ) {
      throw new IcebergError(
        'invalid-metadata',
        `manifest header partition-spec field ${index} is malformed`,
        {
          context: { index },
        },
      );
    }
    // v1 specs may omit field ids; they were assigned from 1000 in order.
    return {
      sourceId,
      fieldId: typeof fieldId === 'number' ? fieldId : 1000 + index,
      name: field['name'],
      transform: field['transform'],
    };
  });
}
