// Shared pieces of the inspection tables: Arrow column builders for nullable values, the
// entries a snapshot's manifests hold, and the text forms people read in `floe table files`:
// partition tuples and per-column metrics as JSON objects keyed by column or partition field
// NAME (field ids mean nothing at a terminal), bounds decoded from their single-value binary
// form. A value that cannot be decoded (a bound for a type the schema no longer has) is shown
// as hex rather than failing the whole listing.

import * as arrow from 'apache-arrow';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile, ManifestEntry } from '../manifest/data-file.ts';
import type { ManifestFile } from '../manifest/manifest-file.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { bindPartitionSpec } from '../spec/partition.ts';
import type { PartitionSpec, Snapshot, TableMetadata } from '../spec/partition-types.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import { serializeJsonSingleValue } from '../spec/single-value-json.ts';
import type { IcebergType, NestedField, StructType } from '../spec/types.ts';
import { bytesToHex, type IcebergValue } from '../spec/values.ts';
import { type JsonValue, stringifyJson } from '../util/json.ts';

export const int64 = (values: readonly (bigint | null)[]) => arrow.vectorFromArray(values, new arrow.Int64());
export const int32 = (values: readonly (number | null)[]) => arrow.vectorFromArray(values, new arrow.Int32());
export const utf8 = (values: readonly (string | null)[]) => arrow.vectorFromArray(values, new arrow.Utf8());
export const bool = (values: readonly (boolean | null)[]) => arrow.vectorFromArray(values, new arrow.Bool());
/** Milliseconds since the epoch, UTC. */
export const timestampMs = (values: readonly (bigint | null)[]) =>
  arrow.vectorFromArray(
    values.map((v) => (v === null ? null : Number(v))),
    new arrow.TimestampMillisecond('UTC'),
  );

/** A live entry of a snapshot's manifests with the manifest that holds it. */
export interface LiveEntry {
  readonly entry: ManifestEntry;
  readonly manifest: ManifestFile;
}

export async function manifestsOf(
  io: FileIO,
  snapshot: Snapshot | undefined,
): Promise<readonly ManifestFile[]> {
  if (snapshot === undefined) return [];
  return readManifestList(await io.read(snapshot.manifestList)).manifests;
}

/** Entries that are not `deleted`: the data and delete files the snapshot reads. */
export async function liveEntriesOf(io: FileIO, snapshot: Snapshot | undefined): Promise<LiveEntry[]> {
  const live: LiveEntry[] = [];
  for (const manifest of await manifestsOf(io, snapshot)) {
    const contents = readManifest(await io.read(manifest.manifestPath), manifest);
    for (const entry of contents.entries) {
      if (entry.status !== 'deleted') live.push({ entry, manifest });
    }
  }
  return live;
}

/**
 * Every column id the table ever had, with the name and type of its newest definition: bounds
 * of a file written before a column was renamed or dropped still decode.
 */
export function fieldsById(metadata: TableMetadata): ReadonlyMap<number, NestedField> {
  const byId = new Map<number, NestedField>();
  const current = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
  const ordered = [
    ...metadata.schemas.filter((s) => s !== current),
    ...(current === undefined ? [] : [current]),
  ];
  const visit = (fields: readonly NestedField[]) => {
    for (const field of fields) {
      byId.set(field.id, field);
      if (field.type.kind === 'struct') visit(field.type.fields);
    }
  };
  for (const schema of ordered) visit(schema.fields);
  return byId;
}

/** The partition struct of a spec, bound against the newest schema that has all its sources. */
export function partitionStructOf(metadata: TableMetadata, spec: PartitionSpec): StructType | undefined {
  const schemas = [...metadata.schemas].sort((a, b) =>
    a.schemaId === metadata.currentSchemaId
      ? -1
      : b.schemaId === metadata.currentSchemaId
        ? 1
        : b.schemaId - a.schemaId,
  );
  for (const schema of schemas) {
    try {
      return bindPartitionSpec(spec, schema).partitionType;
    } catch {
      // A source column dropped from this schema: try an older one.
    }
  }
  return undefined;
}

/** A value's JSON single-value form (dates and timestamps as ISO text), generic when the type does not fit. */
export function valueJson(type: IcebergType | undefined, value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (type !== undefined) {
    try {
      return serializeJsonSingleValue(type, value as IcebergValue);
    } catch {
      // Fall through to a generic form.
    }
  }
  if (value instanceof Uint8Array) return bytesToHex(value);
  return typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : String(value);
}

/** `{"region":"eu","day":"2026-01-02"}`; `{}` for an unpartitioned file. */
export function partitionText(
  file: DataFile,
  spec: PartitionSpec | undefined,
  struct: StructType | undefined,
): string {
  const out: Record<string, JsonValue> = {};
  file.partition.forEach((value, index) => {
    const name = spec?.fields[index]?.name ?? `_${index}`;
    out[name] = valueJson(struct?.fields[index]?.type, value);
  });
  return stringifyJson(out);
}

function nameOf(fields: ReadonlyMap<number, NestedField>, id: number): string {
  return fields.get(id)?.name ?? `#${id}`;
}

/** Counts keyed by column name: `{"id":6,"region":6}`; null when the file has none. */
export function countsText(
  counts: ReadonlyMap<number, bigint> | undefined,
  fields: ReadonlyMap<number, NestedField>,
): string | null {
  if (counts === undefined) return null;
  const out: Record<string, bigint> = {};
  for (const [id, count] of counts) out[nameOf(fields, id)] = count;
  return stringifyJson(out);
}

/** Bounds decoded and keyed by column name: `{"id":1,"region":"ap"}`; null when absent. */
export function boundsText(
  bounds: ReadonlyMap<number, Uint8Array> | undefined,
  fields: ReadonlyMap<number, NestedField>,
): string | null {
  if (bounds === undefined) return null;
  const out: Record<string, JsonValue> = {};
  for (const [id, bytes] of bounds) {
    const type = fields.get(id)?.type;
    let value: JsonValue;
    try {
      value = type === undefined ? bytesToHex(bytes) : valueJson(type, deserializeSingleValue(type, bytes));
    } catch {
      value = bytesToHex(bytes);
    }
    out[nameOf(fields, id)] = value;
  }
  return stringifyJson(out);
}
