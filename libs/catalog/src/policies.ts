// Apache Polaris maintenance policies, typed. Polaris stores policies with inheritance
// (catalog → namespace → table; the nearest attachment of an inheritable type overrides the
// ones above it) and resolves them itself: `applicable-policies` for a table answers the one
// effective policy of each inheritable type, with `inherited: false` when it is attached to the
// table itself. This module turns that answer into what maintenance needs — whether each of
// the four predefined types (`system.snapshot-expiry`, `system.orphan-file-removal`,
// `system.data-compaction`, `system.metadata-compaction`) is enabled and with which values, in
// floe's units (milliseconds, counts) — and refuses content it cannot read with an error naming
// the policy, instead of silently ignoring a policy that might say "disabled".

import type { ZodType } from 'zod';
import type { TableIdentifier } from './catalog.ts';
import { CatalogError } from './errors.ts';
import { formatTable } from './identifiers.ts';
import type {
  ApplicablePolicy,
  CompactionPolicy,
  OrphanFileRemovalPolicy,
  SnapshotExpiryPolicy,
  TablePolicies,
} from './policy-types.ts';
import {
  type ApplicablePolicyWire,
  compactionContentSchema,
  orphanFileRemovalContentSchema,
  type PolicyConfigValue,
  snapshotExpiryContentSchema,
} from './wire/policies.ts';

export const SNAPSHOT_EXPIRY_POLICY = 'system.snapshot-expiry';
export const ORPHAN_FILE_REMOVAL_POLICY = 'system.orphan-file-removal';
export const DATA_COMPACTION_POLICY = 'system.data-compaction';
export const METADATA_COMPACTION_POLICY = 'system.metadata-compaction';

export type MaintenancePolicyType =
  | typeof SNAPSHOT_EXPIRY_POLICY
  | typeof ORPHAN_FILE_REMOVAL_POLICY
  | typeof DATA_COMPACTION_POLICY
  | typeof METADATA_COMPACTION_POLICY;

const DAY_MS = 86_400_000;

/** `name (system.snapshot-expiry v3, attached to the table|inherited)` for reports and logs. */
export function describePolicy(policy: ApplicablePolicy): string {
  const where = policy.inherited ? 'inherited from a namespace or the catalog' : 'attached to the table';
  return `${policy.name} (${policy.type} v${policy.version}, ${where})`;
}

export function applicablePolicyFromWire(wire: ApplicablePolicyWire): ApplicablePolicy {
  return {
    name: wire.name,
    type: wire['policy-type'],
    namespace: Object.freeze([...wire.namespace]),
    version: wire.version,
    inherited: wire.inherited,
    inheritable: wire.inheritable ?? true,
    ...(wire.description == null ? {} : { description: wire.description }),
    ...(wire.content == null ? {} : { content: wire.content }),
  };
}

/** Types the applicable policies of a table; content a system type cannot hold is an error. */
export function tablePoliciesFrom(
  table: TableIdentifier,
  policies: readonly ApplicablePolicy[],
): TablePolicies {
  const pick = (type: MaintenancePolicyType): ApplicablePolicy | undefined => {
    const ofType = policies.filter((policy) => policy.type === type);
    // Polaris answers one effective policy per inheritable type; prefer a direct attachment if a
    // server sent more.
    return ofType.find((policy) => !policy.inherited) ?? ofType[0];
  };
  const expiry = pick(SNAPSHOT_EXPIRY_POLICY);
  const orphans = pick(ORPHAN_FILE_REMOVAL_POLICY);
  const data = pick(DATA_COMPACTION_POLICY);
  const metadata = pick(METADATA_COMPACTION_POLICY);
  return {
    table,
    policies,
    ...(expiry === undefined ? {} : { snapshotExpiry: snapshotExpiryOf(table, expiry) }),
    ...(orphans === undefined ? {} : { orphanFileRemoval: orphanFileRemovalOf(table, orphans) }),
    ...(data === undefined ? {} : { dataCompaction: compactionOf(table, data) }),
    ...(metadata === undefined ? {} : { metadataCompaction: compactionOf(table, metadata) }),
  };
}

function snapshotExpiryOf(table: TableIdentifier, policy: ApplicablePolicy): SnapshotExpiryPolicy {
  const content = parseContent(table, policy, snapshotExpiryContentSchema);
  const config = content.config ?? {};
  const keep = numberIn(table, policy, config, 'min_snapshot_to_keep', 'integer');
  const age = numberIn(table, policy, config, 'max_snapshot_age_days', 'days');
  const refAge = numberIn(table, policy, config, 'max_ref_age_days', 'days');
  return {
    policy,
    enable: content.enable,
    config,
    ...(keep === undefined ? {} : { minSnapshotsToKeep: keep }),
    ...(age === undefined ? {} : { maxSnapshotAgeMs: daysToMs(age) }),
    ...(refAge === undefined ? {} : { maxRefAgeMs: daysToMs(refAge) }),
  };
}

function orphanFileRemovalOf(table: TableIdentifier, policy: ApplicablePolicy): OrphanFileRemovalPolicy {
  const content = parseContent(table, policy, orphanFileRemovalContentSchema);
  const age = content.max_orphan_file_age_in_days;
  return {
    policy,
    enable: content.enable,
    config: content.config ?? {},
    ...(age === undefined ? {} : { olderThanMs: daysToMs(age) }),
    ...(content.locations === undefined ? {} : { locations: content.locations }),
  };
}

function compactionOf(table: TableIdentifier, policy: ApplicablePolicy): CompactionPolicy {
  const content = parseContent(table, policy, compactionContentSchema);
  const config = content.config ?? {};
  const target = numberIn(table, policy, config, 'target_file_size_bytes', 'integer');
  const minSize = numberIn(table, policy, config, 'min_file_size_bytes', 'integer');
  const minInputs = numberIn(table, policy, config, 'min_input_files', 'integer');
  const manifestSize = numberIn(table, policy, config, 'target_manifest_size_bytes', 'integer');
  return {
    policy,
    enable: content.enable,
    config,
    ...(target === undefined ? {} : { targetFileSizeBytes: target }),
    ...(minSize === undefined ? {} : { minFileSizeBytes: minSize }),
    ...(minInputs === undefined ? {} : { minInputFiles: minInputs }),
    ...(manifestSize === undefined ? {} : { targetManifestSizeBytes: manifestSize }),
  };
}

function daysToMs(days: number): number {
  return Math.round(days * DAY_MS);
}

function parseContent<T>(table: TableIdentifier, policy: ApplicablePolicy, schema: ZodType<T>): T {
  if (policy.content === undefined || policy.content.trim() === '') {
    throw unreadable(table, policy, 'it has no content (a maintenance policy needs at least {"enable": …})');
  }
  let json: unknown;
  try {
    json = JSON.parse(policy.content);
  } catch {
    throw unreadable(table, policy, 'its content is not JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at =
      issue === undefined || issue.path.length === 0 ? '' : ` at "${issue.path.map(String).join('.')}"`;
    throw unreadable(
      table,
      policy,
      `its content does not match the ${policy.type} schema${at}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

function numberIn(
  table: TableIdentifier,
  policy: ApplicablePolicy,
  config: Readonly<Record<string, PolicyConfigValue>>,
  key: string,
  kind: 'integer' | 'days',
): number | undefined {
  const raw = config[key];
  if (raw === undefined) return undefined;
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  const ok =
    kind === 'integer' ? Number.isSafeInteger(value) && value >= 1 : Number.isFinite(value) && value >= 0;
  if (!ok) {
    const wanted = kind === 'integer' ? 'a whole number >= 1' : 'a number of days >= 0';
    throw unreadable(table, policy, `config.${key} must be ${wanted}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function unreadable(table: TableIdentifier, policy: ApplicablePolicy, problem: string): CatalogError {
  return new CatalogError(
    'invalid-response',
    `Polaris policy ${policy.name} (${policy.type}) that applies to table ${formatTable(table)} cannot be used: ` +
      `${problem}; fix the policy in Polaris (PUT …/policies/${policy.name}) or detach it from the table`,
    {
      retryable: false,
      context: { table: formatTable(table), policy: policy.name, policyType: policy.type },
    },
  );
}
