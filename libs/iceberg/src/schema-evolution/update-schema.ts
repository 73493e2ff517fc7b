// The update-schema table action: a builder over the table's current schema that adds columns
// (top level or inside structs, list elements and map values), widens primitive types the way
// the spec allows (int→long, float→double, decimal precision up), makes columns optional,
// renames them and changes their docs. Every change is checked when it is requested, so the
// error names the call at fault; `apply()` validates the result and returns the new schema with
// the commit contract every table action shares: `add-schema` + `set-current-schema -1`,
// guarded by the current schema id and the last assigned field id the change was based on (a
// concurrent schema change then fails the commit instead of reusing our new field ids).
//
// Paths are dotted strings or segment arrays (use arrays when a name contains a dot). Inside a
// list the element is `element`; inside a map the key and value are `key` and `value`, the
// names `indexSchema` uses. When the parent given to `addColumn` is a list or a map, the column
// goes into the struct of its element or value.

import type { TableRequirement, TableUpdate } from '../metadata/updates.ts';
import { LAST_ADDED } from '../metadata/updates.ts';
import { canPromote, validateSchema } from '../spec/schema.ts';
import { MAX_DECIMAL_PRECISION, typeToString } from '../spec/type-json.ts';
import type { IcebergType, NestedField, PrimitiveType, Schema } from '../spec/types.ts';
import { isPrimitive } from '../spec/types.ts';
import {
  type ColumnPath,
  rewriteField,
  rewriteStructIn,
  splitPath,
  typeAt,
  updateError,
} from './schema-paths.ts';

export type { ColumnPath } from './schema-paths.ts';
export { splitPath } from './schema-paths.ts';

export interface SchemaUpdateOptions {
  /** Table format version; decides whether column defaults and date→timestamp are allowed. Default 2. */
  readonly formatVersion?: 1 | 2 | 3;
  /** Highest schema id in the table metadata (the new schema's id is one above). Default: the base's id. */
  readonly highestSchemaId?: number;
}

export interface AddColumnOptions {
  readonly required?: boolean;
  readonly doc?: string;
  /** Value (JSON single-value form) for rows written before the column existed; format v3 only. */
  readonly initialDefault?: unknown;
}

/** `{ updates, requirements }`: what every table action hands to the commit path. */
export interface TableChange {
  readonly updates: readonly TableUpdate[];
  readonly requirements: readonly TableRequirement[];
}

export interface SchemaUpdateResult extends TableChange {
  /** The new schema, or the base schema when nothing changed. */
  readonly schema: Schema;
  /** The table's last-column-id after the change. */
  readonly lastColumnId: number;
  /** False when every requested change was a no-op; `updates` and `requirements` are then empty. */
  readonly changed: boolean;
}

const PSEUDO_NAMES: ReadonlySet<string> = new Set(['element', 'key', 'value']);

export class SchemaUpdate {
  readonly #base: Schema;
  readonly #baseLastColumnId: number;
  readonly #formatVersion: 1 | 2 | 3;
  readonly #highestSchemaId: number;
  #fields: readonly NestedField[];
  #lastColumnId: number;
  #changed = false;

  constructor(base: Schema, lastColumnId: number, options: SchemaUpdateOptions = {}) {
    this.#base = base;
    this.#baseLastColumnId = lastColumnId;
    this.#lastColumnId = lastColumnId;
    this.#fields = base.fields;
    this.#formatVersion = options.formatVersion ?? 2;
    this.#highestSchemaId = Math.max(options.highestSchemaId ?? base.schemaId, base.schemaId);
  }

  /** The schema as changed so far (not validated; `apply()` validates). */
  get currentFields(): readonly NestedField[] {
    return this.#fields;
  }

  get hasChanges(): boolean {
    return this.#changed;
  }

  /**
   * Adds a column at `path` (its last segment is the new name). Nested types get fresh ids for
   * every inner field, whatever ids `type` carries. New columns are optional unless
   * `required` is set, which needs an `initialDefault` (format v3) so existing rows have a value.
   */
  addColumn(path: ColumnPath, type: IcebergType, options: AddColumnOptions = {}): this {
    const segments = splitPath(path);
    const name = segments[segments.length - 1];
    const parent = segments.slice(0, -1);
    const display = segments.join('.');
    if (name === undefined || name === '') {
      throw updateError(`cannot add a column with an empty name ('${display}')`, display);
    }
    if (options.required === true && options.initialDefault === undefined) {
      throw updateError(
        `cannot add required column '${display}': existing rows have no value for it; add it as optional, or give it an initial default (format version 3)`,
        display,
      );
    }
    if (options.initialDefault !== undefined && this.#formatVersion < 3) {
      throw updateError(
        `cannot add column '${display}' with a default: column defaults need table format version 3 (this table is v${this.#formatVersion})`,
        display,
      );
    }
    this.#fields = this.#updateStructAt(parent, display, (fields) => {
      if (fields.some((field) => field.name === name)) {
        throw updateError(
          `cannot add column '${display}': ${parent.length === 0 ? 'the table' : `'${parent.join('.')}'`} already has a field named '${name}'`,
          display,
        );
      }
      const id = this.#assignId();
      const added: NestedField = {
        id,
        name,
        required: options.required === true,
        type: this.#freshIds(type),
        ...(options.doc === undefined ? {} : { doc: options.doc }),
        ...(options.initialDefault === undefined
          ? {}
          : { initialDefault: options.initialDefault, writeDefault: options.initialDefault }),
      };
      return [...fields, added];
    });
    this.#changed = true;
    return this;
  }

  /**
   * Changes a primitive column to a wider type: int→long, float→double, decimal(P,S)→decimal(P',S)
   * with P' > P (and date→timestamp from format v3). Asking for the current type is a no-op.
   */
  widenColumn(path: ColumnPath, to: PrimitiveType): this {
    const display = splitPath(path).join('.');
    return this.#updateField(path, 'change the type of', (field) => {
      const from = field.type;
      if (!isPrimitive(from)) {
        throw updateError(
          `cannot change column '${display}' to ${typeToString(to)}: it is a ${from.kind}, and only primitive columns can change type`,
          display,
        );
      }
      if (typeToString(from) === typeToString(to)) return field;
      if (to.kind === 'decimal' && to.precision > MAX_DECIMAL_PRECISION) {
        throw updateError(
          `cannot change column '${display}' to ${typeToString(to)}: decimal precision is at most ${MAX_DECIMAL_PRECISION}`,
          display,
        );
      }
      if (!canPromote(from, to, this.#formatVersion)) {
        const why = canPromote(to, from, this.#formatVersion)
          ? 'that would narrow it, and existing values might not fit'
          : 'the types are not compatible';
        throw updateError(
          `cannot change column '${display}' from ${typeToString(from)} to ${typeToString(to)}: ${why}; only int→long, float→double and decimal precision increases (same scale) are allowed`,
          display,
        );
      }
      return { ...field, type: to };
    });
  }

  /** Makes a required column (or list element, or map value) optional; already optional is a no-op. */
  makeOptional(path: ColumnPath): this {
    const display = splitPath(path).join('.');
    return this.#updateField(path, 'make optional', (field) => {
      if (!field.required) return field;
      if (this.#base.identifierFieldIds.includes(field.id)) {
        throw updateError(
          `cannot make column '${display}' optional: it is an identifier field, and identifier fields must be required`,
          display,
        );
      }
      return { ...field, required: false };
    });
  }

  renameColumn(path: ColumnPath, newName: string): this {
    const segments = splitPath(path);
    const display = segments.join('.');
    if (newName === '') throw updateError(`cannot rename column '${display}' to an empty name`, display);
    const last = segments[segments.length - 1] ?? '';
    if (segments.length > 1 && PSEUDO_NAMES.has(last) && this.#isPseudo(segments)) {
      throw updateError(
        `cannot rename '${display}': list elements and map keys/values have fixed names`,
        display,
      );
    }
    const parent = segments.slice(0, -1);
    this.#fields = this.#updateStructAt(parent, display, (fields) => {
      const index = fields.findIndex((field) => field.name === last);
      if (index < 0) throw updateError(`cannot rename column '${display}': no such column`, display);
      if (last === newName) return fields;
      if (fields.some((field) => field.name === newName)) {
        throw updateError(
          `cannot rename column '${display}' to '${newName}': a field with that name already exists there`,
          display,
        );
      }
      this.#changed = true;
      return fields.map((field, i) => (i === index ? { ...field, name: newName } : field));
    });
    return this;
  }

  /** Sets (or with `undefined`, removes) a column's doc string. */
  updateDoc(path: ColumnPath, doc: string | undefined): this {
    return this.#updateField(path, 'document', (field) => {
      if (field.doc === doc) return field;
      const { doc: _old, ...rest } = field;
      return doc === undefined ? rest : { ...rest, doc };
    });
  }

  /** The new schema and the updates and requirements that commit it. */
  apply(): SchemaUpdateResult {
    if (!this.#changed) {
      return {
        schema: this.#base,
        lastColumnId: this.#baseLastColumnId,
        changed: false,
        updates: [],
        requirements: [],
      };
    }
    const schema: Schema = {
      schemaId: this.#highestSchemaId + 1,
      fields: this.#fields,
      identifierFieldIds: this.#base.identifierFieldIds,
    };
    validateSchema(schema);
    return {
      schema,
      lastColumnId: this.#lastColumnId,
      changed: true,
      updates: [
        { action: 'add-schema', schema, lastColumnId: this.#lastColumnId },
        { action: 'set-current-schema', schemaId: LAST_ADDED },
      ],
      requirements: [
        { type: 'assert-current-schema-id', currentSchemaId: this.#base.schemaId },
        { type: 'assert-last-assigned-field-id', lastAssignedFieldId: this.#baseLastColumnId },
      ],
    };
  }

  #assignId(): number {
    this.#lastColumnId += 1;
    return this.#lastColumnId;
  }

  /** Same shape, new ids: the struct's own fields first, then their children (like Java). */
  #freshIds(type: IcebergType): IcebergType {
    switch (type.kind) {
      case 'struct': {
        const ids = type.fields.map(() => this.#assignId());
        return {
          kind: 'struct',
          fields: type.fields.map((field, i) => ({
            ...field,
            id: ids[i]!,
            type: this.#freshIds(field.type),
          })),
        };
      }
      case 'list': {
        const elementId = this.#assignId();
        return { ...type, elementId, element: this.#freshIds(type.element) };
      }
      case 'map': {
        const keyId = this.#assignId();
        const valueId = this.#assignId();
        return { ...type, keyId, valueId, key: this.#freshIds(type.key), value: this.#freshIds(type.value) };
      }
      default:
        return type;
    }
  }

  #updateField(path: ColumnPath, verb: string, change: (field: NestedField) => NestedField): this {
    const segments = splitPath(path);
    const display = segments.join('.');
    const name = segments[segments.length - 1];
    if (name === undefined) throw updateError(`cannot ${verb} a column: the path is empty`, display);
    if (segments.length > 1 && name === 'key' && this.#isPseudo(segments)) {
      throw updateError(`cannot ${verb} '${display}': map keys cannot be changed`, display);
    }
    const next = rewriteField(this.#fields, segments, display, (field) => {
      const updated = change(field);
      if (updated !== field) this.#changed = true;
      return updated;
    });
    this.#fields = next;
    return this;
  }

  /** Applies `change` to the fields of the struct at `parent` (the root when empty). */
  #updateStructAt(
    parent: readonly string[],
    display: string,
    change: (fields: readonly NestedField[]) => readonly NestedField[],
  ): readonly NestedField[] {
    if (parent.length === 0) return change(this.#fields);
    const parentDisplay = parent.join('.');
    return rewriteField(this.#fields, parent, display, (field) => ({
      ...field,
      type: rewriteStructIn(field.type, parentDisplay, display, change),
    }));
  }

  /** True when the last segment of `segments` names a list element or map key/value. */
  #isPseudo(segments: readonly string[]): boolean {
    const parentType = typeAt(this.#fields, segments.slice(0, -1));
    const last = segments[segments.length - 1];
    if (parentType?.kind === 'list') return last === 'element';
    if (parentType?.kind === 'map') return last === 'key' || last === 'value';
    return false;
  }
}
