// Name-by-name comparison of a table schema with the schema of incoming data, recursively
// through structs, list elements and map keys/values. It only states facts — a column only in
// the data, a table column missing from the data, a data type wider than the table's, types
// that cannot meet — and leaves the policy (add, widen, reject) to its callers: `unionByName`
// turns the differences into schema changes, `reconcileSchema` into changes or errors by mode.
// Data types narrower than the table's (int into long, float into double, decimal precision up,
// coarser or finer timestamp units) are not differences: the writer casts them up.

import { canPromote } from '../spec/schema.ts';
import type { IcebergType, NestedField, PrimitiveType } from '../spec/types.ts';
import { isPrimitive } from '../spec/types.ts';

export type SchemaDifference =
  /** A data field the table lacks; `parent` is the path of the struct it belongs in. */
  | { readonly kind: 'extra'; readonly parent: readonly string[]; readonly field: NestedField }
  /** A table field the data lacks. */
  | { readonly kind: 'missing'; readonly path: readonly string[]; readonly field: NestedField }
  /** The data's primitive type is wider than the table's; widening the table makes them meet. */
  | {
      readonly kind: 'wider-in-data';
      readonly path: readonly string[];
      readonly tableType: PrimitiveType;
      readonly dataType: PrimitiveType;
    }
  | {
      readonly kind: 'incompatible';
      readonly path: readonly string[];
      readonly tableType: IcebergType;
      readonly dataType: IcebergType;
    }
  /** The data may hold nulls where the table requires values. */
  | { readonly kind: 'optional-in-data'; readonly path: readonly string[] }
  /** The data has `count` fields named the same in one struct. */
  | { readonly kind: 'duplicate'; readonly path: readonly string[]; readonly count: number };

/** Differences between the table's fields and the data's, in table-then-data order. */
export function diffSchemas(
  tableFields: readonly NestedField[],
  dataFields: readonly NestedField[],
  formatVersion: 1 | 2 | 3 = 2,
): SchemaDifference[] {
  const differences: SchemaDifference[] = [];
  diffStruct(tableFields, dataFields, [], formatVersion, differences);
  return differences;
}

/**
 * Whether data of type `data` can be written to a column of type `table` by casting each value
 * up without loss of meaning: the spec's promotions, plus timestamp unit changes within the
 * same zone-ness (ns → µs floors the sub-microsecond digits).
 */
export function castableTo(data: PrimitiveType, table: PrimitiveType, formatVersion: 1 | 2 | 3 = 2): boolean {
  if (canPromote(data, table, formatVersion)) return true;
  const units: Record<string, string> = {
    timestamp: 'timestamp_ns',
    timestamp_ns: 'timestamp',
    timestamptz: 'timestamptz_ns',
    timestamptz_ns: 'timestamptz',
  };
  return units[data.kind] === table.kind;
}

function diffStruct(
  tableFields: readonly NestedField[],
  dataFields: readonly NestedField[],
  parent: readonly string[],
  formatVersion: 1 | 2 | 3,
  out: SchemaDifference[],
): void {
  const counts = new Map<string, number>();
  for (const field of dataFields) counts.set(field.name, (counts.get(field.name) ?? 0) + 1);
  const reported = new Set<string>();
  for (const dataField of dataFields) {
    const path = [...parent, dataField.name];
    const count = counts.get(dataField.name) ?? 0;
    if (count > 1) {
      if (!reported.has(dataField.name)) out.push({ kind: 'duplicate', path, count });
      reported.add(dataField.name);
      continue;
    }
    const tableField = tableFields.find((field) => field.name === dataField.name);
    if (tableField === undefined) out.push({ kind: 'extra', parent, field: dataField });
    else diffField(tableField, dataField, path, false, formatVersion, out);
  }
  for (const tableField of tableFields) {
    if (!counts.has(tableField.name))
      out.push({ kind: 'missing', path: [...parent, tableField.name], field: tableField });
  }
}

function diffField(
  table: NestedField,
  data: NestedField,
  path: readonly string[],
  isMapKey: boolean,
  formatVersion: 1 | 2 | 3,
  out: SchemaDifference[],
): void {
  if (table.required && !data.required) out.push({ kind: 'optional-in-data', path });
  const t = table.type;
  const d = data.type;
  if (isPrimitive(t) && isPrimitive(d)) {
    if (castableTo(d, t, formatVersion)) return;
    // Map keys never change type: every existing key would have to be rewritten.
    if (!isMapKey && canPromote(t, d, formatVersion))
      out.push({ kind: 'wider-in-data', path, tableType: t, dataType: d });
    else out.push({ kind: 'incompatible', path, tableType: t, dataType: d });
    return;
  }
  if (t.kind === 'struct' && d.kind === 'struct') {
    diffStruct(t.fields, d.fields, path, formatVersion, out);
    return;
  }
  if (t.kind === 'list' && d.kind === 'list') {
    diffField(
      pseudo(t.elementId, 'element', t.elementRequired, t.element),
      pseudo(d.elementId, 'element', d.elementRequired, d.element),
      [...path, 'element'],
      false,
      formatVersion,
      out,
    );
    return;
  }
  if (t.kind === 'map' && d.kind === 'map') {
    const keyPath = [...path, 'key'];
    diffField(
      pseudo(t.keyId, 'key', true, t.key),
      pseudo(d.keyId, 'key', true, d.key),
      keyPath,
      true,
      formatVersion,
      out,
    );
    diffField(
      pseudo(t.valueId, 'value', t.valueRequired, t.value),
      pseudo(d.valueId, 'value', d.valueRequired, d.value),
      [...path, 'value'],
      false,
      formatVersion,
      out,
    );
    return;
  }
  out.push({ kind: 'incompatible', path, tableType: t, dataType: d });
}

function pseudo(id: number, name: string, required: boolean, type: IcebergType): NestedField {
  return { id, name, required, type };
}
