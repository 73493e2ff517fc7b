import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../metadata/builder.ts';
import type { TableUpdate } from '../metadata/updates.ts';
import type { SnapshotRef, TableMetadata } from '../spec/partition-types.ts';
import { newTableMetadata } from '../table/in-memory-catalog.test-helper.ts';
import { DEFAULT_MAX_SNAPSHOT_AGE_MS, planExpiry, resolveRetention } from './expiry-plan.ts';

const DAY = 86_400_000n;
const NOW = 100n * DAY;

interface Node {
  readonly id: bigint;
  readonly parent?: bigint;
  /** Age in days at NOW. */
  readonly ageDays: bigint;
}

/** A table whose snapshots are `nodes` (in commit order) with `refs`; main points at `main`. */
function table(
  nodes: readonly Node[],
  refs: Record<string, SnapshotRef>,
  properties: Record<string, string> = {},
): TableMetadata {
  const updates: TableUpdate[] = nodes.map((n, i) => ({
    action: 'add-snapshot',
    snapshot: {
      snapshotId: n.id,
      ...(n.parent === undefined ? {} : { parentSnapshotId: n.parent }),
      sequenceNumber: BigInt(i + 1),
      timestampMs: NOW - n.ageDays * DAY,
      manifestList: `mem://t/metadata/snap-${n.id}.avro`,
      summary: { operation: 'append' },
    },
  }));
  for (const [refName, ref] of Object.entries(refs))
    updates.push({ action: 'set-snapshot-ref', refName, ref });
  updates.push({ action: 'set-properties', updates: properties });
  return applyUpdates(newTableMetadata(), updates, { nowMs: NOW });
}

const branch = (snapshotId: bigint, extra: Partial<SnapshotRef> = {}): SnapshotRef => ({
  snapshotId,
  type: 'branch',
  ...extra,
});
const tag = (snapshotId: bigint, extra: Partial<SnapshotRef> = {}): SnapshotRef => ({
  snapshotId,
  type: 'tag',
  ...extra,
});

// main: 1 ← 2 ← 3 ← 4 ← 5 aged 10, 8, 6, 4, 2 days.
const linear: Node[] = [
  { id: 1n, ageDays: 10n },
  { id: 2n, parent: 1n, ageDays: 8n },
  { id: 3n, parent: 2n, ageDays: 6n },
  { id: 4n, parent: 3n, ageDays: 4n },
  { id: 5n, parent: 4n, ageDays: 2n },
];

describe('planExpiry', () => {
  it('expires by age with the 5-day default, keeping the rest of main', () => {
    const plan = planExpiry(table(linear, { main: branch(5n) }), { nowMs: NOW });
    expect(plan.expiredSnapshotIds).toEqual([1n, 2n, 3n]);
    expect(plan.retainedSnapshotIds).toEqual([4n, 5n]);
    expect(plan.updates).toEqual([{ action: 'remove-snapshots', snapshotIds: [1n, 2n, 3n] }]);
  });

  it('never expires the current snapshot, even when everything is old', () => {
    const plan = planExpiry(table(linear, { main: branch(5n) }), { nowMs: NOW, olderThanMs: NOW });
    expect(plan.retainedSnapshotIds).toEqual([5n]);
    expect(plan.expiredSnapshotIds).toEqual([1n, 2n, 3n, 4n]);
  });

  it('keeps retainLast snapshots of a branch regardless of age', () => {
    const plan = planExpiry(table(linear, { main: branch(5n) }), {
      nowMs: NOW,
      olderThanMs: NOW,
      retainLast: 3,
    });
    expect(plan.retainedSnapshotIds).toEqual([3n, 4n, 5n]);
  });

  it('uses the history.expire.* table properties, which the caller overrides', () => {
    const metadata = table(
      linear,
      { main: branch(5n) },
      {
        'history.expire.max-snapshot-age-ms': String(7n * DAY),
        'history.expire.min-snapshots-to-keep': '4',
      },
    );
    // Property: age 7 days → 3,4,5 young; min 4 keeps 2 as well.
    expect(planExpiry(metadata, { nowMs: NOW }).expiredSnapshotIds).toEqual([1n]);
    // Caller wins over both properties.
    expect(
      planExpiry(metadata, { nowMs: NOW, maxSnapshotAgeMs: 3n * DAY, retainLast: 1 }).expiredSnapshotIds,
    ).toEqual([1n, 2n, 3n, 4n]);
  });

  it('lets table properties beat the configured defaults', () => {
    const plain = table(linear, { main: branch(5n) });
    const defaults = { maxSnapshotAgeMs: 1n * DAY, minSnapshotsToKeep: 2 };
    expect(planExpiry(plain, { nowMs: NOW, defaults }).retainedSnapshotIds).toEqual([4n, 5n]);
    const withProperty = table(linear, { main: branch(5n) }, { 'history.expire.min-snapshots-to-keep': '3' });
    expect(planExpiry(withProperty, { nowMs: NOW, defaults }).retainedSnapshotIds).toEqual([3n, 4n, 5n]);
  });

  it("honours a branch's own min-snapshots-to-keep and max-snapshot-age-ms", () => {
    const metadata = table(linear, {
      main: branch(5n, { minSnapshotsToKeep: 4 }),
    });
    expect(planExpiry(metadata, { nowMs: NOW, olderThanMs: NOW, retainLast: 1 }).retainedSnapshotIds).toEqual(
      [2n, 3n, 4n, 5n],
    );
    const aged = table(linear, { main: branch(5n, { maxSnapshotAgeMs: 9n * DAY }) });
    expect(planExpiry(aged, { nowMs: NOW }).expiredSnapshotIds).toEqual([1n]);
  });

  it('caps a branch at maxSnapshots however young, never below its minimum to keep', () => {
    const young = table(linear, { main: branch(5n) });
    // Everything is younger than 30 days; the cap keeps the newest 2.
    const capped = planExpiry(young, { nowMs: NOW, maxSnapshotAgeMs: 30n * DAY, maxSnapshots: 2 });
    expect(capped.retainedSnapshotIds).toEqual([4n, 5n]);
    expect(capped.expiredSnapshotIds).toEqual([1n, 2n, 3n]);
    // Age still expires within the cap.
    expect(planExpiry(young, { nowMs: NOW, maxSnapshots: 4 }).retainedSnapshotIds).toEqual([4n, 5n]);
    // The minimum to keep beats the cap.
    expect(
      planExpiry(young, { nowMs: NOW, maxSnapshotAgeMs: 30n * DAY, maxSnapshots: 1, retainLast: 3 })
        .retainedSnapshotIds,
    ).toEqual([3n, 4n, 5n]);
    // Pending-job pins beat the cap.
    const pinned = planExpiry(young, {
      nowMs: NOW,
      maxSnapshotAgeMs: 30n * DAY,
      maxSnapshots: 1,
      retainSinceMs: NOW - 5n * DAY,
    });
    expect(pinned.retainedSnapshotIds).toEqual([4n, 5n]);
    expect(pinned.retainedSinceCount).toBe(1);
  });

  it('takes the cap from the caller, then floe.history.expire.max-snapshots, then the defaults', () => {
    const month = 30n * DAY;
    const plain = table(linear, { main: branch(5n) });
    expect(
      planExpiry(plain, { nowMs: NOW, maxSnapshotAgeMs: month, defaults: { maxSnapshots: 3 } })
        .retainedSnapshotIds,
    ).toEqual([3n, 4n, 5n]);
    const property = table(linear, { main: branch(5n) }, { 'floe.history.expire.max-snapshots': '4' });
    expect(
      planExpiry(property, { nowMs: NOW, maxSnapshotAgeMs: month, defaults: { maxSnapshots: 3 } })
        .retainedSnapshotIds,
    ).toEqual([2n, 3n, 4n, 5n]);
    expect(
      planExpiry(property, { nowMs: NOW, maxSnapshotAgeMs: month, maxSnapshots: 1 }).retainedSnapshotIds,
    ).toEqual([5n]);
    const bad = table(linear, { main: branch(5n) }, { 'floe.history.expire.max-snapshots': 'all' });
    expect(() => planExpiry(bad)).toThrow(
      "table property floe.history.expire.max-snapshots must be an integer >= 1, got 'all'",
    );
    expect(() => planExpiry(plain, { maxSnapshots: 0 })).toThrow(
      'maxSnapshots must be an integer >= 1, got 0',
    );
  });

  it('keeps tag heads and the retained history of every branch', () => {
    // dev: 2 ← 6 ← 7 (a side branch off snapshot 2), tag v1 on snapshot 1.
    const nodes: Node[] = [
      ...linear,
      { id: 6n, parent: 2n, ageDays: 7n },
      { id: 7n, parent: 6n, ageDays: 6n },
    ];
    const metadata = table(nodes, {
      main: branch(5n),
      dev: branch(7n, { minSnapshotsToKeep: 2 }),
      v1: tag(1n),
    });
    const plan = planExpiry(metadata, { nowMs: NOW });
    expect(plan.retainedSnapshotIds).toEqual([1n, 6n, 7n, 4n, 5n]);
    expect(plan.expiredSnapshotIds).toEqual([2n, 3n]);
    expect(plan.expiredRefs).toEqual([]);
  });

  it('removes refs older than their max ref age (never main) and then expires their snapshots by age', () => {
    const nodes: Node[] = [...linear, { id: 6n, parent: 2n, ageDays: 9n }];
    const metadata = table(
      nodes,
      { main: branch(1n), old: branch(6n), v1: tag(2n, { maxRefAgeMs: 30n * DAY }) },
      { 'history.expire.max-ref-age-ms': String(8n * DAY) },
    );
    // main's head (1, 10 days old) stays; 'old' (head 9 days) is past the 8-day ref age; the tag
    // has its own 30-day limit.
    const plan = planExpiry(metadata, { nowMs: NOW });
    expect(plan.expiredRefs).toEqual(['old']);
    expect(plan.expiredSnapshotIds).toEqual([6n, 3n]);
    expect(plan.retainedSnapshotIds).toEqual([1n, 2n, 4n, 5n]);
    expect(plan.updates).toEqual([
      { action: 'remove-snapshot-ref', refName: 'old' },
      { action: 'remove-snapshots', snapshotIds: [6n, 3n] },
    ]);
    // The caller's max ref age beats the property.
    expect(planExpiry(metadata, { nowMs: NOW, maxRefAgeMs: 20n * DAY }).expiredRefs).toEqual([]);
  });

  it('expires explicit ids whatever their age', () => {
    const plan = planExpiry(table(linear, { main: branch(5n) }), {
      nowMs: NOW,
      olderThanMs: 0n,
      snapshotIds: [2n, 4n],
    });
    expect(plan.expiredSnapshotIds).toEqual([2n, 4n]);
  });

  it('keeps every snapshot at or after retainSinceMs and counts the ones it saved', () => {
    const metadata = table(linear, { main: branch(5n) });
    const plan = planExpiry(metadata, { nowMs: NOW, maxSnapshotAgeMs: DAY, retainSinceMs: NOW - 8n * DAY });
    expect(plan.expiredSnapshotIds).toEqual([1n]);
    expect(plan.retainedSinceCount).toBe(3);
    expect(planExpiry(metadata, { nowMs: NOW, maxSnapshotAgeMs: DAY }).retainedSinceCount).toBe(0);
  });

  it('keeps every snapshot from retainFromSequenceNumber, beating the count cap', () => {
    const metadata = table(linear, { main: branch(5n) });
    const plan = planExpiry(metadata, { nowMs: NOW, maxSnapshots: 1, retainFromSequenceNumber: 3n });
    expect(plan.retainedSnapshotIds).toEqual([3n, 4n, 5n]);
    expect(plan.retainedSinceCount).toBe(2);
  });

  it('lets retainSinceMs win over explicit snapshot ids', () => {
    const metadata = table(linear, { main: branch(5n) });
    const plan = planExpiry(metadata, { nowMs: NOW, snapshotIds: [1n, 3n], retainSinceMs: NOW - 7n * DAY });
    // 2 is older than the 5-day default and the pin; 3 (6 days) is pinned despite being named.
    expect(plan.expiredSnapshotIds).toEqual([1n, 2n]);
    expect(plan.retainedSinceCount).toBe(1);
  });

  it('returns an empty plan when nothing is old enough', () => {
    const plan = planExpiry(table(linear, { main: branch(5n) }), { nowMs: NOW, olderThanMs: 0n });
    expect(plan).toEqual({
      expiredSnapshotIds: [],
      retainedSnapshotIds: [1n, 2n, 3n, 4n, 5n],
      expiredRefs: [],
      retainedSinceCount: 0,
      updates: [],
    });
  });

  it('refuses to expire the current snapshot or a ref head by id', () => {
    const metadata = table(linear, { main: branch(5n), v1: tag(3n) });
    expect(() => planExpiry(metadata, { nowMs: NOW, snapshotIds: [5n] })).toThrow(
      "cannot expire snapshot 5: it is the head of ref 'main'; remove or move the ref first",
    );
    expect(() => planExpiry(metadata, { nowMs: NOW, snapshotIds: [3n] })).toThrow(
      "cannot expire snapshot 3: it is the head of ref 'v1'",
    );
  });

  it('refuses unknown snapshot ids unless told to skip them', () => {
    const metadata = table(linear, { main: branch(5n) });
    expect(() => planExpiry(metadata, { nowMs: NOW, snapshotIds: [42n] })).toThrow(
      'cannot expire snapshot 42: the table has no such snapshot',
    );
    expect(
      planExpiry(metadata, { nowMs: NOW, olderThanMs: 0n, snapshotIds: [42n] }, { ignoreMissingIds: true })
        .expiredSnapshotIds,
    ).toEqual([]);
  });

  it('rejects bad policy values and malformed table properties with a clear message', () => {
    const metadata = table(linear, { main: branch(5n) });
    expect(() => planExpiry(metadata, { retainLast: 0 })).toThrow(
      'retainLast must be an integer >= 1, got 0',
    );
    expect(() => planExpiry(metadata, { defaults: { minSnapshotsToKeep: 1.5 } })).toThrow(
      'defaults.minSnapshotsToKeep must be an integer >= 1, got 1.5',
    );
    expect(() => planExpiry(metadata, { maxRefAgeMs: -1n })).toThrow(
      'maxRefAgeMs must not be negative, got -1',
    );
    const badAge = table(linear, { main: branch(5n) }, { 'history.expire.max-snapshot-age-ms': '5 days' });
    expect(() => planExpiry(badAge)).toThrow(
      "table property history.expire.max-snapshot-age-ms must be a non-negative whole number of milliseconds, got '5 days'",
    );
    const badMin = table(linear, { main: branch(5n) }, { 'history.expire.min-snapshots-to-keep': '0' });
    expect(() => planExpiry(badMin)).toThrow(
      "table property history.expire.min-snapshots-to-keep must be an integer >= 1, got '0'",
    );
  });

  it('resolves Iceberg defaults when nobody configures anything', () => {
    const retention = resolveRetention(table(linear, { main: branch(5n) }), { nowMs: NOW });
    expect(retention).toEqual({
      nowMs: NOW,
      olderThanMs: NOW - DEFAULT_MAX_SNAPSHOT_AGE_MS,
      minSnapshotsToKeep: 1,
      maxRefAgeMs: undefined,
      maxSnapshots: undefined,
    });
  });

  it('keeps a current snapshot that no main ref points at', () => {
    const metadata = { ...table(linear, {}), currentSnapshotId: 2n };
    const plan = planExpiry(metadata, { nowMs: NOW, olderThanMs: NOW });
    expect(plan.retainedSnapshotIds).toEqual([2n]);
  });
});
