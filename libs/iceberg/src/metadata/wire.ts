// Table metadata files (spec §Table Metadata) to and from the domain `TableMetadata`. The
// JSON is read by version: v1 files may carry a single `schema` and `partition-spec`, lack
// `table-uuid`, sequence numbers and sort orders; v2 makes those fields required; v3 adds
// row lineage (`next-row-id`) and encryption keys, which floe accepts and, where it cannot
// act on them, leaves alone. After the shape is checked, the cross-references the shape
// cannot express (current ids point at existing entries, refs at existing snapshots, `main`
// agrees with `current-snapshot-id`) are checked so a broken file fails here, loudly, and
// not later inside a commit. Output is the version's spec JSON with hyphenated keys.
// Parsing a busy table's metadata is mostly its snapshots; a caller that holds an earlier
// parse of the same table (`known`) gets that parse's Snapshot objects back for every snapshot
// id it already had, unchecked — a snapshot never changes once committed, so only the new
// ones are read (the spec's rules across the document are still checked in full).

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { IcebergError } from '../errors.ts';
import type {
  PartitionSpec,
  Snapshot,
  SnapshotRef,
  SortOrder,
  TableMetadata,
} from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import { parseJson, stringifyJson } from '../util/json.ts';
import { compact, intWire, longWire, parseWire, ruleError, stringMapWire } from './wire-common.ts';
import {
  PARTITION_FIELD_ID_START,
  partitionFieldsFromWire,
  partitionFieldsToWire,
  partitionFieldWire,
  partitionSpecFromWire,
  partitionSpecToWire,
  partitionSpecWire,
  partitionStatisticsFileWire,
  partitionStatisticsFromWire,
  partitionStatisticsToWire,
  schemaFromWire,
  schemaToWire,
  snapshotFromWire,
  snapshotRefFromWire,
  snapshotRefToWire,
  snapshotRefWire,
  snapshotToWire,
  snapshotWire,
  sortOrderFromWire,
  sortOrderToWire,
  sortOrderWire,
  statisticsFileFromWire,
  statisticsFileToWire,
  statisticsFileWire,
} from './wire-parts.ts';

const WHAT = 'table metadata';
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1, 2, 3];
export const MAIN_BRANCH = 'main';

const logEntryWire = z.object({ 'snapshot-id': longWire, 'timestamp-ms': longWire });
const metadataLogEntryWire = z.object({ 'metadata-file': z.string(), 'timestamp-ms': longWire });

// Every version's fields, with v1's optionality; v2/v3 tighten it below.
const metadataV1Wire = z.object({
  'format-version': z.literal([1, 2, 3]),
  'table-uuid': z.string().optional(),
  location: z.string(),
  'last-sequence-number': longWire.optional(),
  'last-updated-ms': longWire,
  'last-column-id': intWire,
  schema: z.unknown().optional(),
  schemas: z.array(z.unknown()).optional(),
  'current-schema-id': intWire.optional(),
  'partition-spec': z.array(partitionFieldWire).optional(),
  'partition-specs': z.array(partitionSpecWire).optional(),
  'default-spec-id': intWire.optional(),
  'last-partition-id': intWire.optional(),
  properties: stringMapWire.nullish(),
  'current-snapshot-id': longWire.nullish(),
  // Checked per snapshot in `readSnapshots` (known ones are reused, not re-read).
  snapshots: z.array(z.unknown()).nullish(),
  'snapshot-log': z.array(logEntryWire).nullish(),
  'metadata-log': z.array(metadataLogEntryWire).nullish(),
  'sort-orders': z.array(sortOrderWire).optional(),
  'default-sort-order-id': intWire.optional(),
  refs: z.record(z.string(), snapshotRefWire).nullish(),
  statistics: z.array(statisticsFileWire).nullish(),
  'partition-statistics': z.array(partitionStatisticsFileWire).nullish(),
  'next-row-id': longWire.optional(),
  // v3 encryption keys: accepted so v3 files read, but floe never encrypts.
  'encryption-keys': z.array(z.unknown()).optional(),
});

const metadataV2Wire = metadataV1Wire.required({
  'table-uuid': true,
  'last-sequence-number': true,
  schemas: true,
  'current-schema-id': true,
  'partition-specs': true,
  'default-spec-id': true,
  'last-partition-id': true,
  'sort-orders': true,
  'default-sort-order-id': true,
});

const metadataV3Wire = metadataV2Wire.required({ 'next-row-id': true });

type MetadataWire = z.output<typeof metadataV1Wire>;

function readFormatVersion(json: unknown): 1 | 2 | 3 {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw ruleError(WHAT, [], 'expected a JSON object');
  }
  const version = (json as Record<string, unknown>)['format-version'];
  if (version === undefined) throw ruleError(WHAT, ['format-version'], 'required field is missing');
  if (version === 1 || version === 2 || version === 3) return version;
  if (typeof version === 'number' && Number.isInteger(version)) {
    throw new IcebergError(
      'unsupported',
      `${WHAT}: format-version ${version} is not supported (floe reads format versions 1, 2 and 3)`,
      { context: { path: 'format-version', formatVersion: version } },
    );
  }
  throw ruleError(WHAT, ['format-version'], `expected 1, 2 or 3, got ${JSON.stringify(String(version))}`);
}

export interface ParseTableMetadataOptions {
  /** An earlier parse of the same table: its snapshots are reused by id (same table uuid only). */
  readonly known?: TableMetadata;
}

/** Reads table metadata JSON text (BigInt-safe). */
export function readTableMetadata(text: string): TableMetadata {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (error) {
    throw new IcebergError('invalid-metadata', `${WHAT}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseTableMetadata(json);
}

/** Converts parsed metadata JSON (from `parseJson`) into the domain form, validating it. */
export function parseTableMetadata(json: unknown, options: ParseTableMetadataOptions = {}): TableMetadata {
  const formatVersion = readFormatVersion(json);
  const schema = formatVersion === 1 ? metadataV1Wire : formatVersion === 2 ? metadataV2Wire : metadataV3Wire;
  const wire: MetadataWire = parseWire(WHAT, schema, json);
  const metadata = fromWire(wire, formatVersion, options.known);
  validateReferences(metadata);
  return metadata;
}

function readSchemas(wire: MetadataWire): { schemas: Schema[]; currentSchemaId: number } {
  if (wire.schemas !== undefined) {
    const schemas = wire.schemas.map((json, i) => schemaFromWire(json, WHAT, ['schemas', i]));
    const currentSchemaId = wire['current-schema-id'] ?? schemas[0]?.schemaId ?? 0;
    return { schemas, currentSchemaId };
  }
  if (wire.schema === undefined) {
    throw ruleError(WHAT, ['schema'], "required field is missing (v1 metadata needs 'schema' or 'schemas')");
  }
  const single = schemaFromWire(wire.schema, WHAT, ['schema']);
  return { schemas: [single], currentSchemaId: single.schemaId };
}

function readSpecs(wire: MetadataWire): { specs: PartitionSpec[]; defaultSpecId: number } {
  if (wire['partition-specs'] !== undefined) {
    const specs = wire['partition-specs'].map(partitionSpecFromWire);
    return { specs, defaultSpecId: wire['default-spec-id'] ?? specs[0]?.specId ?? 0 };
  }
  if (wire['partition-spec'] === undefined) {
    throw ruleError(
      WHAT,
      ['partition-spec'],
      "required field is missing (v1 metadata needs 'partition-spec' or 'partition-specs')",
    );
  }
  return {
    specs: [{ specId: 0, fields: partitionFieldsFromWire(wire['partition-spec']) }],
    defaultSpecId: 0,
  };
}

function highestPartitionFieldId(specs: readonly PartitionSpec[]): number {
  let highest = PARTITION_FIELD_ID_START - 1;
  for (const spec of specs) for (const field of spec.fields) highest = Math.max(highest, field.fieldId);
  return highest;
}

/** The snapshots of `wire`: each read and checked, or reused from `known` by id. */
function readSnapshots(wire: MetadataWire, known: TableMetadata | undefined): Snapshot[] {
  const raw = wire.snapshots ?? [];
  const reusable =
    known !== undefined && wire['table-uuid'] !== undefined && known.tableUuid === wire['table-uuid']
      ? new Map(known.snapshots.map((s) => [s.snapshotId, s]))
      : undefined;
  return raw.map((item, i) => {
    if (reusable !== undefined && typeof item === 'object' && item !== null) {
      const id = (item as Record<string, unknown>)['snapshot-id'];
      const reused =
        typeof id === 'bigint' || (typeof id === 'number' && Number.isSafeInteger(id))
          ? reusable.get(BigInt(id))
          : undefined;
      if (reused !== undefined) return reused;
    }
    return snapshotFromWire(parseWire(WHAT, snapshotWire, item, ['snapshots', i]), WHAT, ['snapshots', i]);
  });
}

function fromWire(wire: MetadataWire, formatVersion: 1 | 2 | 3, known?: TableMetadata): TableMetadata {
  const { schemas, currentSchemaId } = readSchemas(wire);
  const { specs, defaultSpecId } = readSpecs(wire);
  const sortOrders: SortOrder[] = (wire['sort-orders'] ?? [{ 'order-id': 0, fields: [] }]).map(
    sortOrderFromWire,
  );
  const snapshots = readSnapshots(wire, known);
  const rawCurrent = wire['current-snapshot-id'];
  // Older writers record "no current snapshot" as -1 rather than leaving the field out.
  const currentSnapshotId =
    rawCurrent === null || rawCurrent === undefined || rawCurrent === -1n ? undefined : rawCurrent;
  const refs: Record<string, SnapshotRef> = {};
  for (const [name, ref] of Object.entries(wire.refs ?? {})) refs[name] = snapshotRefFromWire(ref);
  // Spec: without a `main` ref, the current snapshot is the head of the main branch.
  if (refs[MAIN_BRANCH] === undefined && currentSnapshotId !== undefined) {
    refs[MAIN_BRANCH] = { snapshotId: currentSnapshotId, type: 'branch' };
  }
  return compact({
    formatVersion,
    tableUuid: wire['table-uuid'] ?? randomUUID(),
    location: wire.location,
    lastSequenceNumber: wire['last-sequence-number'] ?? 0n,
    lastUpdatedMs: wire['last-updated-ms'],
    lastColumnId: wire['last-column-id'],
    schemas,
    currentSchemaId,
    partitionSpecs: specs,
    defaultSpecId,
    lastPartitionId: wire['last-partition-id'] ?? highestPartitionFieldId(specs),
    properties: wire.properties ?? {},
    currentSnapshotId,
    snapshots,
    snapshotLog: (wire['snapshot-log'] ?? []).map((e) => ({
      snapshotId: e['snapshot-id'],
      timestampMs: e['timestamp-ms'],
    })),
    metadataLog: (wire['metadata-log'] ?? []).map((e) => ({
      metadataFile: e['metadata-file'],
      timestampMs: e['timestamp-ms'],
    })),
    sortOrders,
    defaultSortOrderId: wire['default-sort-order-id'] ?? 0,
    refs,
    statistics: wire.statistics?.map(statisticsFileFromWire),
    partitionStatistics: wire['partition-statistics']?.map(partitionStatisticsFromWire),
    nextRowId: wire['next-row-id'],
  });
}

function idList(ids: readonly (number | bigint)[]): string {
  return ids.length === 0 ? 'none' : ids.join(', ');
}

/** Cross-reference rules of the spec that a shape check cannot see. */
export function validateReferences(metadata: TableMetadata): void {
  const schemaIds = metadata.schemas.map((s) => s.schemaId);
  if (!schemaIds.includes(metadata.currentSchemaId)) {
    throw ruleError(
      WHAT,
      ['current-schema-id'],
      `${metadata.currentSchemaId} does not match any schema in schemas (ids: ${idList(schemaIds)})`,
    );
  }
  const specIds = metadata.partitionSpecs.map((s) => s.specId);
  if (!specIds.includes(metadata.defaultSpecId)) {
    throw ruleError(
      WHAT,
      ['default-spec-id'],
      `${metadata.defaultSpecId} does not match any spec in partition-specs (ids: ${idList(specIds)})`,
    );
  }
  const orderIds = metadata.sortOrders.map((o) => o.orderId);
  if (!orderIds.includes(metadata.defaultSortOrderId)) {
    throw ruleError(
      WHAT,
      ['default-sort-order-id'],
      `${metadata.defaultSortOrderId} does not match any order in sort-orders (ids: ${idList(orderIds)})`,
    );
  }
  const snapshotIds = new Set(metadata.snapshots.map((s) => s.snapshotId));
  if (metadata.currentSnapshotId !== undefined && !snapshotIds.has(metadata.currentSnapshotId)) {
    throw ruleError(
      WHAT,
      ['current-snapshot-id'],
      `${metadata.currentSnapshotId} does not match any snapshot in snapshots (${snapshotIds.size} snapshot(s))`,
    );
  }
  for (const [name, ref] of Object.entries(metadata.refs)) {
    if (!snapshotIds.has(ref.snapshotId)) {
      throw ruleError(
        WHAT,
        ['refs', name, 'snapshot-id'],
        `${ref.snapshotId} does not match any snapshot in snapshots`,
      );
    }
  }
  const main = metadata.refs[MAIN_BRANCH];
  if (main !== undefined && main.snapshotId !== metadata.currentSnapshotId) {
    throw ruleError(
      WHAT,
      ['refs', MAIN_BRANCH, 'snapshot-id'],
      `${main.snapshotId} differs from current-snapshot-id ${metadata.currentSnapshotId ?? '(none)'}; the main branch must point at the current snapshot`,
    );
  }
  if (metadata.formatVersion >= 2) {
    metadata.snapshots.forEach((snapshot, i) => {
      if (snapshot.sequenceNumber > metadata.lastSequenceNumber) {
        throw ruleError(
          WHAT,
          ['snapshots', i, 'sequence-number'],
          `${snapshot.sequenceNumber} is greater than last-sequence-number ${metadata.lastSequenceNumber}`,
        );
      }
    });
  }
}

/** The metadata as spec JSON (hyphenated keys, longs as `bigint`), for its format version. */
export function tableMetadataToJson(metadata: TableMetadata): Record<string, unknown> {
  const v = metadata.formatVersion;
  const currentSchema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
  const defaultSpec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  const refs: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(metadata.refs)) refs[name] = snapshotRefToWire(ref);
  return compact({
    'format-version': v,
    'table-uuid': metadata.tableUuid,
    location: metadata.location,
    'last-sequence-number': v >= 2 ? metadata.lastSequenceNumber : undefined,
    'last-updated-ms': metadata.lastUpdatedMs,
    'last-column-id': metadata.lastColumnId,
    'next-row-id': v >= 3 ? (metadata.nextRowId ?? 0n) : undefined,
    // v1 readers only know the single current schema and default spec.
    schema: v === 1 && currentSchema !== undefined ? schemaToWire(currentSchema) : undefined,
    'current-schema-id': metadata.currentSchemaId,
    schemas: metadata.schemas.map(schemaToWire),
    'partition-spec': v === 1 && defaultSpec !== undefined ? partitionFieldsToWire(defaultSpec) : undefined,
    'default-spec-id': metadata.defaultSpecId,
    'partition-specs': metadata.partitionSpecs.map(partitionSpecToWire),
    'last-partition-id': metadata.lastPartitionId,
    'default-sort-order-id': metadata.defaultSortOrderId,
    'sort-orders': metadata.sortOrders.map(sortOrderToWire),
    properties: { ...metadata.properties },
    // Java readers before 0.14 require the field; -1 is their "no snapshot".
    'current-snapshot-id': metadata.currentSnapshotId ?? -1n,
    refs,
    snapshots: metadata.snapshots.map((s) => snapshotToWire(s, v)),
    statistics: metadata.statistics?.map(statisticsFileToWire),
    'partition-statistics': metadata.partitionStatistics?.map(partitionStatisticsToWire),
    'snapshot-log': metadata.snapshotLog.map((e) => ({
      'snapshot-id': e.snapshotId,
      'timestamp-ms': e.timestampMs,
    })),
    'metadata-log': metadata.metadataLog.map((e) => ({
      'metadata-file': e.metadataFile,
      'timestamp-ms': e.timestampMs,
    })),
  });
}

/** The metadata file text (pretty-printed, bigint-exact). */
export function writeTableMetadata(metadata: TableMetadata): string {
  return stringifyJson(tableMetadataToJson(metadata), 2);
}
