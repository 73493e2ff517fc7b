// The Avro schemas of manifests and manifest lists (spec §Manifests, §Manifest Lists), built as
// raw JSON so every field keeps its Iceberg `field-id` (and lists their `element-id`): the
// container writer puts this JSON verbatim into the `avro.schema` header, and Java, PyIceberg
// and iceberg-rust resolve manifest fields by those ids. Maps keyed by field id are arrays of
// key/value records tagged `logicalType: "map"`, the spec's form for non-string keys. The
// partition struct (`r102`) is built per partition spec: field ids from the spec, Avro types
// from each field's transform result type, every field optional.

import { IcebergError } from '../errors.ts';
import type { PrimitiveType, StructType } from '../spec/types.ts';
import type { AvroSchema } from './avro-container.ts';

export type ManifestFormatVersion = 1 | 2 | 3;

type AvroField = Readonly<Record<string, unknown>>;

function required(name: string, fieldId: number, type: AvroSchema): AvroField {
  return { name, type, 'field-id': fieldId };
}

function optional(name: string, fieldId: number, type: AvroSchema): AvroField {
  return { name, type: ['null', type], default: null, 'field-id': fieldId };
}

function record(name: string, fields: readonly AvroField[]): AvroSchema {
  return { type: 'record', name, fields };
}

/** A map with non-string keys: an array of `k<keyId>_v<valueId>` key/value records. */
function intKeyedMap(keyId: number, valueId: number, valueType: AvroSchema): AvroSchema {
  return {
    type: 'array',
    logicalType: 'map',
    items: record(`k${keyId}_v${valueId}`, [
      required('key', keyId, 'int'),
      required('value', valueId, valueType),
    ]),
  };
}

function list(elementId: number, elementType: AvroSchema): AvroSchema {
  return { type: 'array', items: elementType, 'element-id': elementId };
}

/** Bytes needed to hold any unscaled value of a decimal with this precision (two's complement). */
export function decimalRequiredBytes(precision: number): number {
  const limit = 10n ** BigInt(precision);
  let bytes = 1;
  while (1n << BigInt(8 * bytes - 1) < limit) {
    bytes++;
  }
  return bytes;
}

/**
 * Avro form of an Iceberg primitive. Named types (fixed) get a name unique within the schema,
 * derived from the field id, so two partition fields of the same type never collide.
 */
export function avroSchemaForPrimitive(type: PrimitiveType, fieldId: number): AvroSchema {
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return type.kind;
    case 'binary':
      return 'bytes';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': type.kind === 'timestamptz' };
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return {
        type: 'long',
        logicalType: 'timestamp-nanos',
        'adjust-to-utc': type.kind === 'timestamptz_ns',
      };
    case 'uuid':
      return { type: 'fixed', name: `uuid_fixed_${fieldId}`, size: 16, logicalType: 'uuid' };
    case 'fixed':
      return { type: 'fixed', name: `fixed_${fieldId}`, size: type.length };
    case 'decimal':
      return {
        type: 'fixed',
        name: `decimal_${fieldId}`,
        size: decimalRequiredBytes(type.precision),
        logicalType: 'decimal',
        precision: type.precision,
        scale: type.scale,
      };
  }
}

/** The `partition` struct (record `r102`) for a spec's partition type. */
export function partitionAvroSchema(partitionType: StructType): AvroSchema {
  return record(
    'r102',
    partitionType.fields.map((field) => {
      if (field.type.kind === 'struct' || field.type.kind === 'list' || field.type.kind === 'map') {
        throw new IcebergError(
          'invalid-argument',
          `partition field '${field.name}' (id ${field.id}) has nested type ${field.type.kind}; partition values are primitives`,
          { context: { fieldId: field.id } },
        );
      }
      return optional(field.name, field.id, avroSchemaForPrimitive(field.type, field.id));
    }),
  );
}

/** The `data_file` struct (record `r2`, field id 2 of `manifest_entry`). */
export function dataFileAvroSchema(version: ManifestFormatVersion, partitionType: StructType): AvroSchema {
  const fields: AvroField[] = [];
  if (version >= 2) {
    fields.push(required('content', 134, 'int'));
  }
  fields.push(
    required('file_path', 100, 'string'),
    required('file_format', 101, 'string'),
    required('partition', 102, partitionAvroSchema(partitionType)),
    required('record_count', 103, 'long'),
    required('file_size_in_bytes', 104, 'long'),
  );
  if (version === 1) {
    // v1 required a block size; writers filled in 64 MiB and readers ignore it.
    fields.push(required('block_size_in_bytes', 105, 'long'));
  }
  fields.push(
    optional('column_sizes', 108, intKeyedMap(117, 118, 'long')),
    optional('value_counts', 109, intKeyedMap(119, 120, 'long')),
    optional('null_value_counts', 110, intKeyedMap(121, 122, 'long')),
    optional('nan_value_counts', 137, intKeyedMap(138, 139, 'long')),
    optional('lower_bounds', 125, intKeyedMap(126, 127, 'bytes')),
    optional('upper_bounds', 128, intKeyedMap(129, 130, 'bytes')),
    optional('key_metadata', 131, 'bytes'),
    optional('split_offsets', 132, list(133, 'long')),
  );
  if (version >= 2) {
    fields.push(optional('equality_ids', 135, list(136, 'int')));
  }
  fields.push(optional('sort_order_id', 140, 'int'));
  if (version >= 3) {
    fields.push(
      optional('first_row_id', 142, 'long'),
      optional('referenced_data_file', 143, 'string'),
      optional('content_offset', 144, 'long'),
      optional('content_size_in_bytes', 145, 'long'),
    );
  }
  return record('r2', fields);
}

/** The `manifest_entry` record: one row of a manifest file. */
export function manifestEntryAvroSchema(
  version: ManifestFormatVersion,
  partitionType: StructType,
): AvroSchema {
  const dataFile = dataFileAvroSchema(version, partitionType);
  if (version === 1) {
    return record('manifest_entry', [
      required('status', 0, 'int'),
      required('snapshot_id', 1, 'long'),
      required('data_file', 2, dataFile),
    ]);
  }
  return record('manifest_entry', [
    required('status', 0, 'int'),
    optional('snapshot_id', 1, 'long'),
    optional('sequence_number', 3, 'long'),
    optional('file_sequence_number', 4, 'long'),
    required('data_file', 2, dataFile),
  ]);
}

const FIELD_SUMMARY = record('r508', [
  required('contains_null', 509, 'boolean'),
  optional('contains_nan', 518, 'boolean'),
  optional('lower_bound', 510, 'bytes'),
  optional('upper_bound', 511, 'bytes'),
]);

/** The `manifest_file` record: one row of a manifest list. */
export function manifestFileAvroSchema(version: ManifestFormatVersion): AvroSchema {
  if (version === 1) {
    return record('manifest_file', [
      required('manifest_path', 500, 'string'),
      required('manifest_length', 501, 'long'),
      required('partition_spec_id', 502, 'int'),
      optional('added_snapshot_id', 503, 'long'),
      optional('added_data_files_count', 504, 'int'),
      optional('existing_data_files_count', 505, 'int'),
      optional('deleted_data_files_count', 506, 'int'),
      optional('partitions', 507, list(508, FIELD_SUMMARY)),
      optional('added_rows_count', 512, 'long'),
      optional('existing_rows_count', 513, 'long'),
      optional('deleted_rows_count', 514, 'long'),
      optional('key_metadata', 519, 'bytes'),
    ]);
  }
  const fields: AvroField[] = [
    required('manifest_path', 500, 'string'),
    required('manifest_length', 501, 'long'),
    required('partition_spec_id', 502, 'int'),
    required('content', 517, 'int'),
    required('sequence_number', 515, 'long'),
    required('min_sequence_number', 516, 'long'),
    required('added_snapshot_id', 503, 'long'),
    required('added_files_count', 504, 'int'),
    required('existing_files_count', 505, 'int'),
    required('deleted_files_count', 506, 'int'),
    required('added_rows_count', 512, 'long'),
    required('existing_rows_count', 513, 'long'),
    required('deleted_rows_count', 514, 'long'),
    optional('partitions', 507, list(508, FIELD_SUMMARY)),
    optional('key_metadata', 519, 'bytes'),
  ];
  if (version >= 3) {
    fields.push(optional('first_row_id', 520, 'long'));
  }
  return record('manifest_file', fields);
}
