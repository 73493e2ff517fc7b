// `floe table describe` against a Polaris-shaped catalog (the policy gateway of the test harness
// in front of the local stack's catalog): it lists the maintenance policies that apply to the
// table — attached to it or inherited from its namespace — in text and in JSON; against the
// plain catalog (no policy API) it shows no policy section and `policies: null`.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestCatalog } from '@floe/catalog';
import {
  loadStackEnv,
  type PolicyGateway,
  stackCredentialEnv,
  stackFloeYaml,
  startPolicyGateway,
} from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFloeInProcess } from './run-floe.test-helper.ts';

const stack = loadStackEnv();
const ns = `clipol_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const env = { ...process.env, ...stackCredentialEnv(stack) };
let gateway: PolicyGateway;
let cwd: string;

beforeAll(async () => {
  gateway = await startPolicyGateway({ upstream: stack.catalogUri });
  const catalog = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });
  await catalog.createNamespace(ns);
  await catalog.createTable(`${ns}.orders`, {
    schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] },
  });
  await catalog.close();
  await gateway.createPolicy([ns], 'keep-7', 'system.snapshot-expiry', {
    enable: true,
    config: { max_snapshot_age_days: 7 },
  });
  await gateway.createPolicy([ns], 'no-orphans', 'system.orphan-file-removal', { enable: false });
  await gateway.attachPolicy([ns], 'keep-7', { type: 'table-like', path: [ns, 'orders'] });
  await gateway.attachPolicy([ns], 'no-orphans', { type: 'namespace', path: [ns] });
  cwd = await mkdtemp(join(tmpdir(), 'floe-cli-policies-'));
  await writeFile(join(cwd, 'polaris.yaml'), stackFloeYaml(stack, { catalogUri: gateway.url }));
  await writeFile(join(cwd, 'plain.yaml'), stackFloeYaml(stack));
});

afterAll(() => gateway.close());

describe('floe table describe with Polaris policies', () => {
  it('shows the policies that apply, attached and inherited', async () => {
    const text = await runFloeInProcess(['table', 'describe', `${ns}.orders`, '--config', 'polaris.yaml'], {
      cwd,
      env,
    });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'Polaris policies (maintenance obeys these over table properties and floe.yaml)',
    );
    expect(text.stdout).toMatch(
      /keep-7 +system\.snapshot-expiry +0 +attached to the table +\S+ +\{"enable":true/,
    );
    expect(text.stdout).toMatch(
      /no-orphans +system\.orphan-file-removal +0 +inherited +\S+ +\{"enable":false\}/,
    );

    const json = await runFloeInProcess(
      ['table', 'describe', `${ns}.orders`, '--config', 'polaris.yaml', '--format', 'json'],
      { cwd, env },
    );
    const described = JSON.parse(json.stdout) as {
      policies: { name: string; applies: string; defined_in: string }[];
    };
    expect(described.policies).toHaveLength(2);
    expect(described.policies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'keep-7', applies: 'table', defined_in: ns }),
        expect.objectContaining({ name: 'no-orphans', applies: 'inherited', defined_in: ns }),
      ]),
    );
  });

  it('has no policy section on a catalog without the policy API', async () => {
    const text = await runFloeInProcess(['table', 'describe', `${ns}.orders`, '--config', 'plain.yaml'], {
      cwd,
      env,
    });
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('Polaris policies');
    const json = await runFloeInProcess(
      ['table', 'describe', `${ns}.orders`, '--config', 'plain.yaml', '--format', 'json'],
      { cwd, env },
    );
    expect((JSON.parse(json.stdout) as { policies: unknown }).policies).toBeNull();
  });
});
