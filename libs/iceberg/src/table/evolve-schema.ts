// Schema evolution on the commit path: the glue that lets a write which needs a wider table (a new
// column, int→long, float→double, more decimal precision) commit the schema change and its data
// in ONE atomic catalog commit. `reconcileSchema` / `unionByName` produce `add-schema` +
// `set-current-schema` guarded by `assert-current-schema-id` and `assert-last-assigned-field-id`;
// this module feeds them the table metadata they need (last column id, highest schema id, format
// version) and folds their `{updates, requirements}` into a `SnapshotChange`'s `extraUpdates` /
// `extraRequirements`, which `SnapshotProducer` sends in the same request as the snapshot.
//
// On a rebase after a conflict the schema requirements are re-sent unchanged: a concurrent
// append leaves them satisfied (the commit goes through), while a concurrent schema change makes
// them fail every attempt — correctly, since our data files carry the field ids we assigned.
// The caller then reconciles again on the new table and rewrites its data.

import type { Schema as ArrowSchema } from 'apache-arrow';
import { type ReconcileResult, reconcileSchema, type SchemaMode } from '../schema-evolution/reconcile.ts';
import { type UnionByNameOptions, unionByName } from '../schema-evolution/union-by-name.ts';
import type { SchemaUpdateResult, TableChange } from '../schema-evolution/update-schema.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import type { Schema } from '../spec/types.ts';
import { currentSchema, type SnapshotChange } from './snapshot-producer.ts';

/** The table-wide facts a schema change must be computed from. */
export function schemaContext(base: TableMetadata): {
  readonly schema: Schema;
  readonly lastColumnId: number;
  readonly highestSchemaId: number;
  readonly formatVersion: 1 | 2 | 3;
} {
  return {
    schema: currentSchema(base),
    lastColumnId: base.lastColumnId,
    highestSchemaId: Math.max(...base.schemas.map((s) => s.schemaId)),
    formatVersion: base.formatVersion,
  };
}

/**
 * Reconciles staged Arrow data with the table (DESIGN §6). The result's `evolution` (present
 * when the table must change) goes into the commit with `withSchemaChange`; data files are
 * written with `writeSchema` after `castBatch(batch, plan)`.
 */
export function reconcileWithTable(
  base: TableMetadata,
  arrowSchema: ArrowSchema,
  mode: SchemaMode,
  tableName?: string,
): ReconcileResult {
  const { schema, ...context } = schemaContext(base);
  return reconcileSchema(schema, arrowSchema, mode, {
    ...context,
    ...(tableName === undefined ? {} : { tableName }),
  });
}

/** Union-by-name of `incoming` into the table's current schema, ready for `withSchemaChange`. */
export function unionByNameWithTable(
  base: TableMetadata,
  incoming: Schema | ArrowSchema,
  options: Omit<UnionByNameOptions, 'formatVersion' | 'highestSchemaId'> = {},
): SchemaUpdateResult {
  const { schema, lastColumnId, ...context } = schemaContext(base);
  return unionByName(schema, incoming, lastColumnId, { ...options, ...context }).apply();
}

/**
 * `change` with `schemaChange` committed in the same request: the schema updates go before the
 * change's own extra updates (and so before the snapshot), the requirements are added to its own.
 * An absent or empty schema change returns `change` untouched.
 */
export function withSchemaChange(
  change: SnapshotChange,
  schemaChange: TableChange | undefined,
): SnapshotChange {
  if (schemaChange === undefined || schemaChange.updates.length === 0) return change;
  return {
    ...change,
    extraUpdates: [...schemaChange.updates, ...(change.extraUpdates ?? [])],
    extraRequirements: [...(change.extraRequirements ?? []), ...schemaChange.requirements],
  };
}
