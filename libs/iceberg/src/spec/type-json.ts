// Iceberg types and schemas to and from the spec's JSON form (Appendix C): primitives are
// strings (`"long"`, `"decimal(9,2)"`, `"fixed[16]"`), nested types are objects with a `type`
// of struct/list/map, and a schema is a struct plus `schema-id` and `identifier-field-ids`.
// Parsing reports the dotted path of the field at fault, because a bad type deep inside a
// catalog response is otherwise impossible to find. Accepts ids as `number` or `bigint` so it
// works on the output of the BigInt-safe JSON parser.

import { IcebergError } from '../errors.ts';
import type {
  IcebergType,
  ListType,
  MapType,
  NestedField,
  PrimitiveType,
  PrimitiveTypeName,
  Schema,
  StructType,
} from './types.ts';

const SIMPLE_PRIMITIVES: ReadonlySet<string> = new Set<PrimitiveTypeName>([
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
]);

// v3 types that we can name but not yet read, write or transform.
const KNOWN_UNSUPPORTED = /^(unknown|variant|geometry|geography)\b/;
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$/;
const FIXED = /^fixed\[\s*(\d+)\s*\]$/;

export const MAX_DECIMAL_PRECISION = 38;

/** JSON form of a type, as the spec writes it. */
export type TypeJson = string | StructTypeJson | ListTypeJson | MapTypeJson;

export interface NestedFieldJson {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: TypeJson;
  readonly doc?: string;
  readonly 'initial-default'?: unknown;
  readonly 'write-default'?: unknown;
}

export interface StructTypeJson {
  readonly type: 'struct';
  readonly fields: readonly NestedFieldJson[];
}

export interface ListTypeJson {
  readonly type: 'list';
  readonly 'element-id': number;
  readonly 'element-required': boolean;
  readonly element: TypeJson;
}

export interface MapTypeJson {
  readonly type: 'map';
  readonly 'key-id': number;
  readonly key: TypeJson;
  readonly 'value-id': number;
  readonly 'value-required': boolean;
  readonly value: TypeJson;
}

export interface SchemaJson extends StructTypeJson {
  readonly 'schema-id': number;
  readonly 'identifier-field-ids'?: readonly number[];
}

/** Parses a primitive type string such as `"decimal(9, 2)"`; `where` names it in errors. */
export function parsePrimitiveType(text: string, where = 'type'): PrimitiveType {
  const trimmed = text.trim();
  if (SIMPLE_PRIMITIVES.has(trimmed)) return { kind: trimmed as PrimitiveTypeName };
  const decimal = DECIMAL.exec(trimmed);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
      throw invalid(where, `decimal precision must be between 1 and 38, got ${precision} in '${text}'`);
    }
    return { kind: 'decimal', precision, scale };
  }
  const fixed = FIXED.exec(trimmed);
  if (fixed) {
    const length = Number(fixed[1]);
    if (length < 1) throw invalid(where, `fixed length must be positive, got '${text}'`);
    return { kind: 'fixed', length };
  }
  if (KNOWN_UNSUPPORTED.test(trimmed)) {
    throw new IcebergError('unsupported', `${where}: Iceberg type '${text}' is not supported by floe yet`, {
      context: { path: where, type: text },
    });
  }
  throw invalid(where, `unknown Iceberg type '${text}'`);
}

/** Parses the JSON form of any type. `where` is the path used in error messages. */
export function parseType(json: unknown, where = 'type'): IcebergType {
  if (typeof json === 'string') return parsePrimitiveType(json, where);
  if (!isObject(json)) throw invalid(where, `expected a type string or object, got ${describe(json)}`);
  switch (json['type']) {
    case 'struct':
      return parseStruct(json, where);
    case 'list':
      return parseList(json, where);
    case 'map':
      return parseMap(json, where);
    default:
      throw invalid(where, `unknown nested type ${describe(json['type'])}; expected struct, list or map`);
  }
}

/** Parses a schema object (`{"type":"struct","schema-id":0,"fields":[…]}`). */
export function parseSchema(json: unknown): Schema {
  if (!isObject(json)) throw invalid('schema', `expected an object, got ${describe(json)}`);
  if (json['type'] !== undefined && json['type'] !== 'struct') {
    throw invalid('schema', `expected type 'struct', got ${describe(json['type'])}`);
  }
  const struct = parseStruct(json, 'schema');
  const schemaId = json['schema-id'] === undefined ? 0 : toInt(json['schema-id'], 'schema.schema-id');
  const rawIdentifiers = json['identifier-field-ids'] ?? [];
  if (!Array.isArray(rawIdentifiers)) {
    throw invalid(
      'schema.identifier-field-ids',
      `expected a list of field ids, got ${describe(rawIdentifiers)}`,
    );
  }
  const identifierFieldIds = rawIdentifiers.map((id, i) => toInt(id, `schema.identifier-field-ids[${i}]`));
  return { schemaId, fields: struct.fields, identifierFieldIds };
}

export function typeToJson(type: IcebergType): TypeJson {
  switch (type.kind) {
    case 'struct':
      return { type: 'struct', fields: type.fields.map(fieldToJson) };
    case 'list':
      return {
        type: 'list',
        'element-id': type.elementId,
        'element-required': type.elementRequired,
        element: typeToJson(type.element),
      };
    case 'map':
      return {
        type: 'map',
        'key-id': type.keyId,
        key: typeToJson(type.key),
        'value-id': type.valueId,
        'value-required': type.valueRequired,
        value: typeToJson(type.value),
      };
    default:
      return primitiveTypeToString(type);
  }
}

export function schemaToJson(schema: Schema): SchemaJson {
  return {
    type: 'struct',
    'schema-id': schema.schemaId,
    ...(schema.identifierFieldIds.length > 0
      ? { 'identifier-field-ids': [...schema.identifierFieldIds] }
      : {}),
    fields: schema.fields.map(fieldToJson),
  };
}

/** The spec string of a primitive: `int`, `decimal(9,2)`, `fixed[16]`. */
export function primitiveTypeToString(type: PrimitiveType): string {
  if (type.kind === 'decimal') {
    const { precision, scale } = type as { precision: number; scale: number };
    return `decimal(${precision},${scale})`;
  }
  if (type.kind === 'fixed') return `fixed[${(type as { length: number }).length}]`;
  return type.kind;
}

/** A compact human form for messages: `list<int>`, `map<string, struct<a: long>>`. */
export function typeToString(type: IcebergType): string {
  switch (type.kind) {
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}: ${typeToString(f.type)}`).join(', ')}>`;
    case 'list':
      return `list<${typeToString(type.element)}>`;
    case 'map':
      return `map<${typeToString(type.key)}, ${typeToString(type.value)}>`;
    default:
      return primitiveTypeToString(type);
  }
}

function fieldToJson(field: NestedField): NestedFieldJson {
  return {
    id: field.id,
    name: field.name,
    required: field.required,
    type: typeToJson(field.type),
    ...(field.doc === undefined ? {} : { doc: field.doc }),
    ...(field.initialDefault === undefined ? {} : { 'initial-default': field.initialDefault }),
    ...(field.writeDefault === undefined ? {} : { 'write-default': field.writeDefault }),
  };
}

function parseStruct(json: Record<string, unknown>, where: string): StructType {
  const rawFields = json['fields'];
  if (!Array.isArray(rawFields))
    throw invalid(where, `struct needs a 'fields' list, got ${describe(rawFields)}`);
  const fields = rawFields.map((raw, index) => parseField(raw, where, index));
  return { kind: 'struct', fields };
}

function parseField(raw: unknown, parent: string, index: number): NestedField {
  const position = `${parent}.fields[${index}]`;
  if (!isObject(raw)) throw invalid(position, `expected a field object, got ${describe(raw)}`);
  const name = raw['name'];
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid(position, `field needs a non-empty string 'name', got ${describe(name)}`);
  }
  const where = parent === 'schema' || parent === 'type' ? name : `${parent}.${name}`;
  const id = toInt(raw['id'], `${where} (id)`);
  const required = raw['required'];
  if (typeof required !== 'boolean') {
    throw invalid(where, `field needs a boolean 'required', got ${describe(required)}`);
  }
  if (!('type' in raw)) throw invalid(where, `field ${id} has no 'type'`);
  const type = parseType(raw['type'], where);
  const doc = raw['doc'];
  if (doc !== undefined && doc !== null && typeof doc !== 'string') {
    throw invalid(where, `'doc' must be a string, got ${describe(doc)}`);
  }
  return {
    id,
    name,
    required,
    type,
    ...(typeof doc === 'string' ? { doc } : {}),
    ...(raw['initial-default'] === undefined ? {} : { initialDefault: raw['initial-default'] }),
    ...(raw['write-default'] === undefined ? {} : { writeDefault: raw['write-default'] }),
  };
}

function parseList(json: Record<string, unknown>, where: string): ListType {
  const elementRequired = json['element-required'];
  if (typeof elementRequired !== 'boolean') {
    throw invalid(where, `list needs a boolean 'element-required', got ${describe(elementRequired)}`);
  }
  return {
    kind: 'list',
    elementId: toInt(json['element-id'], `${where}.element-id`),
    elementRequired,
    element: parseType(json['element'], `${where}.element`),
  };
}

function parseMap(json: Record<string, unknown>, where: string): MapType {
  const valueRequired = json['value-required'];
  if (typeof valueRequired !== 'boolean') {
    throw invalid(where, `map needs a boolean 'value-required', got ${describe(valueRequired)}`);
  }
  return {
    kind: 'map',
    keyId: toInt(json['key-id'], `${where}.key-id`),
    key: parseType(json['key'], `${where}.key`),
    valueId: toInt(json['value-id'], `${where}.value-id`),
    valueRequired,
    value: parseType(json['value'], `${where}.value`),
  };
}

function toInt(value: unknown, where: string): number {
  const asNumber = typeof value === 'bigint' ? Number(value) : value;
  if (
    typeof asNumber !== 'number' ||
    !Number.isInteger(asNumber) ||
    asNumber < -0x80000000 ||
    asNumber > 0x7fffffff
  ) {
    throw invalid(where, `expected a 32-bit integer, got ${describe(value)}`);
  }
  return asNumber;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function invalid(where: string, message: string): IcebergError {
  return new IcebergError('invalid-schema', `invalid schema at ${where}: ${message}`, {
    context: { path: where },
  });
}
