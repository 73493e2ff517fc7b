// Avro object container files (Avro spec §Object Container Files), framed by hand. avsc encodes
// and decodes the records, but its own file encoder re-serialises the schema from its parsed
// `Type`, which drops custom attributes such as Iceberg's `field-id`; other engines read
// manifests by field id, so the header's `avro.schema` must be the raw schema JSON. Framing the
// container ourselves keeps those header bytes under our control. Longs decode to `bigint`
// (snapshot ids and sizes routinely exceed 2^53). Codecs: `null`, `deflate` (Java's and
// PyIceberg's default for manifests) and `zstandard`.

import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import type { Type as AvroType, Schema as AvscSchema } from 'avsc';
import avro from 'avsc';
import { IcebergError } from '../errors.ts';

/** A schema as Avro JSON: a primitive name, a union array, or a complex-type object. */
export type AvroSchema = string | readonly AvroSchema[] | { readonly [key: string]: unknown };

export type AvroCodec = 'null' | 'deflate' | 'zstandard';

/** The Avro magic: `Obj` followed by format version 1. */
const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01);
const SYNC_SIZE = 16;
/** Records per block; Java uses a byte threshold, readers accept any size. */
const DEFAULT_BLOCK_RECORDS = 1000;

function bigintFromLongBytes(bytes: Buffer): bigint {
  return bytes.readBigInt64LE(0);
}

function longBytesFromBigint(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64LE(value);
  return bytes;
}

/**
 * avsc's stock `long` rejects values beyond 2^53 ("potential precision loss"). This one reads
 * and writes the exact 64-bit value as `bigint`; avsc hands it the unpacked 8-byte LE form.
 */
function createBigintLongType(): AvroType {
  return avro.types.LongType.__with({
    fromBuffer: bigintFromLongBytes,
    toBuffer: longBytesFromBigint,
    fromJSON: (json: unknown) => BigInt(json as string | number),
    toJSON: (value: bigint) => value.toString(),
    isValid: (value: unknown) => typeof value === 'bigint' && value >= -(2n ** 63n) && value < 2n ** 63n,
    compare: (left: bigint, right: bigint) => (left === right ? 0 : left < right ? -1 : 1),
  }) as unknown as AvroType;
}

/**
 * Parses an Avro schema with `long` as `bigint`, once per distinct schema text (the parsed type
 * is immutable and shared). A fresh registry per parse: avsc fills it. The
 * registry only covers the bare name `"long"`; avsc builds its stock long for an object form
 * such as `{type: "long", logicalType: "timestamp-micros"}` (how time and timestamp partition
 * values are declared), so a type hook maps those to the bigint long too.
 */
export function avroTypeFor(schema: AvroSchema): AvroType {
  return typeForSchemaText(JSON.stringify(schema), schema);
}

// Parsed types by schema text: a table's manifests share a handful of schemas, and parsing one
// costs more than decoding a small manifest.
const typesBySchemaText = new Map<string, AvroType>();
const MAX_CACHED_TYPES = 128;

function typeForSchemaText(text: string, schema: AvroSchema): AvroType {
  const cached = typesBySchemaText.get(text);
  if (cached !== undefined) return cached;
  const type = parseAvroType(schema);
  if (typesBySchemaText.size >= MAX_CACHED_TYPES) {
    typesBySchemaText.delete(typesBySchemaText.keys().next().value as string);
  }
  typesBySchemaText.set(text, type);
  return type;
}

function parseAvroType(schema: AvroSchema): AvroType {
  const long = createBigintLongType();
  const typeHook = (candidate: unknown) =>
    typeof candidate === 'object' &&
    candidate !== null &&
    !Array.isArray(candidate) &&
    (candidate as { type?: unknown }).type === 'long'
      ? long
      : undefined;
  try {
    return avro.Type.forSchema(schema as AvscSchema, { registry: { long }, typeHook } as never);
  } catch (error) {
    throw new IcebergError('invalid-metadata', `invalid Avro schema: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export interface AvroContainerWriteOptions {
  /** Raw schema JSON; written verbatim into `avro.schema`, custom attributes included. */
  readonly schema: AvroSchema;
  readonly records: Iterable<unknown>;
  /** Extra header keys (Iceberg's `schema`, `partition-spec`, `snapshot-id`, …). */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly codec?: AvroCodec;
  readonly blockRecords?: number;
  /** Fixed sync marker for reproducible bytes in tests; random otherwise. */
  readonly syncMarker?: Uint8Array;
}

export interface AvroContainer {
  /** The writer schema as parsed from the header, custom attributes intact. */
  readonly schema: AvroSchema;
  readonly metadata: ReadonlyMap<string, Uint8Array>;
  readonly codec: AvroCodec;
  readonly records: readonly unknown[];
}

/** Growable byte sink with Avro's zig-zag varint longs. */
class ByteSink {
  private chunks: Uint8Array[] = [];
  private size = 0;

  bytes(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  long(value: number | bigint): void {
    let zigzag = BigInt.asUintN(64, (BigInt(value) << 1n) ^ (BigInt(value) >> 63n));
    const out: number[] = [];
    while (zigzag >= 0x80n) {
      out.push(Number(zigzag & 0x7fn) | 0x80);
      zigzag >>= 7n;
    }
    out.push(Number(zigzag));
    this.bytes(Uint8Array.from(out));
  }

  lengthPrefixed(bytes: Uint8Array): void {
    this.long(bytes.length);
    this.bytes(bytes);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** Cursor over container bytes; every read checks bounds so truncated files fail clearly. */
class ByteCursor {
  readonly buffer: Buffer;
  offset = 0;

  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  take(length: number, what: string): Buffer {
    if (length < 0 || length > this.remaining) {
      throw truncated(what, this.offset);
    }
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  long(what: string): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.offset >= this.buffer.length || shift > 63n) {
        throw truncated(what, this.offset);
      }
      const byte = this.buffer[this.offset++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        break;
      }
      shift += 7n;
    }
    const value = (result >> 1n) ^ -(result & 1n);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new IcebergError('invalid-metadata', `Avro container ${what} ${value} is out of range`, {
        context: { offset: this.offset },
      });
    }
    return Number(value);
  }
}

function truncated(what: string, offset: number): IcebergError {
  return new IcebergError(
    'invalid-metadata',
    `Avro container is truncated or corrupt: cannot read ${what} at byte ${offset}`,
    { context: { offset } },
  );
}

function compress(codec: AvroCodec, data: Buffer): Buffer {
  switch (codec) {
    case 'null':
      return data;
    case 'deflate':
      return deflateRawSync(data);
    case 'zstandard':
      return zstdCompressSync(data);
  }
}

function decompress(codec: AvroCodec, data: Buffer, offset: number): Buffer {
  try {
    switch (codec) {
      case 'null':
        return data;
      case 'deflate':
        return inflateRawSync(data);
      case 'zstandard':
        return zstdDecompressSync(data);
    }
  } catch (error) {
    throw new IcebergError(
      'invalid-metadata',
      `Avro container block at byte ${offset} does not decompress with codec ${codec}: ${(error as Error).message}`,
      { context: { offset, codec }, cause: error },
    );
  }
}

function parseCodec(name: string): AvroCodec {
  if (name === 'null' || name === 'deflate' || name === 'zstandard') {
    return name;
  }
  throw new IcebergError(
    'unsupported',
    `Avro codec '${name}' is not supported (supported: null, deflate, zstandard)`,
    { context: { codec: name } },
  );
}

/** Encodes records into a complete Avro object container file. */
export function writeAvroContainer(options: AvroContainerWriteOptions): Buffer {
  const codec = options.codec ?? 'deflate';
  const blockRecords = options.blockRecords ?? DEFAULT_BLOCK_RECORDS;
  if (!Number.isInteger(blockRecords) || blockRecords < 1) {
    throw new IcebergError(
      'invalid-argument',
      `blockRecords must be a positive integer, got ${blockRecords}`,
    );
  }
  const sync = options.syncMarker ?? randomBytes(SYNC_SIZE);
  if (sync.length !== SYNC_SIZE) {
    throw new IcebergError('invalid-argument', `an Avro sync marker is 16 bytes, got ${sync.length}`);
  }
  const schemaText = JSON.stringify(options.schema);
  const type = typeForSchemaText(schemaText, options.schema);
  const sink = new ByteSink();
  sink.bytes(MAGIC);

  const header: [string, string][] = [
    ['avro.schema', schemaText],
    ['avro.codec', codec],
    ...Object.entries(options.metadata ?? {}),
  ];
  const text = new TextEncoder();
  sink.long(header.length);
  for (const [key, value] of header) {
    sink.lengthPrefixed(text.encode(key));
    sink.lengthPrefixed(text.encode(value));
  }
  sink.long(0);
  sink.bytes(sync);

  let pending: Buffer[] = [];
  const flush = (): void => {
    if (pending.length === 0) {
      return;
    }
    const block = compress(codec, Buffer.concat(pending));
    sink.long(pending.length);
    sink.lengthPrefixed(block);
    sink.bytes(sync);
    pending = [];
  };
  let index = 0;
  for (const record of options.records) {
    pending.push(encodeRecord(type, record, index++));
    if (pending.length >= blockRecords) {
      flush();
    }
  }
  flush();
  return sink.toBuffer();
}

function encodeRecord(type: AvroType, record: unknown, index: number): Buffer {
  try {
    return type.toBuffer(record);
  } catch (error) {
    const paths: string[] = [];
    type.isValid(record, { errorHook: (path) => paths.push(path.join('.')) });
    throw new IcebergError(
      'invalid-value',
      `record ${index} does not match Avro schema ${type.name ?? type.typeName}` +
        (paths.length > 0 ? ` at ${paths.join(', ')}` : '') +
        `: ${(error as Error).message}`,
      { context: { record: index }, cause: error },
    );
  }
}

/** Decodes a whole Avro object container file (header, then every block). */
export function readAvroContainer(bytes: Uint8Array): AvroContainer {
  const cursor = new ByteCursor(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const magic = cursor.take(MAGIC.length, 'magic');
  if (!magic.equals(MAGIC)) {
    throw new IcebergError('invalid-metadata', 'not an Avro object container file (bad magic bytes)');
  }
  const metadata = new Map<string, Uint8Array>();
  const text = new TextDecoder();
  for (let count = cursor.long('metadata count'); count !== 0; count = cursor.long('metadata count')) {
    if (count < 0) {
      // A negative count is followed by the block's byte size, which we do not need.
      cursor.long('metadata block size');
      count = -count;
    }
    for (let i = 0; i < count; i++) {
      const key = text.decode(cursor.take(cursor.long('metadata key length'), 'metadata key'));
      const value = cursor.take(cursor.long('metadata value length'), 'metadata value');
      metadata.set(key, Uint8Array.from(value));
    }
  }
  const sync = cursor.take(SYNC_SIZE, 'sync marker');

  const schemaBytes = metadata.get('avro.schema');
  if (schemaBytes === undefined) {
    throw new IcebergError('invalid-metadata', 'Avro container header has no avro.schema');
  }
  let schema: AvroSchema;
  const schemaText = text.decode(schemaBytes);
  try {
    schema = JSON.parse(schemaText) as AvroSchema;
  } catch (error) {
    throw new IcebergError(
      'invalid-metadata',
      `Avro container avro.schema is not JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const codecBytes = metadata.get('avro.codec');
  const codec = parseCodec(codecBytes === undefined ? 'null' : text.decode(codecBytes));
  const type = typeForSchemaText(schemaText, schema);

  const records: unknown[] = [];
  while (cursor.remaining > 0) {
    const blockStart = cursor.offset;
    const count = cursor.long('block record count');
    const size = cursor.long('block size');
    const data = decompress(codec, cursor.take(size, 'block data'), blockStart);
    if (!cursor.take(SYNC_SIZE, 'block sync marker').equals(sync)) {
      throw new IcebergError(
        'invalid-metadata',
        `Avro container block at byte ${blockStart} ends without the file's sync marker (corrupt file)`,
        { context: { offset: blockStart } },
      );
    }
    let position = 0;
    for (let i = 0; i < count; i++) {
      const decoded = decodeRecord(type, data, position, blockStart);
      records.push(decoded.value);
      position = decoded.offset;
    }
  }
  return { schema, metadata, codec, records };
}

function decodeRecord(
  type: AvroType,
  data: Buffer,
  position: number,
  blockStart: number,
): { value: unknown; offset: number } {
  let decoded: { value: unknown; offset: number };
  try {
    decoded = type.decode(data, position);
  } catch (error) {
    throw new IcebergError(
      'invalid-metadata',
      `Avro container block at byte ${blockStart} holds a record that does not decode: ${(error as Error).message}`,
      { context: { offset: blockStart }, cause: error },
    );
  }
  if (decoded.offset < 0) {
    throw truncated('record', blockStart);
  }
  return decoded;
}

/** Reads a header key as UTF-8 text. */
export function metadataText(container: AvroContainer, key: string): string | undefined {
  const value = container.metadata.get(key);
  return value === undefined ? undefined : new TextDecoder().decode(value);
}
