// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
import { describe, expect, it } from 'vitest';
import { resolveCompiledArtifacts, serializeCompiledArtifacts } from './artifacts.ts';
import { compileConfig } from './compile.ts';
import { redactConfig } from './redact-config.ts';
import { CLIENT_SECRET, EXAMPLE_ENV, exampleYaml, S3_SECRET } from './test-fixtures.ts';

describe('redactConfig', () => {
  it('masks resolved secrets and the Redis password, keeps references and other values readable', () => {
    const yaml = exampleYaml()
      .replace('X-Floe-Deployment: example', 'X-Floe-Deployment: example\n    X-Api-Key: ${env:API_KEY}')
      .replace(
        'redis_url: ${env:FLOE_REDIS_URL:-redis://127.0.0.1:6379}',
        'redis_url: "redis://:${env:REDIS_PW}@127.0.0.1:6379"',
      );
    const env = { ...EXAMPLE_ENV, REDIS_PW: 'pw-for-redis', API_KEY: 'api-key-value' };
    const compiled = compileConfig(yaml, env);
    const resolved = resolveCompiledArtifacts(JSON.parse(serializeCompiledArtifacts(compiled)), env);

    const printable = redactConfig(resolved);
    const text = JSON.stringify(printable);
    for (const secret of [CLIENT_SECRET, S3_SECRET, 'pw-for-redis', 'api-key-value']) {
      expect(text).not.toContain(secret);
    }
    expect(printable.catalog.credential?.client_secret).toBe('[REDACTED]');
    expect(printable.storage.secret_access_key).toBe('[REDACTED]');
    expect(printable.storage.access_key_id).toBe('AKIDEXAMPLE');
    expect(printable.queue.redis_url).toBe('redis://:%5BREDACTED%5D@127.0.0.1:6379');
    expect(printable.catalog.uri).toBe('http://127.0.0.1:8181');
    expect(printable.catalog.headers).toEqual({ 'X-Floe-Deployment': 'example', 'X-Api-Key': '[REDACTED]' });

    expect(redactConfig(compiled).catalog.credential?.client_secret).toBe(
      '${env:FLOE_CATALOG_CLIENT_SECRET}',
    );
  });
});
