// Union-by-name: the schema update that lets a table accept another schema's columns, matched
// by name at every level. Columns only in the incoming schema are added as optional (nested
// ones inside their struct, list element or map value), table columns narrower than the
// incoming ones are widened, and — unless told otherwise — required table columns the incoming
// schema has as optional become optional. Nothing is ever dropped or narrowed: table columns
// the incoming schema lacks stay as they are. Types that cannot meet are reported together in
// one `SchemaMismatchError`.

import type { Schema as ArrowSchema } from 'apache-arrow';
import { typeToString } from '../spec/type-json.ts';
import type { NestedField, Schema } from '../spec/types.ts';
import { arrowDataFields } from './arrow-data-fields.ts';
import { diffSchemas } from './schema-diff.ts';
import { SchemaMismatchError, type SchemaProblem } from './schema-mismatch-error.ts';
import { SchemaUpdate, type SchemaUpdateOptions } from './update-schema.ts';

export interface UnionByNameOptions extends SchemaUpdateOptions {
  /** Make required table columns optional when the incoming schema has them optional. Default true. */
  readonly makeOptional?: boolean;
}

export function unionByName(
  tableSchema: Schema,
  incoming: Schema | ArrowSchema,
  lastColumnId: number,
  options: UnionByNameOptions = {},
): SchemaUpdate {
  const formatVersion = options.formatVersion ?? 2;
  const { fields, problems } = incomingFields(incoming, formatVersion);
  const update = new SchemaUpdate(tableSchema, lastColumnId, options);
  const found: SchemaProblem[] = [...problems];
  for (const difference of diffSchemas(tableSchema.fields, fields, formatVersion)) {
    switch (difference.kind) {
      case 'extra':
        update.addColumn([...difference.parent, difference.field.name], difference.field.type, {
          ...(difference.field.doc === undefined ? {} : { doc: difference.field.doc }),
        });
        break;
      case 'wider-in-data':
        update.widenColumn(difference.path, difference.dataType);
        break;
      case 'optional-in-data':
        if (options.makeOptional !== false) update.makeOptional(difference.path);
        break;
      case 'incompatible': {
        const column = difference.path.join('.');
        const dataType = typeToString(difference.dataType);
        const tableType = typeToString(difference.tableType);
        found.push({
          kind: 'incompatible-type',
          column,
          dataType,
          tableType,
          message: `column '${column}' is ${dataType} in the new schema but ${tableType} in the table`,
        });
        break;
      }
      case 'duplicate': {
        const column = difference.path.join('.');
        found.push({
          kind: 'duplicate-column',
          column,
          message: `column '${column}' appears ${difference.count} times in the new schema`,
        });
        break;
      }
      case 'missing':
        break;
    }
  }
  if (found.length > 0) {
    throw new SchemaMismatchError(
      'cannot union the new schema into the table schema',
      found,
      'only new columns, wider types (int→long, float→double, decimal precision up) and optional columns can be merged',
    );
  }
  return update;
}

function incomingFields(
  incoming: Schema | ArrowSchema,
  formatVersion: 1 | 2 | 3,
): { fields: readonly NestedField[]; problems: readonly SchemaProblem[] } {
  if ('schemaId' in incoming) return { fields: incoming.fields, problems: [] };
  return arrowDataFields(incoming, formatVersion);
}
