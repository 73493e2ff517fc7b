import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileIOContract } from './file-io-contract.test-helper.ts';
import { LocalFileIO, localPath } from './local-file-io.ts';

const tempRoot = () => mkdtemp(join(tmpdir(), 'floe-local-io-'));

describe('LocalFileIO', () => {
  fileIOContract('local path', async () => ({ io: new LocalFileIO(), root: await tempRoot() }));
  fileIOContract('file:// URI', async () => ({
    io: new LocalFileIO(),
    root: pathToFileURL(await tempRoot()).href,
  }));

  it('maps file:// and Hadoop-style file:/ URIs to paths', () => {
    expect(localPath('file:///tmp/wh/a.json')).toBe('/tmp/wh/a.json');
    expect(localPath('file:/tmp/wh/a.json')).toBe('/tmp/wh/a.json');
    expect(localPath('file:///tmp/wh/')).toBe('/tmp/wh/');
    expect(localPath('/plain/path')).toBe('/plain/path');
  });

  it('lists a prefix that ends inside a file name', async () => {
    const root = await tempRoot();
    const io = new LocalFileIO();
    await io.write(`${root}/data/00001.parquet`, new Uint8Array([1]));
    await io.write(`${root}/data/10001.parquet`, new Uint8Array([1]));
    const found: string[] = [];
    for await (const info of io.list(`${root}/data/0`)) found.push(info.location);
    expect(found).toEqual([`${root}/data/00001.parquet`]);
  });

  it('treats a folder as not a file and explains unreadable paths', async () => {
    const root = await tempRoot();
    const io = new LocalFileIO();
    await mkdir(join(root, 'folder'));
    expect(await io.exists(join(root, 'folder'))).toBe(false);
    await expect(io.length(join(root, 'folder'))).rejects.toThrow(/file not found/);
    const error = await io.read(join(root, 'folder')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/could not read .*folder: EISDIR/);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });

  it('does not leave a temporary file behind when a stream write fails', async () => {
    const root = await tempRoot();
    const io = new LocalFileIO();
    async function* failing() {
      yield new Uint8Array([1]);
      throw new Error('producer died');
    }
    await expect(io.write(`${root}/x.bin`, failing())).rejects.toThrow(/could not write .*x.bin/);
    const left: string[] = [];
    for await (const info of io.list(`${root}/`)) left.push(info.location);
    expect(left).toEqual([]);
    expect(await io.exists(`${root}/x.bin`)).toBe(false);
  });

  it('reports a permission problem as a non-retryable io error', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes; assert the mapping through a path under a regular file instead.
      const root = await tempRoot();
      await writeFile(join(root, 'file'), 'x');
      const error = await new LocalFileIO()
        .write(join(root, 'file', 'child.bin'), new Uint8Array(1))
        .catch((e) => e);
      expect((error as Error).message).toMatch(/could not write .*child.bin/);
      return;
    }
    const root = await tempRoot();
    await mkdir(join(root, 'locked'));
    await chmod(join(root, 'locked'), 0o500);
    const error = await new LocalFileIO()
      .write(join(root, 'locked', 'x.bin'), new Uint8Array(1))
      .catch((e) => e);
    expect((error as Error).message).toMatch(/EACCES/);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });
});
