import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { IcebergError } from '../errors.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { InMemoryCatalog, newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { planScan } from './plan.ts';
import { scanBatches, scanTable, scanToTable } from './read.ts';
import {
  appendRows,
  buildTable,
  CountingFileIO,
  commit,
  commitDeletes,
  parquetOf,
} from './scan-fixtures.test-helper.ts';

const fixture = await buildTable();
const { io, metadata, snapshots } = fixture;

/** Rows as plain objects sorted by id, bigints as strings for readable diffs. */
function rowsOf(table: arrow.Table): Record<string, unknown>[] {
  return table
    .toArray()
    .map((row) =>
      Object.fromEntries(
        Object.entries(row.toJSON()).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]),
      ),
    )
    .sort((a, b) => Number(a.id) - Number(b.id));
}

describe('scanBatches', () => {
  it('reads old files in the current schema, the added column as nulls', async () => {
    const { table } = await scanTable(metadata, io);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'region', 'note']);
    expect(rowsOf(table)).toEqual([
      { id: '1', region: 'eu', note: null },
      { id: '2', region: 'us', note: null },
      { id: '3', region: 'ap', note: null },
      { id: '4', region: 'eu', note: null },
      { id: '5', region: 'us', note: null },
      { id: '6', region: null, note: null },
      { id: '7', region: 'eu', note: 'seven' },
      { id: '8', region: 'sa', note: null },
      { id: '9', region: 'us', note: 'nine' },
    ]);
  });

  it('applies residual filters to rows and returns only the selected columns', async () => {
    const { table } = await scanTable(metadata, io, {
      filter: "id > 3 and region != 'us'",
      columns: ['note', 'id'],
    });
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'note']);
    expect(rowsOf(table)).toEqual([
      { id: '4', note: null },
      // Row 6 has a null region: `region != 'us'` is unknown for it, so it is left out (SQL).
      { id: '7', note: 'seven' },
      { id: '8', note: null },
    ]);
  });

  it('filters on a column it does not return', async () => {
    const { table } = await scanTable(metadata, io, { filter: "note starts with 'n'", columns: ['id'] });
    expect(rowsOf(table)).toEqual([{ id: '9' }]);
  });

  it('time travels to the first snapshot with its own schema', async () => {
    const { table } = await scanTable(metadata, io, {
      snapshotId: snapshots[0]!,
      filter: 'region is null or id = 2',
    });
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'region']);
    expect(rowsOf(table)).toEqual([
      { id: '2', region: 'us' },
      { id: '6', region: null },
    ]);
  });

  it('keeps the projected schema when nothing matches, and stops at a limit', async () => {
    const { table: empty } = await scanTable(metadata, io, { filter: 'id > 100', columns: ['region'] });
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual(['region']);
    const { table: limited } = await scanTable(metadata, io, { limit: 4 });
    expect(limited.numRows).toBe(4);
  });

  it('logs one line with the scan totals', async () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      info: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
    };
    const plan = await planScan(metadata, io, { filter: "region = 'eu'", tableName: 'db.t' });
    const table = await scanToTable(plan, io, { logger });
    expect(table.numRows).toBe(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toBe('iceberg scan finished');
    expect(lines[0]!.fields).toMatchObject({
      table: 'db.t',
      snapshotId: String(metadata.currentSnapshotId),
      filesPlanned: 2,
      filesSkipped: 5,
      filesRead: 2,
      rows: 3,
    });
    expect(lines[0]!.fields.bytesRead).toBeGreaterThan(0);
  });
});

describe('column projection fetches only the selected columns', () => {
  it('reads 1 of 10 columns with at most 20% of the bytes of a full read', async () => {
    const counting = new CountingFileIO();
    const catalog = new InMemoryCatalog(newTableMetadata(false));
    const rows = 20_000;
    const columns: Record<string, arrow.Vector> = {};
    for (let c = 0; c < 10; c++) {
      columns[`c${c}`] = arrow.makeVector(
        Float64Array.from({ length: rows }, (_, i) => Math.sin(i * (c + 1))),
      );
    }
    const path = 'mem://t/data/wide.parquet';
    const bytes = parquetOf(new arrow.Table(columns));
    await counting.write(path, bytes);
    catalog.metadata = wideSchema(catalog.metadata);
    await commit(catalog, counting, [{ file: wideFile(path, bytes.length, rows), specId: 0 }]);

    const measure = async (select?: string[]) => {
      counting.rangeBytes = 0;
      const plan = await planScan(
        catalog.metadata,
        counting,
        select === undefined ? {} : { columns: select },
      );
      let seen = 0;
      for await (const batch of scanBatches(plan, counting)) seen += batch.numRows;
      expect(seen).toBe(rows);
      return counting.rangeBytes;
    };
    const full = await measure();
    const one = await measure(['c3']);
    expect(counting.wholeReads).toBe(0);
    expect(full).toBeGreaterThanOrEqual(bytes.length * 0.95);
    expect(one / full).toBeLessThanOrEqual(0.2);
  });
});

describe('delete files', () => {
  it('applies position and equality deletes from newer snapshots', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const mem = new CountingFileIO();
    const [eu] = await appendRows(catalog, mem, [
      { id: 1n, region: 'eu' },
      { id: 2n, region: 'eu' },
      { id: 3n, region: 'eu' },
      { id: 4n, region: 'eu' },
    ]);
    const positions = parquetOf(
      new arrow.Table({
        file_path: arrow.vectorFromArray(
          [eu!.filePath, eu!.filePath, 'mem://t/other.parquet'],
          new arrow.Utf8(),
        ),
        pos: arrow.makeVector(BigInt64Array.from([0n, 2n, 1n])),
      }),
    );
    const equality = parquetOf(new arrow.Table({ id: arrow.makeVector(BigInt64Array.from([4n])) }));
    await mem.write('mem://t/data/pos.parquet', positions);
    await mem.write('mem://t/data/eq.parquet', equality);
    await commitDeletes(catalog, mem, [
      deleteFile('mem://t/data/pos.parquet', positions.length, 'position-deletes'),
      { ...deleteFile('mem://t/data/eq.parquet', equality.length, 'equality-deletes'), equalityIds: [1] },
    ]);
    const { plan, table } = await scanTable(catalog.metadata, mem);
    expect(plan.stats.deleteFiles).toBe(2);
    expect(plan.tasks[0]!.deletes).toHaveLength(2);
    expect(rowsOf(table)).toEqual([{ id: '2', region: 'eu' }]);
    // Data written after a delete is not affected by it.
    await appendRows(catalog, mem, [{ id: 4n, region: 'eu' }]);
    const { table: later } = await scanTable(catalog.metadata, mem);
    expect(rowsOf(later)).toEqual([
      { id: '2', region: 'eu' },
      { id: '4', region: 'eu' },
    ]);
  });

  it('refuses equality deletes on a column the scanned schema does not have', async () => {
    const catalog = new InMemoryCatalog(newTableMetadata());
    const mem = new CountingFileIO();
    await appendRows(catalog, mem, [{ id: 1n, region: 'eu' }]);
    const equality = parquetOf(new arrow.Table({ id: arrow.makeVector(BigInt64Array.from([1n])) }));
    await mem.write('mem://t/data/eq.parquet', equality);
    await commitDeletes(catalog, mem, [
      { ...deleteFile('mem://t/data/eq.parquet', equality.length, 'equality-deletes'), equalityIds: [42] },
    ]);
    const error = await scanTable(catalog.metadata, mem, { tableName: 'db.t' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IcebergError);
    expect((error as IcebergError).kind).toBe('unsupported');
    expect((error as IcebergError).message).toBe(
      'equality delete file mem://t/data/eq.parquet of db.t compares field ids [42], which are not all ' +
        'top-level primitive columns of the scanned schema; such deletes cannot be applied yet',
    );
  });
});

function deleteFile(path: string, size: number, content: DataFile['content']): DataFile {
  return {
    content,
    filePath: path,
    fileFormat: 'parquet',
    partition: ['eu'],
    recordCount: 1n,
    fileSizeInBytes: BigInt(size),
  };
}

function wideSchema(metadata: InMemoryCatalog['metadata']): InMemoryCatalog['metadata'] {
  const fields = Array.from({ length: 10 }, (_, c) => ({
    id: c + 1,
    name: `c${c}`,
    required: false,
    type: { kind: 'double' as const },
  }));
  return { ...metadata, schemas: [{ schemaId: 0, identifierFieldIds: [], fields }], lastColumnId: 10 };
}

function wideFile(path: string, size: number, rows: number): DataFile {
  return {
    content: 'data',
    filePath: path,
    fileFormat: 'parquet',
    partition: [],
    recordCount: BigInt(rows),
    fileSizeInBytes: BigInt(size),
  };
}
