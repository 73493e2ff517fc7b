// Polaris's answers that need more than their status to be understood, recorded as Polaris 1.4.1
// sends them (testdata/polaris-1.4.1-errors.json), through the real client against a scripted
// server: each message is asserted word for word (the server's reason first, then what it
// means and the floe.yaml key or Polaris catalog setting to change), with its kind and retryable
// flag, and none contains the client secret or the bearer token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from './errors.ts';
import type { RestCatalog } from './rest-catalog.ts';
import {
  jsonAnswer,
  type ScriptedAnswer,
  type ScriptedCatalogServer,
  startScriptedCatalog,
} from './scripted-catalog.test-helper.ts';

type Recorded = Record<string, { status: number; body: unknown }>;
const recorded = JSON.parse(
  readFileSync(join(import.meta.dirname, 'testdata', 'polaris-1.4.1-errors.json'), 'utf8'),
) as Recorded;
const polaris = (name: string): ScriptedAnswer => {
  const entry = recorded[name];
  if (entry === undefined) throw new Error(`no recorded answer ${name}`);
  return jsonAnswer(entry.body, entry.status);
};

const SECRET = 'pol-s3cr3t-value-4711';
const TOKEN = 'tok-abcdef0123456789';
const TABLE_PATH = '/v1/namespaces/sales/tables/orders';

let server: ScriptedCatalogServer;
let catalog: RestCatalog;

beforeAll(async () => {
  server = await startScriptedCatalog();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.routes.set('POST /v1/oauth/tokens', () =>
    jsonAnswer({ access_token: TOKEN, token_type: 'bearer', expires_in: 3600 }),
  );
  catalog = server.catalog({
    credential: `floe-etl:${SECRET}`,
    accessDelegation: 'vended-credentials',
    retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
  });
});

async function failure(promise: Promise<unknown>): Promise<CatalogError> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    const everything = `${error.message} ${JSON.stringify(error.context)}`;
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(TOKEN);
    return error;
  }
  throw new Error('expected a CatalogError');
}

interface Case {
  readonly recorded: string;
  readonly route: string;
  readonly call: () => Promise<unknown>;
  readonly kind: string;
  readonly retryable: boolean;
  readonly message: (base: string) => string;
}

const load = (base: string) => `(GET ${base}${TABLE_PATH}?snapshots=all answered`;
const CASES: Case[] = [
  {
    recorded: 'credential-vending-kms',
    route: `GET ${TABLE_PATH}`,
    call: () => catalog.loadTable('sales.orders'),
    kind: 'credential-vending-failed',
    retryable: false,
    message: (base) =>
      "loadTable table sales.orders failed: Failed to get subscoped credentials: invalid resource 'arn:aws:kms:us-east-1:000000000000:key/*' " +
      '(Service: Sts, Status Code: 400, Request ID: 1862D6C3F4C1A2B0) — Polaris could not vend storage credentials: its STS request ' +
      "names a KMS key the storage does not have; on S3-compatible storage without AWS KMS (MinIO, …) set kmsUnavailable: true in the Polaris catalog's " +
      `storageConfigInfo; on AWS, let the catalog's role use the bucket's KMS key ${load(base)} HTTP 422 UnprocessableEntityException)`,
  },
  {
    recorded: 'credential-vending-sts-unreachable',
    route: `POST ${TABLE_PATH}`,
    call: () => catalog.commitTable('sales.orders', { requirements: [], updates: [] }),
    kind: 'credential-vending-failed',
    retryable: false,
    message: (base) =>
      'commitTable table sales.orders failed: Failed to get subscoped credentials: Unable to execute HTTP request: Connect to ' +
      'sts.amazonaws.com:443 [sts.amazonaws.com/209.54.177.164] failed: Connect timed out (SDK Attempt Count: 1) — Polaris could not ' +
      "reach STS to vend storage credentials; set stsEndpoint in the Polaris catalog's storageConfigInfo to an STS that Polaris can reach " +
      "(on MinIO: MinIO's own endpoint), or set stsUnavailable: true there and set catalog.access_delegation: none in floe.yaml and give " +
      `floe its own storage keys (storage.access_key_id, storage.secret_access_key) (POST ${base}${TABLE_PATH} answered HTTP 422 UnprocessableEntityException)`,
  },
  {
    recorded: 'credential-vending-throttled',
    route: `GET ${TABLE_PATH}`,
    call: () => catalog.loadTable('sales.orders'),
    kind: 'credential-vending-failed',
    retryable: true,
    message: (base) =>
      'loadTable table sales.orders failed: Failed to get subscoped credentials: Rate exceeded (Service: Sts, Status Code: 400, ' +
      'Request ID: 7f3c2a10-5b1e-4c5d-9a0e-2b8f0c1d3e4f) — Polaris could not vend storage credentials because STS is busy or failing; ' +
      `retry later (floe does); if it persists, check the STS service of the Polaris catalog's stsEndpoint ${load(base)} HTTP 422 UnprocessableEntityException)`,
  },
  {
    recorded: 'no-credentials-to-vend',
    route: `GET ${TABLE_PATH}`,
    call: () => catalog.loadTable('sales.orders'),
    kind: 'credential-vending-failed',
    retryable: false,
    message: (base) =>
      'loadTable table sales.orders failed: Credential vending was requested for table sales.orders, but no credentials are available — ' +
      'the Polaris catalog has no storage credentials to vend (stsUnavailable: true, or no STS role); set catalog.access_delegation: none ' +
      'in floe.yaml and give floe its own storage keys (storage.access_key_id, storage.secret_access_key), or give the Polaris catalog STS ' +
      `(roleArn, stsEndpoint) without stsUnavailable ${load(base)} HTTP 400 IllegalArgumentException)`,
  },
  {
    recorded: 'drop-with-purge-disabled',
    route: `DELETE ${TABLE_PATH}`,
    call: () => catalog.dropTable('sales.orders', { purge: true }),
    kind: 'forbidden',
    retryable: false,
    message: (base) =>
      'dropTable table sales.orders failed: Unable to purge entity: orders. To enable this feature, set the Polaris configuration ' +
      'DROP_WITH_PURGE_ENABLED or the catalog configuration polaris.config.drop-with-purge.enabled — the Polaris catalog does not allow ' +
      'dropping a table with purge; drop it without --purge (its files stay), or set the catalog property ' +
      'polaris.config.drop-with-purge.enabled=true on the Polaris catalog (DROP_WITH_PURGE_ENABLED for the whole realm) ' +
      `(DELETE ${base}${TABLE_PATH}?purgeRequested=true answered HTTP 403 ForbiddenException)`,
  },
  {
    recorded: 'register-location-owned',
    route: 'POST /v1/namespaces/sales/register',
    call: () =>
      catalog.registerTable('sales.orders', 's3://warehouse/sales/orders/metadata/v1.metadata.json'),
    kind: 'forbidden',
    retryable: false,
    message: (base) =>
      'registerTable table sales.orders from s3://warehouse/sales/orders/metadata/v1.metadata.json failed: Unable to create entity at ' +
      "location 's3://warehouse/sales/orders' because it conflicts with existing table or namespace at s3://warehouse/sales/orders — " +
      'the location belongs to another table or namespace of the Polaris catalog; use a location no other table or namespace of the ' +
      'catalog is under (or drop that one first); Polaris does not let two entities share a location ' +
      `(POST ${base}/v1/namespaces/sales/register answered HTTP 403 ForbiddenException)`,
  },
  {
    recorded: 'missing-realm',
    route: 'GET /v1/config',
    call: () => catalog.listNamespaces(),
    kind: 'not-found',
    retryable: false,
    message: (base) =>
      'getConfig catalog failed: Missing or invalid realm — Polaris does not know the realm of this request; send the realm in the ' +
      'Polaris-Realm header: add it to catalog.headers in floe.yaml (Polaris-Realm: <realm>, e.g. POLARIS; the server may name the ' +
      `header otherwise in polaris.realm-context.header-name) (GET ${base}/v1/config answered HTTP 404 MissingOrInvalidRealm)`,
  },
];

describe('Polaris answers, word for word', () => {
  it.each(CASES.map((c) => [c.recorded, c] as const))('%s', async (_name, c) => {
    server.routes.set(c.route, () => polaris(c.recorded));
    const error = await failure(c.call());
    expect(error.message).toBe(c.message(server.base));
    expect(error.kind).toBe(c.kind);
    expect(error.retryable).toBe(c.retryable);
  });

  it('names the realm header when the token endpoint answers MissingOrInvalidRealm', async () => {
    server.routes.set('POST /v1/oauth/tokens', () => polaris('missing-realm'));
    const error = await failure(catalog.listNamespaces());
    expect(error.message).toBe(
      `catalog rejected client_id 'floe-etl' at ${server.base}/v1/oauth/tokens (HTTP 404 MissingOrInvalidRealm: Missing or invalid realm): ` +
        'Polaris does not know the realm of this request: add the Polaris-Realm header (Polaris-Realm: <realm>, e.g. POLARIS) to ' +
        'catalog.headers in floe.yaml',
    );
    expect(error.kind).toBe('token-request-failed');
  });

  it("fixes the 400 wording: the catalog's reason comes first, the fix refers to it", async () => {
    server.routes.set('POST /v1/namespaces', () =>
      jsonAnswer(
        { error: { message: 'Invalid namespace name: a b', type: 'BadRequestException', code: 400 } },
        400,
      ),
    );
    const error = await failure(catalog.createNamespace('a b'));
    expect(error.message).toBe(
      "createNamespace namespace a b failed: Invalid namespace name: a b — the catalog rejected the request as invalid; correct the value the catalog's reason names " +
        `(POST ${server.base}/v1/namespaces answered HTTP 400 BadRequestException)`,
    );
  });
});

describe('namespace set against Polaris 1.4 (409 after applying)', () => {
  const PROPS = 'POST /v1/namespaces/sales/properties';

  it('sends updates and removals apart and counts a 409 whose change is in place as applied', async () => {
    const bodies: unknown[] = [];
    server.routes.set(PROPS, (seen) => {
      bodies.push(JSON.parse(seen.body));
      return bodies.length === 1
        ? jsonAnswer({ updated: ['a'], removed: [], missing: [] })
        : polaris('namespace-commit-conflict');
    });
    server.routes.set('GET /v1/namespaces/sales', () =>
      jsonAnswer({ namespace: ['sales'], properties: { a: '1' } }),
    );
    const report = await catalog.updateNamespaceProperties('sales', { updates: { a: '1' }, removals: ['b'] });
    expect(bodies).toEqual([
      { updates: { a: '1' }, removals: [] },
      { updates: {}, removals: ['b'] },
    ]);
    expect(report).toEqual({ updated: ['a'], removed: ['b'], missing: [] });
  });

  it('says which part was applied and which failed when the second half did not land', async () => {
    let calls = 0;
    server.routes.set(PROPS, () => {
      calls++;
      return calls === 1
        ? jsonAnswer({ updated: ['a'], removed: [], missing: [] })
        : polaris('namespace-commit-conflict');
    });
    server.routes.set('GET /v1/namespaces/sales', () =>
      jsonAnswer({ namespace: ['sales'], properties: { a: '1', b: 'old' } }),
    );
    const error = await failure(
      catalog.updateNamespaceProperties('sales', { updates: { a: '1' }, removals: ['b'] }),
    );
    expect(error.message).toBe(
      'updateNamespaceProperties namespace sales: the updates (a) were applied, but removing b failed: updateNamespaceProperties ' +
        'namespace sales failed: Concurrent modification of namespace: sales — the catalog reported a concurrent modification of the ' +
        'namespace; run it again; floe reloads the namespace after this answer and reports the change as applied when it was ' +
        `(Polaris 1.4 answers so after applying it) (POST ${server.base}/v1/namespaces/sales/properties answered HTTP 409 CommitConflictException)`,
    );
    expect(error.kind).toBe('commit-conflict');
    expect(error.retryable).toBe(true);
    expect(error.context).toMatchObject({ applied: 'updates', failed: 'removals' });
  });

  it('says that the removals were not sent when the updates failed', async () => {
    server.routes.set(PROPS, () => polaris('namespace-commit-conflict'));
    server.routes.set('GET /v1/namespaces/sales', () => jsonAnswer({ namespace: ['sales'], properties: {} }));
    const error = await failure(
      catalog.updateNamespaceProperties('sales', { updates: { a: '1' }, removals: ['b'] }),
    );
    expect(error.message).toMatch(
      /^updateNamespaceProperties namespace sales: setting a failed, so removing b was not sent: updateNamespaceProperties namespace sales failed: Concurrent modification of namespace: sales — /,
    );
    expect(error.context).toMatchObject({ applied: 'nothing', failed: 'updates' });
    expect(server.seen.filter((seen) => seen.url === '/v1/namespaces/sales/properties')).toHaveLength(1);
  });
});
