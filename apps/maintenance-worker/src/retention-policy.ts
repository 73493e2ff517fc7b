// Which settings a maintenance run applies, and who decided each one. Four layers, strongest
// first: the run's own options (the job's `policy`, e.g. `floe maintenance run
// --max-snapshot-age-ms`), the table's Apache Polaris policy (`system.snapshot-expiry`,
// `system.orphan-file-removal`, … as the catalog's applicable-policies resolves them: table over
// namespace over catalog), the table properties (`history.expire.*`, which the expiry planner of
// @floe/iceberg reads and validates itself), then floe.yaml `maintenance.retention`. A Polaris
// policy with `enable: false` skips the action on that table, scheduled or on demand. Every
// decided setting is reported with its source, so a run's report says why it did what it did.
// Job values are not bounded by floe.yaml's minimums, so a test or an operator can use seconds.
import {
  type Catalog,
  type CompactionPolicy,
  describePolicy,
  type TableIdentifier,
  type TablePolicies,
} from '@floe/catalog';
import type { RetentionConfig } from '@floe/config';
import {
  type ExpiryPolicy,
  MAX_REF_AGE_MS_PROPERTY,
  MAX_SNAPSHOT_AGE_MS_PROPERTY,
  MAX_SNAPSHOTS_PROPERTY,
  MIN_SNAPSHOTS_TO_KEEP_PROPERTY,
} from '@floe/iceberg';
import type { MaintenancePolicy, ReportedSetting, SettingSource, SkippedByPolicy } from '@floe/jobs';

export type { ReportedSetting, SettingSource, SkippedByPolicy };

/** One layer's offer for a setting: its value (undefined = this layer says nothing) and origin. */
export interface SettingCandidate<T extends string | number | boolean> {
  readonly source: SettingSource;
  /** Where exactly: `run.<option>`, `policy <name>`, the property key, the floe.yaml key. */
  readonly from: string;
  readonly value: T | undefined;
}

/** The first layer that says something decides; candidates are listed strongest first. */
export function decide<T extends string | number | boolean>(
  candidates: readonly SettingCandidate<T>[],
): (ReportedSetting & { readonly value: T }) | undefined {
  for (const candidate of candidates) {
    if (candidate.value !== undefined) {
      return { value: candidate.value, source: candidate.source, from: candidate.from };
    }
  }
  return undefined;
}

/** `decide` with a last layer that always has a value (floe.yaml's, which has defaults). */
export function decideWithDefault<T extends string | number | boolean>(
  candidates: readonly SettingCandidate<T>[],
  fallback: SettingCandidate<T> & { readonly value: T },
): ReportedSetting & { readonly value: T } {
  return decide(candidates) ?? { value: fallback.value, source: fallback.source, from: fallback.from };
}

/** The applicable Polaris policies of a table; undefined when the catalog has no policy API. */
export async function tablePoliciesOf(
  catalog: Catalog,
  table: TableIdentifier,
): Promise<TablePolicies | undefined> {
  return catalog.applicablePolicies === undefined ? undefined : catalog.applicablePolicies(table);
}

/** A disabled policy stops the action: what the report says instead of doing it. */
export function skipWhenDisabled(
  policy: { readonly enable: boolean; readonly policy: TablePolicies['policies'][number] } | undefined,
): SkippedByPolicy | undefined {
  if (policy === undefined || policy.enable) return undefined;
  return {
    policy: policy.policy.name,
    policyType: policy.policy.type,
    reason: `Polaris policy ${describePolicy(policy.policy)} has enable: false`,
  };
}

const policyFrom = (policy: { readonly policy: { readonly name: string } } | undefined): string =>
  `policy ${policy?.policy.name ?? ''}`;

export interface ExpiryDecision {
  readonly skip: SkippedByPolicy | undefined;
  readonly expiry: ExpiryPolicy;
  readonly settings: Readonly<Record<string, ReportedSetting>>;
}

/**
 * The expiry policy for one run (the caller adds `retainSinceMs` for pending write jobs). Run and Polaris values are passed as explicit values; a table property is left to the planner
 * (it validates it); floe.yaml values are the planner's lowest defaults.
 */
export function expiryDecision(
  job: MaintenancePolicy,
  policies: TablePolicies | undefined,
  tableProperties: Readonly<Record<string, string>>,
  retention: RetentionConfig,
): ExpiryDecision {
  const polaris = policies?.snapshotExpiry;
  const layered = (
    run: number | undefined,
    runFlag: string,
    fromPolicy: number | undefined,
    property: string,
    yamlKey: string,
    yamlValue: number | undefined,
  ) => {
    const explicit = decide([
      { source: 'run', from: runFlag, value: run },
      { source: 'polaris-policy', from: policyFrom(polaris), value: fromPolicy },
    ]);
    const raw = tableProperties[property];
    const reported = decide([
      ...(explicit === undefined ? [] : [{ ...explicit }]),
      { source: 'table-property', from: property, value: raw === undefined ? undefined : Number(raw.trim()) },
      { source: 'floe.yaml', from: `maintenance.retention.${yamlKey}`, value: yamlValue },
    ]);
    return { explicit: explicit?.value, reported };
  };
  const age = layered(
    job.maxSnapshotAgeMs,
    'run.maxSnapshotAgeMs',
    polaris?.maxSnapshotAgeMs,
    MAX_SNAPSHOT_AGE_MS_PROPERTY,
    'max_snapshot_age_ms',
    retention.max_snapshot_age_ms,
  );
  const keep = layered(
    job.minSnapshotsToKeep,
    'run.minSnapshotsToKeep',
    polaris?.minSnapshotsToKeep,
    MIN_SNAPSHOTS_TO_KEEP_PROPERTY,
    'min_snapshots_to_keep',
    retention.min_snapshots_to_keep,
  );
  const cap = layered(
    job.maxSnapshots,
    'run.maxSnapshots',
    undefined,
    MAX_SNAPSHOTS_PROPERTY,
    'max_snapshots',
    retention.max_snapshots ?? undefined,
  );
  const refAge = layered(
    job.maxRefAgeMs,
    'run.maxRefAgeMs',
    polaris?.maxRefAgeMs,
    MAX_REF_AGE_MS_PROPERTY,
    'max_ref_age_ms',
    retention.max_ref_age_ms,
  );
  const settings: Record<string, ReportedSetting> = {};
  if (age.reported !== undefined) settings['maxSnapshotAgeMs'] = age.reported;
  if (keep.reported !== undefined) settings['minSnapshotsToKeep'] = keep.reported;
  if (cap.reported !== undefined) settings['maxSnapshots'] = cap.reported;
  if (refAge.reported !== undefined) settings['maxRefAgeMs'] = refAge.reported;
  const skip = skipWhenDisabled(polaris);
  if (polaris !== undefined) {
    settings['enabled'] = { value: polaris.enable, source: 'polaris-policy', from: policyFrom(polaris) };
  }
  return {
    skip,
    settings,
    expiry: {
      ...(age.explicit === undefined ? {} : { maxSnapshotAgeMs: BigInt(age.explicit) }),
      ...(keep.explicit === undefined ? {} : { retainLast: keep.explicit }),
      ...(cap.explicit === undefined ? {} : { maxSnapshots: cap.explicit }),
      ...(refAge.explicit === undefined ? {} : { maxRefAgeMs: BigInt(refAge.explicit) }),
      defaults: {
        maxSnapshotAgeMs: BigInt(retention.max_snapshot_age_ms),
        minSnapshotsToKeep: retention.min_snapshots_to_keep,
        ...(retention.max_snapshots === null ? {} : { maxSnapshots: retention.max_snapshots }),
        ...(retention.max_ref_age_ms === undefined ? {} : { maxRefAgeMs: BigInt(retention.max_ref_age_ms) }),
      },
    },
  };
}

export interface OrphanDecision {
  readonly skip: SkippedByPolicy | undefined;
  readonly olderThanMs: number;
  readonly settings: Readonly<Record<string, ReportedSetting>>;
}

/** The orphan threshold: the run's, else the Polaris policy's `max_orphan_file_age_in_days`, else floe.yaml. */
export function orphanDecision(
  job: MaintenancePolicy,
  policies: TablePolicies | undefined,
  retention: RetentionConfig,
): OrphanDecision {
  const polaris = policies?.orphanFileRemoval;
  const olderThan = decideWithDefault(
    [
      { source: 'run', from: 'run.orphanOlderThanMs', value: job.orphanOlderThanMs },
      { source: 'polaris-policy', from: policyFrom(polaris), value: polaris?.olderThanMs },
    ],
    {
      source: 'floe.yaml',
      from: 'maintenance.retention.orphan_older_than_ms',
      value: retention.orphan_older_than_ms,
    },
  );
  return {
    skip: skipWhenDisabled(polaris),
    olderThanMs: olderThan.value,
    settings: {
      olderThanMs: olderThan,
      ...(polaris === undefined
        ? {}
        : { enabled: { value: polaris.enable, source: 'polaris-policy', from: policyFrom(polaris) } }),
    },
  };
}

/** The staging threshold (no table, so no Polaris policy): the run's, else floe.yaml. */
export function stagingDecision(
  job: MaintenancePolicy,
  retention: RetentionConfig,
): { readonly retentionMs: number; readonly settings: Readonly<Record<string, ReportedSetting>> } {
  const decided = decideWithDefault(
    [{ source: 'run', from: 'run.stagingRetentionMs', value: job.stagingRetentionMs }],
    {
      source: 'floe.yaml',
      from: 'maintenance.retention.staging_retention_ms',
      value: retention.staging_retention_ms,
    },
  );
  return { retentionMs: decided.value, settings: { retentionMs: decided } };
}

/** The Polaris layer of a compaction action's settings (`compact` / `rewrite-manifests`). */
export interface CompactionPolicyLayer {
  /** Set when the applicable policy has `enable: false`: the action must not run. */
  readonly skip: SkippedByPolicy | undefined;
  /** The policy that applies, if any (for `from` of the settings it decides). */
  readonly policy: CompactionPolicy | undefined;
  /** `from` for settings this policy decides: `policy <name>`. */
  readonly from: string;
  /** The policy's `config` map ({} without a policy). */
  readonly config: CompactionPolicy['config'];
  /** `config.target_file_size_bytes` of a data-compaction policy. */
  readonly targetFileSizeBytes: number | undefined;
}

/**
 * What Polaris says about compacting a table: `system.data-compaction` for `compact`,
 * `system.metadata-compaction` for `rewrite-manifests`. Feed `targetFileSizeBytes` / `config`
 * values to `decide()` between the run's options and the table properties.
 */
export function compactionPolicyLayer(
  policies: TablePolicies | undefined,
  action: 'compact' | 'rewrite-manifests',
): CompactionPolicyLayer {
  const policy = action === 'compact' ? policies?.dataCompaction : policies?.metadataCompaction;
  return {
    skip: skipWhenDisabled(policy),
    policy,
    from: policyFrom(policy),
    config: policy?.config ?? {},
    targetFileSizeBytes: policy?.targetFileSizeBytes,
  };
}
