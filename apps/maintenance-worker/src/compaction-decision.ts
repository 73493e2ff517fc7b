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

/** One knob through the layers: the explicit value (run or policy) and what the report says. */
function layered(
  name: string,
  run: number | undefined,
  fromPolicy: number | undefined,
  policyFrom: string,
  properties: Readonly<Record<string, string>>,
  property: string,
): { readonly explicit: number | undefined; readonly reported: ReportedSetting | undefined } {
  const explicit = decide([
    { source: 'run', from: `run.${name}`, value: run },
    { source: 'polaris-policy', from: policyFrom, value: fromPolicy },
  ]);
  const reported =
    explicit ??
    decide([{ source: 'table-property', from: property, value: positiveProperty(properties, property) }]);
  return { explicit: explicit?.value, reported };
}

/** The decision from each knob's layers, with the policy's `enable` reported when one applies. */
function collect<K extends string>(
  knobs: Readonly<Record<K, ReturnType<typeof layered>>>,
  layer: CompactionPolicyLayer,
): CompactionDecision<Partial<Record<K, number>>> {
  const options: Partial<Record<K, number>> = {};
  const settings: Record<string, ReportedSetting> = {};
  for (const name of Object.keys(knobs) as K[]) {
    const knob = knobs[name];
    if (knob.explicit !== undefined) options[name] = knob.explicit;
    if (knob.reported !== undefined) settings[name] = knob.reported;
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
  const polaris = layer.policy;
  return collect(
    {
      targetFileSizeBytes: layered(
        'targetFileSizeBytes',
        job.targetFileSizeBytes,
        layer.targetFileSizeBytes,
        layer.from,
        tableProperties,
        TARGET_FILE_SIZE_PROPERTY,
      ),
      minFileSizeBytes: layered(
        'minFileSizeBytes',
        job.minFileSizeBytes,
        polaris?.minFileSizeBytes,
        layer.from,
        tableProperties,
        COMPACTION_PROPERTIES.minFileSizeBytes,
      ),
      minInputFiles: layered(
        'minInputFiles',
        job.minInputFiles,
        polaris?.minInputFiles,
        layer.from,
        tableProperties,
        COMPACTION_PROPERTIES.minInputFiles,
      ),
    },
    layer,
  );
}

/** The `rewrite-manifests` knob of one run: the manifest target size and its source. */
export function rewriteManifestsDecision(
  job: MaintenancePolicy,
  policies: TablePolicies | undefined,
  tableProperties: Readonly<Record<string, string>>,
): CompactionDecision<{ readonly targetManifestSizeBytes?: number }> {
  const layer = compactionPolicyLayer(policies, 'rewrite-manifests');
  const polaris = layer.policy;
  return collect(
    {
      targetManifestSizeBytes: layered(
        'targetManifestSizeBytes',
        job.targetManifestSizeBytes,
        polaris?.targetManifestSizeBytes,
        layer.from,
        tableProperties,
        MANIFEST_TARGET_SIZE_BYTES,
      ),
    },
    layer,
  );
}
