// OAuth2 client credentials against the real catalog server behind the auth gateway
// (tests/support/auth-gateway.ts), which issues tokens living 2 s and rejects expired ones with
// 401 — the situation of a long job talking to Polaris. Also Polaris's `/api/catalog` layout,
// wrong credentials, a revoked token, and a check that the client secret appears in no error
// and no captured log line.

import { type AuthGateway, loadStackEnv, startAuthGateway } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogLogger, RestCatalog, type RestCatalogOptions } from './index.ts';

const env = loadStackEnv();
const run = `oauth_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
const lines: string[] = [];
const logger: CatalogLogger = {
  debug: (obj, msg) => lines.push(`debug ${msg} ${JSON.stringify(obj)}`),
  info: (obj, msg) => lines.push(`info ${msg} ${JSON.stringify(obj)}`),
  warn: (obj, msg) => lines.push(`warn ${msg} ${JSON.stringify(obj)}`),
  error: (obj, msg) => lines.push(`error ${msg} ${JSON.stringify(obj)}`),
};
const errors: Error[] = [];

let gateway: AuthGateway;
const catalogs: RestCatalog[] = [];

function makeCatalog(options: Omit<RestCatalogOptions, 'uri'> & { uri?: string }): RestCatalog {
  const catalog = new RestCatalog({ uri: gateway.url, warehouse: env.catalogWarehouse, logger, ...options });
  catalogs.push(catalog);
  return catalog;
}

function oauthCatalog(overrides: Partial<RestCatalogOptions> = {}): RestCatalog {
  return makeCatalog({ clientId: gateway.clientId, clientSecret: gateway.clientSecret, ...overrides });
}

async function caught(promise: Promise<unknown>): Promise<Error & { kind?: string; context?: object }> {
  try {
    await promise;
  } catch (error) {
    errors.push(error as Error);
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  gateway = await startAuthGateway({ upstream: env.catalogUri, tokenTtlMs: 2000 });
  await oauthCatalog().createNamespace(run);
});

afterAll(async () => {
  for (const catalog of catalogs) await catalog.close();
  await gateway.close();
});

describe('OAuth2 client credentials through a gateway issuing 2 s tokens', () => {
  it('keeps an operation sequence lasting over 10 s working by refreshing before expiry', async () => {
    const catalog = oauthCatalog();
    gateway.resetCounters();
    const started = Date.now();
    let operations = 0;
    while (Date.now() - started < 10_500) {
      await catalog.createNamespace(`${run}.seq${operations % 3}`);
      expect(await catalog.namespaceExists(`${run}.seq${operations % 3}`)).toBe(true);
      await catalog.listNamespaces(run);
      operations++;
      await sleep(250);
    }
    expect(Date.now() - started).toBeGreaterThan(10_000);
    expect(operations).toBeGreaterThan(20);
    // Proactive refresh: tokens were replaced before the gateway ever saw an expired one.
    expect(gateway.expiredRejections).toBe(0);
    expect(gateway.tokenRequests).toBeGreaterThanOrEqual(5);
    expect(gateway.requests.filter((r) => r.status === 401)).toEqual([]);
  }, 30_000);

  it('sends 50 concurrent calls during expiry with exactly one token request', async () => {
    const catalog = oauthCatalog();
    await catalog.loadNamespace(run);
    await sleep(2100);
    gateway.resetCounters();
    const results = await Promise.all(Array.from({ length: 50 }, () => catalog.namespaceExists(run)));
    expect(results.every((exists) => exists)).toBe(true);
    expect(gateway.tokenRequests).toBe(1);
    expect(gateway.requests.filter((r) => r.status === 401)).toEqual([]);
  });

  it('refreshes once and retries when the server rejects a token it revoked', async () => {
    const catalog = oauthCatalog();
    await catalog.loadNamespace(run);
    gateway.revokeAllTokens();
    gateway.resetCounters();
    const info = await catalog.loadNamespace(run);
    expect(info.namespace).toEqual([run]);
    expect(gateway.tokenRequests).toBe(1);
    expect(gateway.requests.map((r) => r.status)).toEqual([401, 200, 200]);
  });

  it("works with Polaris's /api/catalog layout, its token endpoint and the default scope", async () => {
    const catalog = oauthCatalog({ uri: gateway.polarisUrl });
    gateway.resetCounters();
    await catalog.createNamespace(`${run}.polaris`);
    expect(await catalog.listNamespaces(run)).toContainEqual([run, 'polaris']);
    const tokenCall = gateway.requests.find((r) => r.path.includes('oauth/tokens'));
    expect(tokenCall?.path).toBe('/api/catalog/v1/oauth/tokens');
    expect(gateway.scopes).toEqual(['PRINCIPAL_ROLE:ALL']);
    expect(
      gateway.requests
        .filter((r) => r.upstreamPath !== undefined)
        .every((r) => r.path.startsWith('/api/catalog/v1/')),
    ).toBe(true);
  });

  it('sends a configured scope and accepts the client_id:client_secret credential form', async () => {
    const catalog = makeCatalog({
      credential: `${gateway.clientId}:${gateway.clientSecret}`,
      scope: 'PRINCIPAL_ROLE:etl',
    });
    gateway.resetCounters();
    await catalog.loadNamespace(run);
    expect(gateway.scopes).toEqual(['PRINCIPAL_ROLE:etl']);
  });

  it('names token endpoint, client id, status and OAuth error code for wrong credentials', async () => {
    const wrongSecret = 'definitely-wrong-secret-value';
    const catalog = oauthCatalog({ clientSecret: wrongSecret });
    const error = await caught(catalog.listNamespaces());
    expect(error.kind).toBe('token-request-failed');
    expect(error.message).toContain(`${gateway.url}/v1/oauth/tokens`);
    expect(error.message).toContain(`client_id '${gateway.clientId}'`);
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('invalid_client');
    expect(error.message).toContain(
      'check catalog.credential.client_id / catalog.credential.client_secret in floe.yaml',
    );
    expect(error.message).not.toContain(wrongSecret);
    expect(JSON.stringify(error.context)).not.toContain(wrongSecret);
    expect(lines.join('\n')).not.toContain(wrongSecret);

    const unknownClient = oauthCatalog({ clientId: 'intruder', uri: gateway.polarisUrl });
    const polarisError = await caught(unknownClient.loadNamespace(run));
    expect(polarisError.message).toContain(
      `catalog rejected client_id 'intruder' at ${gateway.polarisUrl}/v1/oauth/tokens`,
    );
  });

  it('reports a rejected static bearer token as unauthorized with the fix', async () => {
    const catalog = makeCatalog({ token: 'stale-token' });
    const error = await caught(catalog.loadNamespace(run));
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain('the catalog did not accept our credentials');
    expect(error.message).toContain('HTTP 401 NotAuthorizedException');
  });

  it('checkAccess asks the catalog every time: refused once the secret is rotated, accepted once it is back', async () => {
    const catalog = oauthCatalog();
    await catalog.listNamespaces();
    await catalog.checkAccess();
    const original = gateway.clientSecret;
    try {
      gateway.acceptClientSecret('rotated-secret-value');
      gateway.revokeAllTokens();
      const refused = await caught(catalog.checkAccess());
      expect(refused.kind).toBe('token-request-failed');
      expect(refused.message).toContain('HTTP 401');
      expect(refused.message).toContain('catalog.credential.client_secret');
    } finally {
      gateway.acceptClientSecret(original);
    }
    await catalog.checkAccess();
  });

  it('never puts the client secret in an error message or a log line', () => {
    expect(lines.length).toBeGreaterThan(50);
    expect(errors.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(gateway.clientSecret);
    for (const error of errors) {
      expect(error.message).not.toContain(gateway.clientSecret);
      expect(JSON.stringify((error as { context?: object }).context ?? {})).not.toContain(
        gateway.clientSecret,
      );
    }
  });
});
