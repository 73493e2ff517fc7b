// markerPin: what expiry keeps for write jobs that may still be delivered — from the oldest
// snapshot holding one of their markers (v2+), or from a time floor (v1).
import type { Snapshot, TableMetadata } from '@floe/iceberg';
import { describe, expect, it } from 'vitest';
import { markerPin, type PendingWriteJobs } from './pending-write-jobs.ts';

/** The parts of a table markerPin reads: snapshots 1..n on main, the i-th carrying `markers[i]`. */
function tableWith(
  markers: readonly string[],
  formatVersion: TableMetadata['formatVersion'] = 2,
): Pick<TableMetadata, 'formatVersion' | 'lastSequenceNumber' | 'snapshots'> {
  const snapshots: Snapshot[] = markers.map((ids, i) => ({
    snapshotId: BigInt(i + 1),
    ...(i === 0 ? {} : { parentSnapshotId: BigInt(i) }),
    sequenceNumber: BigInt(i + 1),
    timestampMs: 1_000n * BigInt(i + 1),
    manifestList: `mem://t/metadata/snap-${i + 1}.avro`,
    summary: { operation: 'append', 'floe.job-ids': ids },
  }));
  return { formatVersion, lastSequenceNumber: BigInt(markers.length), snapshots };
}

const pending = (ids: readonly string[], retainSinceMs?: number): PendingWriteJobs => ({
  count: ids.length,
  retainSinceMs,
  jobIds: new Set(ids),
});

describe('markerPin', () => {
  const table = tableWith(['a', 'b,c', 'd', 'e,f']);

  it('pins from the oldest snapshot holding a pending job, and everything committed after the open', () => {
    expect(markerPin(table, pending(['f', 'c', 'zz']))).toEqual({ retainFromSequenceNumber: 2n });
    expect(markerPin(table, pending(['e']))).toEqual({ retainFromSequenceNumber: 4n });
  });

  it('pins only later commits when no snapshot holds a pending job (jobs not yet committed)', () => {
    expect(markerPin(table, pending(['x', 'y']))).toEqual({ retainFromSequenceNumber: 5n });
    expect(markerPin(table, pending([]))).toEqual({ retainFromSequenceNumber: 5n });
  });

  it('falls back to the time floor on a v1 table, which has no sequence numbers', () => {
    const v1 = tableWith(['a', 'b'], 1);
    expect(markerPin(v1, pending(['a'], 1_500))).toEqual({ retainSinceMs: 1_500n });
    expect(markerPin(v1, pending([]))).toEqual({});
  });
});
