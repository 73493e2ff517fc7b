import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bindPartitionSpec,
  escapePathPart,
  PartitionSpecBuilder,
  partitionFieldById,
  partitionKey,
  partitionPath,
  partitionTuple,
  partitionTupleForRow,
  partitionType,
  UNPARTITIONED_SPEC,
  valueAtPath,
} from './partition.ts';
import type { PartitionSpec } from './partition-types.ts';
import { parseTimestamp } from './temporal.ts';
import type { Schema } from './types.ts';

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'name', required: false, type: { kind: 'string' } },
    { id: 3, name: 'ts', required: false, type: { kind: 'timestamp' } },
    {
      id: 4,
      name: 'loc',
      required: false,
      type: {
        kind: 'struct',
        fields: [{ id: 5, name: 'region', required: false, type: { kind: 'string' } }],
      },
    },
    {
      id: 6,
      name: 'tags',
      required: false,
      type: { kind: 'list', elementId: 7, elementRequired: true, element: { kind: 'string' } },
    },
    { id: 8, name: 'price', required: false, type: { kind: 'decimal', precision: 9, scale: 2 } },
  ],
};

describe('PartitionSpecBuilder', () => {
  it('builds day(ts) + bucket[16](id) with default names and ids from 1000', () => {
    const spec = new PartitionSpecBuilder(schema).day('ts').bucket('id', 16).build();
    expect(spec).toEqual({
      specId: 0,
      fields: [
        { sourceId: 3, fieldId: 1000, name: 'ts_day', transform: 'day' },
        { sourceId: 1, fieldId: 1001, name: 'id_bucket', transform: 'bucket[16]' },
      ],
    });
  });

  it('names every transform the Java/PyIceberg way and continues after lastPartitionId', () => {
    const spec = new PartitionSpecBuilder(schema, { specId: 3, lastPartitionId: 1004 })
      .identity('loc.region')
      .truncate('name', 4)
      .year('ts')
      .void('price')
      .build();
    expect(spec.specId).toBe(3);
    expect(spec.fields.map((f) => [f.fieldId, f.name, f.transform])).toEqual([
      [1005, 'loc.region', 'identity'],
      [1006, 'name_trunc', 'truncate[4]'],
      [1007, 'ts_year', 'year'],
      [1008, 'price_null', 'void'],
    ]);
    expect(new PartitionSpecBuilder(schema).month('ts', 'm').build().fields[0]?.name).toBe('m');
    expect(new PartitionSpecBuilder(schema).hour('ts').build().fields[0]?.name).toBe('ts_hour');
    expect(new PartitionSpecBuilder(schema).identity('id').build().fields[0]?.name).toBe('id');
    expect(
      new PartitionSpecBuilder(schema).add('id', 'bucket[2]', 'b', 1500).build().fields[0]?.fieldId,
    ).toBe(1500);
  });

  it('rejects bad partition requests with a message naming the problem', () => {
    const b = () => new PartitionSpecBuilder(schema);
    expect(() => b().day('missing')).toThrow(
      "invalid partition spec: cannot partition by 'missing': no such column",
    );
    expect(() => b().identity('tags.element')).toThrow(
      'columns inside a list or map cannot be partition sources',
    );
    expect(() => b().day('name')).toThrow('cannot partition by day(name): not defined for string');
    expect(() => b().add('id', 'zorder')).toThrow("unknown transform 'zorder'");
    expect(() => b().day('ts').hour('ts')).toThrow(
      "cannot add hour(ts): it repeats partition field 'ts_day'",
    );
    expect(() => b().bucket('id', 4, 'x').truncate('name', 2, 'x')).toThrow(
      "partition field name 'x' is used twice",
    );
    expect(() => b().bucket('id', 4, 'name')).toThrow(
      "partition field name 'name' conflicts with a schema column of the same name",
    );
    expect(() => b().bucket('id', 4, '')).toThrow('partition field names cannot be empty');
  });
});

describe('bound specs, tuples and paths', () => {
  const spec = new PartitionSpecBuilder(schema).day('ts').bucket('id', 16).identity('name').build();
  const bound = bindPartitionSpec(spec, schema);
  const ts = parseTimestamp('2017-11-16T22:31:08', 'micros', 'forbidden');

  it('derives the partition struct type with optional fields', () => {
    expect(partitionType(spec, schema)).toEqual({
      kind: 'struct',
      fields: [
        { id: 1000, name: 'ts_day', required: false, type: { kind: 'date' } },
        { id: 1001, name: 'id_bucket', required: false, type: { kind: 'int' } },
        { id: 1002, name: 'name', required: false, type: { kind: 'string' } },
      ],
    });
    expect(partitionFieldById(bound, 1001)?.name).toBe('id_bucket');
    expect(partitionFieldById(bound, 5)).toBeUndefined();
    expect(partitionType(UNPARTITIONED_SPEC, schema).fields).toEqual([]);
  });

  it('computes the tuple and the PyIceberg-compatible path of a row', () => {
    const tuple = partitionTupleForRow(bound, { id: 34n, name: 'a b/c=d&é~*', ts });
    expect(tuple).toEqual([17486, 3, 'a b/c=d&é~*']);
    // PyIceberg 0.12: ts_day=2017-11-16/id_bucket=3/name=a+b%2Fc%3Dd%26%C3%A9~%2A
    expect(partitionPath(bound, tuple)).toBe('ts_day=2017-11-16/id_bucket=3/name=a+b%2Fc%3Dd%26%C3%A9~%2A');
  });

  it('writes null partition values as `null`, like Java and PyIceberg', () => {
    const tuple = partitionTupleForRow(bound, { id: 1n });
    expect(tuple).toEqual([null, expect.any(Number), null]);
    expect(partitionPath(bound, [null, null, null])).toBe('ts_day=null/id_bucket=null/name=null');
  });

  it('reads nested struct sources and treats a null parent as null', () => {
    const nested = bindPartitionSpec(
      new PartitionSpecBuilder(schema).identity('loc.region', 'region').build(),
      schema,
    );
    expect(partitionTupleForRow(nested, { loc: { region: 'eu' } })).toEqual(['eu']);
    expect(partitionTupleForRow(nested, { loc: null })).toEqual([null]);
    expect(valueAtPath({ a: 5 }, ['a', 'b'])).toBeNull();
  });

  it('accepts any value accessor (e.g. a columnar reader)', () => {
    const tuple = partitionTuple(
      bound,
      (source) => ({ 1: 34n, 2: 'x', 3: ts })[source.field.id as 1 | 2 | 3],
    );
    expect(tuple).toEqual([17486, 3, 'x']);
  });

  it('names the column when a row value has the wrong type', () => {
    expect(() => partitionTupleForRow(bound, { id: 34, ts })).toThrow(
      "column 'id': value 34 is not a valid long: expected a 64-bit bigint",
    );
  });

  it('refuses to bind a spec that does not fit the schema', () => {
    const missing: PartitionSpec = {
      specId: 2,
      fields: [{ sourceId: 99, fieldId: 1000, name: 'x', transform: 'identity' }],
    };
    expect(() => bindPartitionSpec(missing, schema)).toThrow(
      "partition spec 2 field 'x' refers to source column id 99, which is not in the schema",
    );
    const unknown: PartitionSpec = {
      specId: 1,
      fields: [{ sourceId: 1, fieldId: 1000, name: 'x', transform: 'zorder' }],
    };
    expect(() => bindPartitionSpec(unknown, schema)).toThrow(
      "uses unknown transform 'zorder'; floe cannot write to it",
    );
    const wrong: PartitionSpec = {
      specId: 1,
      fields: [{ sourceId: 2, fieldId: 1000, name: 'x', transform: 'day' }],
    };
    expect(() => bindPartitionSpec(wrong, schema)).toThrow(
      "day cannot be applied to column 'name' of type string",
    );
  });
});

describe('escapePathPart and partitionKey', () => {
  it('escapes like quote_plus(safe="")', () => {
    expect(escapePathPart("a b!'()*~._-Z9")).toBe('a+b%21%27%28%29%2A~._-Z9');
    expect(escapePathPart('ü/+')).toBe('%C3%BC%2F%2B');
  });

  it('gives distinct keys to distinct tuples', () => {
    expect(partitionKey([1, '1'])).not.toBe(partitionKey(['1', 1]));
    expect(partitionKey([1n])).not.toBe(partitionKey([1]));
    expect(partitionKey([true])).not.toBe(partitionKey(['true']));
    expect(partitionKey([null])).not.toBe(partitionKey(['null']));
    expect(partitionKey([Uint8Array.of(1)])).toBe('x01');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constant(null))),
        fc.array(fc.oneof(fc.string(), fc.constant(null))),
        (a, b) => {
          const same = a.length === b.length && a.every((v, i) => v === b[i]);
          expect(partitionKey(a) === partitionKey(b)).toBe(same);
        },
      ),
    );
  });
});
