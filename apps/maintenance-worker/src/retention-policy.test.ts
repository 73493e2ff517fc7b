import { tablePoliciesFrom } from '@floe/catalog';
import { describe, expect, it } from 'vitest';
import { polaris } from './polaris-policies.test-helper.ts';
import {
  compactionPolicyLayer,
  decide,
  expiryDecision,
  orphanDecision,
  stagingDecision,
} from './retention-policy.ts';

const retention = {
  max_snapshot_age_ms: 432_000_000,
  min_snapshots_to_keep: 1,
  max_snapshots: 500,
  orphan_older_than_ms: 259_200_000,
  staging_retention_ms: 604_800_000,
};
const table = { namespace: ['sales'], name: 'orders' };

const policies = tablePoliciesFrom(table, [
  polaris('system.snapshot-expiry', 'keep-a-day', {
    enable: true,
    config: { max_snapshot_age_days: 1, min_snapshot_to_keep: 4 },
  }),
  polaris('system.orphan-file-removal', 'ns-orphans', { enable: false }, true),
  polaris('system.data-compaction', 'compact-128m', {
    enable: true,
    config: { target_file_size_bytes: 134217728, compaction_strategy: 'bin-pack' },
  }),
]);

describe('settings precedence: run > Polaris policy > table property > floe.yaml', () => {
  it('takes the first layer that says something', () => {
    expect(
      decide([
        { source: 'run', from: 'run.x', value: undefined },
        { source: 'polaris-policy', from: 'policy p', value: 7 },
        { source: 'floe.yaml', from: 'maintenance.x', value: 9 },
      ]),
    ).toEqual({ value: 7, source: 'polaris-policy', from: 'policy p' });
    expect(decide([{ source: 'run', from: 'run.x', value: undefined }])).toBeUndefined();
  });

  it('lets the run beat the policy, the policy beat the table property, and reports who decided', () => {
    const decision = expiryDecision(
      { minSnapshotsToKeep: 2 },
      policies,
      { 'history.expire.max-snapshot-age-ms': '1000', 'history.expire.min-snapshots-to-keep': '9' },
      retention,
    );
    expect(decision.skip).toBeUndefined();
    expect(decision.expiry).toEqual({
      maxSnapshotAgeMs: 86_400_000n,
      retainLast: 2,
      defaults: { maxSnapshotAgeMs: 432_000_000n, minSnapshotsToKeep: 1, maxSnapshots: 500 },
    });
    expect(decision.settings).toEqual({
      maxSnapshotAgeMs: { value: 86_400_000, source: 'polaris-policy', from: 'policy keep-a-day' },
      minSnapshotsToKeep: { value: 2, source: 'run', from: 'run.minSnapshotsToKeep' },
      maxSnapshots: { value: 500, source: 'floe.yaml', from: 'maintenance.retention.max_snapshots' },
      enabled: { value: true, source: 'polaris-policy', from: 'policy keep-a-day' },
    });
  });

  it('leaves a table property to the planner and falls back to floe.yaml without a policy', () => {
    const decision = expiryDecision(
      {},
      undefined,
      { 'history.expire.max-snapshot-age-ms': '1000' },
      {
        ...retention,
        max_ref_age_ms: 5000,
      },
    );
    expect(decision.expiry).toEqual({
      defaults: {
        maxSnapshotAgeMs: 432_000_000n,
        minSnapshotsToKeep: 1,
        maxSnapshots: 500,
        maxRefAgeMs: 5000n,
      },
    });
    expect(decision.settings).toEqual({
      maxSnapshotAgeMs: { value: 1000, source: 'table-property', from: 'history.expire.max-snapshot-age-ms' },
      minSnapshotsToKeep: {
        value: 1,
        source: 'floe.yaml',
        from: 'maintenance.retention.min_snapshots_to_keep',
      },
      maxSnapshots: { value: 500, source: 'floe.yaml', from: 'maintenance.retention.max_snapshots' },
      maxRefAgeMs: { value: 5000, source: 'floe.yaml', from: 'maintenance.retention.max_ref_age_ms' },
    });
  });

  it('caps the snapshot count from the run, else the table property, else floe.yaml (null: no cap)', () => {
    const property = { 'floe.history.expire.max-snapshots': '50' };
    expect(expiryDecision({ maxSnapshots: 7 }, undefined, property, retention)).toMatchObject({
      expiry: { maxSnapshots: 7, defaults: { maxSnapshots: 500 } },
      settings: { maxSnapshots: { value: 7, source: 'run', from: 'run.maxSnapshots' } },
    });
    expect(expiryDecision({}, undefined, property, retention).settings['maxSnapshots']).toEqual({
      value: 50,
      source: 'table-property',
      from: 'floe.history.expire.max-snapshots',
    });
    const uncapped = expiryDecision({}, undefined, {}, { ...retention, max_snapshots: null });
    expect(uncapped.settings['maxSnapshots']).toBeUndefined();
    expect(uncapped.expiry.defaults).toEqual({ maxSnapshotAgeMs: 432_000_000n, minSnapshotsToKeep: 1 });
  });

  it('skips a run whose Polaris policy is disabled, naming the policy', () => {
    const decision = orphanDecision({ orphanOlderThanMs: 10 }, policies, retention);
    expect(decision.skip).toEqual({
      policy: 'ns-orphans',
      policyType: 'system.orphan-file-removal',
      reason:
        'Polaris policy ns-orphans (system.orphan-file-removal v1, inherited from a namespace or the catalog) has enable: false',
    });
    expect(decision.settings['enabled']).toEqual({
      value: false,
      source: 'polaris-policy',
      from: 'policy ns-orphans',
    });
  });

  it('takes orphan and staging thresholds from the run, else the policy, else floe.yaml', () => {
    const enabled = tablePoliciesFrom(table, [
      polaris('system.orphan-file-removal', 'two-days', { enable: true, max_orphan_file_age_in_days: 2 }),
    ]);
    expect(orphanDecision({}, undefined, retention).olderThanMs).toBe(259_200_000);
    expect(orphanDecision({}, enabled, retention).settings['olderThanMs']).toEqual({
      value: 172_800_000,
      source: 'polaris-policy',
      from: 'policy two-days',
    });
    expect(orphanDecision({ orphanOlderThanMs: 10 }, enabled, retention).olderThanMs).toBe(10);
    expect(stagingDecision({}, retention).retentionMs).toBe(604_800_000);
    expect(stagingDecision({ stagingRetentionMs: 10 }, retention).settings).toEqual({
      retentionMs: { value: 10, source: 'run', from: 'run.stagingRetentionMs' },
    });
  });

  it('gives compaction actions the Polaris layer of their settings', () => {
    expect(compactionPolicyLayer(policies, 'compact')).toMatchObject({
      skip: undefined,
      from: 'policy compact-128m',
      targetFileSizeBytes: 134217728,
      config: { compaction_strategy: 'bin-pack' },
    });
    const none = compactionPolicyLayer(policies, 'rewrite-manifests');
    expect(none.policy).toBeUndefined();
    expect(none.config).toEqual({});
  });
});
