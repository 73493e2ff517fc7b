import { describe, expect, it } from 'vitest';
import { MemoryFileIO } from '../io/memory-file-io.ts';
import { appendRows } from '../scan/scan-fixtures.test-helper.ts';
import { InMemoryCatalog, newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { tableHealth } from './table-health.ts';

describe('tableHealth', () => {
  it('counts files, sizes, manifests, snapshots and the partitions with the most files', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const io = new MemoryFileIO();
    const written = [];
    for (let i = 0; i < 3; i++)
      written.push(...(await appendRows(catalog, io, [{ id: BigInt(i), region: 'eu' }])));
    written.push(...(await appendRows(catalog, io, [{ id: 9n, region: 'us' }])));
    await io.write('mem://t/metadata/v9.metadata.json', new Uint8Array(1234));
    const health = await tableHealth(catalog.metadata, io, {
      metadataLocation: 'mem://t/metadata/v9.metadata.json',
      topPartitions: 1,
    });
    const sizes = written.map((f) => Number(f.fileSizeInBytes)).sort((a, b) => a - b);
    expect(health).toMatchObject({
      dataFiles: 4,
      records: 4,
      smallFiles: 4,
      smallFileShare: 1,
      manifests: 4,
      dataManifests: 4,
      deleteFiles: 0,
      snapshots: 4,
      metadataJsonBytes: 1234,
      partitions: 2,
      topPartitions: [{ partition: 'region=eu', dataFiles: 3 }],
      medianFileBytes: Math.round(((sizes[1] as number) + (sizes[2] as number)) / 2),
    });
    expect(health.dataBytes).toBe(sizes.reduce((a, b) => a + b, 0));
  });

  it('reports an empty table as zeros', async () => {
    const health = await tableHealth(newTableMetadata(), new MemoryFileIO());
    expect(health).toMatchObject({ snapshotId: null, dataFiles: 0, smallFileShare: 0, medianFileBytes: 0 });
  });
});
