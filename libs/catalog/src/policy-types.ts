// The typed Apache Polaris maintenance policies that apply to a table (what policies.ts builds
// from the catalog's applicable-policies answer). Types only, with no imports from the rest of
// the library, so the `Catalog` contract can name them without an import cycle.

import type { PolicyConfigValue } from './wire/policies.ts';

/** One policy that applies to a table, as the catalog reported it (content unparsed). */
export interface ApplicablePolicy {
  readonly name: string;
  readonly type: string;
  /** The namespace the policy entity lives in (not necessarily where it is attached). */
  readonly namespace: readonly string[];
  readonly version: number;
  /** false: attached to the table itself; true: inherited from its namespace or catalog. */
  readonly inherited: boolean;
  readonly inheritable: boolean;
  readonly description?: string;
  /** The policy content as the catalog stores it (a JSON document for system types). */
  readonly content?: string;
}

export interface MaintenancePolicyBase {
  readonly policy: ApplicablePolicy;
  readonly enable: boolean;
  /** The free-form `config` map of the content. */
  readonly config: Readonly<Record<string, PolicyConfigValue>>;
}

export interface SnapshotExpiryPolicy extends MaintenancePolicyBase {
  readonly minSnapshotsToKeep?: number;
  readonly maxSnapshotAgeMs?: number;
  readonly maxRefAgeMs?: number;
}

export interface OrphanFileRemovalPolicy extends MaintenancePolicyBase {
  readonly olderThanMs?: number;
  readonly locations?: readonly string[];
}

export interface CompactionPolicy extends MaintenancePolicyBase {
  /** `target_file_size_bytes` of a data-compaction policy's config. */
  readonly targetFileSizeBytes?: number;
  /** `min_file_size_bytes` of a data-compaction policy's config (files below it are small). */
  readonly minFileSizeBytes?: number;
  /** `min_input_files` of a data-compaction policy's config (small files a partition needs). */
  readonly minInputFiles?: number;
  /** `target_manifest_size_bytes` of a metadata-compaction policy's config. */
  readonly targetManifestSizeBytes?: number;
}

/** The maintenance policies in force for one table (absent = no policy of that type applies). */
export interface TablePolicies {
  /** The table (structurally a `TableIdentifier`). */
  readonly table: { readonly namespace: readonly string[]; readonly name: string };
  /** Every applicable policy, custom types included. */
  readonly policies: readonly ApplicablePolicy[];
  readonly snapshotExpiry?: SnapshotExpiryPolicy;
  readonly orphanFileRemoval?: OrphanFileRemovalPolicy;
  readonly dataCompaction?: CompactionPolicy;
  readonly metadataCompaction?: CompactionPolicy;
}
