import {
  Field as ArrowField,
  Schema as ArrowSchema,
  Float64,
  Int64,
  List,
  Struct,
  Uint64,
  Utf8,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../metadata/builder.ts';
import { findFieldByName } from '../spec/schema.ts';
import type { Schema } from '../spec/types.ts';
import { eventsSchema, metadataFor, NOW } from './fixtures.test-helper.ts';
import { SchemaMismatchError } from './schema-mismatch-error.ts';
import { unionByName } from './union-by-name.ts';

const schema = (...fields: Schema['fields']): Schema => ({ schemaId: 0, identifierFieldIds: [], fields });

describe('unionByName with an Iceberg schema', () => {
  it('adds missing columns as optional, widens narrower table types, keeps table-only columns', () => {
    const incoming = schema(
      { id: 100, name: 'count', required: true, type: { kind: 'long' } },
      { id: 101, name: 'ratio', required: false, type: { kind: 'double' } },
      { id: 102, name: 'amount', required: false, type: { kind: 'decimal', precision: 20, scale: 2 } },
      { id: 103, name: 'country', required: true, type: { kind: 'string' }, doc: 'ISO code' },
      {
        id: 104,
        name: 'points',
        required: false,
        type: {
          kind: 'list',
          elementId: 105,
          elementRequired: false,
          element: {
            kind: 'struct',
            fields: [
              { id: 106, name: 'x', required: true, type: { kind: 'long' } },
              { id: 107, name: 'y', required: false, type: { kind: 'int' } },
            ],
          },
        },
      },
    );
    const result = unionByName(eventsSchema, incoming, 15).apply();
    const find = (path: string) => findFieldByName(result.schema, path)?.field;
    expect(find('count')).toEqual({ id: 3, name: 'count', required: true, type: { kind: 'long' } });
    expect(find('ratio')?.type).toEqual({ kind: 'double' });
    expect(find('amount')?.type).toEqual({ kind: 'decimal', precision: 20, scale: 2 });
    expect(find('country')).toEqual({
      id: 16,
      name: 'country',
      required: false,
      type: { kind: 'string' },
      doc: 'ISO code',
    });
    expect(find('points.element.x')).toMatchObject({ id: 9, type: { kind: 'long' } });
    expect(find('points.element.y')).toMatchObject({ id: 17, required: false });
    expect(find('id')).toBeDefined();
    expect(find('tags')).toBeDefined();
    const next = applyUpdates(metadataFor(eventsSchema), result.updates, { nowMs: NOW });
    expect(next.lastColumnId).toBe(17);
  });

  it('makes required table columns optional when the incoming schema has them optional, unless told not to', () => {
    const incoming = schema({ id: 1, name: 'count', required: false, type: { kind: 'int' } });
    expect(
      findFieldByName(unionByName(eventsSchema, incoming, 15).apply().schema, 'count')?.field.required,
    ).toBe(false);
    expect(unionByName(eventsSchema, incoming, 15, { makeOptional: false }).hasChanges).toBe(false);
  });

  it('leaves the table alone when the incoming schema is narrower', () => {
    const incoming = schema({ id: 1, name: 'id', required: true, type: { kind: 'int' } });
    expect(unionByName(eventsSchema, incoming, 15).apply().changed).toBe(false);
  });

  it('reports every type that cannot meet, and duplicates, in one error', () => {
    const incoming = schema(
      { id: 1, name: 'amount', required: false, type: { kind: 'string' } },
      {
        id: 2,
        name: 'address',
        required: false,
        type: { kind: 'list', elementId: 3, elementRequired: false, element: { kind: 'int' } },
      },
      { id: 4, name: 'x', required: false, type: { kind: 'int' } },
      { id: 5, name: 'x', required: false, type: { kind: 'int' } },
    );
    let error: unknown;
    try {
      unionByName(eventsSchema, incoming, 15);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as Error).message).toBe(
      "cannot union the new schema into the table schema: column 'amount' is string in the new schema but decimal(10,2) in the table; " +
        "column 'address' is list<int> in the new schema but struct<zip: string> in the table; " +
        "column 'x' appears 2 times in the new schema — only new columns, wider types (int→long, float→double, decimal precision up) and optional columns can be merged",
    );
  });
});

describe('unionByName with an Arrow schema', () => {
  it('converts the Arrow schema, ignoring its field ids, and merges it', () => {
    const withId = (field: ArrowField, id: number) =>
      new ArrowField(field.name, field.type, field.nullable, new Map([['PARQUET:field_id', String(id)]]));
    const incoming = new ArrowSchema([
      withId(new ArrowField('id', new Int64(), false), 1),
      new ArrowField('score', new Float64()),
      new ArrowField('labels', new List(new ArrowField('item', new Utf8(), true))),
      new ArrowField(
        'address',
        new Struct([new ArrowField('zip', new Utf8()), new ArrowField('street', new Utf8())]),
      ),
    ]);
    const result = unionByName(eventsSchema, incoming, 15).apply();
    expect(result.schema.fields.slice(-2)).toEqual([
      { id: 16, name: 'score', required: false, type: { kind: 'double' } },
      {
        id: 17,
        name: 'labels',
        required: false,
        type: { kind: 'list', elementId: 18, elementRequired: false, element: { kind: 'string' } },
      },
    ]);
    expect(findFieldByName(result.schema, 'address.street')?.field.id).toBe(19);
  });

  it('reports Arrow types with no Iceberg equivalent', () => {
    const incoming = new ArrowSchema([new ArrowField('u', new Uint64())]);
    expect(() => unionByName(eventsSchema, incoming, 15)).toThrow(
      "cannot union the new schema into the table schema: column 'u': Arrow type Uint64 has no Iceberg equivalent (unsigned 64-bit values may not fit in a long)",
    );
  });
});
