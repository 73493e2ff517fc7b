// Wire forms of the pieces table metadata and REST updates share: partition specs, sort
// orders, snapshots, refs, statistics files and schemas. Each has a zod schema for the
// hyphenated spec JSON, a converter to the domain type and one back. Both the table-metadata
// reader (wire.ts) and the REST update codec (updates-wire.ts) are built from these, so a
// snapshot reads the same whether it came from a metadata file or a commit request.

import { z } from 'zod';
import { IcebergError } from '../errors.ts';
import type {
  PartitionSpec,
  PartitionStatisticsFile,
  Snapshot,
  SnapshotRef,
  SortOrder,
  StatisticsFile,
} from '../spec/partition-types.ts';
import { parseSchema, schemaToJson } from '../spec/type-json.ts';
import type { Schema } from '../spec/types.ts';
import { compact, intWire, type JsonPath, longWire, ruleError, stringMapWire } from './wire-common.ts';

/** Spec: v1 partition fields without ids are numbered from 1000 in order. */
export const PARTITION_FIELD_ID_START = 1000;

export const partitionFieldWire = z.object({
  'source-id': intWire,
  'field-id': intWire.optional(),
  name: z.string(),
  transform: z.string(),
});

export const partitionSpecWire = z.object({
  'spec-id': intWire.optional(),
  fields: z.array(partitionFieldWire),
});

type PartitionFieldWire = z.output<typeof partitionFieldWire>;

export function partitionFieldsFromWire(fields: readonly PartitionFieldWire[]): PartitionSpec['fields'] {
  return fields.map((field, index) => ({
    sourceId: field['source-id'],
    fieldId: field['field-id'] ?? PARTITION_FIELD_ID_START + index,
    name: field.name,
    transform: field.transform,
  }));
}

export function partitionSpecFromWire(wire: z.output<typeof partitionSpecWire>): PartitionSpec {
  return { specId: wire['spec-id'] ?? 0, fields: partitionFieldsFromWire(wire.fields) };
}

export function partitionFieldsToWire(spec: PartitionSpec): PartitionFieldWire[] {
  return spec.fields.map((field) => ({
    name: field.name,
    transform: field.transform,
    'source-id': field.sourceId,
    'field-id': field.fieldId,
  }));
}

export function partitionSpecToWire(spec: PartitionSpec): Record<string, unknown> {
  return { 'spec-id': spec.specId, fields: partitionFieldsToWire(spec) };
}

export const sortOrderWire = z.object({
  'order-id': intWire,
  fields: z.array(
    z.object({
      'source-id': intWire,
      transform: z.string(),
      direction: z.enum(['asc', 'desc']),
      'null-order': z.enum(['nulls-first', 'nulls-last']),
    }),
  ),
});

export function sortOrderFromWire(wire: z.output<typeof sortOrderWire>): SortOrder {
  return {
    orderId: wire['order-id'],
    fields: wire.fields.map((field) => ({
      sourceId: field['source-id'],
      transform: field.transform,
      direction: field.direction,
      nullOrder: field['null-order'],
    })),
  };
}

export function sortOrderToWire(order: SortOrder): Record<string, unknown> {
  return {
    'order-id': order.orderId,
    fields: order.fields.map((field) => ({
      transform: field.transform,
      'source-id': field.sourceId,
      direction: field.direction,
      'null-order': field.nullOrder,
    })),
  };
}

const summaryWire = z
  .object({ operation: z.enum(['append', 'replace', 'overwrite', 'delete']) })
  .catchall(z.string());

/**
 * A snapshot as written in metadata files and REST requests. `sequence-number` and (in v1)
 * `summary` may be absent; v1's inline `manifests` list is accepted by shape but rejected
 * by `snapshotFromWire`, since floe only reads manifest lists.
 */
export const snapshotWire = z.object({
  'snapshot-id': longWire,
  'parent-snapshot-id': longWire.nullish(),
  'sequence-number': longWire.optional(),
  'timestamp-ms': longWire,
  'manifest-list': z.string().optional(),
  manifests: z.array(z.string()).optional(),
  summary: summaryWire.optional(),
  'schema-id': intWire.nullish(),
  'first-row-id': longWire.nullish(),
  'added-rows': longWire.nullish(),
});

export function snapshotFromWire(
  wire: z.output<typeof snapshotWire>,
  what: string,
  path: JsonPath,
): Snapshot {
  const manifestList = wire['manifest-list'];
  if (manifestList === undefined) {
    throw ruleError(
      what,
      path,
      wire.manifests === undefined
        ? "snapshot has no 'manifest-list'"
        : "v1 snapshots that list manifests inline (no 'manifest-list') are not supported",
    );
  }
  const summary = (wire.summary ?? { operation: 'append' }) as Snapshot['summary'];
  return compact({
    snapshotId: wire['snapshot-id'],
    parentSnapshotId: wire['parent-snapshot-id'] ?? undefined,
    sequenceNumber: wire['sequence-number'] ?? 0n,
    timestampMs: wire['timestamp-ms'],
    manifestList,
    summary,
    schemaId: wire['schema-id'] ?? undefined,
    firstRowId: wire['first-row-id'] ?? undefined,
    addedRows: wire['added-rows'] ?? undefined,
  });
}

export function snapshotToWire(snapshot: Snapshot, formatVersion: number): Record<string, unknown> {
  return compact({
    'snapshot-id': snapshot.snapshotId,
    'parent-snapshot-id': snapshot.parentSnapshotId,
    // v1 has no sequence numbers; writing 0 there would claim one.
    'sequence-number': formatVersion >= 2 ? snapshot.sequenceNumber : undefined,
    'timestamp-ms': snapshot.timestampMs,
    'manifest-list': snapshot.manifestList,
    summary: { ...snapshot.summary },
    'schema-id': snapshot.schemaId,
    'first-row-id': snapshot.firstRowId,
    'added-rows': snapshot.addedRows,
  });
}

export const snapshotRefWire = z.object({
  'snapshot-id': longWire,
  type: z.enum(['branch', 'tag']),
  'min-snapshots-to-keep': intWire.nullish(),
  'max-snapshot-age-ms': longWire.nullish(),
  'max-ref-age-ms': longWire.nullish(),
});

export function snapshotRefFromWire(wire: z.output<typeof snapshotRefWire>): SnapshotRef {
  return compact({
    snapshotId: wire['snapshot-id'],
    type: wire.type,
    minSnapshotsToKeep: wire['min-snapshots-to-keep'] ?? undefined,
    maxSnapshotAgeMs: wire['max-snapshot-age-ms'] ?? undefined,
    maxRefAgeMs: wire['max-ref-age-ms'] ?? undefined,
  });
}

export function snapshotRefToWire(ref: SnapshotRef): Record<string, unknown> {
  return compact({
    'snapshot-id': ref.snapshotId,
    type: ref.type,
    'min-snapshots-to-keep': ref.minSnapshotsToKeep,
    'max-snapshot-age-ms': ref.maxSnapshotAgeMs,
    'max-ref-age-ms': ref.maxRefAgeMs,
  });
}

export const statisticsFileWire = z.object({
  'snapshot-id': longWire,
  'statistics-path': z.string(),
  'file-size-in-bytes': longWire,
  'file-footer-size-in-bytes': longWire,
  'blob-metadata': z.array(
    z.object({
      type: z.string(),
      'snapshot-id': longWire,
      'sequence-number': longWire,
      fields: z.array(intWire),
      properties: stringMapWire.optional(),
    }),
  ),
});

export function statisticsFileFromWire(wire: z.output<typeof statisticsFileWire>): StatisticsFile {
  return {
    snapshotId: wire['snapshot-id'],
    statisticsPath: wire['statistics-path'],
    fileSizeInBytes: wire['file-size-in-bytes'],
    fileFooterSizeInBytes: wire['file-footer-size-in-bytes'],
    blobMetadata: wire['blob-metadata'].map((blob) =>
      compact({
        type: blob.type,
        snapshotId: blob['snapshot-id'],
        sequenceNumber: blob['sequence-number'],
        fields: blob.fields,
        properties: blob.properties,
      }),
    ),
  };
}

export function statisticsFileToWire(file: StatisticsFile): Record<string, unknown> {
  return {
    'snapshot-id': file.snapshotId,
    'statistics-path': file.statisticsPath,
    'file-size-in-bytes': file.fileSizeInBytes,
    'file-footer-size-in-bytes': file.fileFooterSizeInBytes,
    'blob-metadata': file.blobMetadata.map((blob) =>
      compact({
        type: blob.type,
        'snapshot-id': blob.snapshotId,
        'sequence-number': blob.sequenceNumber,
        fields: [...blob.fields],
        properties: blob.properties,
      }),
    ),
  };
}

export const partitionStatisticsFileWire = z.object({
  'snapshot-id': longWire,
  'statistics-path': z.string(),
  'file-size-in-bytes': longWire,
});

export function partitionStatisticsFromWire(
  wire: z.output<typeof partitionStatisticsFileWire>,
): PartitionStatisticsFile {
  return {
    snapshotId: wire['snapshot-id'],
    statisticsPath: wire['statistics-path'],
    fileSizeInBytes: wire['file-size-in-bytes'],
  };
}

export function partitionStatisticsToWire(file: PartitionStatisticsFile): Record<string, unknown> {
  return {
    'snapshot-id': file.snapshotId,
    'statistics-path': file.statisticsPath,
    'file-size-in-bytes': file.fileSizeInBytes,
  };
}

/**
 * Reads a schema with the spec-layer parser, re-labelling its errors with the position of
 * the schema inside the surrounding document (`schemas[1]`). Unsupported v3 types keep their
 * `unsupported` kind so callers can tell "broken" from "too new for floe".
 */
export function schemaFromWire(json: unknown, what: string, path: JsonPath): Schema {
  try {
    return parseSchema(json);
  } catch (error) {
    if (!(error instanceof IcebergError)) throw error;
    const located = ruleError(what, path, error.message);
    throw new IcebergError(
      error.kind === 'unsupported' ? 'unsupported' : 'invalid-metadata',
      located.message,
      {
        context: { ...error.context, ...located.context },
        cause: error,
      },
    );
  }
}

export function schemaToWire(schema: Schema): Record<string, unknown> {
  return { ...schemaToJson(schema) };
}
