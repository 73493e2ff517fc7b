import {
  Int32,
  type RecordBatch,
  Table,
  tableFromArrays,
  tableFromIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { type EncodedPart, encodeParts } from './ipc-parts.ts';

function batchOf(start: number, rows: number): RecordBatch {
  const table = new Table({
    id: vectorFromArray(
      Array.from({ length: rows }, (_, i) => start + i),
      new Int32(),
    ),
    name: vectorFromArray(
      Array.from({ length: rows }, (_, i) => `name-${start + i}`),
      new Utf8(),
    ),
  });
  return table.batches[0] as RecordBatch;
}

async function collect(batches: Iterable<RecordBatch>, partBytes: number, maxPartBytes?: number) {
  const parts: EncodedPart[] = [];
  for await (const part of encodeParts(batches, { partBytes, maxPartBytes })) parts.push(part);
  return parts;
}

describe('encodeParts', () => {
  const batches = Array.from({ length: 20 }, (_, i) => batchOf(i * 500, 500));

  it('splits into IPC stream parts that decode back to the same rows in order', async () => {
    const parts = await collect(batches, 20_000);
    expect(parts.length).toBeGreaterThan(2);
    const ids = parts
      .flatMap((part) => tableFromIPC(part.bytes).getChild('id')?.toArray() as Int32Array)
      .flatMap((a) => [...a]);
    expect(ids).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(parts.reduce((sum, part) => sum + part.rows, 0)).toBe(10_000);
    expect(parts.map((part) => part.index)).toEqual(parts.map((_, i) => i));
  });

  it('puts part boundaries on batch boundaries and keeps sizes bounded by partBytes plus one batch', async () => {
    const single = (await collect([batches[0] as RecordBatch], 1_000_000))[0] as EncodedPart;
    const partBytes = 20_000;
    const parts = await collect(batches, partBytes);
    for (const part of parts) {
      expect(part.rows % 500).toBe(0);
      const decoded = tableFromIPC(part.bytes);
      expect(decoded.batches.map((b) => b.numRows)).toEqual(Array(part.batches).fill(500));
      expect(part.bytes.byteLength).toBeLessThan(partBytes + single.bytes.byteLength);
    }
    expect(parts.length).toBeGreaterThan(2);
    // every part but the last reached the target size
    for (const part of parts.slice(0, -1)) expect(part.bytes.byteLength).toBeGreaterThanOrEqual(partBytes);
  });

  it('reports a sha256 of exactly the encoded bytes', async () => {
    const { createHash } = await import('node:crypto');
    const [part] = await collect(batches.slice(0, 2), 1 << 30);
    expect(part?.sha256).toBe(
      createHash('sha256')
        .update(part?.bytes ?? new Uint8Array())
        .digest('hex'),
    );
    expect(part?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('drops zero-row batches and yields nothing for empty input', async () => {
    expect(await collect([batchOf(0, 0)], 1024)).toEqual([]);
    const parts = await collect([batchOf(0, 0), batchOf(0, 3)], 1024);
    expect(parts.map((part) => part.rows)).toEqual([3]);
  });

  it('rejects batches with a different schema, naming both', async () => {
    const other = tableFromArrays({ id: Float64Array.from([1]) }).batches[0] as RecordBatch;
    await expect(collect([batchOf(0, 2), other], 1024)).rejects.toThrow(
      /must share a schema: expected \(id: Int32, name: Utf8\) but a batch has \(id: Float64 not null\)/,
    );
  });

  it('refuses a single batch larger than the staged-object limit', async () => {
    await expect(collect([batchOf(0, 5000)], 1024, 2048)).rejects.toThrow(
      /a record batch of 5000 rows encodes to \d+ bytes, over the 2048-byte limit of one staged object/,
    );
  });

  it('accepts dictionary-encoded batches of separately built tables', async () => {
    const first = tableFromArrays({ tag: ['a', 'b'] }).batches[0] as RecordBatch;
    const second = tableFromArrays({ tag: ['c', 'a'] }).batches[0] as RecordBatch;
    const parts = await collect([first, second], 1 << 20);
    const tags = parts.flatMap((part) => [...tableFromIPC(part.bytes)].map((row) => row.toJSON()['tag']));
    expect(tags).toEqual(['a', 'b', 'c', 'a']);
  });

  it('encodes a whole table batch by batch', async () => {
    const table = new Table(batches.slice(0, 3));
    const parts = await collect(table.batches, 1);
    expect(parts.map((part) => part.rows)).toEqual([500, 500, 500]);
  });
});
