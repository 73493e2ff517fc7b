// Schema reconciliation for the writer (DESIGN §6): decides, before any data file is written,
// how staged Arrow data meets the table's schema. Columns are matched by name, recursively
// through structs, list elements and map keys/values:
// - a table column the data lacks is written as nulls when optional, and is an error when required;
// - a data column the table lacks is added as an optional column with a new field id in
//   `add-columns` mode, and is an error in `strict` mode;
// - the same type is written as is; a narrower data type (int→long, float→double, decimal
//   precision up, any timestamp/time unit, int8/16 and unsigned ints, large or
//   dictionary-encoded strings) is cast up; a wider data type widens the table column in
//   `add-columns` mode and is an error in `strict` mode;
// - anything else is incompatible.
// Every problem is collected and thrown as one `SchemaMismatchError`, so a rejected batch never
// leads to a partial commit. The result carries the schema change to commit (if any), the schema
// to write files with (table field ids) and the per-column cast plan `castBatch` executes.

import type { Schema as ArrowSchema } from 'apache-arrow';
import { highestFieldId } from '../spec/schema.ts';
import { typeToString } from '../spec/type-json.ts';
import type { Schema } from '../spec/types.ts';
import { arrowDataFields } from './arrow-data-fields.ts';
import { diffSchemas } from './schema-diff.ts';
import { SchemaMismatchError, type SchemaProblem } from './schema-mismatch-error.ts';
import { SchemaUpdate, type SchemaUpdateResult } from './update-schema.ts';
import { type ColumnCast, describePlan, planWrite, type WritePlan } from './write-plan.ts';

export type SchemaMode = 'add-columns' | 'strict';

export interface ReconcileOptions {
  /**
   * The table's `last-column-id` (new columns get ids above it). Pass it from the table
   * metadata: it can exceed the highest id in the current schema when columns were dropped.
   * Defaults to the highest id in `tableSchema`; the commit's requirement catches a wrong guess.
   */
  readonly lastColumnId?: number;
  /** Named in error messages, e.g. `bronze.events`. */
  readonly tableName?: string;
  readonly formatVersion?: 1 | 2 | 3;
  /** Highest schema id in the table metadata, for the new schema's id. */
  readonly highestSchemaId?: number;
}

export interface ReconcileResult {
  /** The schema change to commit with the data, when the table must change to accept it. */
  readonly evolution?: SchemaUpdateResult;
  /** The schema data files are written with: the table's (or the evolved) schema, table field ids. */
  readonly writeSchema: Schema;
  /** What happens to each written column. */
  readonly casts: readonly ColumnCast[];
  /** The executable plan for `castBatch`. */
  readonly plan: WritePlan;
}

const ADVICE = 'fix the producer so the data matches the table, or change the table schema first';

export function reconcileSchema(
  tableSchema: Schema,
  arrowSchema: ArrowSchema,
  mode: SchemaMode,
  options: ReconcileOptions = {},
): ReconcileResult {
  const formatVersion = options.formatVersion ?? 2;
  const data = arrowDataFields(arrowSchema, formatVersion);
  const problems: SchemaProblem[] = [...data.problems];
  // Columns whose Arrow type is unsupported are already reported; don't also call them missing.
  const converted = new Set(data.fields.map((field) => field.name));
  const unconverted = new Set(
    arrowSchema.fields.map((field) => field.name).filter((name) => !converted.has(name)),
  );

  const update = new SchemaUpdate(tableSchema, options.lastColumnId ?? highestFieldId(tableSchema), {
    formatVersion,
    ...(options.highestSchemaId === undefined ? {} : { highestSchemaId: options.highestSchemaId }),
  });
  for (const difference of diffSchemas(tableSchema.fields, data.fields, formatVersion)) {
    switch (difference.kind) {
      case 'extra': {
        const path = [...difference.parent, difference.field.name];
        if (mode === 'add-columns') {
          update.addColumn(path, difference.field.type, {
            ...(difference.field.doc === undefined ? {} : { doc: difference.field.doc }),
          });
        } else {
          const column = path.join('.');
          const dataType = typeToString(difference.field.type);
          problems.push({
            kind: 'extra-column',
            column,
            dataType,
            message: `column '${column}' (${dataType}) is not in the table; write with schema mode 'add-columns' to add it`,
          });
        }
        break;
      }
      case 'missing': {
        const column = difference.path.join('.');
        if (difference.field.required && !(difference.path.length === 1 && unconverted.has(column))) {
          problems.push({
            kind: 'missing-required',
            column,
            tableType: typeToString(difference.field.type),
            message: `required column '${column}' is missing from the data`,
          });
        }
        break;
      }
      case 'wider-in-data': {
        if (mode === 'add-columns') {
          update.widenColumn(difference.path, difference.dataType);
          break;
        }
        const column = difference.path.join('.');
        const dataType = typeToString(difference.dataType);
        const tableType = typeToString(difference.tableType);
        problems.push({
          kind: 'wider-in-data',
          column,
          dataType,
          tableType,
          message: `column '${column}' is ${dataType} in the data but ${tableType} in the table; write with schema mode 'add-columns' to widen the table column`,
        });
        break;
      }
      case 'incompatible': {
        const column = difference.path.join('.');
        const dataType = typeToString(difference.dataType);
        const tableType = typeToString(difference.tableType);
        problems.push({
          kind: 'incompatible-type',
          column,
          dataType,
          tableType,
          message: `column '${column}' is ${dataType} in the data but ${tableType} in the table`,
        });
        break;
      }
      case 'duplicate': {
        const column = difference.path.join('.');
        problems.push({
          kind: 'duplicate-column',
          column,
          message: `column '${column}' appears ${difference.count} times in the data`,
        });
        break;
      }
      case 'optional-in-data':
        // Nullable in Arrow is not a promise of nulls; `castBatch` rejects actual nulls.
        break;
    }
  }
  const subject = `schema of the staged data does not match ${options.tableName === undefined ? 'the table' : `table ${options.tableName}`}`;
  const context = options.tableName === undefined ? {} : { table: options.tableName };
  if (problems.length > 0) throw new SchemaMismatchError(subject, problems, ADVICE, context);

  const evolution = update.hasChanges ? update.apply() : undefined;
  const writeSchema = evolution?.schema ?? tableSchema;
  const planned = planWrite(writeSchema, arrowSchema);
  if (planned.problems.length > 0) throw new SchemaMismatchError(subject, planned.problems, ADVICE, context);
  return {
    ...(evolution === undefined ? {} : { evolution }),
    writeSchema,
    casts: describePlan(planned.plan),
    plan: planned.plan,
  };
}
