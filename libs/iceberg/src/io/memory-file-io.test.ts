import { describe, expect, it } from 'vitest';
import { fileIOContract } from './file-io-contract.test-helper.ts';
import { MemoryFileIO } from './memory-file-io.ts';

describe('MemoryFileIO', () => {
  fileIOContract('memory', async () => ({ io: new MemoryFileIO(), root: 'mem://wh' }));

  it('stores a copy, so mutating the written buffer changes nothing', async () => {
    const io = new MemoryFileIO();
    const bytes = new Uint8Array([1, 2, 3]);
    await io.write('mem://x', bytes);
    bytes[0] = 9;
    expect([...(await io.read('mem://x'))]).toEqual([1, 2, 3]);
    expect(io.locations()).toEqual(['mem://x']);
  });

  it('reports per-file failures from deleteMany instead of throwing', async () => {
    const io = new MemoryFileIO();
    io.delete = async (location: string) => {
      if (location.endsWith('bad')) throw new Error('boom');
    };
    const result = await io.deleteMany(['mem://good', 'mem://bad']);
    expect(result.deleted).toBe(1);
    expect(result.failed.map((f) => [f.location, f.error.message])).toEqual([['mem://bad', 'boom']]);
    io.delete = async () => {
      throw 'not an error object';
    };
    const wrapped = await io.deleteMany(['mem://x']);
    expect(wrapped.failed[0]?.error.message).toBe('not an error object');
  });
});
