// The checks `floe compile` runs after writing the artifacts, in the order they are printed.
//
// Seam for the catalog check: once @floe/catalog exports its REST client, add
// `checks/catalog-check.ts` (load /v1/config for catalog.warehouse with the configured
// credential, mapping a 401 to "check client_id/client_secret" and an unreachable uri to
// "is the catalog running?") and list it first below. Nothing else in the command changes.
import { redisCheck } from './redis-check.ts';
import { s3StagingCheck } from './s3-staging-check.ts';
import type { ServiceCheck } from './service-check.ts';

export function defaultChecks(): readonly ServiceCheck[] {
  return [redisCheck, s3StagingCheck];
}
