// The FileIO contract as a reusable suite: every implementation (memory, local, S3 against
// MinIO) must pass the same checks, so callers can swap them without surprises.
import { expect, it } from 'vitest';
import { isIcebergError } from '../errors.ts';
import type { FileIO } from './file-io.ts';

const text = (value: string) => new TextEncoder().encode(value);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export function fileIOContract(name: string, make: () => Promise<{ io: FileIO; root: string }>): void {
  it(`${name}: writes bytes and reads them back whole and by range`, async () => {
    const { io, root } = await make();
    const location = `${root}/a/one.bin`;
    expect(await io.write(location, text('hello iceberg'))).toBe(13);
    expect(decode(await io.read(location))).toBe('hello iceberg');
    expect(decode(await io.readRange(location, 6, 7))).toBe('iceberg');
    expect((await io.readRange(location, 3, 0)).byteLength).toBe(0);
    expect(await io.length(location)).toBe(13);
    expect(await io.exists(location)).toBe(true);
    const input = io.newInputFile(location);
    expect(input.location).toBe(location);
    expect(await input.length()).toBe(13);
    expect(await input.exists()).toBe(true);
    expect(decode(await input.readRange(0, 5))).toBe('hello');
    expect(decode(await input.read())).toBe('hello iceberg');
  });

  it(`${name}: writes a stream of chunks through an output file`, async () => {
    const { io, root } = await make();
    const output = io.newOutputFile(`${root}/stream.bin`);
    async function* chunks() {
      yield text('ab');
      yield text('cd');
    }
    expect(await output.write(chunks())).toBe(4);
    expect(decode(await io.read(output.location))).toBe('abcd');
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(text('xy'));
        controller.close();
      },
    });
    expect(await io.write(`${root}/web.bin`, web)).toBe(2);
    expect(decode(await io.read(`${root}/web.bin`))).toBe('xy');
  });

  it(`${name}: a missing file is 'not-found' and exists() is false`, async () => {
    const { io, root } = await make();
    const missing = `${root}/nope.bin`;
    expect(await io.exists(missing)).toBe(false);
    const error = await io.read(missing).catch((e: unknown) => e);
    expect(isIcebergError(error, 'not-found')).toBe(true);
    expect((error as Error).message).toContain(missing);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    await expect(io.length(missing)).rejects.toThrow(/not found/);
    await expect(io.readRange(missing, 0, 1)).rejects.toThrow(/not found/);
  });

  it(`${name}: rejects ranges outside the file and negative ranges`, async () => {
    const { io, root } = await make();
    const location = `${root}/r.bin`;
    await io.write(location, text('12345'));
    await expect(io.readRange(location, 3, 5)).rejects.toThrow(/outside/);
    await expect(io.readRange(location, -1, 2)).rejects.toThrow(/invalid byte range offset=-1 length=2/);
  });

  it(`${name}: lists by prefix, deletes one and many`, async () => {
    const { io, root } = await make();
    for (const key of [
      'data/p=1/a.parquet',
      'data/p=1/b.parquet',
      'data/p=2/c.parquet',
      'metadata/v1.json',
    ]) {
      await io.write(`${root}/${key}`, text(key));
    }
    const listed = async (prefix: string) => {
      const out: string[] = [];
      for await (const info of io.list(prefix)) {
        expect(info.size).toBeGreaterThan(0);
        out.push(info.location);
      }
      return out.sort();
    };
    expect(await listed(`${root}/data/p=1/`)).toEqual([
      `${root}/data/p=1/a.parquet`,
      `${root}/data/p=1/b.parquet`,
    ]);
    expect(await listed(`${root}/data/p=`)).toHaveLength(3);
    expect(await listed(`${root}/nothing-here/`)).toEqual([]);

    await io.delete(`${root}/metadata/v1.json`);
    await io.delete(`${root}/metadata/v1.json`); // idempotent
    expect(await io.exists(`${root}/metadata/v1.json`)).toBe(false);

    const result = await io.deleteMany([...(await listed(`${root}/data/`)), `${root}/data/missing.parquet`], {
      concurrency: 2,
    });
    expect(result.failed).toEqual([]);
    expect(result.deleted).toBe(4);
    expect(await listed(`${root}/`)).toEqual([]);
  });
}
