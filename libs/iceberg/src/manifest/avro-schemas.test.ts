import { describe, expect, it } from 'vitest';
import type { StructType } from '../spec/types.ts';
import { avroTypeFor } from './avro-container.ts';
import {
  avroSchemaForPrimitive,
  dataFileAvroSchema,
  decimalRequiredBytes,
  manifestEntryAvroSchema,
  manifestFileAvroSchema,
  partitionAvroSchema,
} from './avro-schemas.ts';

const PARTITION: StructType = {
  kind: 'struct',
  fields: [
    { id: 1000, name: 'region', required: false, type: { kind: 'string' } },
    { id: 1001, name: 'day', required: false, type: { kind: 'date' } },
    { id: 1002, name: 'price', required: false, type: { kind: 'decimal', precision: 9, scale: 2 } },
    { id: 1003, name: 'other_price', required: false, type: { kind: 'decimal', precision: 9, scale: 2 } },
  ],
};

type Json = { readonly [key: string]: unknown };

/** Every record field anywhere in the schema, with its path. */
function allRecordFields(schema: unknown, path = ''): { path: string; field: Json }[] {
  if (Array.isArray(schema)) return schema.flatMap((branch) => allRecordFields(branch, path));
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Json;
  const found: { path: string; field: Json }[] = [];
  if (Array.isArray(node['fields'])) {
    for (const field of node['fields'] as Json[]) {
      const fieldPath = `${path}.${String(field['name'])}`;
      found.push({ path: fieldPath, field }, ...allRecordFields(field['type'], fieldPath));
    }
  }
  if (node['items'] !== undefined) found.push(...allRecordFields(node['items'], `${path}[]`));
  return found;
}

/** Every array (list or map) anywhere in the schema. */
function allArrays(schema: unknown): Json[] {
  if (Array.isArray(schema)) return schema.flatMap(allArrays);
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Json;
  const found = node['type'] === 'array' ? [node] : [];
  for (const field of (node['fields'] ?? []) as Json[]) found.push(...allArrays(field['type']));
  if (node['items'] !== undefined) found.push(...allArrays(node['items']));
  return found;
}

describe('manifest Avro schemas', () => {
  for (const version of [1, 2, 3] as const) {
    it(`gives every field of the v${version} manifest_entry and manifest_file schemas a field-id`, () => {
      for (const schema of [manifestEntryAvroSchema(version, PARTITION), manifestFileAvroSchema(version)]) {
        const fields = allRecordFields(schema);
        expect(fields.length).toBeGreaterThan(10);
        const missing = fields
          .filter(({ field }) => typeof field['field-id'] !== 'number')
          .map(({ path }) => path);
        expect(missing).toEqual([]);
        // Lists carry element ids; maps are key/value records marked logicalType map.
        for (const array of allArrays(schema)) {
          const items = array['items'] as Json | string;
          const isMap = array['logicalType'] === 'map';
          expect(isMap || typeof array['element-id'] === 'number').toBe(true);
          if (isMap) expect((items as Json)['fields']).toHaveLength(2);
        }
        // avsc accepts the schema (names unique, types valid).
        expect(avroTypeFor(schema).typeName).toBe('record');
      }
    });
  }

  it('uses the spec field ids for data_file and the partition spec ids for the partition struct', () => {
    const ids = Object.fromEntries(
      allRecordFields(manifestEntryAvroSchema(2, PARTITION)).map(({ path, field }) => [
        path,
        field['field-id'],
      ]),
    );
    expect(ids).toMatchObject({
      '.status': 0,
      '.snapshot_id': 1,
      '.sequence_number': 3,
      '.file_sequence_number': 4,
      '.data_file': 2,
      '.data_file.content': 134,
      '.data_file.file_path': 100,
      '.data_file.partition': 102,
      '.data_file.partition.region': 1000,
      '.data_file.partition.price': 1002,
      '.data_file.column_sizes[].key': 117,
      '.data_file.column_sizes[].value': 118,
      '.data_file.lower_bounds[].value': 127,
      '.data_file.nan_value_counts': 137,
      '.data_file.sort_order_id': 140,
    });
    expect(ids['.data_file.block_size_in_bytes']).toBeUndefined();
    const v1 = dataFileAvroSchema(1, PARTITION) as Json;
    expect((v1['fields'] as Json[]).map((f) => f['name'])).toContain('block_size_in_bytes');
    expect((v1['fields'] as Json[]).map((f) => f['name'])).not.toContain('content');
  });

  it('maps partition types to Avro with logical types and unique fixed names', () => {
    expect(avroSchemaForPrimitive({ kind: 'date' }, 1)).toEqual({ type: 'int', logicalType: 'date' });
    expect(avroSchemaForPrimitive({ kind: 'timestamptz' }, 1)).toEqual({
      type: 'long',
      logicalType: 'timestamp-micros',
      'adjust-to-utc': true,
    });
    expect(avroSchemaForPrimitive({ kind: 'timestamp_ns' }, 1)).toMatchObject({
      logicalType: 'timestamp-nanos',
    });
    expect(avroSchemaForPrimitive({ kind: 'time' }, 1)).toEqual({ type: 'long', logicalType: 'time-micros' });
    expect(avroSchemaForPrimitive({ kind: 'binary' }, 1)).toBe('bytes');
    expect(avroSchemaForPrimitive({ kind: 'uuid' }, 7)).toEqual({
      type: 'fixed',
      name: 'uuid_fixed_7',
      size: 16,
      logicalType: 'uuid',
    });
    expect(avroSchemaForPrimitive({ kind: 'fixed', length: 3 }, 8)).toEqual({
      type: 'fixed',
      name: 'fixed_8',
      size: 3,
    });
    expect(avroSchemaForPrimitive({ kind: 'decimal', precision: 38, scale: 10 }, 9)).toEqual({
      type: 'fixed',
      name: 'decimal_9',
      size: 16,
      logicalType: 'decimal',
      precision: 38,
      scale: 10,
    });
    const partition = partitionAvroSchema(PARTITION) as Json;
    expect(partition['name']).toBe('r102');
    for (const field of partition['fields'] as Json[]) {
      expect(field['default']).toBeNull();
      expect((field['type'] as unknown[])[0]).toBe('null');
    }
  });

  it('sizes decimal fixed types to the precision', () => {
    expect([1, 2, 3, 4, 9, 10, 18, 19, 38].map(decimalRequiredBytes)).toEqual([1, 1, 2, 2, 4, 5, 8, 9, 16]);
  });

  it('refuses nested partition field types with the field at fault', () => {
    expect(() =>
      partitionAvroSchema({
        kind: 'struct',
        fields: [{ id: 1000, name: 'nested', required: false, type: { kind: 'struct', fields: [] } }],
      }),
    ).toThrow("partition field 'nested' (id 1000) has nested type struct; partition values are primitives");
  });
});
