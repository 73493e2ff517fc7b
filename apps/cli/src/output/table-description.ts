// What `floe table describe` shows: the current schema (every field id, nested fields
// included), the default partition spec and sort order with their source column names, the
// properties, the current snapshot and the location. Built from the catalog's wire metadata
// (format v1 or v2) into one plain description; the text form is for people, the JSON form
// keeps the same facts with Iceberg longs as decimal strings.
import { formatTable, type JsonObject, type LoadedTable } from '@floe/catalog';
import { renderProperties, renderTextTable } from './text-table.ts';

export interface FieldRow {
  readonly id: number;
  /** Dotted path: `address.city`, `tags.element`, `attrs.value`. */
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly doc?: string;
}

export interface TableDescription {
  readonly identifier: string;
  readonly location: string | undefined;
  readonly metadata_location: string | undefined;
  readonly table_uuid: string | undefined;
  readonly format_version: number | undefined;
  readonly last_updated_ms: string | undefined;
  readonly schema: { readonly schema_id: number | undefined; readonly fields: readonly FieldRow[] };
  readonly partition_spec: {
    readonly spec_id: number | undefined;
    readonly fields: readonly {
      readonly field_id: number | undefined;
      readonly name: string;
      readonly source_id: number | undefined;
      readonly source_name: string | undefined;
      readonly transform: string;
    }[];
  };
  readonly sort_order: {
    readonly order_id: number | undefined;
    readonly fields: readonly {
      readonly source_id: number | undefined;
      readonly source_name: string | undefined;
      readonly transform: string;
      readonly direction: string;
      readonly null_order: string;
    }[];
  };
  readonly properties: Readonly<Record<string, string>>;
  readonly current_snapshot: SnapshotDescription | null;
  readonly snapshot_count: number;
}

export interface SnapshotDescription {
  readonly snapshot_id: string;
  readonly parent_snapshot_id: string | undefined;
  readonly sequence_number: string | undefined;
  readonly timestamp_ms: string | undefined;
  readonly operation: string | undefined;
  readonly manifest_list: string | undefined;
  readonly summary: Readonly<Record<string, string>>;
}

type Json = JsonObject[string];

function objectOf(value: Json | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

function arrayOf(value: Json | undefined): JsonObject[] {
  return Array.isArray(value) ? value.map(objectOf).filter((item) => item !== undefined) : [];
}

function stringOf(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function intOf(value: Json | undefined): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** An Iceberg long (number or bigint on the wire) as exact decimal text. */
export function longText(value: Json | undefined): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
  return undefined;
}

function stringRecord(value: Json | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, item] of Object.entries(objectOf(value) ?? {})) record[key] = String(item);
  return record;
}

function typeText(type: Json | undefined): string {
  if (typeof type === 'string') return type;
  const nested = objectOf(type);
  const kind = stringOf(nested?.['type']);
  if (kind === 'list') return `list<${shortType(nested?.['element'])}>`;
  if (kind === 'map') return `map<${shortType(nested?.['key'])}, ${shortType(nested?.['value'])}>`;
  return kind ?? 'unknown';
}

function shortType(type: Json | undefined): string {
  return typeof type === 'string' ? type : (stringOf(objectOf(type)?.['type']) ?? 'unknown');
}

/** Every field of a schema, nested ones included, in schema order. */
export function flattenFields(fields: readonly JsonObject[], prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  const visit = (
    id: number | undefined,
    name: string,
    type: Json | undefined,
    required: boolean,
    doc?: string,
  ) => {
    if (id !== undefined)
      rows.push({ id, name, type: typeText(type), required, ...(doc === undefined ? {} : { doc }) });
    const nested = objectOf(type);
    const kind = stringOf(nested?.['type']);
    if (kind === 'struct') rows.push(...flattenFields(arrayOf(nested?.['fields']), `${name}.`));
    if (kind === 'list') {
      visit(
        intOf(nested?.['element-id']),
        `${name}.element`,
        nested?.['element'],
        nested?.['element-required'] === true,
      );
    }
    if (kind === 'map') {
      visit(intOf(nested?.['key-id']), `${name}.key`, nested?.['key'], true);
      visit(
        intOf(nested?.['value-id']),
        `${name}.value`,
        nested?.['value'],
        nested?.['value-required'] === true,
      );
    }
  };
  for (const field of fields) {
    visit(
      intOf(field['id']),
      `${prefix}${stringOf(field['name']) ?? '?'}`,
      field['type'],
      field['required'] === true,
      stringOf(field['doc']),
    );
  }
  return rows;
}

function currentOf(
  list: JsonObject[],
  idKey: string,
  current: number | undefined,
  fallback: Json | undefined,
) {
  return list.find((item) => intOf(item[idKey]) === current) ?? objectOf(fallback) ?? list.at(-1);
}

export function describeTable(table: LoadedTable): TableDescription {
  const metadata = table.metadata;
  const schema = currentOf(
    arrayOf(metadata['schemas']),
    'schema-id',
    intOf(metadata['current-schema-id']),
    metadata['schema'],
  );
  const fields = flattenFields(arrayOf(schema?.['fields']));
  const nameOf = (id: number | undefined) => fields.find((field) => field.id === id)?.name;
  const spec = currentOf(
    arrayOf(metadata['partition-specs']),
    'spec-id',
    intOf(metadata['default-spec-id']),
    undefined,
  );
  const specFields = spec === undefined ? arrayOf(metadata['partition-spec']) : arrayOf(spec['fields']);
  const order = currentOf(
    arrayOf(metadata['sort-orders']),
    'order-id',
    intOf(metadata['default-sort-order-id']),
    undefined,
  );
  const currentId = longText(metadata['current-snapshot-id']);
  const snapshots = arrayOf(metadata['snapshots']);
  const snapshot =
    currentId === undefined || currentId === '-1'
      ? undefined
      : snapshots.find((item) => longText(item['snapshot-id']) === currentId);
  const summary = stringRecord(snapshot?.['summary']);
  return {
    identifier: formatTable(table.identifier),
    location: stringOf(metadata['location']),
    metadata_location: table.metadataLocation,
    table_uuid: stringOf(metadata['table-uuid']),
    format_version: intOf(metadata['format-version']),
    last_updated_ms: longText(metadata['last-updated-ms']),
    schema: { schema_id: intOf(schema?.['schema-id']), fields },
    partition_spec: {
      spec_id: intOf(spec?.['spec-id']) ?? (specFields.length === 0 ? undefined : 0),
      fields: specFields.map((field) => ({
        field_id: intOf(field['field-id']),
        name: stringOf(field['name']) ?? '?',
        source_id: intOf(field['source-id']),
        source_name: nameOf(intOf(field['source-id'])),
        transform: stringOf(field['transform']) ?? '?',
      })),
    },
    sort_order: {
      order_id: intOf(order?.['order-id']),
      fields: arrayOf(order?.['fields']).map((field) => ({
        source_id: intOf(field['source-id']),
        source_name: nameOf(intOf(field['source-id'])),
        transform: stringOf(field['transform']) ?? '?',
        direction: stringOf(field['direction']) ?? '?',
        null_order: stringOf(field['null-order']) ?? '?',
      })),
    },
    properties: stringRecord(metadata['properties']),
    current_snapshot:
      snapshot === undefined || currentId === undefined
        ? null
        : {
            snapshot_id: currentId,
            parent_snapshot_id: longText(snapshot['parent-snapshot-id']),
            sequence_number: longText(snapshot['sequence-number']),
            timestamp_ms: longText(snapshot['timestamp-ms']),
            operation: summary['operation'],
            manifest_list: stringOf(snapshot['manifest-list']),
            summary,
          },
    snapshot_count: snapshots.length,
  };
}

function timestampText(ms: string | undefined): string {
  if (ms === undefined) return '-';
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? ms : `${date.toISOString()} (${ms})`;
}

export function renderTableDescription(description: TableDescription): string {
  const out: string[] = [];
  out.push(`Table ${description.identifier}\n`);
  out.push(`  location           ${description.location ?? '-'}\n`);
  out.push(`  metadata location  ${description.metadata_location ?? '-'}\n`);
  out.push(`  table uuid         ${description.table_uuid ?? '-'}\n`);
  out.push(`  format version     ${description.format_version ?? '-'}\n`);
  out.push(`  last updated       ${timestampText(description.last_updated_ms)}\n`);
  out.push(`\nSchema (id ${description.schema.schema_id ?? '-'})\n`);
  out.push(
    indent(
      renderTextTable(
        ['id', 'name', 'type', 'required', 'doc'],
        description.schema.fields.map((field) => [
          String(field.id),
          field.name,
          field.type,
          field.required ? 'required' : 'optional',
          field.doc ?? '',
        ]),
      ),
    ),
  );
  const spec = description.partition_spec;
  out.push(`\nPartition spec (id ${spec.spec_id ?? '-'})\n`);
  out.push(
    spec.fields.length === 0
      ? '  unpartitioned\n'
      : indent(
          renderTextTable(
            ['field id', 'name', 'transform', 'source'],
            spec.fields.map((field) => [
              String(field.field_id ?? '-'),
              field.name,
              field.transform,
              `${field.source_name ?? '?'} (id ${field.source_id ?? '?'})`,
            ]),
          ),
        ),
  );
  const order = description.sort_order;
  out.push(`\nSort order (id ${order.order_id ?? '-'})\n`);
  out.push(
    order.fields.length === 0
      ? '  unsorted\n'
      : indent(
          renderTextTable(
            ['source', 'transform', 'direction', 'nulls'],
            order.fields.map((field) => [
              `${field.source_name ?? '?'} (id ${field.source_id ?? '?'})`,
              field.transform,
              field.direction,
              field.null_order,
            ]),
          ),
        ),
  );
  out.push('\nProperties\n');
  out.push(renderProperties(description.properties));
  const snapshot = description.current_snapshot;
  out.push(`\nCurrent snapshot (${description.snapshot_count} in total)\n`);
  if (snapshot === null) {
    out.push('  none (the table has no data yet)\n');
  } else {
    out.push(`  snapshot id        ${snapshot.snapshot_id}\n`);
    out.push(`  parent id          ${snapshot.parent_snapshot_id ?? '-'}\n`);
    out.push(`  sequence number    ${snapshot.sequence_number ?? '-'}\n`);
    out.push(`  committed at       ${timestampText(snapshot.timestamp_ms)}\n`);
    out.push(`  operation          ${snapshot.operation ?? '-'}\n`);
    out.push(`  manifest list      ${snapshot.manifest_list ?? '-'}\n`);
  }
  return out.join('');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}
