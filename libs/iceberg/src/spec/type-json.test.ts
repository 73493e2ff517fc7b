import { describe, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import { parseJson } from '../util/json.ts';
import {
  parsePrimitiveType,
  parseSchema,
  parseType,
  schemaToJson,
  typeToJson,
  typeToString,
} from './type-json.ts';

const schemaJson = {
  type: 'struct',
  'schema-id': 3,
  'identifier-field-ids': [1],
  fields: [
    { id: 1, name: 'id', required: true, type: 'long', doc: 'primary key' },
    {
      id: 2,
      name: 'price',
      required: false,
      type: 'decimal(9,2)',
      'initial-default': '0.00',
      'write-default': '1.00',
    },
    { id: 3, name: 'hash', required: false, type: 'fixed[16]' },
    {
      id: 4,
      name: 'tags',
      required: false,
      type: { type: 'list', 'element-id': 5, 'element-required': true, element: 'string' },
    },
    {
      id: 6,
      name: 'attrs',
      required: false,
      type: {
        type: 'map',
        'key-id': 7,
        key: 'string',
        'value-id': 8,
        'value-required': false,
        value: 'double',
      },
    },
    {
      id: 9,
      name: 'loc',
      required: false,
      type: { type: 'struct', fields: [{ id: 10, name: 'lat', required: true, type: 'float' }] },
    },
  ],
};

function errorOf(fn: () => unknown): IcebergError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IcebergError) return error;
    throw error;
  }
  throw new Error('expected an IcebergError');
}

describe('type JSON', () => {
  it('parses every primitive type string', () => {
    for (const name of [
      'boolean',
      'int',
      'long',
      'float',
      'double',
      'date',
      'time',
      'timestamp',
      'timestamptz',
      'timestamp_ns',
      'timestamptz_ns',
      'string',
      'uuid',
      'binary',
    ]) {
      expect(parsePrimitiveType(name)).toEqual({ kind: name });
    }
    expect(parsePrimitiveType('decimal(9,2)')).toEqual({ kind: 'decimal', precision: 9, scale: 2 });
    expect(parsePrimitiveType('decimal(9, 2)')).toEqual({ kind: 'decimal', precision: 9, scale: 2 });
    expect(parsePrimitiveType('fixed[16]')).toEqual({ kind: 'fixed', length: 16 });
  });

  it('round-trips a schema through JSON', () => {
    const schema = parseSchema(schemaJson);
    expect(schema.schemaId).toBe(3);
    expect(schema.identifierFieldIds).toEqual([1]);
    expect(schema.fields[0]).toEqual({
      id: 1,
      name: 'id',
      required: true,
      type: { kind: 'long' },
      doc: 'primary key',
    });
    expect(schema.fields[1]?.initialDefault).toBe('0.00');
    expect(schemaToJson(schema)).toEqual(schemaJson);
  });

  it('reads ids that the BigInt-safe parser produced', () => {
    const schema = parseSchema(
      parseJson(
        '{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"a","required":true,"type":"int"}]}',
      ),
    );
    expect(schema.fields[0]?.id).toBe(1);
    expect(parseType({ type: 'list', 'element-id': 2n, 'element-required': false, element: 'int' })).toEqual({
      kind: 'list',
      elementId: 2,
      elementRequired: false,
      element: { kind: 'int' },
    });
  });

  it('defaults a missing schema-id to 0 and omits empty identifier ids when writing', () => {
    const schema = parseSchema({ type: 'struct', fields: [] });
    expect(schema).toEqual({ schemaId: 0, fields: [], identifierFieldIds: [] });
    expect(schemaToJson(schema)).toEqual({ type: 'struct', 'schema-id': 0, fields: [] });
  });

  it('prints types compactly for messages', () => {
    const schema = parseSchema(schemaJson);
    expect(schema.fields.map((f) => typeToString(f.type))).toEqual([
      'long',
      'decimal(9,2)',
      'fixed[16]',
      'list<string>',
      'map<string, double>',
      'struct<lat: float>',
    ]);
    expect(typeToJson({ kind: 'timestamptz' })).toBe('timestamptz');
  });
});

describe('type JSON errors name the path of the bad field', () => {
  it('unknown primitive deep inside a struct in a list', () => {
    const json = {
      type: 'struct',
      'schema-id': 0,
      fields: [
        {
          id: 1,
          name: 'events',
          required: false,
          type: {
            type: 'list',
            'element-id': 2,
            'element-required': true,
            element: { type: 'struct', fields: [{ id: 3, name: 'when', required: true, type: 'timestmap' }] },
          },
        },
      ],
    };
    const error = errorOf(() => parseSchema(json));
    expect(error.kind).toBe('invalid-schema');
    expect(error.message).toBe("invalid schema at events.element.when: unknown Iceberg type 'timestmap'");
    expect(error.context['path']).toBe('events.element.when');
  });

  it('reports each kind of malformed input', () => {
    const field = (over: Record<string, unknown>) => ({
      type: 'struct',
      fields: [{ id: 1, name: 'a', required: true, type: 'int', ...over }],
    });
    expect(() => parseSchema(field({ id: 'x' }))).toThrow(
      "invalid schema at a (id): expected a 32-bit integer, got 'x'",
    );
    expect(() => parseSchema(field({ id: 2 ** 40 }))).toThrow('expected a 32-bit integer, got 1099511627776');
    expect(() => parseSchema(field({ required: 'yes' }))).toThrow(
      "invalid schema at a: field needs a boolean 'required', got 'yes'",
    );
    expect(() => parseSchema(field({ name: '' }))).toThrow(
      "invalid schema at schema.fields[0]: field needs a non-empty string 'name', got ''",
    );
    expect(() => parseSchema(field({ type: undefined }))).toThrow(
      'invalid schema at a: expected a type string or object, got nothing',
    );
    expect(() => parseSchema({ type: 'struct', fields: [{ id: 1, name: 'a', required: true }] })).toThrow(
      "invalid schema at a: field 1 has no 'type'",
    );
    expect(() => parseSchema(field({ doc: 5 }))).toThrow(
      "invalid schema at a: 'doc' must be a string, got 5",
    );
    expect(() => parseSchema(field({ type: 'decimal(39,2)' }))).toThrow(
      "invalid schema at a: decimal precision must be between 1 and 38, got 39 in 'decimal(39,2)'",
    );
    expect(() => parseSchema(field({ type: 'fixed[0]' }))).toThrow(
      "fixed length must be positive, got 'fixed[0]'",
    );
    expect(() => parseSchema(field({ type: { type: 'set' } }))).toThrow(
      "invalid schema at a: unknown nested type 'set'; expected struct, list or map",
    );
    expect(() => parseSchema(field({ type: { type: 'list', 'element-id': 2, element: 'int' } }))).toThrow(
      "list needs a boolean 'element-required', got nothing",
    );
    expect(() =>
      parseSchema(field({ type: { type: 'map', 'key-id': 2, key: 'int', 'value-id': 3, value: 'int' } })),
    ).toThrow("map needs a boolean 'value-required', got nothing");
    expect(() => parseSchema(field({ type: { type: 'struct' } }))).toThrow(
      "struct needs a 'fields' list, got nothing",
    );
    expect(() => parseSchema({ type: 'struct', fields: [5] })).toThrow(
      'invalid schema at schema.fields[0]: expected a field object, got 5',
    );
    expect(() => parseSchema([])).toThrow('invalid schema at schema: expected an object, got a list');
    expect(() => parseSchema({ type: 'list', fields: [] })).toThrow("expected type 'struct', got 'list'");
    expect(() => parseSchema({ type: 'struct', fields: [], 'identifier-field-ids': 1 })).toThrow(
      'invalid schema at schema.identifier-field-ids: expected a list of field ids, got 1',
    );
    expect(() => parseType(null)).toThrow('expected a type string or object, got null');
    expect(() => parseType({})).toThrow('unknown nested type nothing');
  });

  it('says which v3 types are not supported yet', () => {
    const error = errorOf(() =>
      parseSchema({ type: 'struct', fields: [{ id: 1, name: 'v', required: false, type: 'variant' }] }),
    );
    expect(error.kind).toBe('unsupported');
    expect(error.message).toBe("v: Iceberg type 'variant' is not supported by floe yet");
  });
});
