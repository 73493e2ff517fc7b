// The checks `floe compile` runs after writing the artifacts, in the order they are printed:
// the catalog first (the most common misconfiguration), then Redis and the S3 staging bucket.
import { catalogCheck } from './catalog-check.ts';
import { redisCheck } from './redis-check.ts';
import { s3StagingCheck } from './s3-staging-check.ts';
import type { ServiceCheck } from './service-check.ts';

export function defaultChecks(): readonly ServiceCheck[] {
  return [catalogCheck, redisCheck, s3StagingCheck];
}
