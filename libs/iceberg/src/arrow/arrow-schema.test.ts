import { readFileSync } from 'node:fs';
import {
  Schema as ArrowSchema,
  Binary,
  Decimal,
  Duration,
  Field,
  FixedSizeBinary,
  Float64,
  Int32,
  Int64,
  List,
  makeTable,
  Null,
  RecordBatch,
  Struct,
  Table,
  TimestampNanosecond,
  TimeUnit,
  tableFromIPC,
  tableToIPC,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseSchema, typeToString } from '../spec/type-json.ts';
import type { Schema } from '../spec/types.ts';
import {
  arrowToIcebergSchema,
  describeArrowField,
  icebergToArrowSchema,
  icebergToArrowType,
  PARQUET_FIELD_ID_KEY,
  readFieldId,
} from './arrow-schema.ts';

const everyType: Schema = parseSchema({
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'b', required: true, type: 'boolean', doc: 'a flag' },
    { id: 2, name: 'i', required: false, type: 'int' },
    { id: 3, name: 'l', required: false, type: 'long' },
    { id: 4, name: 'f', required: false, type: 'float' },
    { id: 5, name: 'd', required: false, type: 'double' },
    { id: 6, name: 'dec', required: false, type: 'decimal(38,2)' },
    { id: 7, name: 'date', required: false, type: 'date' },
    { id: 8, name: 'time', required: false, type: 'time' },
    { id: 9, name: 'ts', required: false, type: 'timestamp' },
    { id: 10, name: 'tstz', required: false, type: 'timestamptz' },
    { id: 11, name: 'ts_ns', required: false, type: 'timestamp_ns' },
    { id: 12, name: 'tstz_ns', required: false, type: 'timestamptz_ns' },
    { id: 13, name: 's', required: false, type: 'string' },
    { id: 14, name: 'u', required: false, type: 'uuid' },
    { id: 15, name: 'fx', required: false, type: 'fixed[3]' },
    { id: 16, name: 'bin', required: false, type: 'binary' },
    {
      id: 17,
      name: 'st',
      required: false,
      type: { type: 'struct', fields: [{ id: 18, name: 'x', required: true, type: 'double' }] },
    },
    {
      id: 19,
      name: 'li',
      required: false,
      type: { type: 'list', 'element-id': 20, 'element-required': false, element: 'long' },
    },
    {
      id: 21,
      name: 'm',
      required: false,
      type: {
        type: 'map',
        'key-id': 22,
        key: 'string',
        'value-id': 23,
        'value-required': true,
        value: 'int',
      },
    },
  ],
});

describe('icebergToArrowSchema', () => {
  const arrow = icebergToArrowSchema(everyType);
  const byName = (name: string): Field => arrow.fields.find((f) => f.name === name)!;

  it('maps every primitive to the agreed Arrow type', () => {
    expect(
      Object.fromEntries(
        arrow.fields.filter((f) => !f.type.children?.length).map((f) => [f.name, String(f.type)]),
      ),
    ).toEqual({
      b: 'Bool',
      i: 'Int32',
      l: 'Int64',
      f: 'Float32',
      d: 'Float64',
      dec: 'Decimal[38e+2]',
      date: 'Date32<DAY>',
      time: 'Time64<MICROSECOND>',
      ts: 'Timestamp<MICROSECOND>',
      tstz: 'Timestamp<MICROSECOND, UTC>',
      ts_ns: 'Timestamp<NANOSECOND>',
      tstz_ns: 'Timestamp<NANOSECOND, UTC>',
      s: 'Utf8',
      u: 'FixedSizeBinary[16]',
      fx: 'FixedSizeBinary[3]',
      bin: 'Binary',
    });
  });

  it('carries field ids, nullability and docs on every level', () => {
    expect(byName('b').nullable).toBe(false);
    expect(byName('b').metadata.get('doc')).toBe('a flag');
    expect(byName('i').nullable).toBe(true);
    expect(byName('i').metadata.get(PARQUET_FIELD_ID_KEY)).toBe('2');
    const x = byName('st').type.children[0] as Field;
    expect([x.name, x.nullable, readFieldId(x)]).toEqual(['x', false, 18]);
    const element = byName('li').type.children[0] as Field;
    expect([element.name, element.nullable, readFieldId(element)]).toEqual(['element', true, 20]);
    const [key, value] = byName('m').type.children[0]!.type.children as Field[];
    expect([key!.name, key!.nullable, readFieldId(key!)]).toEqual(['key', false, 22]);
    expect([value!.name, value!.nullable, readFieldId(value!)]).toEqual(['value', false, 23]);
  });

  it('round-trips through Arrow back to the same Iceberg schema', () => {
    expect(arrowToIcebergSchema(arrow, { formatVersion: 3 })).toEqual({
      ...everyType,
      // FixedSizeBinary(16) without the arrow.uuid extension reads back as fixed[16].
      fields: everyType.fields.map((f) =>
        f.name === 'u' ? { ...f, type: { kind: 'fixed', length: 16 } } : f,
      ),
    });
  });

  it('survives an IPC round trip with a real table', () => {
    const table = makeTable({ id: Int32Array.of(1, 2) });
    const withIds = new ArrowSchema([
      new Field('id', new Int32(), false, new Map([[PARQUET_FIELD_ID_KEY, '7']])),
    ]);
    const batch = new RecordBatch(withIds, table.batches[0]!.data);
    const back = tableFromIPC(tableToIPC(new Table([batch])));
    expect(back.getChild('id')!.toArray()).toEqual(Int32Array.of(1, 2));
    expect(arrowToIcebergSchema(back.schema).fields[0]).toEqual({
      id: 7,
      name: 'id',
      required: true,
      type: { kind: 'int' },
    });
  });
});

describe('arrowToIcebergSchema', () => {
  it('reads the pyarrow golden file ids and types', () => {
    const table = tableFromIPC(readFileSync(new URL('./testdata/pyarrow-golden.arrow', import.meta.url)));
    const schema = arrowToIcebergSchema(table.schema);
    const types = Object.fromEntries(schema.fields.map((f) => [f.name, `${f.id}:${typeToString(f.type)}`]));
    expect(types).toEqual({
      b: '1:boolean',
      i8: '2:int',
      i32: '3:int',
      i64: '4:long',
      u32: '5:long',
      f32: '6:float',
      f64: '7:double',
      dec: '8:decimal(38,2)',
      d32: '9:date',
      d64: '10:date',
      t32ms: '11:time',
      t64us: '12:time',
      ts_s: '13:timestamp',
      ts_ms: '14:timestamp',
      ts_us: '15:timestamp',
      ts_ns: '16:timestamp',
      tstz_us: '17:timestamptz',
      tstz_ns: '18:timestamptz',
      s: '19:string',
      ls: '20:string',
      bin: '21:binary',
      lbin: '22:binary',
      fixed: '23:fixed[16]',
      dict: '24:string',
      point: '25:struct<x: double, y: int>',
      nums: '26:list<long>',
      attrs: '27:map<string, int>',
    });
    const attrs = schema.fields.find((f) => f.name === 'attrs')!.type;
    expect(attrs.kind === 'map' && [attrs.keyId, attrs.valueId, attrs.valueRequired]).toEqual([
      34,
      35,
      false,
    ]);
    expect(
      arrowToIcebergSchema(table.schema, { formatVersion: 3 }).fields.find((f) => f.name === 'tstz_ns')?.type,
    ).toEqual({
      kind: 'timestamptz_ns',
    });
  });

  it('assigns fresh ids struct by struct when the Arrow schema has none', () => {
    const arrow = new ArrowSchema([
      new Field('a', new Struct([new Field('x', new Int32()), new Field('y', new Utf8())]), true),
      new Field('b', new List(new Field('item', new Int64(), false)), true),
      new Field('c', new Float64(), false),
    ]);
    const schema = arrowToIcebergSchema(arrow, { schemaId: 4 });
    expect(schema.schemaId).toBe(4);
    expect(schema.fields.map((f) => f.id)).toEqual([1, 2, 3]);
    const a = schema.fields[0]!.type;
    expect(a.kind === 'struct' && a.fields.map((f) => [f.id, f.name])).toEqual([
      [4, 'x'],
      [5, 'y'],
    ]);
    expect(schema.fields[1]!.type).toEqual({
      kind: 'list',
      elementId: 6,
      elementRequired: true,
      element: { kind: 'long' },
    });
    expect(schema.fields[2]).toEqual({ id: 3, name: 'c', required: true, type: { kind: 'double' } });
    expect(arrowToIcebergSchema(arrow, { lastColumnId: 10 }).fields.map((f) => f.id)).toEqual([11, 12, 13]);
  });

  it("with fieldIds 'fresh' ignores mixed, stale and invalid ids at every level", () => {
    const id = (value: string) => new Map([[PARQUET_FIELD_ID_KEY, value]]);
    // ids on some columns only (a derived column has none), stale ones from another table
    // (colliding with each other), an unparseable one, and ids nested in a struct and a list
    const data = new ArrowSchema([
      new Field('country', new Utf8(), true, id('7')),
      new Field('customer_id_count', new Int64(), false),
      new Field('s', new Struct([new Field('x', new Int32(), true, id('7'))]), true, id('x')),
      new Field('l', new List(new Field('element', new Int64(), true, id('99'))), true, id('3')),
    ]);
    const expected: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [
        { id: 1, name: 'country', required: false, type: { kind: 'string' } },
        { id: 2, name: 'customer_id_count', required: true, type: { kind: 'long' } },
        {
          id: 3,
          name: 's',
          required: false,
          type: { kind: 'struct', fields: [{ id: 5, name: 'x', required: false, type: { kind: 'int' } }] },
        },
        {
          id: 4,
          name: 'l',
          required: false,
          type: { kind: 'list', elementId: 6, elementRequired: false, element: { kind: 'long' } },
        },
      ],
    };
    expect(arrowToIcebergSchema(data, { fieldIds: 'fresh' })).toEqual(expected);
    // the same columns without any ids convert to the same schema
    const plain = new ArrowSchema([
      new Field('country', new Utf8(), true),
      new Field('customer_id_count', new Int64(), false),
      new Field('s', new Struct([new Field('x', new Int32(), true)]), true),
      new Field('l', new List(new Field('element', new Int64(), true)), true),
    ]);
    expect(arrowToIcebergSchema(plain, { fieldIds: 'fresh' })).toEqual(expected);
    // and complete ids from another table are not taken over either
    const stale = new ArrowSchema([
      new Field('a', new Int32(), true, id('41')),
      new Field('b', new Utf8(), true, id('40')),
    ]);
    expect(arrowToIcebergSchema(stale, { fieldIds: 'fresh' }).fields.map((f) => [f.name, f.id])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(arrowToIcebergSchema(stale).fields.map((f) => f.id)).toEqual([41, 40]);
  });

  it('recognises the arrow.uuid extension', () => {
    const uuid = new Field(
      'u',
      new FixedSizeBinary(16),
      true,
      new Map([['ARROW:extension:name', 'arrow.uuid']]),
    );
    expect(arrowToIcebergSchema(new ArrowSchema([uuid])).fields[0]?.type).toEqual({ kind: 'uuid' });
  });

  it('explains schemas it cannot convert', () => {
    const mixed = new ArrowSchema([
      new Field('a', new Int32(), true, new Map([[PARQUET_FIELD_ID_KEY, '1']])),
      new Field('b', new Int32(), true),
    ]);
    expect(() => arrowToIcebergSchema(mixed)).toThrow(
      "Arrow schema has field ids on 1 fields but not on 1 (first: 'b'); either all fields need 'PARQUET:field_id' metadata or none",
    );
    const badId = new ArrowSchema([
      new Field('a', new Int32(), true, new Map([[PARQUET_FIELD_ID_KEY, 'x']])),
    ]);
    expect(() => arrowToIcebergSchema(badId)).toThrow("Arrow field 'a' has invalid PARQUET:field_id 'x'");
    const unsigned = new ArrowSchema([new Field('n', new Uint64(), true)]);
    expect(() => arrowToIcebergSchema(unsigned)).toThrow(
      "column 'n': Arrow type Uint64 has no Iceberg equivalent (unsigned 64-bit values may not fit in a long)",
    );
    const nested = new ArrowSchema([
      new Field('s', new Struct([new Field('d', new Duration(TimeUnit.SECOND))]), true),
    ]);
    expect(() => arrowToIcebergSchema(nested)).toThrow(
      "column 's.d': Arrow type Duration<SECOND> has no Iceberg equivalent",
    );
    const wide = new ArrowSchema([new Field('w', new Decimal(2, 76, 256), true)]);
    expect(() => arrowToIcebergSchema(wide)).toThrow(
      "column 'w': Arrow type Decimal[76e+2] exceeds Iceberg's maximum decimal precision of 38",
    );
    expect(() => arrowToIcebergSchema(new ArrowSchema([new Field('z', new Null(), true)]))).toThrow(
      "column 'z': Arrow type Null has no Iceberg equivalent",
    );
  });

  it('describes Arrow fields for mismatch messages', () => {
    expect(describeArrowField(new Field('t', new TimestampNanosecond('UTC')))).toBe('timestamptz_ns');
    expect(describeArrowField(new Field('n', new Null()))).toBe('Null');
    expect(describeArrowField(new Field('b', new Binary()))).toBe('binary');
    expect(
      String(
        icebergToArrowType({
          kind: 'list',
          elementId: 1,
          elementRequired: true,
          element: { kind: 'string' },
        }),
      ),
    ).toBe('List<Utf8>');
    expect(vectorFromArray(['a'], new Utf8()).length).toBe(1);
  });
});
