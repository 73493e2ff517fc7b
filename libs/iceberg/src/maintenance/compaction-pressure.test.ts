// Small files since the last compaction, from snapshot summaries: only small commits count, the
// walk stops at the last `replace`, and the table property sets the trigger.
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../metadata/builder.ts';
import type { TableUpdate } from '../metadata/updates.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { compactionTrigger, smallFilesSinceCompaction } from './compaction-pressure.ts';

const MiB = 1024 * 1024;

/** main: one snapshot per commit, oldest first: [operation, files added, bytes added]. */
function history(
  commits: readonly [string, number, number][],
  properties: Record<string, string> = {},
): TableMetadata {
  const updates: TableUpdate[] = commits.map(([operation, files, bytes], i) => ({
    action: 'add-snapshot',
    snapshot: {
      snapshotId: BigInt(i + 1),
      ...(i === 0 ? {} : { parentSnapshotId: BigInt(i) }),
      sequenceNumber: BigInt(i + 1),
      timestampMs: BigInt(1000 + i),
      manifestList: `mem://t/metadata/snap-${i + 1}.avro`,
      summary: {
        operation: operation as 'append',
        'added-data-files': String(files),
        'added-files-size': String(bytes),
      },
    },
  }));
  if (commits.length > 0) {
    updates.push({
      action: 'set-snapshot-ref',
      refName: 'main',
      ref: { snapshotId: BigInt(commits.length), type: 'branch' },
    });
  }
  updates.push({ action: 'set-properties', updates: properties });
  return applyUpdates(newTableMetadata(false), updates, { nowMs: 10_000n });
}

describe('smallFilesSinceCompaction', () => {
  it('counts the small files appended since the last replace', () => {
    const table = history([
      ['append', 3, 3000],
      ['replace', 1, 400 * MiB],
      ['append', 2, 2000],
      ['append', 4, 4000],
    ]);
    expect(smallFilesSinceCompaction(table)).toBe(6);
  });

  it('skips commits whose files are large on average, and stops after maxSnapshots', () => {
    // The default target is 512 MiB; small means below 75 % of it.
    const table = history([
      ['append', 1, 1000],
      ['append', 2, 2 * 500 * MiB],
      ['append', 5, 5000],
    ]);
    expect(smallFilesSinceCompaction(table)).toBe(6);
    expect(smallFilesSinceCompaction(table, 2)).toBe(5);
    const smallTarget = history([['append', 2, 2 * MiB]], { 'write.target-file-size-bytes': String(MiB) });
    expect(smallFilesSinceCompaction(smallTarget)).toBe(0);
  });
});

describe('compactionTrigger', () => {
  it('takes the table property, else the fallback; a bad value falls back', () => {
    expect(compactionTrigger(history([]), 200)).toBe(200);
    expect(compactionTrigger(history([], { 'floe.compaction.trigger-small-files': '50' }), 200)).toBe(50);
    expect(compactionTrigger(history([], { 'floe.compaction.trigger-small-files': '0' }), 200)).toBe(0);
    expect(compactionTrigger(history([], { 'floe.compaction.trigger-small-files': 'lots' }), 200)).toBe(200);
  });
});
