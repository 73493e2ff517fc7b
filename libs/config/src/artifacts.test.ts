// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax, not a template slip
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadCompiledArtifacts,
  resolveCompiledArtifacts,
  secretValuesOf,
  serializeCompiledArtifacts,
  writeCompiledArtifacts,
} from './artifacts.ts';
import { compileConfig } from './compile.ts';
import { ConfigError } from './errors.ts';
import { CLIENT_SECRET, EXAMPLE_ENV, exampleYaml, MINIMAL_YAML, S3_SECRET } from './test-fixtures.ts';

async function tempFile(name: string): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'floe-config-')), name);
}

async function loadError(path: string, env: Record<string, string> = {}): Promise<ConfigError> {
  try {
    await loadCompiledArtifacts(path, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadCompiledArtifacts to fail');
}

describe('CompiledArtifacts on disk', () => {
  it('holds references, not secrets, and loads back with the secrets resolved from the environment', async () => {
    const path = await tempFile('floe.compiled.json');
    const compiled = compileConfig(exampleYaml(), EXAMPLE_ENV);
    await writeCompiledArtifacts(path, compiled);
    const onDisk = await readFile(path, 'utf8');
    expect(onDisk).toBe(serializeCompiledArtifacts(compiled));
    expect(onDisk).not.toContain(CLIENT_SECRET);
    expect(onDisk).not.toContain(S3_SECRET);
    expect(JSON.parse(onDisk).catalog.credential.client_secret).toBe('${env:FLOE_CATALOG_CLIENT_SECRET}');

    const loaded = await loadCompiledArtifacts(path, EXAMPLE_ENV);
    expect(loaded.catalog.credential?.client_secret).toBe(CLIENT_SECRET);
    expect(loaded.storage.secret_access_key).toBe(S3_SECRET);
    expect(loaded.storage.access_key_id).toBe('AKIDEXAMPLE');
    expect(loaded.queue.redis_url).toBe('redis://127.0.0.1:6379');
    expect(loaded.writer).toEqual(compiled.writer);
    expect(loaded.maintenance).toEqual(compiled.maintenance);
  });

  it('names the unset variable and the field when an app loads without a secret', async () => {
    const path = await tempFile('floe.compiled.json');
    await writeCompiledArtifacts(path, compileConfig(exampleYaml(), EXAMPLE_ENV));
    const error = await loadError(path, { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'x' });
    expect(error.kind).toBe('missing-env');
    expect(error.message).toBe(
      `${path} has 1 problem:\n  catalog.credential.client_secret: environment variable FLOE_CATALOG_CLIENT_SECRET is not set — export FLOE_CATALOG_CLIENT_SECRET, or give a default with \${env:FLOE_CATALOG_CLIENT_SECRET:-value}`,
    );
  });

  it('tells the user to run floe compile when the file is missing or not JSON', async () => {
    const missing = await tempFile('absent.json');
    const error = await loadError(missing);
    expect(error.kind).toBe('unreadable-artifacts');
    expect(error.message).toBe(
      `cannot read ${missing}:\n  ${missing}: does not exist — run \`floe compile --config floe.yaml --out ${missing}\` to create it`,
    );
    const garbled = await tempFile('garbled.json');
    await writeFile(garbled, '{"version": 1,');
    expect((await loadError(garbled)).message).toMatch(
      /is not JSON \(.+\) — regenerate it with `floe compile`$/,
    );
  });

  it('rejects artifacts of another version', () => {
    expect(() => resolveCompiledArtifacts({ version: 2 }, {}, 'floe.compiled.json')).toThrow(
      'floe.compiled.json cannot be used:\n  version: is 2, this floe reads version 1 — run `floe compile` with this version of floe to regenerate it',
    );
  });

  it('validates a hand-edited file with the same path-naming messages', () => {
    const document = JSON.parse(serializeCompiledArtifacts(compileConfig(MINIMAL_YAML, {})));
    document.writer.concurrency = 0;
    document.queue.surprise = true;
    expect(() => resolveCompiledArtifacts(document, {}, 'floe.compiled.json')).toThrow(
      'floe.compiled.json has 2 problems:\n' +
        '  queue.surprise: is not a known key — remove it; keys allowed here: redis_url, prefix, write_queue, maintenance_queue\n' +
        '  writer.concurrency: must be ≥ 1, got number 0 — raise it (see floe.example.yaml for the meaning)',
    );
  });

  it('resolves references only in secret fields, so resolved text elsewhere is left alone', () => {
    const document = JSON.parse(serializeCompiledArtifacts(compileConfig(MINIMAL_YAML, {})));
    document.observability.otel.service_name = 'svc-${env:NOT_SET}';
    expect(resolveCompiledArtifacts(document, {}).observability.otel.service_name).toBe('svc-${env:NOT_SET}');
  });
});

describe('secretValuesOf', () => {
  it('lists resolved secrets, including a Redis password, and no templates', () => {
    const yaml = `${MINIMAL_YAML.replace('redis://127.0.0.1:6379', '"redis://:${env:REDIS_PW}@127.0.0.1:6379"')}`;
    const env = { REDIS_PW: 'r3dis-pw' };
    const artifacts = resolveCompiledArtifacts(
      JSON.parse(serializeCompiledArtifacts(compileConfig(yaml, env))),
      env,
    );
    expect(secretValuesOf(artifacts)).toEqual(['r3dis-pw']);
    const unresolved = compileConfig(exampleYaml(), EXAMPLE_ENV);
    expect(secretValuesOf(unresolved)).toEqual([]);
  });
});
