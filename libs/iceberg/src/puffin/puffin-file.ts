// Puffin files (Iceberg's Puffin spec): `Magic Blob₁ … Blobₙ Footer`, where the footer is
// `Magic FooterPayload FooterPayloadSize Flags Magic`, the payload a UTF-8 JSON `FileMetadata`
// (`blobs`: type, fields, snapshot-id, sequence-number, offset, length, compression-codec,
// properties). Sizes and flags are 4-byte little-endian. We write uncompressed footers and
// uncompressed blobs; reading refuses a compressed footer or blob with a message naming the codec,
// since floe only needs `deletion-vector-v1` blobs, which the spec says are never compressed.

import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import { parseJson, stringifyJson } from '../util/json.ts';

export const PUFFIN_MAGIC = Uint8Array.of(0x50, 0x46, 0x41, 0x31);
const FOOTER_STRUCT_LENGTH = 12; // payload size, flags, magic
const FLAG_FOOTER_COMPRESSED = 1;

export interface PuffinBlobMetadata {
  readonly type: string;
  readonly fields: readonly number[];
  readonly snapshotId: bigint;
  readonly sequenceNumber: bigint;
  readonly offset: bigint;
  readonly length: bigint;
  readonly compressionCodec?: string;
  readonly properties: Readonly<Record<string, string>>;
}

export interface PuffinBlobInput {
  readonly type: string;
  readonly fields: readonly number[];
  readonly data: Uint8Array;
  readonly properties?: Readonly<Record<string, string>>;
  /** -1 when not known at write time (as for deletion vectors). */
  readonly snapshotId?: bigint;
  readonly sequenceNumber?: bigint;
}

export interface PuffinFile {
  readonly blobs: readonly PuffinBlobMetadata[];
  readonly properties: Readonly<Record<string, string>>;
}

/** Encodes a Puffin file holding `blobs` in order; returns the bytes and where each blob landed. */
export function writePuffin(
  blobs: readonly PuffinBlobInput[],
  properties: Readonly<Record<string, string>> = {},
): { bytes: Uint8Array; blobs: PuffinBlobMetadata[] } {
  const written: PuffinBlobMetadata[] = [];
  let offset = PUFFIN_MAGIC.length;
  for (const blob of blobs) {
    written.push({
      type: blob.type,
      fields: [...blob.fields],
      snapshotId: blob.snapshotId ?? -1n,
      sequenceNumber: blob.sequenceNumber ?? -1n,
      offset: BigInt(offset),
      length: BigInt(blob.data.byteLength),
      properties: { ...blob.properties },
    });
    offset += blob.data.byteLength;
  }
  const payload = new TextEncoder().encode(
    stringifyJson({
      blobs: written.map((b) => ({
        type: b.type,
        fields: b.fields,
        'snapshot-id': b.snapshotId,
        'sequence-number': b.sequenceNumber,
        offset: b.offset,
        length: b.length,
        properties: b.properties,
      })),
      properties,
    }),
  );
  const footerLength = PUFFIN_MAGIC.length + payload.byteLength + FOOTER_STRUCT_LENGTH;
  const bytes = new Uint8Array(offset + footerLength);
  bytes.set(PUFFIN_MAGIC, 0);
  let at = PUFFIN_MAGIC.length;
  for (const blob of blobs) {
    bytes.set(blob.data, at);
    at += blob.data.byteLength;
  }
  bytes.set(PUFFIN_MAGIC, at);
  bytes.set(payload, at + 4);
  const view = new DataView(bytes.buffer);
  at += 4 + payload.byteLength;
  view.setInt32(at, payload.byteLength, true);
  view.setInt32(at + 4, 0, true);
  bytes.set(PUFFIN_MAGIC, at + 8);
  return { bytes, blobs: written };
}

function notPuffin(location: string, detail: string): IcebergError {
  return new IcebergError('invalid-metadata', `${location} is not a valid Puffin file: ${detail}`, {
    context: { location },
  });
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return PUFFIN_MAGIC.every((b, i) => bytes[at + i] === b);
}

/** Parses the footer of a whole Puffin file. */
export function parsePuffin(bytes: Uint8Array, location: string): PuffinFile {
  const minimum = PUFFIN_MAGIC.length * 2 + FOOTER_STRUCT_LENGTH;
  if (bytes.byteLength < minimum) throw notPuffin(location, `only ${bytes.byteLength} bytes`);
  if (!hasMagic(bytes, 0) || !hasMagic(bytes, bytes.byteLength - 4)) {
    throw notPuffin(location, 'magic bytes PFA1 missing at the start or end');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getInt32(bytes.byteLength - 8, true);
  const payloadLength = view.getInt32(bytes.byteLength - 12, true);
  const payloadStart = bytes.byteLength - FOOTER_STRUCT_LENGTH - payloadLength;
  if (payloadLength < 0 || payloadStart - 4 < 4 || !hasMagic(bytes, payloadStart - 4)) {
    throw notPuffin(location, `footer payload size ${payloadLength} does not fit the file`);
  }
  if ((flags & FLAG_FOOTER_COMPRESSED) !== 0) {
    throw new IcebergError(
      'unsupported',
      `Puffin file ${location} has an LZ4-compressed footer, which floe cannot read yet`,
      { context: { location } },
    );
  }
  let json: unknown;
  try {
    json = parseJson(new TextDecoder().decode(bytes.subarray(payloadStart, payloadStart + payloadLength)));
  } catch (cause) {
    throw notPuffin(location, `footer payload is not JSON (${(cause as Error).message})`);
  }
  const root = json as { blobs?: unknown; properties?: unknown } | null;
  if (root === null || typeof root !== 'object' || !Array.isArray(root.blobs)) {
    throw notPuffin(location, 'footer has no blobs list');
  }
  const long = (value: unknown, name: string): bigint => {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
    throw notPuffin(location, `blob ${name} is not an integer`);
  };
  const blobs = root.blobs.map((raw): PuffinBlobMetadata => {
    const blob = raw as Record<string, unknown>;
    if (typeof blob['type'] !== 'string') throw notPuffin(location, 'a blob has no type');
    const codec = blob['compression-codec'];
    return {
      type: blob['type'],
      fields: Array.isArray(blob['fields']) ? (blob['fields'] as number[]) : [],
      snapshotId: long(blob['snapshot-id'], 'snapshot-id'),
      sequenceNumber: long(blob['sequence-number'], 'sequence-number'),
      offset: long(blob['offset'], 'offset'),
      length: long(blob['length'], 'length'),
      ...(typeof codec === 'string' ? { compressionCodec: codec } : {}),
      properties: (blob['properties'] ?? {}) as Record<string, string>,
    };
  });
  return { blobs, properties: (root.properties ?? {}) as Record<string, string> };
}

/** Reads and parses the footer of the Puffin file at `location`. */
export async function readPuffin(io: FileIO, location: string): Promise<PuffinFile> {
  return parsePuffin(await io.read(location), location);
}
