import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../metadata/builder.ts';
import { checkRequirements } from '../metadata/requirements.ts';
import { findFieldByName } from '../spec/schema.ts';
import type { Schema } from '../spec/types.ts';
import { eventsSchema, metadataFor, NOW } from './fixtures.test-helper.ts';
import { SchemaUpdate, splitPath } from './update-schema.ts';

const update = (schema: Schema = eventsSchema, lastColumnId = 15) => new SchemaUpdate(schema, lastColumnId);

describe('SchemaUpdate.apply: the commit contract', () => {
  it('returns add-schema + set-current-schema -1 guarded by the base schema id and last column id', () => {
    const result = update().addColumn('note', { kind: 'string' }).apply();
    expect(result.changed).toBe(true);
    expect(result.schema.schemaId).toBe(1);
    expect(result.lastColumnId).toBe(16);
    expect(result.updates).toEqual([
      { action: 'add-schema', schema: result.schema, lastColumnId: 16 },
      { action: 'set-current-schema', schemaId: -1 },
    ]);
    expect(result.requirements).toEqual([
      { type: 'assert-current-schema-id', currentSchemaId: 0 },
      { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 15 },
    ]);
  });

  it('produces updates the metadata builder applies, and requirements that hold on the base', () => {
    const base = metadataFor(eventsSchema);
    const result = update()
      .addColumn('note', { kind: 'string' })
      .widenColumn('count', { kind: 'long' })
      .apply();
    expect(checkRequirements(base, result.requirements)).toEqual([]);
    const next = applyUpdates(base, result.updates, { nowMs: NOW });
    expect(next.currentSchemaId).toBe(1);
    expect(next.lastColumnId).toBe(16);
    const current = next.schemas.find((s) => s.schemaId === next.currentSchemaId)!;
    expect(current.fields).toEqual(result.schema.fields);
  });

  it('fails its requirements when another writer changed the schema first', () => {
    const base = metadataFor(eventsSchema);
    const theirs = update().addColumn('theirs', { kind: 'int' }).apply();
    const moved = applyUpdates(base, theirs.updates, { nowMs: NOW });
    const ours = update().addColumn('ours', { kind: 'int' }).apply();
    expect(checkRequirements(moved, ours.requirements).map((f) => f.requirement.type)).toEqual([
      'assert-current-schema-id',
      'assert-last-assigned-field-id',
    ]);
  });

  it('returns no updates when nothing changed', () => {
    const result = update().widenColumn('id', { kind: 'long' }).makeOptional('amount').apply();
    expect(result).toEqual({
      schema: eventsSchema,
      lastColumnId: 15,
      changed: false,
      updates: [],
      requirements: [],
    });
  });

  it('numbers the new schema above the highest schema id it is told about', () => {
    const result = new SchemaUpdate(eventsSchema, 15, { highestSchemaId: 7 })
      .addColumn('a', { kind: 'int' })
      .apply();
    expect(result.schema.schemaId).toBe(8);
  });

  it('keeps identifier fields', () => {
    expect(update().addColumn('a', { kind: 'int' }).apply().schema.identifierFieldIds).toEqual([1]);
  });
});

describe('SchemaUpdate.addColumn', () => {
  it('adds an optional top-level column with the next id and a doc', () => {
    const schema = update().addColumn('note', { kind: 'string' }, { doc: 'free text' }).apply().schema;
    expect(schema.fields.at(-1)).toEqual({
      id: 16,
      name: 'note',
      required: false,
      type: { kind: 'string' },
      doc: 'free text',
    });
  });

  it('gives a nested type fresh ids: the struct fields first, then their children', () => {
    const schema = update()
      .addColumn('geo', {
        kind: 'struct',
        fields: [
          { id: 0, name: 'lat', required: true, type: { kind: 'double' } },
          {
            id: 0,
            name: 'names',
            required: false,
            type: {
              kind: 'map',
              keyId: 0,
              key: { kind: 'string' },
              valueId: 0,
              valueRequired: false,
              value: { kind: 'list', elementId: 0, elementRequired: false, element: { kind: 'string' } },
            },
          },
        ],
      })
      .apply().schema;
    expect(schema.fields.at(-1)).toEqual({
      id: 16,
      name: 'geo',
      required: false,
      type: {
        kind: 'struct',
        fields: [
          { id: 17, name: 'lat', required: true, type: { kind: 'double' } },
          {
            id: 18,
            name: 'names',
            required: false,
            type: {
              kind: 'map',
              keyId: 19,
              key: { kind: 'string' },
              valueId: 20,
              valueRequired: false,
              value: { kind: 'list', elementId: 21, elementRequired: false, element: { kind: 'string' } },
            },
          },
        ],
      },
    });
  });

  it('adds inside a struct, a list element struct and a map value struct', () => {
    const result = update()
      .addColumn('address.city', { kind: 'string' })
      .addColumn('points.y', { kind: 'int' })
      .addColumn('points.element.z', { kind: 'int' })
      .addColumn(['attrs', 'value', 'w'], { kind: 'long' })
      .addColumn('attrs.u', { kind: 'long' })
      .apply();
    const find = (path: string) => findFieldByName(result.schema, path)?.field;
    expect(find('address.city')).toMatchObject({ id: 16, required: false });
    expect(find('points.element.y')).toMatchObject({ id: 17, type: { kind: 'int' } });
    expect(find('points.element.z')).toMatchObject({ id: 18 });
    expect(find('attrs.value.w')).toMatchObject({ id: 19 });
    expect(find('attrs.value.u')).toMatchObject({ id: 20 });
    expect(result.lastColumnId).toBe(20);
  });

  it('starts ids above the table last-column-id, not the highest id in the schema', () => {
    expect(
      new SchemaUpdate(eventsSchema, 40).addColumn('a', { kind: 'int' }).apply().schema.fields.at(-1)?.id,
    ).toBe(41);
  });

  it('adds a required column with an initial default on format v3', () => {
    const schema = new SchemaUpdate(eventsSchema, 15, { formatVersion: 3 })
      .addColumn('region', { kind: 'string' }, { required: true, initialDefault: 'eu' })
      .apply().schema;
    expect(schema.fields.at(-1)).toEqual({
      id: 16,
      name: 'region',
      required: true,
      type: { kind: 'string' },
      initialDefault: 'eu',
      writeDefault: 'eu',
    });
  });

  it('refuses a required column without a default', () => {
    expect(() => update().addColumn('region', { kind: 'string' }, { required: true })).toThrow(
      "cannot add required column 'region': existing rows have no value for it; add it as optional, or give it an initial default (format version 3)",
    );
  });

  it('refuses a default below format v3', () => {
    expect(() => update().addColumn('region', { kind: 'string' }, { initialDefault: 'eu' })).toThrow(
      "cannot add column 'region' with a default: column defaults need table format version 3 (this table is v2)",
    );
  });

  it('refuses a duplicate name at the top level and inside a struct', () => {
    expect(() => update().addColumn('amount', { kind: 'string' })).toThrow(
      "cannot add column 'amount': the table already has a field named 'amount'",
    );
    expect(() => update().addColumn('address.zip', { kind: 'string' })).toThrow(
      "cannot add column 'address.zip': 'address' already has a field named 'zip'",
    );
  });

  it('refuses an unknown parent, a parent that is not a struct, and an empty name', () => {
    expect(() => update().addColumn('nowhere.zip', { kind: 'string' })).toThrow(
      "cannot change 'nowhere.zip': no column 'nowhere' in the schema",
    );
    expect(() => update().addColumn('tags.zip', { kind: 'string' })).toThrow(
      "cannot add column 'tags.zip': 'tags' is list<string>, not a struct (or a list or map of structs)",
    );
    expect(() => update().addColumn('amount.zip', { kind: 'string' })).toThrow(
      "cannot add column 'amount.zip': 'amount' is decimal(10,2), not a struct (or a list or map of structs)",
    );
    expect(() => update().addColumn('address.', { kind: 'string' })).toThrow(
      "cannot add a column with an empty name ('address.')",
    );
  });

  it('reports errors as invalid-argument IcebergErrors naming the column', () => {
    try {
      update().addColumn('amount', { kind: 'string' });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        kind: 'invalid-argument',
        retryable: false,
        context: { column: 'amount' },
      });
    }
  });
});

describe('SchemaUpdate.widenColumn', () => {
  it('widens int→long, float→double and decimal precision, in place and keeping ids', () => {
    const schema = update()
      .widenColumn('count', { kind: 'long' })
      .widenColumn('ratio', { kind: 'double' })
      .widenColumn('amount', { kind: 'decimal', precision: 18, scale: 2 })
      .widenColumn('points.element.x', { kind: 'long' })
      .apply().schema;
    expect(schema.fields.slice(1, 4)).toEqual([
      { id: 2, name: 'amount', required: false, type: { kind: 'decimal', precision: 18, scale: 2 } },
      { id: 3, name: 'count', required: true, type: { kind: 'long' } },
      { id: 4, name: 'ratio', required: false, type: { kind: 'double' } },
    ]);
    expect(findFieldByName(schema, 'points.element.x')?.field).toMatchObject({
      id: 9,
      type: { kind: 'long' },
    });
  });

  it('widens a list element and a map value', () => {
    const schema: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [
        {
          id: 1,
          name: 'l',
          required: false,
          type: { kind: 'list', elementId: 2, elementRequired: false, element: { kind: 'int' } },
        },
        {
          id: 3,
          name: 'm',
          required: false,
          type: {
            kind: 'map',
            keyId: 4,
            key: { kind: 'int' },
            valueId: 5,
            valueRequired: true,
            value: { kind: 'float' },
          },
        },
      ],
    };
    const result = new SchemaUpdate(schema, 5)
      .widenColumn('l.element', { kind: 'long' })
      .widenColumn('m.value', { kind: 'double' })
      .apply();
    expect(result.schema.fields[0]?.type).toMatchObject({ elementId: 2, element: { kind: 'long' } });
    expect(result.schema.fields[1]?.type).toMatchObject({
      valueId: 5,
      valueRequired: true,
      value: { kind: 'double' },
    });
    expect(() => new SchemaUpdate(schema, 5).widenColumn('m.key', { kind: 'long' })).toThrow(
      "cannot change the type of 'm.key': map keys cannot be changed",
    );
  });

  it('refuses narrowing, incompatible types, nested columns and precision over 38', () => {
    expect(() => update().widenColumn('id', { kind: 'int' })).toThrow(
      "cannot change column 'id' from long to int: that would narrow it, and existing values might not fit; only int→long, float→double and decimal precision increases (same scale) are allowed",
    );
    expect(() => update().widenColumn('count', { kind: 'string' })).toThrow(
      "cannot change column 'count' from int to string: the types are not compatible; only int→long, float→double and decimal precision increases (same scale) are allowed",
    );
    expect(() => update().widenColumn('amount', { kind: 'decimal', precision: 12, scale: 3 })).toThrow(
      "cannot change column 'amount' from decimal(10,2) to decimal(12,3): the types are not compatible",
    );
    expect(() => update().widenColumn('address', { kind: 'string' })).toThrow(
      "cannot change column 'address' to string: it is a struct, and only primitive columns can change type",
    );
    expect(() => update().widenColumn('amount', { kind: 'decimal', precision: 39, scale: 2 })).toThrow(
      "cannot change column 'amount' to decimal(39,2): decimal precision is at most 38",
    );
    expect(() => update().widenColumn('nope', { kind: 'long' })).toThrow("no column 'nope' in the schema");
    expect(() => update().widenColumn('', { kind: 'long' })).toThrow("no column '' in the schema");
  });

  it('allows date→timestamp only from format v3', () => {
    const schema: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [{ id: 1, name: 'd', required: false, type: { kind: 'date' } }],
    };
    expect(() => new SchemaUpdate(schema, 1).widenColumn('d', { kind: 'timestamp' })).toThrow(
      "cannot change column 'd' from date to timestamp",
    );
    const v3 = new SchemaUpdate(schema, 1, { formatVersion: 3 })
      .widenColumn('d', { kind: 'timestamp' })
      .apply();
    expect(v3.schema.fields[0]?.type).toEqual({ kind: 'timestamp' });
  });
});

describe('SchemaUpdate.makeOptional, renameColumn, updateDoc', () => {
  it('makes a column, a list element and a map value optional', () => {
    const schema = update()
      .makeOptional('count')
      .makeOptional('tags.element')
      .makeOptional('attrs.value')
      .apply().schema;
    expect(findFieldByName(schema, 'count')?.field.required).toBe(false);
    expect(schema.fields[4]?.type).toMatchObject({ elementId: 6, elementRequired: false });
    expect(schema.fields[6]?.type).toMatchObject({ valueId: 12, valueRequired: false });
  });

  it('refuses to make an identifier field or a map key optional', () => {
    expect(() => update().makeOptional('id')).toThrow(
      "cannot make column 'id' optional: it is an identifier field, and identifier fields must be required",
    );
    expect(() => update().makeOptional('attrs.key')).toThrow(
      "cannot make optional 'attrs.key': map keys cannot be changed",
    );
  });

  it('renames top-level and nested columns, keeping ids', () => {
    const schema = update()
      .renameColumn('amount', 'total')
      .renameColumn('points.element.x', 'px')
      .renameColumn('address.zip', 'zip')
      .apply().schema;
    expect(findFieldByName(schema, 'total')?.field.id).toBe(2);
    expect(findFieldByName(schema, 'points.element.px')?.field.id).toBe(9);
    expect(findFieldByName(schema, 'amount')).toBeUndefined();
  });

  it('refuses renames onto existing names, of unknown columns, to empty names and of element/key/value', () => {
    expect(() => update().renameColumn('amount', 'count')).toThrow(
      "cannot rename column 'amount' to 'count': a field with that name already exists there",
    );
    expect(() => update().renameColumn('nope', 'x')).toThrow("cannot rename column 'nope': no such column");
    expect(() => update().renameColumn('amount', '')).toThrow(
      "cannot rename column 'amount' to an empty name",
    );
    expect(() => update().renameColumn('tags.element', 'item')).toThrow(
      "cannot rename 'tags.element': list elements and map keys/values have fixed names",
    );
    expect(() => update().renameColumn('attrs.value', 'val')).toThrow(
      "cannot rename 'attrs.value': list elements and map keys/values have fixed names",
    );
  });

  it('sets and removes docs', () => {
    const withDoc = update().updateDoc('amount', 'in EUR').apply();
    expect(withDoc.schema.fields[1]).toEqual({
      id: 2,
      name: 'amount',
      required: false,
      type: { kind: 'decimal', precision: 10, scale: 2 },
      doc: 'in EUR',
    });
    const removed = new SchemaUpdate(withDoc.schema, 15).updateDoc('amount', undefined).apply();
    expect(removed.schema.fields[1]).not.toHaveProperty('doc');
    expect(new SchemaUpdate(withDoc.schema, 15).updateDoc('amount', 'in EUR').hasChanges).toBe(false);
  });

  it('applies changes in order, so a renamed column is found by its new name', () => {
    const result = update().renameColumn('count', 'n').widenColumn('n', { kind: 'long' }).apply();
    expect(result.schema.fields[2]).toEqual({ id: 3, name: 'n', required: true, type: { kind: 'long' } });
    expect(update().renameColumn('count', 'n').currentFields[2]?.name).toBe('n');
  });
});

describe('splitPath', () => {
  it('splits dotted strings and copies arrays (for names with dots)', () => {
    expect(splitPath('a.b.c')).toEqual(['a', 'b', 'c']);
    expect(splitPath(['a.b', 'c'])).toEqual(['a.b', 'c']);
  });
});
