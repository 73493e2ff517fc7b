// Polaris policies end to end: the policy gateway of the test harness puts Polaris's policy API
// (advertised in /v1/config, a catalog prefix, Polaris's inheritance) in front of the real
// catalog server. Policies attached at catalog, namespace and table level resolve for a real
// table the way Polaris resolves them: the nearest attachment of a type wins, `inherited` says
// whether it came from above; a missing table is Polaris's 404; without the gateway (a catalog
// without the policy API) the answer is undefined.
import { loadStackEnv, type PolicyGateway, startPolicyGateway } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestCatalog } from './index.ts';

const env = loadStackEnv();
const run = `pol_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [{ id: 1, name: 'id', type: 'long', required: true }],
};

let gateway: PolicyGateway;
let catalog: RestCatalog;
let plain: RestCatalog;

beforeAll(async () => {
  gateway = await startPolicyGateway({ upstream: env.catalogUri });
  catalog = new RestCatalog({ uri: gateway.url, warehouse: env.catalogWarehouse });
  plain = new RestCatalog({ uri: env.catalogUri, warehouse: env.catalogWarehouse });
  await catalog.createNamespace([run, 'eu']);
  await catalog.createTable([run, 'eu', 'orders'].join('.'), { schema });
  await catalog.createTable([run, 'eu', 'refunds'].join('.'), { schema });
  const ns = [run];
  await gateway.createPolicy(ns, 'catalog-expiry', 'system.snapshot-expiry', {
    enable: true,
    config: { min_snapshot_to_keep: 1 },
  });
  await gateway.createPolicy(ns, 'table-expiry', 'system.snapshot-expiry', {
    enable: true,
    config: { min_snapshot_to_keep: 5 },
  });
  await gateway.createPolicy(ns, 'no-orphans', 'system.orphan-file-removal', {
    version: '2025-02-03',
    enable: false,
  });
  await gateway.attachPolicy(ns, 'catalog-expiry', { type: 'catalog' });
  await gateway.attachPolicy(ns, 'table-expiry', { type: 'table-like', path: [run, 'eu', 'orders'] });
  await gateway.attachPolicy(ns, 'no-orphans', { type: 'namespace', path: [run] });
});

afterAll(async () => {
  await catalog.close();
  await plain.close();
  await gateway.close();
});

describe('applicable policies through a Polaris-shaped catalog', () => {
  it('resolves catalog → namespace → table inheritance for a real table', async () => {
    const orders = await catalog.applicablePolicies(`${run}.eu.orders`);
    expect(orders?.snapshotExpiry).toMatchObject({ enable: true, minSnapshotsToKeep: 5 });
    expect(orders?.snapshotExpiry?.policy).toMatchObject({ name: 'table-expiry', inherited: false });
    expect(orders?.orphanFileRemoval).toMatchObject({ enable: false });
    expect(orders?.orphanFileRemoval?.policy).toMatchObject({
      name: 'no-orphans',
      inherited: true,
      namespace: [run],
    });

    const refunds = await catalog.applicablePolicies(`${run}.eu.refunds`);
    expect(refunds?.snapshotExpiry?.policy).toMatchObject({ name: 'catalog-expiry', inherited: true });
    expect(refunds?.snapshotExpiry?.minSnapshotsToKeep).toBe(1);
    expect(
      gateway.requests.some((line) =>
        line.startsWith(
          `GET /polaris/v1/${gateway.prefix}/applicable-policies?namespace=${run}%1Feu&target-name=orders`,
        ),
      ),
    ).toBe(true);
  });

  it("answers Polaris's 404 for a table that does not exist, and undefined without the policy API", async () => {
    await expect(catalog.applicablePolicies(`${run}.eu.missing`)).rejects.toMatchObject({
      kind: 'no-such-table',
    });
    expect(await plain.applicablePolicies(`${run}.eu.orders`)).toBeUndefined();
  });
});
