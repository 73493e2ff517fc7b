// Create-if-missing: when a job asks for it, the table is created from the staged data's Arrow
// schema (fresh field ids: ids a producer's columns carry — partial, or read from another table —
// are ignored, DESIGN §6), with the requested partition spec (source column names resolved to
// field ids), sort order, properties and location. `createTableIfNotExists` makes two jobs that
// race to create the same table both succeed against the one that won. Tables floe creates bound
// their metadata log (FLOE_TABLE_DEFAULTS); the job's own properties win over those defaults.
import type { Catalog, CreateTableResult } from '@floe/catalog';
import {
  arrowToIcebergSchema,
  IcebergError,
  indexSchema,
  PartitionSpecBuilder,
  parseTransform,
  type Schema,
  schemaToJson,
  transformToString,
} from '@floe/iceberg';
import type { TableIdentifier, WriteJob } from '@floe/jobs';
import type { Schema as ArrowSchema } from 'apache-arrow';

type CreateRequest = NonNullable<WriteJob['create']>;

/**
 * Properties every table floe creates gets unless the job sets them: the catalog deletes
 * metadata.json files that fall off the log, which keeps the last 100, so a table committing
 * all day does not pile up metadata files.
 */
export const FLOE_TABLE_DEFAULTS: Readonly<Record<string, string>> = {
  'write.metadata.delete-after-commit.enabled': 'true',
  'write.metadata.previous-versions-max': '100',
};

export function partitionSpecJson(schema: Schema, request: CreateRequest): Record<string, unknown> {
  const builder = new PartitionSpecBuilder(schema, { specId: 0 });
  for (const field of request.partitionSpec) builder.add(field.source, field.transform, field.name);
  const spec = builder.build();
  return {
    'spec-id': spec.specId,
    fields: spec.fields.map((f) => ({
      'source-id': f.sourceId,
      'field-id': f.fieldId,
      name: f.name,
      transform: f.transform,
    })),
  };
}

export function sortOrderJson(schema: Schema, request: CreateRequest): Record<string, unknown> | undefined {
  if (request.sortOrder === undefined || request.sortOrder.length === 0) return undefined;
  const index = indexSchema(schema);
  return {
    'order-id': 1,
    fields: request.sortOrder.map((field) => {
      const source = index.byName.get(field.source);
      if (source === undefined) {
        throw new IcebergError(
          'invalid-argument',
          `invalid sort order: no column '${field.source}' in the data`,
          {
            context: { column: field.source },
          },
        );
      }
      return {
        'source-id': source.field.id,
        transform: transformToString(parseTransform(field.transform)),
        direction: field.direction,
        'null-order': field.nullOrder,
      };
    }),
  };
}

/** The new table's schema for the staged data: its columns by name, with fresh field ids. */
export function tableSchemaFromData(arrowSchema: ArrowSchema): Schema {
  return arrowToIcebergSchema(arrowSchema, { fieldIds: 'fresh' });
}

export async function createTableFromData(
  catalog: Catalog,
  table: TableIdentifier,
  arrowSchema: ArrowSchema,
  request: CreateRequest,
): Promise<CreateTableResult> {
  const schema = tableSchemaFromData(arrowSchema);
  const sortOrder = sortOrderJson(schema, request);
  return catalog.createTableIfNotExists(table, {
    schema: { ...schemaToJson(schema) },
    partitionSpec: partitionSpecJson(schema, request),
    ...(sortOrder === undefined ? {} : { writeOrder: sortOrder }),
    properties: { ...FLOE_TABLE_DEFAULTS, ...request.properties },
    ...(request.location === undefined ? {} : { location: request.location }),
  });
}
