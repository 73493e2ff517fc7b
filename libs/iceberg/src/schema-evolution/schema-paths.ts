// Path plumbing for schema updates: split a column path, find the type at a path, and rebuild
// an immutable field tree with one field (or one struct's field list) replaced. List elements
// and map keys/values are addressed as pseudo-fields named `element`, `key` and `value`, the
// names `indexSchema` gives them, so one walker serves structs, lists and maps alike.

import { IcebergError } from '../errors.ts';
import { typeToString } from '../spec/type-json.ts';
import type { IcebergType, NestedField } from '../spec/types.ts';

export type ColumnPath = string | readonly string[];

export function splitPath(path: ColumnPath): string[] {
  return typeof path === 'string' ? path.split('.') : [...path];
}

export function updateError(message: string, column: string): IcebergError {
  return new IcebergError('invalid-argument', message, { context: { column } });
}

/** The type at `segments` in the current fields, or undefined when the path does not resolve. */
export function typeAt(fields: readonly NestedField[], segments: readonly string[]): IcebergType | undefined {
  let type: IcebergType = { kind: 'struct', fields };
  for (const segment of segments) {
    const child = childOf(type, segment);
    if (child === undefined) return undefined;
    type = child.type;
  }
  return type;
}

/** The named child of a nested type: struct fields by name, list `element`, map `key`/`value`. */
function childOf(type: IcebergType, name: string): NestedField | undefined {
  if (type.kind === 'struct') return type.fields.find((field) => field.name === name);
  if (type.kind === 'list' && name === 'element') {
    return { id: type.elementId, name, required: type.elementRequired, type: type.element };
  }
  if (type.kind === 'map' && name === 'key') return { id: type.keyId, name, required: true, type: type.key };
  if (type.kind === 'map' && name === 'value') {
    return { id: type.valueId, name, required: type.valueRequired, type: type.value };
  }
  return undefined;
}

/** Rebuilds `fields` with the field at `segments` replaced by `change(field)`. */
export function rewriteField(
  fields: readonly NestedField[],
  segments: readonly string[],
  display: string,
  change: (field: NestedField) => NestedField,
): readonly NestedField[] {
  const root = rewriteChild({ kind: 'struct', fields }, segments, 0, display, change);
  return (root as { fields: readonly NestedField[] }).fields;
}

function rewriteChild(
  type: IcebergType,
  segments: readonly string[],
  depth: number,
  display: string,
  change: (field: NestedField) => NestedField,
): IcebergType {
  const name = segments[depth]!;
  const child = childOf(type, name);
  if (child === undefined) {
    const at = segments.slice(0, depth + 1).join('.');
    throw updateError(
      at === display
        ? `no column '${display}' in the schema`
        : `cannot change '${display}': no column '${at}' in the schema`,
      display,
    );
  }
  const updated =
    depth === segments.length - 1
      ? change(child)
      : { ...child, type: rewriteChild(child.type, segments, depth + 1, display, change) };
  if (updated === child) return type;
  if (type.kind === 'struct') {
    return { kind: 'struct', fields: type.fields.map((field) => (field.name === name ? updated : field)) };
  }
  if (type.kind === 'list') return { ...type, elementRequired: updated.required, element: updated.type };
  // map: childOf only resolves key/value; keys are refused before we get here
  const map = type as Extract<IcebergType, { kind: 'map' }>;
  return name === 'key'
    ? { ...map, key: updated.type }
    : { ...map, valueRequired: updated.required, value: updated.type };
}

/** Applies `change` to the struct a new column goes into: the type itself, or a list's element / map's value struct. */
export function rewriteStructIn(
  type: IcebergType,
  parentDisplay: string,
  display: string,
  change: (fields: readonly NestedField[]) => readonly NestedField[],
  parentType: IcebergType = type,
): IcebergType {
  if (type.kind === 'struct') return { kind: 'struct', fields: change(type.fields) };
  if (type.kind === 'list') {
    return { ...type, element: rewriteStructIn(type.element, parentDisplay, display, change, parentType) };
  }
  if (type.kind === 'map') {
    return { ...type, value: rewriteStructIn(type.value, parentDisplay, display, change, parentType) };
  }
  throw updateError(
    `cannot add column '${display}': '${parentDisplay}' is ${typeToString(parentType)}, not a struct (or a list or map of structs)`,
    display,
  );
}
