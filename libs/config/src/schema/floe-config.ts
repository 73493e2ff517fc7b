// The whole floe.yaml, and the CompiledArtifacts document derived from it. Artifacts use the
// same snake_case keys as floe.yaml — one path (`catalog.retry.max_attempts`) names a field in
// the YAML, in the JSON, in error messages and in the Python integration — plus `version`.
import { z } from 'zod';
import { CatalogSchema } from './catalog.ts';
import { MaintenanceSchema } from './maintenance.ts';
import { ObservabilitySchema } from './observability.ts';
import { QueueSchema } from './queue.ts';
import { StorageSchema } from './storage.ts';
import { WriterSchema } from './writer.ts';

export const FloeConfigSchema = z.strictObject({
  catalog: CatalogSchema,
  storage: StorageSchema,
  queue: QueueSchema,
  writer: WriterSchema.prefault({}),
  maintenance: MaintenanceSchema.prefault({}),
  observability: ObservabilitySchema.prefault({}),
});

export const ARTIFACTS_VERSION = 1;

export const CompiledArtifactsSchema = z.strictObject({
  version: z.literal(ARTIFACTS_VERSION),
  ...FloeConfigSchema.shape,
});

export type FloeConfig = z.output<typeof FloeConfigSchema>;
/**
 * CompiledArtifacts v1: floe.yaml with every default filled in. In the file on disk, secret
 * fields hold their `${env:…}` references; `loadCompiledArtifacts` returns them resolved.
 */
export type CompiledArtifacts = z.output<typeof CompiledArtifactsSchema>;
