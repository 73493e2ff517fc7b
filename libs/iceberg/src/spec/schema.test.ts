import { describe, expect, it } from 'vitest';
import {
  allFieldIds,
  canPromote,
  findFieldById,
  findFieldByName,
  highestFieldId,
  indexSchema,
  selectFields,
  structOf,
  typesEqual,
  validateSchema,
} from './schema.ts';
import type { NestedField, Schema } from './types.ts';

const point: NestedField = {
  id: 4,
  name: 'point',
  required: false,
  type: {
    kind: 'struct',
    fields: [
      { id: 5, name: 'x', required: true, type: { kind: 'double' } },
      { id: 6, name: 'y', required: true, type: { kind: 'double' } },
    ],
  },
};

const schema: Schema = {
  schemaId: 1,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'Name', required: false, type: { kind: 'string' } },
    {
      id: 3,
      name: 'tags',
      required: false,
      type: { kind: 'list', elementId: 7, elementRequired: true, element: { kind: 'string' } },
    },
    point,
    {
      id: 8,
      name: 'events',
      required: false,
      type: {
        kind: 'list',
        elementId: 9,
        elementRequired: true,
        element: {
          kind: 'struct',
          fields: [
            { id: 10, name: 'at', required: true, type: { kind: 'timestamptz' } },
            { id: 11, name: 'what', required: false, type: { kind: 'string' } },
          ],
        },
      },
    },
    {
      id: 12,
      name: 'attrs',
      required: false,
      type: {
        kind: 'map',
        keyId: 13,
        key: { kind: 'string' },
        valueId: 14,
        valueRequired: false,
        value: { kind: 'int' },
      },
    },
  ],
};

describe('schema lookups', () => {
  it('finds fields by id and by dotted name', () => {
    expect(findFieldById(schema, 6)?.path).toBe('point.y');
    expect(findFieldById(schema, 6)?.parentId).toBe(4);
    expect(findFieldById(schema, 10)?.path).toBe('events.element.at');
    expect(findFieldById(schema, 10)?.insideCollection).toBe(true);
    expect(findFieldById(schema, 14)?.path).toBe('attrs.value');
    expect(findFieldById(schema, 99)).toBeUndefined();
    expect(findFieldByName(schema, 'point.x')?.field.id).toBe(5);
    expect(findFieldByName(schema, 'name')).toBeUndefined();
    expect(findFieldByName(schema, 'name', false)?.field.id).toBe(2);
    expect(findFieldByName(schema, 'attrs.key')?.field).toEqual({
      id: 13,
      name: 'key',
      required: true,
      type: { kind: 'string' },
    });
    expect(indexSchema(schema).byId.size).toBe(14);
  });

  it('lists ids and the highest id', () => {
    expect(allFieldIds(schema).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    ]);
    expect(highestFieldId(schema)).toBe(14);
    expect(highestFieldId({ schemaId: 0, fields: [], identifierFieldIds: [] })).toBe(0);
    expect(structOf(schema).fields).toBe(schema.fields);
  });
});

describe('selectFields', () => {
  it('keeps selected fields and the structs that lead to them', () => {
    const projected = selectFields(schema, [1, 6, 11]);
    expect(projected.fields.map((f) => f.name)).toEqual(['id', 'point', 'events']);
    expect(projected.fields[1]?.type).toEqual({
      kind: 'struct',
      fields: [{ id: 6, name: 'y', required: true, type: { kind: 'double' } }],
    });
    const events = projected.fields[2]?.type;
    expect(
      events?.kind === 'list' && events.element.kind === 'struct' && events.element.fields.map((f) => f.id),
    ).toEqual([11]);
    expect(projected.identifierFieldIds).toEqual([1]);
  });

  it('keeps a whole struct, list or map when its own id or a child id is selected', () => {
    expect(selectFields(schema, [4]).fields).toEqual([point]);
    expect(selectFields(schema, [7]).fields.map((f) => f.name)).toEqual(['tags']);
    expect(selectFields(schema, [13]).fields[0]?.type).toEqual(schema.fields[5]?.type);
    expect(selectFields(schema, [9]).fields[0]).toEqual(schema.fields[4]);
    expect(selectFields(schema, [2]).identifierFieldIds).toEqual([]);
    expect(selectFields(schema, []).fields).toEqual([]);
  });

  it('prunes inside map values of struct type', () => {
    const s: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [
        {
          id: 1,
          name: 'm',
          required: false,
          type: {
            kind: 'map',
            keyId: 2,
            key: { kind: 'string' },
            valueId: 3,
            valueRequired: false,
            value: {
              kind: 'struct',
              fields: [
                { id: 4, name: 'a', required: false, type: { kind: 'int' } },
                { id: 5, name: 'b', required: false, type: { kind: 'int' } },
              ],
            },
          },
        },
      ],
    };
    const projected = selectFields(s, [5]).fields[0]?.type;
    expect(projected?.kind === 'map' && projected.value).toEqual({
      kind: 'struct',
      fields: [{ id: 5, name: 'b', required: false, type: { kind: 'int' } }],
    });
  });
});

describe('typesEqual and canPromote', () => {
  it('compares types structurally', () => {
    expect(typesEqual(point.type, point.type)).toBe(true);
    expect(typesEqual(schema.fields[2]!.type, schema.fields[4]!.type)).toBe(false);
    expect(
      typesEqual(schema.fields[5]!.type, {
        ...(schema.fields[5]!.type as object),
        valueRequired: true,
      } as never),
    ).toBe(false);
    expect(typesEqual(schema.fields[5]!.type, schema.fields[5]!.type)).toBe(true);
    expect(
      typesEqual({ kind: 'decimal', precision: 9, scale: 2 }, { kind: 'decimal', precision: 10, scale: 2 }),
    ).toBe(false);
    expect(typesEqual({ kind: 'int' }, { kind: 'long' })).toBe(false);
  });

  it('allows only the spec promotions', () => {
    expect(canPromote({ kind: 'int' }, { kind: 'long' })).toBe(true);
    expect(canPromote({ kind: 'long' }, { kind: 'int' })).toBe(false);
    expect(canPromote({ kind: 'float' }, { kind: 'double' })).toBe(true);
    expect(canPromote({ kind: 'double' }, { kind: 'float' })).toBe(false);
    expect(
      canPromote({ kind: 'decimal', precision: 9, scale: 2 }, { kind: 'decimal', precision: 18, scale: 2 }),
    ).toBe(true);
    expect(
      canPromote({ kind: 'decimal', precision: 18, scale: 2 }, { kind: 'decimal', precision: 9, scale: 2 }),
    ).toBe(false);
    expect(
      canPromote({ kind: 'decimal', precision: 9, scale: 2 }, { kind: 'decimal', precision: 18, scale: 3 }),
    ).toBe(false);
    expect(canPromote({ kind: 'string' }, { kind: 'string' })).toBe(true);
    expect(canPromote({ kind: 'int' }, { kind: 'string' })).toBe(false);
    expect(canPromote({ kind: 'date' }, { kind: 'timestamp' })).toBe(false);
    expect(canPromote({ kind: 'date' }, { kind: 'timestamp' }, 3)).toBe(true);
    expect(canPromote({ kind: 'date' }, { kind: 'timestamptz' }, 3)).toBe(false);
  });
});

describe('validateSchema', () => {
  it('accepts a valid schema', () => {
    expect(() => validateSchema(schema)).not.toThrow();
  });

  it('lists every problem in one message', () => {
    const bad: Schema = {
      schemaId: 7,
      identifierFieldIds: [2, 3, 5, 10, 42, 20],
      fields: [
        { id: 1, name: 'a', required: true, type: { kind: 'int' } },
        { id: 1, name: 'a', required: false, type: { kind: 'string' } },
        { id: 3, name: 's', required: true, type: { kind: 'struct', fields: [] } },
        point,
        {
          id: 8,
          name: 'l',
          required: true,
          type: {
            kind: 'list',
            elementId: 9,
            elementRequired: true,
            element: {
              kind: 'struct',
              fields: [{ id: 10, name: 'x', required: true, type: { kind: 'int' } }],
            },
          },
        },
        { id: 2147483647, name: 'big', required: false, type: { kind: 'decimal', precision: 40, scale: 0 } },
        { id: 11, name: '', required: false, type: { kind: 'fixed', length: 0 } },
        {
          id: 12,
          name: 'opt',
          required: false,
          type: { kind: 'struct', fields: [{ id: 20, name: 'z', required: true, type: { kind: 'int' } }] },
        },
      ],
    };
    let message = '';
    try {
      validateSchema(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.startsWith('invalid schema 7: ')).toBe(true);
    for (const part of [
      "field id 1 is used by both 'a' and 'a'",
      "struct '<root>' has more than one field named 'a'",
      "field 'big' has id 2147483647, outside 0..2147483447",
      "field 'big' has decimal precision 40; it must be 1..38",
      'a field with id 11 has an empty name',
      "field '' has a fixed length below 1",
      'identifier field id 2 does not exist in the schema',
      "identifier field 's' must be a primitive, not struct<>",
      "identifier field 'point.x' cannot be double",
      "identifier field 'point.x' cannot be nested in an optional struct",
      "identifier field 'l.element.x' cannot be nested in a list or map",
      'identifier field id 42 does not exist in the schema',
      "identifier field 'opt.z' cannot be nested in an optional struct",
    ]) {
      expect(message).toContain(part);
    }
  });

  it('rejects optional identifier fields and duplicate nested names', () => {
    const s: Schema = {
      schemaId: 0,
      identifierFieldIds: [1],
      fields: [
        { id: 1, name: 'id', required: false, type: { kind: 'long' } },
        {
          id: 2,
          name: 's',
          required: true,
          type: {
            kind: 'struct',
            fields: [
              { id: 3, name: 'x', required: true, type: { kind: 'int' } },
              { id: 4, name: 'x', required: true, type: { kind: 'int' } },
            ],
          },
        },
      ],
    };
    expect(() => validateSchema(s)).toThrow(
      "invalid schema 0: struct 's' has more than one field named 'x'; identifier field 'id' must be required",
    );
  });
});
