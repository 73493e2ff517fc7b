import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import {
  DELETION_VECTOR_BLOB_TYPE,
  decodeDeletionVector,
  deletionVectorBlob,
  encodeDeletionVector,
  readDeletionVector,
} from './deletion-vector.ts';
import { PositionBitmap } from './position-bitmap.ts';
import { parsePuffin, writePuffin } from './puffin-file.ts';

describe('deletion-vector-v1 blobs', () => {
  it('lays out length, magic, bitmap and CRC as the spec says', () => {
    const blob = encodeDeletionVector(PositionBitmap.of([5]));
    const view = new DataView(blob.buffer);
    // Length (big-endian) covers magic + vector: 4 + (8 count + 4 key + 8 cookie/size + 4 header + 4 offset + 2 value).
    expect(view.getUint32(0, false)).toBe(4 + 30);
    expect([...blob.subarray(4, 8)]).toEqual([0xd1, 0xd3, 0x39, 0x64]);
    expect(blob.byteLength).toBe(4 + 34 + 4);
    expect([...decodeDeletionVector(blob, 'test').values()]).toEqual([5]);
  });

  it('rejects a blob whose CRC, magic or length is wrong, naming the blob', () => {
    const blob = encodeDeletionVector(PositionBitmap.of([1, 2, 3]));
    const flipped = blob.slice();
    flipped[20]! ^= 0xff;
    expect(() => decodeDeletionVector(flipped, 's3://b/t/d.puffin@4')).toThrow(
      /deletion vector s3:\/\/b\/t\/d.puffin@4 is corrupt: CRC-32 \d+ does not match the stored \d+/,
    );
    const noMagic = blob.slice();
    noMagic[4] = 0;
    expect(() => decodeDeletionVector(noMagic, 'x')).toThrow(/magic bytes D1 D3 39 64 missing/);
    expect(() => decodeDeletionVector(blob.subarray(0, blob.length - 1), 'x')).toThrow(
      /length prefix \d+ does not match the blob size/,
    );
  });

  it('round-trips through a Puffin file and a ranged read of the manifest entry', async () => {
    const io = new MemoryFileIO();
    const first = PositionBitmap.of([0, 7, 70000]);
    const second = PositionBitmap.of([3]);
    const { bytes, blobs } = writePuffin(
      [
        deletionVectorBlob('s3://b/t/data/a.parquet', first),
        deletionVectorBlob('s3://b/t/data/b.parquet', second),
      ],
      { 'created-by': 'floe test' },
    );
    await io.write('mem://t/d.puffin', bytes);
    const footer = parsePuffin(bytes, 'mem://t/d.puffin');
    expect(footer.properties).toEqual({ 'created-by': 'floe test' });
    expect(footer.blobs.map((b) => [b.type, b.offset, b.length, b.snapshotId, b.properties])).toEqual(
      blobs.map((b) => [DELETION_VECTOR_BLOB_TYPE, b.offset, b.length, -1n, b.properties]),
    );
    expect(footer.blobs[1]!.properties).toEqual({
      'referenced-data-file': 's3://b/t/data/b.parquet',
      cardinality: '1',
    });
    const entry: DataFile = {
      content: 'position-deletes',
      filePath: 'mem://t/d.puffin',
      fileFormat: 'puffin',
      partition: [],
      recordCount: 3n,
      fileSizeInBytes: BigInt(bytes.length),
      referencedDataFile: 's3://b/t/data/a.parquet',
      contentOffset: blobs[0]!.offset,
      contentSizeInBytes: blobs[0]!.length,
    };
    expect([...(await readDeletionVector(io, entry, 'db.t')).values()]).toEqual([0, 7, 70000]);
    await expect(readDeletionVector(io, { ...entry, recordCount: 4n }, 'db.t')).rejects.toThrow(
      'deletion vector mem://t/d.puffin@4 of db.t holds 3 positions but its manifest entry says 4',
    );
    const { contentOffset: _o, ...withoutOffset } = entry;
    await expect(readDeletionVector(io, withoutOffset, 'db.t')).rejects.toThrow(
      /deletion vector mem:\/\/t\/d.puffin of db.t has no content_offset\/content_size_in_bytes/,
    );
  });

  it('refuses what is not a Puffin file and a compressed footer', () => {
    expect(() => parsePuffin(new Uint8Array(40), 'mem://x.puffin')).toThrow(
      'mem://x.puffin is not a valid Puffin file: magic bytes PFA1 missing at the start or end',
    );
    const { bytes } = writePuffin([]);
    const compressed = bytes.slice();
    compressed[compressed.length - 8] = 1;
    expect(() => parsePuffin(compressed, 'mem://c.puffin')).toThrow(
      'Puffin file mem://c.puffin has an LZ4-compressed footer, which floe cannot read yet',
    );
  });
});
