// The `deletion-vector-v1` Puffin blob (Puffin spec, Iceberg spec §Deletion Vectors): the
// positions of one data file's deleted rows. Layout: the combined length of magic and vector
// (4 bytes, big-endian), the magic `D1 D3 39 64`, the 64-bit portable Roaring bitmap
// (position-bitmap.ts), and a CRC-32 of magic + vector (4 bytes, big-endian — Delta's layout,
// hence the byte order that differs from the bitmap's). The blob's properties name the data file
// (`referenced-data-file`) and the number of deleted rows (`cardinality`). A manifest entry
// points at one blob with `content_offset` / `content_size_in_bytes`, so a reader fetches just
// that byte range of the Puffin file.

import { crc32 } from 'node:zlib';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { PositionBitmap } from './position-bitmap.ts';
import type { PuffinBlobInput } from './puffin-file.ts';

export const DELETION_VECTOR_BLOB_TYPE = 'deletion-vector-v1';
const MAGIC = Uint8Array.of(0xd1, 0xd3, 0x39, 0x64);
/** The `_pos` metadata column: the field a deletion vector is computed for. */
const ROW_POSITION_FIELD_ID = 2147483645;

/** The blob bytes for `positions`. */
export function encodeDeletionVector(positions: PositionBitmap): Uint8Array {
  const vector = positions.serialize();
  const out = new Uint8Array(4 + MAGIC.length + vector.byteLength + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC.length + vector.byteLength, false);
  out.set(MAGIC, 4);
  out.set(vector, 8);
  view.setUint32(8 + vector.byteLength, crc32(out.subarray(4, 8 + vector.byteLength)), false);
  return out;
}

/** The Puffin blob (data + required properties) of a deletion vector for `dataFile`. */
export function deletionVectorBlob(dataFile: string, positions: PositionBitmap): PuffinBlobInput {
  return {
    type: DELETION_VECTOR_BLOB_TYPE,
    fields: [ROW_POSITION_FIELD_ID],
    data: encodeDeletionVector(positions),
    properties: { 'referenced-data-file': dataFile, cardinality: String(positions.cardinality) },
  };
}

/** Decodes a blob, checking its length prefix, magic and CRC; `where` names it in errors. */
export function decodeDeletionVector(blob: Uint8Array, where: string): PositionBitmap {
  const bad = (detail: string) =>
    new IcebergError('invalid-metadata', `deletion vector ${where} is corrupt: ${detail}`, {
      context: { where },
    });
  if (blob.byteLength < 12) throw bad(`only ${blob.byteLength} bytes`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const length = view.getUint32(0, false);
  if (length + 8 !== blob.byteLength) {
    throw bad(`length prefix ${length} does not match the blob size ${blob.byteLength}`);
  }
  if (!MAGIC.every((b, i) => blob[4 + i] === b)) throw bad('magic bytes D1 D3 39 64 missing');
  const expected = view.getUint32(blob.byteLength - 4, false);
  const actual = crc32(blob.subarray(4, blob.byteLength - 4));
  if (expected !== actual) throw bad(`CRC-32 ${actual} does not match the stored ${expected}`);
  return PositionBitmap.deserialize(blob.subarray(8, blob.byteLength - 4));
}

/** Whether a delete file entry is a deletion vector (a blob in a Puffin file). */
export function isDeletionVector(file: DataFile): boolean {
  return file.content === 'position-deletes' && file.fileFormat === 'puffin';
}

/** Reads the deletion vector a delete-file entry points at (one ranged read). */
export async function readDeletionVector(io: FileIO, file: DataFile, table: string): Promise<PositionBitmap> {
  const where = `${file.filePath}@${file.contentOffset ?? '?'} of ${table}`;
  if (file.contentOffset === undefined || file.contentSizeInBytes === undefined) {
    throw new IcebergError(
      'invalid-metadata',
      `deletion vector ${file.filePath} of ${table} has no content_offset/content_size_in_bytes in its manifest entry; a v3 writer must record where the blob lies`,
      { context: { table, file: file.filePath } },
    );
  }
  const bytes = await io.readRange(
    file.filePath,
    Number(file.contentOffset),
    Number(file.contentSizeInBytes),
  );
  const positions = decodeDeletionVector(bytes, where);
  if (BigInt(positions.cardinality) !== file.recordCount) {
    throw new IcebergError(
      'invalid-metadata',
      `deletion vector ${where} holds ${positions.cardinality} positions but its manifest entry says ${file.recordCount}`,
      { context: { table, file: file.filePath } },
    );
  }
  return positions;
}
