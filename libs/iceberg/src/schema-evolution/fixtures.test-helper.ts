// Shared fixtures for the schema-evolution tests: a table schema exercising every nesting kind
// and table metadata built from any schema with the real metadata builder, so tests prove that
// the updates they produce apply.

import { applyUpdates } from '../metadata/builder.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { highestFieldId } from '../spec/schema.ts';
import type { Schema } from '../spec/types.ts';

export const NOW = 1_731_999_999_999n;

/** id, amount, tags (list<string>), points (list<struct>), attrs (map<string, struct>), address (struct). */
export const eventsSchema: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'amount', required: false, type: { kind: 'decimal', precision: 10, scale: 2 } },
    { id: 3, name: 'count', required: true, type: { kind: 'int' } },
    { id: 4, name: 'ratio', required: false, type: { kind: 'float' } },
    {
      id: 5,
      name: 'tags',
      required: false,
      type: { kind: 'list', elementId: 6, elementRequired: true, element: { kind: 'string' } },
    },
    {
      id: 7,
      name: 'points',
      required: false,
      type: {
        kind: 'list',
        elementId: 8,
        elementRequired: false,
        element: { kind: 'struct', fields: [{ id: 9, name: 'x', required: true, type: { kind: 'int' } }] },
      },
    },
    {
      id: 10,
      name: 'attrs',
      required: false,
      type: {
        kind: 'map',
        keyId: 11,
        key: { kind: 'string' },
        valueId: 12,
        valueRequired: true,
        value: { kind: 'struct', fields: [{ id: 13, name: 'v', required: false, type: { kind: 'string' } }] },
      },
    },
    {
      id: 14,
      name: 'address',
      required: false,
      type: { kind: 'struct', fields: [{ id: 15, name: 'zip', required: false, type: { kind: 'string' } }] },
    },
  ],
};

export function metadataFor(schema: Schema, lastColumnId = highestFieldId(schema)): TableMetadata {
  return applyUpdates(
    undefined,
    [
      { action: 'assign-uuid', uuid: '11111111-2222-3333-4444-555555555555' },
      { action: 'add-schema', schema, lastColumnId },
      { action: 'set-current-schema', schemaId: -1 },
      { action: 'set-location', location: 's3://warehouse/bronze/events' },
    ],
    { nowMs: NOW },
  );
}
