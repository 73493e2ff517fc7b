// Binary single-value serialization (spec Appendix D), the encoding of column lower/upper
// bounds in manifests: little-endian fixed-width numbers, UTF-8 strings, big-endian uuids and
// minimal two's-complement decimals. Reading honours the promotion table of §Schema Evolution:
// bounds written before a column was promoted keep their old width (4 bytes under a `long`
// column are an `int`, under a `double` a `float`, under a `timestamp` a `date`).

import { IcebergError } from '../errors.ts';
import { bytesToDecimal, decimalToBytes } from './decimal.ts';
import { MICROS_PER_DAY, NANOS_PER_MICRO } from './temporal.ts';
import { primitiveTypeToString } from './type-json.ts';
import type { IcebergType, PrimitiveType } from './types.ts';
import { isPrimitive } from './types.ts';
import { bytesToUuid, checkPrimitiveValue, type PrimitiveValue, uuidToBytes } from './values.ts';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function serializeSingleValue(type: IcebergType, value: unknown): Uint8Array {
  const primitive = requirePrimitive(type);
  const checked = checkPrimitiveValue(primitive, value);
  switch (primitive.kind) {
    case 'boolean':
      return Uint8Array.of(checked ? 1 : 0);
    case 'int':
    case 'date': {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setInt32(0, checked as number, true);
      return bytes;
    }
    case 'float': {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, checked as number, true);
      return bytes;
    }
    case 'double': {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, checked as number, true);
      return bytes;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigInt64(0, checked as bigint, true);
      return bytes;
    }
    case 'decimal':
      return decimalToBytes(checked as bigint);
    case 'string':
      return utf8Encoder.encode(checked as string);
    case 'uuid':
      return uuidToBytes(checked as string);
    case 'fixed':
    case 'binary':
      return Uint8Array.from(checked as Uint8Array);
  }
}

export function deserializeSingleValue(type: IcebergType, bytes: Uint8Array): PrimitiveValue {
  const primitive = requirePrimitive(type);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expectLength = (...lengths: number[]): void => {
    if (!lengths.includes(bytes.length)) {
      throw new IcebergError(
        'invalid-value',
        `cannot read ${bytes.length} bytes as a ${primitiveTypeToString(primitive)} bound: expected ${lengths.join(' or ')} bytes`,
        { context: { type: primitiveTypeToString(primitive), length: bytes.length } },
      );
    }
  };
  switch (primitive.kind) {
    case 'boolean':
      expectLength(1);
      return bytes[0] !== 0;
    case 'int':
    case 'date':
      expectLength(4);
      return view.getInt32(0, true);
    case 'float':
      expectLength(4);
      return view.getFloat32(0, true);
    case 'double':
      expectLength(4, 8);
      return bytes.length === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
    case 'long':
      expectLength(4, 8);
      return bytes.length === 4 ? BigInt(view.getInt32(0, true)) : view.getBigInt64(0, true);
    case 'time':
    case 'timestamptz':
    case 'timestamptz_ns':
      expectLength(8);
      return view.getBigInt64(0, true);
    case 'timestamp':
    case 'timestamp_ns': {
      expectLength(4, 8);
      if (bytes.length === 8) return view.getBigInt64(0, true);
      const perDay = primitive.kind === 'timestamp' ? MICROS_PER_DAY : MICROS_PER_DAY * NANOS_PER_MICRO;
      return BigInt(view.getInt32(0, true)) * perDay;
    }
    case 'decimal':
      return bytesToDecimal(bytes);
    case 'string':
      try {
        return utf8Decoder.decode(bytes);
      } catch (cause) {
        throw new IcebergError('invalid-value', `string bound is not valid UTF-8 (${bytes.length} bytes)`, {
          cause,
        });
      }
    case 'uuid':
      expectLength(16);
      return bytesToUuid(bytes);
    case 'fixed':
      expectLength((primitive as { length: number }).length);
      return Uint8Array.from(bytes);
    case 'binary':
      return Uint8Array.from(bytes);
  }
}

function requirePrimitive(type: IcebergType): PrimitiveType {
  if (!isPrimitive(type)) {
    throw new IcebergError(
      'unsupported',
      `single-value serialization is not defined for ${type.kind} types`,
      {
        context: { type: type.kind },
      },
    );
  }
  return type;
}
