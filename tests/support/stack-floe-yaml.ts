// A floe.yaml pointing at the local stack, for tests, benches and the demo. S3 keys are written as
// `${env:…}` references (never inline), so callers pass the env names and set those variables on
// the processes they start; `stackCredentialEnv` gives the values.
import type { StackEnv } from './stack-env.ts';

export interface StackFloeYamlOptions {
  /** Catalog URI; default the stack's (a gateway or a wrong URI in failure tests). */
  readonly catalogUri?: string;
  /** `catalog.retry` overrides, e.g. `{ max_attempts: 1, timeout_ms: 5000 }`. */
  readonly catalogRetry?: Readonly<Record<string, number>>;
  readonly accessKeyEnv?: string;
  readonly secretKeyEnv?: string;
  readonly stagingPrefix?: string;
  /** `queue` section fields besides `redis_url` (prefix, write_queue, maintenance_queue). */
  readonly queue?: Readonly<Record<string, string>>;
  /** `writer` section fields. */
  readonly writer?: Readonly<Record<string, string | number>>;
}

const DEFAULT_ACCESS_KEY_ENV = 'FLOE_S3_ACCESS_KEY_ID';
const DEFAULT_SECRET_KEY_ENV = 'FLOE_S3_SECRET_ACCESS_KEY';

function section(
  name: string,
  fields: Readonly<Record<string, string | number>> | undefined,
  indent = '',
): string {
  if (fields === undefined || Object.keys(fields).length === 0) return '';
  const lines = Object.entries(fields).map(([key, value]) => `${indent}  ${key}: ${value}`);
  return `${indent}${name}:\n${lines.join('\n')}\n`;
}

export function stackFloeYaml(stack: StackEnv, options: StackFloeYamlOptions = {}): string {
  const accessKeyEnv = options.accessKeyEnv ?? DEFAULT_ACCESS_KEY_ENV;
  const secretKeyEnv = options.secretKeyEnv ?? DEFAULT_SECRET_KEY_ENV;
  return `catalog:
  type: rest
  uri: ${options.catalogUri ?? stack.catalogUri}
  warehouse: ${stack.catalogWarehouse}
${section('retry', options.catalogRetry, '  ')}storage:
  endpoint: ${stack.s3Endpoint}
  region: ${stack.s3Region}
  path_style: true
  access_key_id: \${env:${accessKeyEnv}}
  secret_access_key: \${env:${secretKeyEnv}}
  staging:
    bucket: ${stack.stagingBucket}
${options.stagingPrefix === undefined ? '' : `    prefix: ${options.stagingPrefix}\n`}queue:
  redis_url: ${stack.redisUrl}
${Object.entries(options.queue ?? {})
  .map(([key, value]) => `  ${key}: ${value}\n`)
  .join('')}${section('writer', options.writer)}`;
}

/** The variables a process reading `stackFloeYaml` output needs for its `${env:…}` references. */
export function stackCredentialEnv(
  stack: StackEnv,
  options: Pick<StackFloeYamlOptions, 'accessKeyEnv' | 'secretKeyEnv'> = {},
): Record<string, string> {
  return {
    [options.accessKeyEnv ?? DEFAULT_ACCESS_KEY_ENV]: stack.s3AccessKeyId,
    [options.secretKeyEnv ?? DEFAULT_SECRET_KEY_ENV]: stack.s3SecretAccessKey,
  };
}
