// zod schemas for Apache Polaris's policy API as the catalog sends it (Polaris
// spec/polaris-catalog-apis/policy-apis.yaml): the `GET /polaris/v1/{prefix}/applicable-policies`
// page, each entry a policy (type, name, version, inheritable, content as a JSON *string*) plus
// `inherited` and the namespace the policy lives in; and the content of the four predefined
// maintenance policy types (schema version 2025-02-03: `enable` is required and strictly a
// boolean; type-specific fields; a free `config` map of strings, numbers and booleans).

import { z } from 'zod';

export const applicablePolicySchema = z.object({
  'policy-type': z.string().min(1),
  name: z.string().min(1),
  description: z.string().nullable().optional(),
  content: z.string().nullable().optional(),
  version: z.union([z.number(), z.bigint()]).transform(Number),
  inheritable: z.boolean().optional(),
  inherited: z.boolean().default(false),
  namespace: z.array(z.string()).default([]),
});
export type ApplicablePolicyWire = z.infer<typeof applicablePolicySchema>;

export const applicablePoliciesResponseSchema = z.object({
  'applicable-policies': z.array(applicablePolicySchema),
  'next-page-token': z.string().nullable().optional(),
});

const configValue = z.union([z.string(), z.number(), z.boolean()]);
const policyConfig = z.record(z.string(), configValue).optional();
const schemaVersion = z.literal('2025-02-03').optional();

/** `system.snapshot-expiry`: config keys `min_snapshot_to_keep`, `max_snapshot_age_days`, `max_ref_age_days`. */
export const snapshotExpiryContentSchema = z.strictObject({
  version: schemaVersion,
  enable: z.boolean(),
  config: policyConfig,
});

/** `system.orphan-file-removal`: its age threshold and locations are top-level fields. */
export const orphanFileRemovalContentSchema = z.strictObject({
  version: schemaVersion,
  enable: z.boolean(),
  max_orphan_file_age_in_days: z.number().nonnegative().optional(),
  locations: z.array(z.string()).optional(),
  config: policyConfig,
});

/** `system.data-compaction` and `system.metadata-compaction`: enable plus a free config map. */
export const compactionContentSchema = z.strictObject({
  version: schemaVersion,
  enable: z.boolean(),
  config: policyConfig,
});

export type PolicyConfigValue = z.infer<typeof configValue>;
