import { describe, expect, it } from 'vitest';
import { expiryPolicyFor, orphanOlderThanMs, stagingRetentionMs } from './retention-policy.ts';

const retention = {
  max_snapshot_age_ms: 432_000_000,
  min_snapshots_to_keep: 1,
  orphan_older_than_ms: 259_200_000,
  staging_retention_ms: 604_800_000,
};

describe('retention layering', () => {
  it('makes job values explicit overrides and floe.yaml values the lowest defaults', () => {
    expect(
      expiryPolicyFor({ maxSnapshotAgeMs: 5, minSnapshotsToKeep: 3, maxRefAgeMs: 7 }, retention, 99),
    ).toEqual({
      maxSnapshotAgeMs: 5n,
      retainLast: 3,
      maxRefAgeMs: 7n,
      retainSinceMs: 99n,
      defaults: { maxSnapshotAgeMs: 432_000_000n, minSnapshotsToKeep: 1 },
    });
    expect(expiryPolicyFor({}, { ...retention, max_ref_age_ms: 1000 }, undefined)).toEqual({
      defaults: { maxSnapshotAgeMs: 432_000_000n, minSnapshotsToKeep: 1, maxRefAgeMs: 1000n },
    });
  });

  it('takes orphan and staging thresholds from the job, else floe.yaml', () => {
    expect(orphanOlderThanMs({}, retention)).toBe(259_200_000);
    expect(orphanOlderThanMs({ orphanOlderThanMs: 10 }, retention)).toBe(10);
    expect(stagingRetentionMs({}, retention)).toBe(604_800_000);
    expect(stagingRetentionMs({ stagingRetentionMs: 10 }, retention)).toBe(10);
  });
});
