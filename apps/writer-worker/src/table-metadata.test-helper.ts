// In-memory table metadata for the writer's unit tests: an empty v2 table with one required
// `id long` column, unpartitioned, at mem://t, optionally with a linear main history of
// snapshots carrying the given summaries (commit queue and auto-compaction tests).
import { applyUpdates, type TableMetadata, type TableUpdate } from '@floe/iceberg';

export function newTable(
  properties: Readonly<Record<string, string>> = {},
  summaries: readonly Readonly<Record<string, string>>[] = [],
): TableMetadata {
  const updates: TableUpdate[] = [
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
    { action: 'set-properties', updates: { ...properties } },
  ];
  summaries.forEach((summary, i) => {
    updates.push({
      action: 'add-snapshot',
      snapshot: {
        snapshotId: BigInt(i + 1),
        ...(i === 0 ? {} : { parentSnapshotId: BigInt(i) }),
        sequenceNumber: BigInt(i + 1),
        timestampMs: BigInt(1000 + i),
        manifestList: `mem://t/metadata/snap-${i + 1}.avro`,
        summary: { operation: 'append', ...summary },
      },
    });
  });
  if (summaries.length > 0) {
    updates.push({
      action: 'set-snapshot-ref',
      refName: 'main',
      ref: { snapshotId: BigInt(summaries.length), type: 'branch' },
    });
  }
  return applyUpdates(undefined, updates, { nowMs: 10_000n });
}
