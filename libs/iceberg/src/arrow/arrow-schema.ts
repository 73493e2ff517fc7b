// Arrow ↔ Iceberg schema conversion. Field ids travel as `PARQUET:field_id` field metadata, the
// key parquet writers turn into Parquet field ids and that PyIceberg and Arrow C++ read back.
// Iceberg→Arrow follows PyIceberg's mapping (timestamp → Timestamp(µs), timestamptz →
// Timestamp(µs, 'UTC'), uuid → FixedSizeBinary(16), decimal → Decimal128, …). Arrow→Iceberg
// keeps ids when every field has one (files we wrote) and otherwise assigns fresh ids the way
// Java does (each struct's own fields first, then their children). Producer data is converted
// with `fieldIds: 'fresh'`: ids a producer left on its columns (read from another table, or on
// some columns only) are never trusted, since tables match data by name (DESIGN §6).

import {
  Field as ArrowField,
  Schema as ArrowSchema,
  Binary,
  Bool,
  type DataType,
  DateDay,
  Decimal,
  FixedSizeBinary,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  Map_,
  Precision,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  TimeUnit,
  Type,
  Utf8,
} from 'apache-arrow';
import { IcebergError } from '../errors.ts';
import { MAX_DECIMAL_PRECISION, typeToString } from '../spec/type-json.ts';
import type { IcebergType, NestedField, Schema } from '../spec/types.ts';

export const PARQUET_FIELD_ID_KEY = 'PARQUET:field_id';
const FIELD_ID_KEYS = [PARQUET_FIELD_ID_KEY, 'field_id'];
const DOC_KEY = 'doc';
const UUID_EXTENSION = 'arrow.uuid';

/** Arrow schema for an Iceberg schema, every field (nested ones too) carrying its id. */
export function icebergToArrowSchema(schema: Schema): ArrowSchema {
  return new ArrowSchema(schema.fields.map(fieldToArrow));
}

export function icebergToArrowType(type: IcebergType): DataType {
  switch (type.kind) {
    case 'boolean':
      return new Bool();
    case 'int':
      return new Int32();
    case 'long':
      return new Int64();
    case 'float':
      return new Float32();
    case 'double':
      return new Float64();
    case 'decimal':
      return new Decimal(type.scale, type.precision, 128);
    case 'date':
      return new DateDay();
    case 'time':
      return new TimeMicrosecond();
    case 'timestamp':
      return new TimestampMicrosecond();
    case 'timestamptz':
      return new TimestampMicrosecond('UTC');
    case 'timestamp_ns':
      return new TimestampNanosecond();
    case 'timestamptz_ns':
      return new TimestampNanosecond('UTC');
    case 'string':
      return new Utf8();
    case 'uuid':
      return new FixedSizeBinary(16);
    case 'fixed':
      return new FixedSizeBinary(type.length);
    case 'binary':
      return new Binary();
    case 'struct':
      return new Struct(type.fields.map(fieldToArrow));
    case 'list':
      return new List(arrowField('element', type.element, type.elementId, !type.elementRequired));
    case 'map': {
      const entries = new Struct([
        arrowField('key', type.key, type.keyId, false),
        arrowField('value', type.value, type.valueId, !type.valueRequired),
      ]);
      return new Map_(new ArrowField('entries', entries, false));
    }
  }
}

function fieldToArrow(field: NestedField): ArrowField {
  return arrowField(field.name, field.type, field.id, !field.required, field.doc);
}

function arrowField(
  name: string,
  type: IcebergType,
  id: number,
  nullable: boolean,
  doc?: string,
): ArrowField {
  const metadata = new Map([[PARQUET_FIELD_ID_KEY, String(id)]]);
  if (doc !== undefined) metadata.set(DOC_KEY, doc);
  return new ArrowField(name, icebergToArrowType(type), nullable, metadata);
}

export interface ArrowToIcebergOptions {
  readonly schemaId?: number;
  /** Ids to assign start after this (when the Arrow schema has none). Default 0. */
  readonly lastColumnId?: number;
  /**
   * Target format version. Below 3, nanosecond timestamps become µs `timestamp`/`timestamptz`
   * (values are floored to µs on read); from 3 they map to `timestamp_ns`/`timestamptz_ns`.
   */
  readonly formatVersion?: 1 | 2 | 3;
  /**
   * `metadata` (default): use the `PARQUET:field_id` metadata when every field has it (files
   * this library or another Iceberg writer wrote). `fresh`: ignore any id metadata and assign
   * fresh ids — for producer data, whose ids may be stale, partial or from another table.
   */
  readonly fieldIds?: 'metadata' | 'fresh';
}

/**
 * Iceberg schema for an Arrow schema. By default uses the `PARQUET:field_id` metadata when all
 * fields have it, assigns fresh ids when none do and refuses a mix (which would risk id
 * collisions); with `fieldIds: 'fresh'` it always assigns fresh ids.
 */
export function arrowToIcebergSchema(schema: ArrowSchema, options: ArrowToIcebergOptions = {}): Schema {
  const withIds = options.fieldIds === 'fresh' ? { present: 0, missing: 0 } : countFieldIds(schema.fields);
  if (withIds.present > 0 && withIds.missing > 0) {
    throw new IcebergError(
      'invalid-schema',
      `Arrow schema has field ids on ${withIds.present} fields but not on ${withIds.missing} (first: '${withIds.firstMissing}'); either all fields need '${PARQUET_FIELD_ID_KEY}' metadata or none`,
      { context: { firstMissing: withIds.firstMissing ?? null } },
    );
  }
  let nextId = options.lastColumnId ?? 0;
  const ids = withIds.present > 0 ? (field: ArrowField) => readFieldId(field)! : () => ++nextId;
  const converter = new ArrowConverter(ids, options.formatVersion ?? 2);
  return {
    schemaId: options.schemaId ?? 0,
    fields: converter.structFields(schema.fields, ''),
    identifierFieldIds: [],
  };
}

/** The id in a field's `PARQUET:field_id` (or `field_id`) metadata, if any. */
export function readFieldId(field: ArrowField): number | undefined {
  for (const key of FIELD_ID_KEYS) {
    const raw = field.metadata.get(key);
    if (raw !== undefined) {
      const id = Number(raw);
      if (!Number.isInteger(id) || id < 0) {
        throw new IcebergError('invalid-schema', `Arrow field '${field.name}' has invalid ${key} '${raw}'`, {
          context: { field: field.name },
        });
      }
      return id;
    }
  }
  return undefined;
}

interface IdCount {
  present: number;
  missing: number;
  firstMissing?: string;
}

function countFieldIds(
  fields: readonly ArrowField[],
  prefix = '',
  count: IdCount = { present: 0, missing: 0 },
): IdCount {
  for (const field of fields) {
    const path = prefix + field.name;
    if (readFieldId(field) === undefined) {
      count.missing++;
      count.firstMissing ??= path;
    } else count.present++;
    countFieldIds(nestedFields(field.type), `${path}.`, count);
  }
  return count;
}

function nestedFields(type: DataType): ArrowField[] {
  if (type.typeId === Type.Dictionary)
    return nestedFields((type as unknown as { dictionary: DataType }).dictionary);
  if (type.typeId === Type.Map) return (type.children[0]?.type.children ?? []) as ArrowField[];
  return (type.children ?? []) as ArrowField[];
}

class ArrowConverter {
  readonly #nextId: (field: ArrowField) => number;
  readonly #formatVersion: number;

  constructor(nextId: (field: ArrowField) => number, formatVersion: number) {
    this.#nextId = nextId;
    this.#formatVersion = formatVersion;
  }

  /** Assigns ids to all of a struct's fields before descending, like Java's AssignFreshIds. */
  structFields(fields: readonly ArrowField[], prefix: string): NestedField[] {
    const ids = fields.map((field) => this.#nextId(field));
    return fields.map((field, i) => {
      const doc = field.metadata.get(DOC_KEY);
      return {
        id: ids[i]!,
        name: field.name,
        required: !field.nullable,
        type: this.type(field, `${prefix}${field.name}`),
        ...(doc === undefined ? {} : { doc }),
      };
    });
  }

  type(field: ArrowField, path: string): IcebergType {
    const type = field.type as DataType;
    const unsupported = (why: string): never => {
      throw new IcebergError('unsupported', `column '${path}': Arrow type ${String(type)} ${why}`, {
        context: { column: path, arrowType: String(type) },
      });
    };
    switch (type.typeId) {
      case Type.Bool:
        return { kind: 'boolean' };
      case Type.Int: {
        const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
        if (bitWidth < 32 || (bitWidth === 32 && isSigned)) return { kind: 'int' };
        if (bitWidth === 32 || isSigned) return { kind: 'long' };
        return unsupported('has no Iceberg equivalent (unsigned 64-bit values may not fit in a long)');
      }
      case Type.Float:
        return (type as unknown as { precision: Precision }).precision === Precision.DOUBLE
          ? { kind: 'double' }
          : { kind: 'float' };
      case Type.Decimal: {
        const { precision, scale } = type as unknown as { precision: number; scale: number };
        if (precision > MAX_DECIMAL_PRECISION)
          return unsupported(`exceeds Iceberg's maximum decimal precision of 38`);
        return { kind: 'decimal', precision, scale };
      }
      case Type.Date:
        return { kind: 'date' };
      case Type.Time:
        return { kind: 'time' };
      case Type.Timestamp: {
        const { unit, timezone } = type as unknown as { unit: TimeUnit; timezone?: string | null };
        const zoned = timezone !== undefined && timezone !== null && timezone !== '';
        if (unit === TimeUnit.NANOSECOND && this.#formatVersion >= 3) {
          return { kind: zoned ? 'timestamptz_ns' : 'timestamp_ns' };
        }
        return { kind: zoned ? 'timestamptz' : 'timestamp' };
      }
      case Type.Utf8:
      case Type.LargeUtf8:
        return { kind: 'string' };
      case Type.Binary:
      case Type.LargeBinary:
        return { kind: 'binary' };
      case Type.FixedSizeBinary: {
        const { byteWidth } = type as unknown as { byteWidth: number };
        if (byteWidth === 16 && field.metadata.get('ARROW:extension:name') === UUID_EXTENSION)
          return { kind: 'uuid' };
        return { kind: 'fixed', length: byteWidth };
      }
      case Type.Struct:
        return { kind: 'struct', fields: this.structFields(type.children as ArrowField[], `${path}.`) };
      case Type.List:
      case Type.LargeList:
      case Type.FixedSizeList: {
        const element = type.children[0] as ArrowField;
        const elementId = this.#nextId(element);
        return {
          kind: 'list',
          elementId,
          elementRequired: !element.nullable,
          element: this.type(element, `${path}.element`),
        };
      }
      case Type.Map: {
        const [key, value] = type.children[0]!.type.children as ArrowField[];
        const keyId = this.#nextId(key!);
        const valueId = this.#nextId(value!);
        return {
          kind: 'map',
          keyId,
          key: this.type(key!, `${path}.key`),
          valueId,
          valueRequired: !value!.nullable,
          value: this.type(value!, `${path}.value`),
        };
      }
      case Type.Dictionary: {
        const dictionary = (type as unknown as { dictionary: DataType }).dictionary;
        return this.type(new ArrowField(field.name, dictionary, field.nullable, field.metadata), path);
      }
      default:
        return unsupported('has no Iceberg equivalent');
    }
  }
}

/** Message-friendly Iceberg type of an Arrow field (for schema-mismatch errors). */
export function describeArrowField(field: ArrowField): string {
  try {
    return typeToString(new ArrowConverter(() => 0, 3).type(field, field.name));
  } catch {
    return String(field.type);
  }
}
