// The Iceberg view of staged Arrow data, for comparing it with a table by name: each Arrow
// column converted with the shared Arrow→Iceberg mapping (`arrow/arrow-schema.ts`), ignoring
// any `PARQUET:field_id` the producer left on it (data is matched to tables by name; the ids
// are placeholders that schema evolution replaces with fresh ones). Columns are converted one
// at a time so that every unsupported Arrow type is reported, not just the first.

import { Schema as ArrowSchema } from 'apache-arrow';
import { arrowToIcebergSchema } from '../arrow/arrow-schema.ts';
import { isIcebergError } from '../errors.ts';
import type { NestedField } from '../spec/types.ts';
import type { SchemaProblem } from './schema-mismatch-error.ts';

export interface ArrowDataFields {
  /** Converted columns, in Arrow order; columns with unsupported types are left out. */
  readonly fields: readonly NestedField[];
  readonly problems: readonly SchemaProblem[];
}

export function arrowDataFields(schema: ArrowSchema, formatVersion: 1 | 2 | 3 = 2): ArrowDataFields {
  const fields: NestedField[] = [];
  const problems: SchemaProblem[] = [];
  for (const field of schema.fields) {
    try {
      const converted = arrowToIcebergSchema(new ArrowSchema([field]), {
        formatVersion,
        fieldIds: 'fresh',
      });
      fields.push(converted.fields[0]!);
    } catch (error) {
      if (!isIcebergError(error, 'unsupported')) throw error;
      const column = typeof error.context.column === 'string' ? error.context.column : field.name;
      const arrowType =
        typeof error.context.arrowType === 'string' ? error.context.arrowType : String(field.type);
      problems.push({
        kind: 'unsupported-type',
        column,
        dataType: arrowType,
        message: error.message,
      });
    }
  }
  return { fields, problems };
}
