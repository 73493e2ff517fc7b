import {
  Field as ArrowField,
  Schema as ArrowSchema,
  type DataType,
  Decimal,
  Dictionary,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  List,
  Map_,
  Struct,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint32,
  Uint64,
  Utf8,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { icebergToArrowSchema } from '../arrow/arrow-schema.ts';
import { IcebergError } from '../errors.ts';
import { applyUpdates } from '../metadata/builder.ts';
import { findFieldByName } from '../spec/schema.ts';
import type { Schema } from '../spec/types.ts';
import { eventsSchema, metadataFor, NOW } from './fixtures.test-helper.ts';
import { reconcileSchema } from './reconcile.ts';
import { SchemaMismatchError } from './schema-mismatch-error.ts';

const f = (name: string, type: DataType, nullable = true) => new ArrowField(name, type, nullable);
/** An Arrow map type (Arrow JS types its entries field too narrowly for a helper-built struct). */
const mapOf = (key: DataType, value: DataType) =>
  new Map_(
    f('entries', new Struct([f('key', key, false), f('value', value, true)]), false) as ArrowField<
      Struct<{ key: DataType; value: DataType }>
    >,
  );
const arrow = (...fields: ArrowField[]) => new ArrowSchema(fields);
const table = (...fields: Schema['fields']): Schema => ({ schemaId: 0, identifierFieldIds: [], fields });
const opts = { tableName: 'bronze.events', lastColumnId: 15 };

/** The thrown SchemaMismatchError (fails the test if nothing or something else is thrown). */
function mismatch(run: () => unknown): SchemaMismatchError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaMismatchError);
    return error as SchemaMismatchError;
  }
  throw new Error('expected a SchemaMismatchError');
}

describe('reconcileSchema: matching data', () => {
  it('writes data in the table schema as is: no evolution, every column copied', () => {
    const result = reconcileSchema(eventsSchema, icebergToArrowSchema(eventsSchema), 'strict', opts);
    expect(result.evolution).toBeUndefined();
    expect(result.writeSchema).toBe(eventsSchema);
    expect(result.casts.every((c) => c.action === 'copy')).toBe(true);
    expect(result.casts.map((c) => c.column)).toEqual([
      'id',
      'amount',
      'count',
      'ratio',
      'tags.element',
      'points.element.x',
      'attrs.key',
      'attrs.value.v',
      'address.zip',
    ]);
  });

  it('matches by name whatever the column order, writing in table order with table ids', () => {
    const t = table(
      { id: 1, name: 'a', required: false, type: { kind: 'int' } },
      { id: 2, name: 'b', required: false, type: { kind: 'string' } },
    );
    const result = reconcileSchema(t, arrow(f('b', new Utf8()), f('a', new Int32())), 'strict');
    expect(result.casts).toEqual([
      { column: 'a', fieldId: 1, action: 'copy', from: 'Int32', to: 'int' },
      { column: 'b', fieldId: 2, action: 'copy', from: 'Utf8', to: 'string' },
    ]);
    expect(result.plan.targetSchema.fields.map((x) => x.metadata.get('PARQUET:field_id'))).toEqual([
      '1',
      '2',
    ]);
  });

  it('never trusts field ids in the data: stale, swapped or partial ids are matched by name', () => {
    const t = table(
      { id: 1, name: 'a', required: false, type: { kind: 'int' } },
      { id: 2, name: 'b', required: false, type: { kind: 'string' } },
    );
    const withId = (name: string, type: DataType, id: string) =>
      new ArrowField(name, type, true, new Map([['PARQUET:field_id', id]]));
    // ids read from another table (a's is b's here, b's is unknown) and a derived column without one
    const data = arrow(withId('a', new Int32(), '2'), withId('b', new Utf8(), '40'), f('c', new Int64()));
    const result = reconcileSchema(t, data, 'add-columns', { tableName: 'gold.t', lastColumnId: 2 });
    expect(result.casts.map((c) => [c.column, c.fieldId])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(result.evolution?.schema.fields.map((x) => [x.name, x.id])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(result.plan.targetSchema.fields.map((x) => x.metadata.get('PARQUET:field_id'))).toEqual([
      '1',
      '2',
      '3',
    ]);
  });
});

describe('reconcileSchema: missing columns', () => {
  it('fills a missing optional column (top level and nested) with nulls', () => {
    const data = arrow(
      f('id', new Int64(), false),
      f('count', new Int32(), false),
      f('address', new Struct([])),
    );
    const result = reconcileSchema(eventsSchema, data, 'strict', opts);
    expect(result.evolution).toBeUndefined();
    expect(result.casts.filter((c) => c.action === 'fill-nulls').map((c) => c.column)).toEqual([
      'amount',
      'ratio',
      'tags',
      'points',
      'attrs',
      'address.zip',
    ]);
  });

  it('refuses data without a required column, naming it', () => {
    const error = mismatch(() =>
      reconcileSchema(eventsSchema, arrow(f('count', new Int32())), 'add-columns', opts),
    );
    expect(error.message).toBe(
      "schema of the staged data does not match table bronze.events: required column 'id' is missing from the data — fix the producer so the data matches the table, or change the table schema first",
    );
    expect(error.problems).toEqual([
      {
        kind: 'missing-required',
        column: 'id',
        tableType: 'long',
        message: "required column 'id' is missing from the data",
      },
    ]);
  });

  it('refuses a missing required field inside a struct that is present', () => {
    const t = table({
      id: 1,
      name: 's',
      required: false,
      type: { kind: 'struct', fields: [{ id: 2, name: 'r', required: true, type: { kind: 'int' } }] },
    });
    expect(() => reconcileSchema(t, arrow(f('s', new Struct([]))), 'add-columns')).toThrow(
      "schema of the staged data does not match the table: required column 's.r' is missing from the data",
    );
  });
});

describe('reconcileSchema: extra columns', () => {
  it("adds them as optional columns with new ids in 'add-columns' mode, and the updates apply", () => {
    const data = arrow(
      ...icebergToArrowSchema(eventsSchema).fields,
      f('country', new Utf8(), false),
      f('geo', new Struct([f('lat', new Float64(), false), f('lon', new Float64())])),
    );
    const result = reconcileSchema(eventsSchema, data, 'add-columns', opts);
    expect(result.evolution?.schema.fields.slice(-2)).toEqual([
      { id: 16, name: 'country', required: false, type: { kind: 'string' } },
      {
        id: 17,
        name: 'geo',
        required: false,
        type: {
          kind: 'struct',
          fields: [
            { id: 18, name: 'lat', required: true, type: { kind: 'double' } },
            { id: 19, name: 'lon', required: false, type: { kind: 'double' } },
          ],
        },
      },
    ]);
    expect(result.writeSchema).toBe(result.evolution?.schema);
    const next = applyUpdates(metadataFor(eventsSchema), result.evolution!.updates, { nowMs: NOW });
    expect(next.lastColumnId).toBe(19);
    expect(next.schemas.find((s) => s.schemaId === next.currentSchemaId)?.fields).toEqual(
      result.writeSchema.fields,
    );
    expect(result.casts.find((c) => c.column === 'geo.lat')).toEqual({
      column: 'geo.lat',
      fieldId: 18,
      action: 'copy',
      from: 'Float64',
      to: 'double',
    });
  });

  it('adds nested extras inside structs, list-element structs and map-value structs', () => {
    const base = icebergToArrowSchema(eventsSchema);
    const points = f(
      'points',
      new List(f('element', new Struct([f('x', new Int32(), false), f('y', new Int32())]))),
    );
    const attrs = f('attrs', mapOf(new Utf8(), new Struct([f('v', new Utf8()), f('w', new Int64())])));
    const address = f('address', new Struct([f('zip', new Utf8()), f('city', new Utf8())]));
    const data = arrow(...base.fields.slice(0, 5), points, attrs, address);
    const result = reconcileSchema(eventsSchema, data, 'add-columns', opts);
    const find = (path: string) => findFieldByName(result.writeSchema, path)?.field;
    expect(find('points.element.y')).toMatchObject({ id: 16, required: false });
    expect(find('attrs.value.w')).toMatchObject({ id: 17, type: { kind: 'long' } });
    expect(find('address.city')).toMatchObject({ id: 18 });
  });

  it("refuses them in 'strict' mode, saying how to add them", () => {
    const data = arrow(...icebergToArrowSchema(eventsSchema).fields, f('country', new Utf8()));
    expect(() => reconcileSchema(eventsSchema, data, 'strict', opts)).toThrow(
      "schema of the staged data does not match table bronze.events: column 'country' (string) is not in the table; write with schema mode 'add-columns' to add it — fix the producer",
    );
  });
});

describe('reconcileSchema: types', () => {
  const numbers = table(
    { id: 1, name: 'i', required: false, type: { kind: 'int' } },
    { id: 2, name: 'l', required: false, type: { kind: 'long' } },
    { id: 3, name: 'f', required: false, type: { kind: 'float' } },
    { id: 4, name: 'd', required: false, type: { kind: 'double' } },
    { id: 5, name: 'dec', required: false, type: { kind: 'decimal', precision: 10, scale: 2 } },
  );

  it('casts narrower data up: int8/16 → int, int32/uint32 → long, float32 → double, decimal precision up', () => {
    const data = arrow(
      f('i', new Int16()),
      f('l', new Uint32()),
      f('f', new Float32()),
      f('d', new Float32()),
      f('dec', new Decimal(2, 6, 128)),
    );
    const result = reconcileSchema(numbers, data, 'strict');
    expect(result.evolution).toBeUndefined();
    expect(result.casts.map((c) => [c.column, c.action, c.from, c.to])).toEqual([
      ['i', 'cast', 'Int16', 'int'],
      ['l', 'cast', 'Uint32', 'long'],
      ['f', 'copy', 'Float32', 'float'],
      ['d', 'cast', 'Float32', 'double'],
      ['dec', 'cast', 'Decimal[6e+2]', 'decimal(10,2)'],
    ]);
    expect(reconcileSchema(numbers, arrow(f('i', new Int8())), 'strict').casts[0]).toMatchObject({
      action: 'cast',
    });
  });

  it("widens the table column when the data is wider, in 'add-columns' mode", () => {
    const data = arrow(
      f('i', new Int64()),
      f('f', new Float64()),
      f('dec', new Decimal(2, 18, 128)),
      f('l', new Int64()),
    );
    const result = reconcileSchema(numbers, data, 'add-columns', { lastColumnId: 5 });
    expect(result.evolution?.schema.fields.map((x) => [x.id, x.type])).toEqual([
      [1, { kind: 'long' }],
      [2, { kind: 'long' }],
      [3, { kind: 'double' }],
      [4, { kind: 'double' }],
      [5, { kind: 'decimal', precision: 18, scale: 2 }],
    ]);
    expect(result.evolution?.lastColumnId).toBe(5);
    expect(result.casts.filter((c) => c.action === 'copy').map((c) => c.column)).toEqual([
      'i',
      'l',
      'f',
      'dec',
    ]);
  });

  it("refuses wider data in 'strict' mode, saying how to widen", () => {
    expect(() => reconcileSchema(numbers, arrow(f('i', new Int64())), 'strict')).toThrow(
      "column 'i' is long in the data but int in the table; write with schema mode 'add-columns' to widen the table column",
    );
  });

  it('names every incompatible column with both types in one message', () => {
    const error = mismatch(() =>
      reconcileSchema(
        eventsSchema,
        arrow(
          f('amount', new Utf8()),
          f('count', new Int32()),
          f('address', new Utf8()),
          f('tags', new Int32()),
          f('x', new Uint64()),
        ),
        'add-columns',
        opts,
      ),
    );
    expect(error.message).toBe(
      "schema of the staged data does not match table bronze.events: column 'x': Arrow type Uint64 has no Iceberg equivalent (unsigned 64-bit values may not fit in a long); " +
        "column 'amount' is string in the data but decimal(10,2) in the table; " +
        "column 'address' is string in the data but struct<zip: string> in the table; " +
        "column 'tags' is int in the data but list<string> in the table; " +
        "required column 'id' is missing from the data — fix the producer so the data matches the table, or change the table schema first",
    );
    expect(error).toBeInstanceOf(IcebergError);
    expect(error).toMatchObject({
      kind: 'schema-mismatch',
      retryable: false,
      context: { table: 'bronze.events', problems: 5 },
    });
    expect(error.problems.map((p) => p.kind)).toEqual([
      'unsupported-type',
      'incompatible-type',
      'incompatible-type',
      'incompatible-type',
      'missing-required',
    ]);
  });

  it('does not call a column with an unsupported type missing as well', () => {
    const t = table({ id: 1, name: 'u', required: true, type: { kind: 'long' } });
    const error = mismatch(() => reconcileSchema(t, arrow(f('u', new Uint64())), 'strict'));
    expect(error.problems.map((p) => p.kind)).toEqual(['unsupported-type']);
  });

  it('refuses a map key of a different type, even a wider one', () => {
    const t = table({
      id: 1,
      name: 'm',
      required: false,
      type: {
        kind: 'map',
        keyId: 2,
        key: { kind: 'int' },
        valueId: 3,
        valueRequired: false,
        value: { kind: 'int' },
      },
    });
    const data = arrow(f('m', mapOf(new Int64(), new Int64())));
    expect(() => reconcileSchema(t, data, 'add-columns', { lastColumnId: 3 })).toThrow(
      "column 'm.key' is long in the data but int in the table",
    );
    // the value, unlike the key, is widened
    const ok = arrow(f('m', mapOf(new Int16(), new Int64())));
    expect(
      reconcileSchema(t, ok, 'add-columns', { lastColumnId: 3 }).evolution?.schema.fields[0]?.type,
    ).toMatchObject({
      key: { kind: 'int' },
      value: { kind: 'long' },
    });
  });

  it('refuses columns named twice', () => {
    expect(() =>
      reconcileSchema(eventsSchema, arrow(f('id', new Int64()), f('id', new Int64())), 'strict', opts),
    ).toThrow("column 'id' appears 2 times in the data");
  });

  it('accepts nullable data for required columns (nulls are checked per batch)', () => {
    const t = table({ id: 1, name: 'id', required: true, type: { kind: 'long' } });
    expect(reconcileSchema(t, arrow(f('id', new Int64(), true)), 'strict').casts[0]?.action).toBe('copy');
  });
});

describe('reconcileSchema: timestamps and strings', () => {
  const t = table(
    { id: 1, name: 'ts', required: false, type: { kind: 'timestamp' } },
    { id: 2, name: 'tz', required: false, type: { kind: 'timestamptz' } },
    { id: 3, name: 's', required: false, type: { kind: 'string' } },
  );

  it('casts any timestamp unit to µs and any zone to UTC, keeping zoned and local apart', () => {
    const data = arrow(
      f('ts', new TimestampNanosecond()),
      f('tz', new TimestampMillisecond('Europe/Paris')),
      f('s', new LargeUtf8()),
    );
    expect(reconcileSchema(t, data, 'strict').casts.map((c) => [c.column, c.action, c.from])).toEqual([
      ['ts', 'cast', 'Timestamp<NANOSECOND>'],
      ['tz', 'cast', 'Timestamp<MILLISECOND, Europe/Paris>'],
      ['s', 'cast', 'LargeUtf8'],
    ]);
    expect(reconcileSchema(t, arrow(f('ts', new TimestampSecond())), 'strict').casts[0]?.action).toBe('cast');
    expect(
      reconcileSchema(t, arrow(f('tz', new TimestampMicrosecond('UTC'))), 'strict').casts[1]?.action,
    ).toBe('copy');
  });

  it('refuses a zoned timestamp for a local one and the reverse', () => {
    const data = arrow(f('ts', new TimestampMicrosecond('UTC')), f('tz', new TimestampMicrosecond()));
    expect(() => reconcileSchema(t, data, 'add-columns')).toThrow(
      "column 'ts' is timestamptz in the data but timestamp in the table; column 'tz' is timestamp in the data but timestamptz in the table",
    );
  });

  it('decodes dictionary-encoded strings', () => {
    const result = reconcileSchema(t, arrow(f('s', new Dictionary(new Utf8(), new Int32()))), 'strict');
    expect(result.casts[2]).toMatchObject({
      column: 's',
      action: 'cast',
      from: 'Dictionary<Int32, Utf8>',
      to: 'string',
    });
  });

  it('on format v3 writes nanosecond data to a µs column, and µs data to a nanosecond column', () => {
    const v3 = table(
      { id: 1, name: 'ts', required: false, type: { kind: 'timestamp' } },
      { id: 2, name: 'ns', required: false, type: { kind: 'timestamptz_ns' } },
    );
    const data = arrow(f('ts', new TimestampNanosecond()), f('ns', new TimestampMicrosecond('UTC')));
    const result = reconcileSchema(v3, data, 'strict', { formatVersion: 3 });
    expect(result.casts.map((c) => [c.column, c.action, c.to])).toEqual([
      ['ts', 'cast', 'timestamp'],
      ['ns', 'cast', 'timestamptz_ns'],
    ]);
  });
});

describe('reconcileSchema: options', () => {
  it('assigns new ids above the given last-column-id and numbers the schema above the highest schema id', () => {
    const t = table({ id: 1, name: 'a', required: false, type: { kind: 'int' } });
    const result = reconcileSchema(t, arrow(f('a', new Int32()), f('b', new Int32())), 'add-columns', {
      lastColumnId: 9,
      highestSchemaId: 4,
    });
    expect(result.evolution?.schema).toMatchObject({
      schemaId: 5,
      fields: [{ id: 1 }, { id: 10, name: 'b' }],
    });
    expect(result.evolution?.requirements).toContainEqual({
      type: 'assert-last-assigned-field-id',
      lastAssignedFieldId: 9,
    });
  });

  it('defaults the last-column-id to the highest id in the table schema', () => {
    const t = table({ id: 3, name: 'a', required: false, type: { kind: 'int' } });
    const result = reconcileSchema(t, arrow(f('b', new Int32())), 'add-columns');
    expect(result.evolution?.schema.fields[1]?.id).toBe(4);
  });

  it('reports a column the planner cannot convert (decimal256) as a mismatch', () => {
    const t = table({
      id: 1,
      name: 'd',
      required: false,
      type: { kind: 'decimal', precision: 10, scale: 2 },
    });
    expect(() =>
      reconcileSchema(t, arrow(f('d', new Decimal(2, 10, 256))), 'strict', { tableName: 't' }),
    ).toThrow(
      "schema of the staged data does not match table t: column 'd' is Decimal[10e+2] in the data but decimal(10,2) in the table, and there is no conversion",
    );
  });
});
