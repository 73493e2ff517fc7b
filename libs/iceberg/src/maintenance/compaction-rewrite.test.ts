// How many input files a compaction reads at once: many small ones, few large ones, never none.
import { describe, expect, it } from 'vitest';
import { alwaysTrue } from '../expressions/index.ts';
import type { DataFile } from '../manifest/data-file.ts';
import type { ScanTask } from '../scan/plan.ts';
import { readAheadEnd } from './compaction-rewrite.ts';

const MiB = 1024 * 1024;

function tasks(...sizes: number[]): ScanTask[] {
  return sizes.map((size, i) => ({
    file: { filePath: `s3://b/t/data/${i}.parquet`, fileSizeInBytes: BigInt(size) } as DataFile,
    specId: 0,
    dataSequenceNumber: 1n,
    residual: alwaysTrue(),
    deletes: [],
  }));
}

describe('readAheadEnd', () => {
  it('reads up to 64 small files at once', () => {
    const small = tasks(...Array.from({ length: 200 }, () => 1300));
    expect(readAheadEnd(small, 0)).toBe(64);
    expect(readAheadEnd(small, 190)).toBe(200);
  });

  it('stops at 16 MiB of input, but always reads at least one file', () => {
    expect(readAheadEnd(tasks(6 * MiB, 6 * MiB, 6 * MiB, 6 * MiB), 0)).toBe(2);
    expect(readAheadEnd(tasks(100 * MiB, 1), 0)).toBe(1);
    expect(readAheadEnd(tasks(1, 100 * MiB), 1)).toBe(2);
  });
});
