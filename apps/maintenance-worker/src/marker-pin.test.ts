// markerPin: what expiry keeps for write jobs that may still be delivered — from the oldest
// snapshot holding one of their markers (v2+), or from a time floor (v1).
import { applyUpdates, type TableMetadata, type TableUpdate } from '@floe/iceberg';
import { describe, expect, it } from 'vitest';
import { markerPin, type PendingWriteJobs } from './pending-write-jobs.ts';

function tableWith(markers: readonly string[]): TableMetadata {
  const created: TableUpdate[] = [
    { action: 'assign-uuid', uuid: '11111111-2222-3333-4444-555555555555' },
    { action: 'upgrade-format-version', formatVersion: 2 },
    {
      action: 'add-schema',
      schema: {
        schemaId: 0,
        identifierFieldIds: [],
        fields: [{ id: 1, name: 'id', required: true, type: { kind: 'long' } }],
      },
      lastColumnId: 1,
    },
    { action: 'set-current-schema', schemaId: -1 },
    { action: 'add-spec', spec: { specId: 0, fields: [] } },
    { action: 'set-default-spec', specId: -1 },
    { action: 'add-sort-order', sortOrder: { orderId: 0, fields: [] } },
    { action: 'set-default-sort-order', sortOrderId: -1 },
    { action: 'set-location', location: 'mem://t' },
  ];
  const snapshots: TableUpdate[] = markers.map((ids, i) => ({
    action: 'add-snapshot',
    snapshot: {
      snapshotId: BigInt(i + 1),
      ...(i === 0 ? {} : { parentSnapshotId: BigInt(i) }),
      sequenceNumber: BigInt(i + 1),
      timestampMs: 1_000n * BigInt(i + 1),
      manifestList: `mem://t/metadata/snap-${i + 1}.avro`,
      summary: { operation: 'append', 'floe.job-ids': ids },
    },
  }));
  const main: TableUpdate = {
    action: 'set-snapshot-ref',
    refName: 'main',
    ref: { snapshotId: BigInt(markers.length), type: 'branch' },
  };
  return applyUpdates(undefined, [...created, ...snapshots, main], { nowMs: 10_000n });
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
    const v1: TableMetadata = { ...tableWith(['a', 'b']), formatVersion: 1 };
    expect(markerPin(v1, pending(['a'], 1_500))).toEqual({ retainSinceMs: 1_500n });
    expect(markerPin(v1, pending([]))).toEqual({});
  });
});
