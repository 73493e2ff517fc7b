// Shared inputs for the config tests: the repo's floe.example.yaml and an environment that
// satisfies its references. Not exported from the package.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const EXAMPLE_YAML_PATH = fileURLToPath(new URL('../../../floe.example.yaml', import.meta.url));

export function exampleYaml(): string {
  return readFileSync(EXAMPLE_YAML_PATH, 'utf8');
}

export const CLIENT_SECRET = 'cl13nt-s3cret-VALUE';
export const S3_SECRET = 's3-s3cret-VALUE-xyz';

export const EXAMPLE_ENV: Readonly<Record<string, string>> = {
  FLOE_CATALOG_CLIENT_SECRET: CLIENT_SECRET,
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: S3_SECRET,
};

export const MINIMAL_YAML = `
catalog:
  type: rest
  uri: http://127.0.0.1:8181
  warehouse: s3://warehouse/
storage:
  staging:
    bucket: floe-staging
queue:
  redis_url: redis://127.0.0.1:6379
`;
