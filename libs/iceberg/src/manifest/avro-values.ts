// Bridges between avsc's decoded values and the library's value contract, plus lookups in a
// writer schema by Iceberg field id. Manifests written by other engines may name fields and
// named types differently (v1 `added_data_files_count` vs v2 `added_files_count`, type
// references instead of inline definitions), so readers locate fields by `field-id` and
// resolve named-type references before interpreting logical types.

import { IcebergError } from '../errors.ts';
import { bytesToDecimal } from '../spec/decimal.ts';
import type { PrimitiveType } from '../spec/types.ts';
import { bytesToUuid, type PrimitiveValue, uuidToBytes } from '../spec/values.ts';
import type { AvroSchema } from './avro-container.ts';
import { decimalRequiredBytes } from './avro-schemas.ts';

type AvroObject = { readonly [key: string]: unknown };

/** Named types (records, fixed, enums) declared anywhere in a schema, by simple and full name. */
export class AvroNames {
  private readonly named = new Map<string, AvroObject>();

  constructor(schema: AvroSchema) {
    this.collect(schema, undefined);
  }

  private collect(schema: unknown, namespace: string | undefined): void {
    if (Array.isArray(schema)) {
      for (const branch of schema) this.collect(branch, namespace);
      return;
    }
    if (typeof schema !== 'object' || schema === null) return;
    const node = schema as AvroObject;
    let inner = namespace;
    if (
      typeof node['name'] === 'string' &&
      ['record', 'fixed', 'enum', 'error'].includes(String(node['type']))
    ) {
      const name = node['name'];
      inner =
        typeof node['namespace'] === 'string'
          ? node['namespace']
          : name.includes('.')
            ? undefined
            : namespace;
      this.named.set(name, node);
      if (inner !== undefined && !name.includes('.')) this.named.set(`${inner}.${name}`, node);
    }
    if (Array.isArray(node['fields'])) {
      for (const field of node['fields'] as AvroObject[]) this.collect(field['type'], inner);
    }
    if (node['items'] !== undefined) this.collect(node['items'], inner);
    if (node['values'] !== undefined) this.collect(node['values'], inner);
    if (typeof node['type'] === 'object') this.collect(node['type'], inner);
  }

  /** Follows a reference to a named type; anything else is returned as is. */
  resolve(schema: unknown): unknown {
    return typeof schema === 'string' ? (this.named.get(schema) ?? schema) : schema;
  }
}

/** Strips a `["null", T]` union, returning T (resolved). */
function nonNullBranch(schema: unknown, names: AvroNames): unknown {
  if (Array.isArray(schema)) {
    const branches = schema.filter((branch) => branch !== 'null');
    return names.resolve(branches.length === 1 ? branches[0] : schema);
  }
  return names.resolve(schema);
}

export interface AvroFieldInfo {
  readonly name: string;
  readonly type: unknown;
}

/** A record's fields keyed by `field-id` (fields without one are skipped). */
export function fieldsById(
  recordSchema: unknown,
  names: AvroNames,
  what: string,
): Map<number, AvroFieldInfo> {
  const resolved = nonNullBranch(recordSchema, names);
  const fields =
    typeof resolved === 'object' && resolved !== null ? (resolved as AvroObject)['fields'] : undefined;
  if (!Array.isArray(fields)) {
    throw new IcebergError('invalid-metadata', `${what} schema is not an Avro record`, { context: { what } });
  }
  const byId = new Map<number, AvroFieldInfo>();
  for (const field of fields as AvroObject[]) {
    const id = field['field-id'];
    if (typeof id === 'number' && typeof field['name'] === 'string') {
      byId.set(id, { name: field['name'], type: field['type'] });
    }
  }
  return byId;
}

/** The record's ordered field list (name, type, field id when present). */
export function recordFields(
  recordSchema: unknown,
  names: AvroNames,
): readonly { name: string; type: unknown; fieldId: number | undefined }[] {
  const resolved = nonNullBranch(recordSchema, names) as AvroObject;
  const fields = (resolved['fields'] ?? []) as AvroObject[];
  return fields.map((field) => ({
    name: String(field['name']),
    type: field['type'],
    fieldId: typeof field['field-id'] === 'number' ? field['field-id'] : undefined,
  }));
}

/** Copies avsc's Buffer (a view into a whole block) into a standalone Uint8Array. */
export function copyBytes(value: Uint8Array): Uint8Array {
  return Uint8Array.from(value);
}

/** Wraps bytes as a Buffer without copying (avsc's bytes and fixed types accept only Buffers). */
export function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Decodes one primitive value from avsc's form using the writer schema's (logical) type. */
export function fromAvroPrimitive(value: unknown, schema: unknown, names: AvroNames): PrimitiveValue | null {
  if (value === null || value === undefined) return null;
  const type = nonNullBranch(schema, names);
  if (value instanceof Uint8Array) {
    const node = typeof type === 'object' && type !== null ? (type as AvroObject) : {};
    if (node['logicalType'] === 'decimal') return bytesToDecimal(value);
    if (node['logicalType'] === 'uuid' && value.length === 16) return bytesToUuid(value);
    return copyBytes(value);
  }
  if (
    typeof value === 'boolean' ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'string'
  ) {
    return value;
  }
  throw new IcebergError('invalid-metadata', `unexpected Avro value of type ${typeof value} for a primitive`);
}

/** Encodes one partition value into avsc's form for an Iceberg primitive type. */
export function toAvroPrimitive(value: PrimitiveValue | null, type: PrimitiveType): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case 'uuid':
      return Buffer.from(uuidToBytes(value as string));
    case 'decimal':
      return decimalFixedBytes(value as bigint, decimalRequiredBytes(type.precision));
    case 'fixed':
    case 'binary':
      return asBuffer(value as Uint8Array);
    default:
      return value;
  }
}

/** Sign-extended big-endian two's complement in exactly `size` bytes (Avro fixed decimals). */
export function decimalFixedBytes(unscaled: bigint, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let rest = BigInt.asUintN(size * 8, unscaled);
  for (let i = size - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}
