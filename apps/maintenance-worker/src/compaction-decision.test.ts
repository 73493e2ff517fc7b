import { tablePoliciesFrom } from '@floe/catalog';
import { describe, expect, it } from 'vitest';
import { compactDecision, rewriteManifestsDecision } from './compaction-decision.ts';
import { polaris } from './polaris-policies.test-helper.ts';

const table = { namespace: ['sales'], name: 'orders' };

const policies = tablePoliciesFrom(table, [
  polaris('system.data-compaction', 'compact-128m', {
    enable: true,
    config: { target_file_size_bytes: 134217728, min_input_files: 3, compaction_strategy: 'bin-pack' },
  }),
  polaris('system.metadata-compaction', 'manifests-off', { enable: false }),
]);

describe('compaction settings precedence: run > Polaris policy > table property > defaults', () => {
  it('lets the run beat the policy, the policy beat the table property, and reports who decided', () => {
    const decision = compactDecision({ minInputFiles: 2 }, policies, {
      'write.target-file-size-bytes': '1000',
      'floe.compaction.min-file-size-bytes': '500',
      'floe.compaction.min-input-files': '9',
    });
    expect(decision.skip).toBeUndefined();
    // Table properties are left to @floe/iceberg, which reads them itself.
    expect(decision.options).toEqual({ targetFileSizeBytes: 134217728, minInputFiles: 2 });
    expect(decision.settings).toEqual({
      targetFileSizeBytes: { value: 134217728, source: 'polaris-policy', from: 'policy compact-128m' },
      minFileSizeBytes: {
        value: 500,
        source: 'table-property',
        from: 'floe.compaction.min-file-size-bytes',
      },
      minInputFiles: { value: 2, source: 'run', from: 'run.minInputFiles' },
      enabled: { value: true, source: 'polaris-policy', from: 'policy compact-128m' },
    });
  });

  it('without a policy, the run and the table properties decide and defaults are not reported', () => {
    const decision = compactDecision({ targetFileSizeBytes: 64 }, undefined, {
      'floe.compaction.min-input-files': 'lots',
    });
    expect(decision).toEqual({
      skip: undefined,
      options: { targetFileSizeBytes: 64 },
      settings: { targetFileSizeBytes: { value: 64, source: 'run', from: 'run.targetFileSizeBytes' } },
    });
  });

  it('skips the action a disabled policy covers, naming the policy', () => {
    const decision = rewriteManifestsDecision({ targetManifestSizeBytes: 4096 }, policies, {});
    expect(decision.skip).toEqual({
      policy: 'manifests-off',
      policyType: 'system.metadata-compaction',
      reason:
        'Polaris policy manifests-off (system.metadata-compaction v1, attached to the table) has enable: false',
    });
    expect(decision.settings['enabled']).toEqual({
      value: false,
      source: 'polaris-policy',
      from: 'policy manifests-off',
    });
    const disabledData = tablePoliciesFrom(table, [
      polaris('system.data-compaction', 'no-compaction', { enable: false }),
    ]);
    expect(compactDecision({}, disabledData, {}).skip?.policy).toBe('no-compaction');
  });

  it('takes the manifest target size from the metadata-compaction policy over the table property', () => {
    const enabled = tablePoliciesFrom(table, [
      polaris('system.metadata-compaction', 'manifests-4k', {
        enable: true,
        config: { target_manifest_size_bytes: 4096 },
      }),
    ]);
    const property = { 'commit.manifest.target-size-bytes': '8192' };
    expect(rewriteManifestsDecision({}, enabled, property)).toMatchObject({
      options: { targetManifestSizeBytes: 4096 },
      settings: {
        targetManifestSizeBytes: { value: 4096, source: 'polaris-policy', from: 'policy manifests-4k' },
      },
    });
    expect(rewriteManifestsDecision({}, undefined, property)).toEqual({
      skip: undefined,
      options: {},
      settings: {
        targetManifestSizeBytes: {
          value: 8192,
          source: 'table-property',
          from: 'commit.manifest.target-size-bytes',
        },
      },
    });
  });
});
