// loadAppArtifacts: the one way apps read their configuration — floe.yaml compiled in memory or
// compiled artifacts, both with secrets resolved, and an unreadable file named with its fix.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeCompiledArtifacts } from './artifacts.ts';
import { compileConfig } from './compile.ts';
import { ConfigError } from './errors.ts';
import { loadAppArtifacts } from './load-app-artifacts.ts';
import { CLIENT_SECRET, EXAMPLE_ENV, exampleYaml, S3_SECRET } from './test-fixtures.ts';

async function folder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'floe-load-app-artifacts-'));
}

describe('loadAppArtifacts', () => {
  it('compiles floe.yaml (default name, relative to cwd) and resolves its secrets', async () => {
    const cwd = await folder();
    await writeFile(join(cwd, 'floe.yaml'), exampleYaml());
    const artifacts = await loadAppArtifacts({ cwd }, EXAMPLE_ENV);
    expect(artifacts.storage.secret_access_key).toBe(S3_SECRET);
    expect(artifacts.catalog.credential?.client_secret).toBe(CLIENT_SECRET);
  });

  it('reads compiled artifacts when given, ignoring --config', async () => {
    const cwd = await folder();
    const compiled = compileConfig(exampleYaml(), EXAMPLE_ENV, { sourceName: 'floe.yaml' });
    await writeFile(join(cwd, 'out.json'), serializeCompiledArtifacts(compiled));
    const artifacts = await loadAppArtifacts(
      { cwd, artifacts: 'out.json', config: 'missing.yaml' },
      EXAMPLE_ENV,
    );
    expect(artifacts.storage.secret_access_key).toBe(S3_SECRET);
  });

  it('names a missing floe.yaml and how to point at another one', async () => {
    const cwd = await folder();
    const failure = await loadAppArtifacts({ cwd, config: 'nope.yaml' }, EXAMPLE_ENV).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message).toContain('cannot read nope.yaml (ENOENT)');
    expect((failure as ConfigError).message).toContain(
      'pass --config <floe.yaml> or --artifacts <floe.compiled.json>',
    );
  });
});
