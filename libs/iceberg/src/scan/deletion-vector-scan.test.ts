import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { DataFile } from '../manifest/data-file.ts';
import { deletionVectorBlob } from '../puffin/deletion-vector.ts';
import { PositionBitmap } from '../puffin/position-bitmap.ts';
import { writePuffin } from '../puffin/puffin-file.ts';
import { InMemoryCatalog, newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { scanTable } from './read.ts';
import { appendRows, CountingFileIO, commitDeletes, parquetOf } from './scan-fixtures.test-helper.ts';

const ids = (table: arrow.Table) => table.getChild('id')!.toArray() as BigInt64Array;
const sorted = (table: arrow.Table) => [...ids(table)].map(Number).sort((a, b) => a - b);

async function tableWithTwoFiles() {
  const catalog = new InMemoryCatalog(newTableMetadata());
  const io = new CountingFileIO();
  const [eu] = await appendRows(
    catalog,
    io,
    [1n, 2n, 3n, 4n].map((id) => ({ id, region: 'eu' })),
  );
  const [eu2] = await appendRows(
    catalog,
    io,
    [5n, 6n].map((id) => ({ id, region: 'eu' })),
  );
  return { catalog, io, eu: eu!, eu2: eu2! };
}

function dvEntry(
  path: string,
  bytes: number,
  target: string,
  blob: { offset: bigint; length: bigint },
  rows: number,
): DataFile {
  return {
    content: 'position-deletes',
    filePath: path,
    fileFormat: 'puffin',
    partition: ['eu'],
    recordCount: BigInt(rows),
    fileSizeInBytes: BigInt(bytes),
    referencedDataFile: target,
    contentOffset: blob.offset,
    contentSizeInBytes: blob.length,
  };
}

describe('deletion vectors in scans', () => {
  it('drops the positions of the referenced file only, replaces older position deletes, and time-travels', async () => {
    const { catalog, io, eu, eu2 } = await tableWithTwoFiles();
    // A v2-style position delete file for `eu` (row 3, id 4) that the DV below supersedes.
    const positions = parquetOf(
      new arrow.Table({
        file_path: arrow.vectorFromArray([eu.filePath], new arrow.Utf8()),
        pos: arrow.makeVector(BigInt64Array.from([3n])),
      }),
    );
    await io.write('mem://t/data/pos.parquet', positions);
    await commitDeletes(catalog, io, [
      {
        ...dvEntry('mem://t/data/pos.parquet', positions.length, eu.filePath, { offset: 0n, length: 0n }, 1),
        fileFormat: 'parquet',
      },
    ]);
    const beforeDv = catalog.metadata.currentSnapshotId!;
    expect(sorted((await scanTable(catalog.metadata, io)).table)).toEqual([1, 2, 3, 5, 6]);

    // One Puffin file holding DVs for both data files (the DV for `eu` carries the merged deletes).
    const { bytes, blobs } = writePuffin([
      deletionVectorBlob(eu.filePath, PositionBitmap.of([0, 2, 3])),
      deletionVectorBlob(eu2.filePath, PositionBitmap.of([1])),
    ]);
    await io.write('mem://t/data/dv.puffin', bytes);
    await commitDeletes(
      catalog,
      io,
      [
        dvEntry('mem://t/data/dv.puffin', bytes.length, eu.filePath, blobs[0]!, 3),
        dvEntry('mem://t/data/dv.puffin', bytes.length, eu2.filePath, blobs[1]!, 1),
      ],
      3,
    );
    const { plan, table } = await scanTable(catalog.metadata, io, { columns: ['id'] });
    expect(sorted(table)).toEqual([2, 5]);
    // The position delete file no longer applies where a DV does.
    expect(plan.tasks.map((t) => t.deletes.map((d) => d.file.fileFormat))).toEqual([['puffin'], ['puffin']]);
    // Filters combine with DVs.
    expect(sorted((await scanTable(catalog.metadata, io, { filter: 'id >= 2' })).table)).toEqual([2, 5]);
    expect(sorted((await scanTable(catalog.metadata, io, { snapshotId: beforeDv })).table)).toEqual([
      1, 2, 3, 5, 6,
    ]);
  });

  it('refuses delete files stored as Avro or ORC, naming the file, format and table', async () => {
    const { catalog, io, eu } = await tableWithTwoFiles();
    await io.write('mem://t/data/pos.avro', new Uint8Array(10));
    await commitDeletes(catalog, io, [
      {
        content: 'position-deletes',
        filePath: 'mem://t/data/pos.avro',
        fileFormat: 'avro',
        partition: ['eu'],
        recordCount: 1n,
        fileSizeInBytes: 10n,
        referencedDataFile: eu.filePath,
      },
    ]);
    await expect(scanTable(catalog.metadata, io, { tableName: 'db.t' })).rejects.toThrow(
      'position-deletes file mem://t/data/pos.avro of db.t is stored as AVRO; floe reads delete files in Parquet and deletion vectors in Puffin only',
    );
  });

  it('reports a corrupt deletion vector instead of reading the Puffin file as Parquet', async () => {
    const { catalog, io, eu } = await tableWithTwoFiles();
    const { bytes, blobs } = writePuffin([deletionVectorBlob(eu.filePath, PositionBitmap.of([1]))]);
    bytes[Number(blobs[0]!.offset) + 10]! ^= 0xff;
    await io.write('mem://t/data/bad.puffin', bytes);
    await commitDeletes(
      catalog,
      io,
      [dvEntry('mem://t/data/bad.puffin', bytes.length, eu.filePath, blobs[0]!, 1)],
      3,
    );
    await expect(scanTable(catalog.metadata, io, { tableName: 'db.t' })).rejects.toThrow(
      /deletion vector mem:\/\/t\/data\/bad.puffin@4 of db.t is corrupt: CRC-32/,
    );
  });
});
