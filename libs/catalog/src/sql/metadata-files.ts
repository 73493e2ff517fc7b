// Table metadata files as a catalog that owns them reads and writes them: the SQL catalog keeps
// only the pointer (metadata_location) in its database, so it writes every new metadata.json
// itself through FileIO and reads the current one back on load. New tables are built with the
// format library's metadata builder from the create request's wire JSON (the same updates a REST
// create transaction carries), so schema, spec and order are validated exactly as on commit.

import { gunzipSync } from 'node:zlib';
import {
  applyUpdates,
  type FileIO,
  parseJson,
  parseTableMetadata,
  type TableMetadata,
  tableMetadataToJson,
  tableUpdatesFromJson,
  writeTableMetadata,
} from '@floe/iceberg';
import type { CreateTableRequest } from '../catalog.ts';
import type { JsonObject } from '../internal/json-shapes.ts';

/** Table property that picks the format version of a new table (not kept as a property). */
const FORMAT_VERSION_PROPERTY = 'format-version';
const DEFAULT_FORMAT_VERSION = 2;

export interface MetadataFile {
  /** The file's JSON as parsed (BigInt-safe), what `LoadedTable.metadata` hands out. */
  readonly json: JsonObject;
  readonly metadata: TableMetadata;
}

export async function readMetadataFile(io: FileIO, location: string): Promise<MetadataFile> {
  const bytes = await io.read(location);
  const text = Buffer.from(location.endsWith('.gz.metadata.json') ? gunzipSync(bytes) : bytes).toString(
    'utf8',
  );
  const json = parseJson(text) as JsonObject;
  return { json, metadata: parseTableMetadata(json) };
}

/** Writes `metadata` to `location` and returns its JSON form as a load would read it back. */
export async function writeMetadataFile(
  io: FileIO,
  location: string,
  metadata: TableMetadata,
): Promise<JsonObject> {
  await io.write(location, new TextEncoder().encode(writeTableMetadata(metadata)));
  return tableMetadataToJson(metadata) as JsonObject;
}

/** Metadata of a new table at `location`, from a create request's wire JSON. */
export function newTableMetadata(request: CreateTableRequest, location: string): TableMetadata {
  const { [FORMAT_VERSION_PROPERTY]: formatVersion, ...properties } = request.properties ?? {};
  const updates: JsonObject[] = [
    { action: 'assign-uuid', uuid: crypto.randomUUID() },
    {
      action: 'upgrade-format-version',
      'format-version': formatVersion === undefined ? DEFAULT_FORMAT_VERSION : Number(formatVersion),
    },
    { action: 'add-schema', schema: request.schema },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec: request.partitionSpec ?? { 'spec-id': 0, fields: [] } },
    { action: 'set-default-spec', 'spec-id': -1 },
    { action: 'add-sort-order', 'sort-order': request.writeOrder ?? { 'order-id': 0, fields: [] } },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-location', location },
    { action: 'set-properties', updates: properties },
  ];
  return applyUpdates(undefined, tableUpdatesFromJson(updates));
}
