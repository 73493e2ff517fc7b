// MetadataCachedFileIO: manifests and manifest lists it wrote or read come back from memory
// (the inner store is not asked again), everything else passes through, deletes evict, and
// the byte bound holds.
import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from './memory-file-io.ts';
import { isImmutableMetadataFile, MetadataCachedFileIO } from './metadata-cached-file-io.ts';

class CountingFileIO extends MemoryFileIO {
  reads = 0;
  override read(location: string): Promise<Uint8Array> {
    this.reads++;
    return super.read(location);
  }
}

const table = 's3://warehouse/db/t';
const manifestList = `${table}/metadata/snap-1-1-abc.avro`;
const manifest = `${table}/metadata/abc-m0.avro`;
const dataFile = `${table}/data/00000-0-abc.parquet`;
const metadataJson = `${table}/metadata/v2.metadata.json`;

describe('MetadataCachedFileIO', () => {
  it('knows which files are immutable Avro metadata', () => {
    expect(isImmutableMetadataFile(manifestList)).toBe(true);
    expect(isImmutableMetadataFile(manifest)).toBe(true);
    expect(isImmutableMetadataFile(dataFile)).toBe(false);
    expect(isImmutableMetadataFile(metadataJson)).toBe(false);
  });

  it('answers reads of manifests it wrote from memory, and a copy each time', async () => {
    const inner = new CountingFileIO();
    const io = new MetadataCachedFileIO(inner);
    await io.write(manifestList, new Uint8Array([1, 2, 3]));
    const first = await io.read(manifestList);
    first[0] = 9;
    expect([...(await io.read(manifestList))]).toEqual([1, 2, 3]);
    expect(inner.reads).toBe(0);
    expect(io.hits).toBe(2);
    expect(await io.length(manifestList)).toBe(3);
  });

  it('keeps manifests it read, and passes data files and metadata JSON through', async () => {
    const inner = new CountingFileIO();
    await inner.write(manifest, new Uint8Array([4]));
    await inner.write(dataFile, new Uint8Array([5]));
    await inner.write(metadataJson, new Uint8Array([6]));
    const io = new MetadataCachedFileIO(inner);
    for (let i = 0; i < 3; i++) {
      await io.read(manifest);
      await io.read(dataFile);
      await io.read(metadataJson);
    }
    expect(inner.reads).toBe(1 + 3 + 3);
  });

  it('evicts on delete, so a deleted manifest reads as missing', async () => {
    const inner = new CountingFileIO();
    const io = new MetadataCachedFileIO(inner);
    await io.write(manifest, new Uint8Array([1]));
    await io.write(manifestList, new Uint8Array([2]));
    await io.deleteMany([manifest]);
    await io.delete(manifestList);
    await expect(io.read(manifest)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(io.read(manifestList)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('stays within its byte bound, dropping the least recently used first', async () => {
    const inner = new CountingFileIO();
    const io = new MetadataCachedFileIO(inner, 100);
    const paths = [0, 1, 2, 3].map((i) => `${table}/metadata/m${i}.avro`);
    for (const path of paths) await io.write(path, new Uint8Array(25));
    await io.read(paths[0] as string); // m0 is now the most recent
    await io.write(`${table}/metadata/m4.avro`, new Uint8Array(25));
    await io.read(paths[0] as string);
    expect(inner.reads).toBe(0);
    await io.read(paths[1] as string);
    expect(inner.reads).toBe(1);
  });
});
