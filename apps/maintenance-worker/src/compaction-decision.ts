// Which knobs a `compact` or `rewrite-manifests` run applies, and who decided each one — the
// same layers as expiry and orphans (retention-policy.ts), strongest first: the run's own
// options, the table's Polaris policy (`system.data-compaction` / `system.metadata-compaction`:
// `target_file_size_bytes`, `min_file_size_bytes`, `min_input_files`,
// `target_manifest_size_bytes` of its config), the table properties, then floe's built-in
// defaults (floe.yaml has no compaction knobs). A policy with `enable: false` skips the action.
// Run and Polaris values are passed to @floe/iceberg as explicit options; table properties are
// left to it (it reads and validates them), and only reported here.
import type { TablePolicies } from '@floe/catalog';
import { COMPACTION_PROPERTIES, type CompactionOptions, MANIFEST_TARGET_SIZE_BYTES } from '@floe/iceberg';
import type { MaintenancePolicy } from '@floe/jobs';
import {
  type CompactionPolicyLayer,
  compactionPolicyLayer,
  decide,
  type ReportedSetting,
  type SkippedByPolicy,
} from './retention-policy.ts';

/** The table property a file-size target falls back to (Iceberg's, also the writers'). */
const TARGET_FILE_SIZE_PROPERTY = 'write.target-file-size-bytes';

export interface CompactionDecision<Options> {
  readonly skip: SkippedByPolicy | undefined;
  /** The run's and the policy's values; @floe/iceberg adds table properties, then defaults. */
  readonly options: Options;
  readonly settings: Readonly<Record<string, ReportedSetting>>;
}

/** A table property as @floe/iceberg reads it: a positive whole number, else not set. */
function positiveProperty(properties: Readonly<Record<string, string>>, key: string): number | undefined {
  const raw = properties[key];
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** One knob's layers: the run's value, the policy's value, the table property it falls back to. */
interface Knob {
  readonly run: number | undefined;
  readonly policy: number | undefined;
  readonly property: string;
}

/**
 * Each knob through the layers: run and policy values become explicit options, a table property
 * is only reported; the policy's `enable` is reported when one applies.
 */
function decideKnobs<K extends string>(
  layer: CompactionPolicyLayer,
  properties: Readonly<Record<string, string>>,
  knobs: Readonly<Record<K, Knob>>,
): CompactionDecision<Partial<Record<K, number>>> {
  const options: Partial<Record<K, number>> = {};
  const settings: Record<string, ReportedSetting> = {};
  for (const name of Object.keys(knobs) as K[]) {
    const knob = knobs[name];
    const explicit = decide([
      { source: 'run', from: `run.${name}`, value: knob.run },
      { source: 'polaris-policy', from: layer.from, value: knob.policy },
    ]);
    if (explicit !== undefined) options[name] = explicit.value;
    const reported =
      explicit ??
      decide([
        { source: 'table-property', from: knob.property, value: positiveProperty(properties, knob.property) },
      ]);
    if (reported !== undefined) settings[name] = reported;
  }
  if (layer.policy !== undefined) {
    settings['enabled'] = { value: layer.policy.enable, source: 'polaris-policy', from: layer.from };
  }
  return { skip: layer.skip, options, settings };
}

/** The `compact` knobs of one run: `CompactionOptions` and their sources. */
export function compactDecision(
  job: MaintenancePolicy,
  policies: TablePolicies | undefined,
  tableProperties: Readonly<Record<string, string>>,
): CompactionDecision<CompactionOptions> {
  const layer = compactionPolicyLayer(policies, 'compact');
  return decideKnobs(layer, tableProperties, {
    targetFileSizeBytes: {
      run: job.targetFileSizeBytes,
      policy: layer.targetFileSizeBytes,
      property: TARGET_FILE_SIZE_PROPERTY,
    },
    minFileSizeBytes: {
      run: job.minFileSizeBytes,
      policy: layer.policy?.minFileSizeBytes,
      property: COMPACTION_PROPERTIES.minFileSizeBytes,
    },
    minInputFiles: {
      run: job.minInputFiles,
      policy: layer.policy?.minInputFiles,
      property: COMPACTION_PROPERTIES.minInputFiles,
    },
  });
}

/** The `rewrite-manifests` knob of one run: the manifest target size and its source. */
export function rewriteManifestsDecision(
  job: MaintenancePolicy,
  policies: TablePolicies | undefined,
  tableProperties: Readonly<Record<string, string>>,
): CompactionDecision<{ readonly targetManifestSizeBytes?: number }> {
  const layer = compactionPolicyLayer(policies, 'rewrite-manifests');
  return decideKnobs(layer, tableProperties, {
    targetManifestSizeBytes: {
      run: job.targetManifestSizeBytes,
      policy: layer.policy?.targetManifestSizeBytes,
      property: MANIFEST_TARGET_SIZE_BYTES,
    },
  });
}
