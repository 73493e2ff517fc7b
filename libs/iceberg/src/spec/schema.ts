// Questions asked of a schema: find a field by id or by dotted name, list every field id
// (including list elements and map keys/values, which own ids too), the highest id in use,
// projection to a set of ids, the spec's type-promotion rules, and structural validation
// (unique ids, unique names per struct, valid identifier fields). Pure functions over the plain
// `Schema` data; an index is built once per call site with `indexSchema` when lookups repeat.

import { IcebergError } from '../errors.ts';
import { MAX_DECIMAL_PRECISION, typeToString } from './type-json.ts';
import type { IcebergType, NestedField, PrimitiveType, Schema, StructType } from './types.ts';
import { isPrimitive } from './types.ts';

/** Field ids above this are reserved for metadata columns (spec §Reserved Field IDs). */
export const MAX_USER_FIELD_ID = 2147483447;

/** One entry per id in a schema. List elements and map keys/values appear as pseudo-fields. */
export interface IndexedField {
  readonly field: NestedField;
  /** Full dotted name, with `element`, `key`, `value` segments inside lists and maps. */
  readonly path: string;
  /** Name segments of `path`, for walking rows. */
  readonly segments: readonly string[];
  /** Id of the enclosing field, if any. */
  readonly parentId?: number;
  /** True when some ancestor is a list or map (such fields cannot be partition sources). */
  readonly insideCollection: boolean;
  /** True when some ancestor struct is optional. */
  readonly insideOptional: boolean;
}

export interface SchemaIndex {
  readonly byId: ReadonlyMap<number, IndexedField>;
  readonly byName: ReadonlyMap<string, IndexedField>;
  readonly byLowerName: ReadonlyMap<string, IndexedField>;
}

export function structOf(schema: Schema): StructType {
  return { kind: 'struct', fields: schema.fields };
}

/** Builds id and name indexes; duplicate ids are reported by `validateSchema`, not here. */
export function indexSchema(schema: Schema): SchemaIndex {
  const byId = new Map<number, IndexedField>();
  const byName = new Map<string, IndexedField>();
  const byLowerName = new Map<string, IndexedField>();
  walkFields(schema.fields, (entry) => {
    if (!byId.has(entry.field.id)) byId.set(entry.field.id, entry);
    if (!byName.has(entry.path)) byName.set(entry.path, entry);
    const lower = entry.path.toLowerCase();
    if (!byLowerName.has(lower)) byLowerName.set(lower, entry);
  });
  return { byId, byName, byLowerName };
}

/** Visits every field depth-first, parents before children. */
export function walkFields(fields: readonly NestedField[], visit: (entry: IndexedField) => void): void {
  const walk = (
    field: NestedField,
    segments: readonly string[],
    parentId: number | undefined,
    insideCollection: boolean,
    insideOptional: boolean,
  ): void => {
    visit({
      field,
      path: segments.join('.'),
      segments,
      ...(parentId === undefined ? {} : { parentId }),
      insideCollection,
      insideOptional,
    });
    const type = field.type;
    const childOptional = insideOptional || !field.required;
    if (type.kind === 'struct') {
      for (const child of type.fields)
        walk(child, [...segments, child.name], field.id, insideCollection, childOptional);
    } else if (type.kind === 'list') {
      const element = {
        id: type.elementId,
        name: 'element',
        required: type.elementRequired,
        type: type.element,
      };
      walk(element, [...segments, 'element'], field.id, true, childOptional);
    } else if (type.kind === 'map') {
      walk(
        { id: type.keyId, name: 'key', required: true, type: type.key },
        [...segments, 'key'],
        field.id,
        true,
        childOptional,
      );
      const value = { id: type.valueId, name: 'value', required: type.valueRequired, type: type.value };
      walk(value, [...segments, 'value'], field.id, true, childOptional);
    }
  };
  for (const field of fields) walk(field, [field.name], undefined, false, false);
}

export function findFieldById(schema: Schema, id: number): IndexedField | undefined {
  return indexSchema(schema).byId.get(id);
}

/** Finds a field by dotted path (`address.zip`, `tags.element`). */
export function findFieldByName(
  schema: Schema,
  path: string,
  caseSensitive = true,
): IndexedField | undefined {
  const index = indexSchema(schema);
  return caseSensitive ? index.byName.get(path) : index.byLowerName.get(path.toLowerCase());
}

/** Every field id in the schema, nested ids included. */
export function allFieldIds(schema: Schema): number[] {
  const ids: number[] = [];
  walkFields(schema.fields, (entry) => ids.push(entry.field.id));
  return ids;
}

/** The highest field id in use (0 for an empty schema); new columns get ids above it. */
export function highestFieldId(schema: Schema): number {
  return allFieldIds(schema).reduce((max, id) => Math.max(max, id), 0);
}

/**
 * Keeps the fields whose id is selected, plus the structs leading to them. Selecting a struct,
 * list or map keeps it whole; selecting a field inside a list of structs keeps that list with
 * only the selected struct fields.
 */
export function selectFields(schema: Schema, ids: Iterable<number>): Schema {
  const wanted = new Set(ids);
  const fields = selectFromFields(schema.fields, wanted);
  return {
    schemaId: schema.schemaId,
    fields,
    identifierFieldIds: schema.identifierFieldIds.filter((id) => wanted.has(id)),
  };
}

function selectFromFields(fields: readonly NestedField[], wanted: ReadonlySet<number>): NestedField[] {
  const kept: NestedField[] = [];
  for (const field of fields) {
    if (wanted.has(field.id)) {
      kept.push(field);
      continue;
    }
    const type = selectFromType(field.type, wanted);
    if (type !== undefined) kept.push({ ...field, type });
  }
  return kept;
}

function selectFromType(type: IcebergType, wanted: ReadonlySet<number>): IcebergType | undefined {
  if (type.kind === 'struct') {
    const fields = selectFromFields(type.fields, wanted);
    return fields.length > 0 ? { kind: 'struct', fields } : undefined;
  }
  if (type.kind === 'list') {
    if (wanted.has(type.elementId)) return type;
    const element = selectFromType(type.element, wanted);
    return element === undefined ? undefined : { ...type, element };
  }
  if (type.kind === 'map') {
    if (wanted.has(type.keyId) || wanted.has(type.valueId)) return type;
    const value = selectFromType(type.value, wanted);
    return value === undefined ? undefined : { ...type, value };
  }
  return undefined;
}

/** Structural equality of two types, ids and requiredness included. */
export function typesEqual(a: IcebergType, b: IcebergType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'struct' && b.kind === 'struct') {
    return (
      a.fields.length === b.fields.length &&
      a.fields.every((f, i) => {
        const g = b.fields[i]!;
        return f.id === g.id && f.name === g.name && f.required === g.required && typesEqual(f.type, g.type);
      })
    );
  }
  if (a.kind === 'list' && b.kind === 'list') {
    return (
      a.elementId === b.elementId &&
      a.elementRequired === b.elementRequired &&
      typesEqual(a.element, b.element)
    );
  }
  if (a.kind === 'map' && b.kind === 'map') {
    return (
      a.keyId === b.keyId &&
      a.valueId === b.valueId &&
      a.valueRequired === b.valueRequired &&
      typesEqual(a.key, b.key) &&
      typesEqual(a.value, b.value)
    );
  }
  return typeToString(a) === typeToString(b);
}

/**
 * Whether values of primitive type `from` may be read as (or a column promoted to) `to`:
 * int→long, float→double, decimal(P,S)→decimal(P',S) with P' ≥ P; from v3 also
 * date→timestamp/timestamp_ns. Identical types are trivially allowed.
 */
export function canPromote(from: PrimitiveType, to: PrimitiveType, formatVersion: 1 | 2 | 3 = 2): boolean {
  if (typeToString(from) === typeToString(to)) return true;
  if (from.kind === 'int') return to.kind === 'long';
  if (from.kind === 'float') return to.kind === 'double';
  if (from.kind === 'decimal' && to.kind === 'decimal') {
    const f = from as { precision: number; scale: number };
    const t = to as { precision: number; scale: number };
    return t.scale === f.scale && t.precision >= f.precision;
  }
  if (from.kind === 'date' && formatVersion >= 3)
    return to.kind === 'timestamp' || to.kind === 'timestamp_ns';
  return false;
}

/**
 * Checks what the spec requires of a schema and throws one `invalid-schema` error listing every
 * problem found: ids unique, positive and below the reserved range; names unique within each
 * struct; decimal precision ≤ 38; identifier fields primitive, required, not float/double, and
 * not inside a list, map or optional struct.
 */
export function validateSchema(schema: Schema): void {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  walkFields(schema.fields, (entry) => {
    const { field, path } = entry;
    const previous = seen.get(field.id);
    if (previous !== undefined)
      problems.push(`field id ${field.id} is used by both '${previous}' and '${path}'`);
    else seen.set(field.id, path);
    if (!Number.isInteger(field.id) || field.id < 0 || field.id > MAX_USER_FIELD_ID) {
      problems.push(`field '${path}' has id ${field.id}, outside 0..${MAX_USER_FIELD_ID}`);
    }
    if (field.name.length === 0) problems.push(`a field with id ${field.id} has an empty name`);
    const type = field.type;
    if (type.kind === 'struct') problems.push(...duplicateNames(type.fields, path));
    if (type.kind === 'decimal') {
      const { precision } = type as { precision: number };
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
        problems.push(`field '${path}' has decimal precision ${precision}; it must be 1..38`);
      }
    }
    if (type.kind === 'fixed' && (type as { length: number }).length < 1) {
      problems.push(`field '${path}' has a fixed length below 1`);
    }
  });
  problems.push(...duplicateNames(schema.fields, '<root>'));
  const index = indexSchema(schema);
  for (const id of schema.identifierFieldIds) {
    const entry = index.byId.get(id);
    if (entry === undefined) {
      problems.push(`identifier field id ${id} does not exist in the schema`);
      continue;
    }
    const { field, path } = entry;
    if (!isPrimitive(field.type))
      problems.push(`identifier field '${path}' must be a primitive, not ${typeToString(field.type)}`);
    else if (field.type.kind === 'float' || field.type.kind === 'double') {
      problems.push(`identifier field '${path}' cannot be ${field.type.kind}`);
    }
    if (!field.required) problems.push(`identifier field '${path}' must be required`);
    if (entry.insideCollection) problems.push(`identifier field '${path}' cannot be nested in a list or map`);
    else if (entry.insideOptional)
      problems.push(`identifier field '${path}' cannot be nested in an optional struct`);
  }
  if (problems.length > 0) {
    throw new IcebergError('invalid-schema', `invalid schema ${schema.schemaId}: ${problems.join('; ')}`, {
      context: { schemaId: schema.schemaId, problems: problems.length },
    });
  }
}

function duplicateNames(fields: readonly NestedField[], parentPath: string): string[] {
  const names = new Set<string>();
  const problems: string[] = [];
  for (const field of fields) {
    if (names.has(field.name))
      problems.push(`struct '${parentPath}' has more than one field named '${field.name}'`);
    names.add(field.name);
  }
  return problems;
}
