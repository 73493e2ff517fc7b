// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is floe.yaml syntax
import { createServer } from 'node:net';
import { CatalogError } from '@floe/catalog';
import {
  type CompiledArtifacts,
  compileConfig,
  resolveCompiledArtifacts,
  restCatalogOptionsFrom,
  serializeCompiledArtifacts,
} from '@floe/config';
import { createLogger } from '@floe/telemetry';
import { describe, expect, it } from 'vitest';
import { catalogCheck, explainCatalogFailure } from './catalog-check.ts';

/** Artifacts as an app sees them: compiled, then with ${env:…} references resolved. */
function artifactsWith(catalogYaml: string, env: Record<string, string> = {}): CompiledArtifacts {
  return resolveCompiledArtifacts(JSON.parse(serializeCompiledArtifacts(compileRaw(catalogYaml, env))), env);
}

function compileRaw(catalogYaml: string, env: Record<string, string>): CompiledArtifacts {
  return compileConfig(
    `catalog:\n${catalogYaml}\nstorage: { staging: { bucket: floe-staging } }\nqueue: { redis_url: "redis://127.0.0.1:1" }\n`,
    env,
  );
}

const polaris = artifactsWith(
  '  type: rest\n  uri: http://polaris:8181/api/catalog\n  warehouse: analytics\n' +
    '  credential: { client_id: etl, client_secret: "${env:SECRET}" }',
  { SECRET: 'sup3r-secret' },
).catalog;

describe('restCatalogOptionsFrom', () => {
  it('maps every catalog key of floe.yaml onto RestCatalogOptions', () => {
    const catalog = artifactsWith(
      '  type: rest\n  uri: http://h:8181/api/catalog\n  warehouse: w\n  prefix: p\n' +
        '  credential: { client_id: c, client_secret: "${env:S}" }\n  scope: PRINCIPAL_ROLE:etl\n' +
        '  oauth2_server_uri: http://idp/token\n  access_delegation: vended-credentials\n' +
        '  headers: { X-A: b }\n  retry: { max_attempts: 2, initial_delay_ms: 5, max_delay_ms: 50, timeout_ms: 900, breaker: { threshold: 3, half_open_after_ms: 7 } }',
      { S: 's' },
    ).catalog;
    expect(restCatalogOptionsFrom(catalog)).toEqual({
      type: 'rest',
      uri: 'http://h:8181/api/catalog',
      warehouse: 'w',
      prefix: 'p',
      clientId: 'c',
      clientSecret: 's',
      scope: 'PRINCIPAL_ROLE:etl',
      tokenEndpoint: 'http://idp/token',
      accessDelegation: 'vended-credentials',
      headers: { 'X-A': 'b' },
      retry: {
        maxAttempts: 2,
        initialDelayMs: 5,
        maxDelayMs: 50,
        timeoutMs: 900,
        breaker: { threshold: 3, halfOpenAfterMs: 7 },
      },
    });
  });

  it('lets the caller override retry fields and maps a static token', () => {
    const catalog = artifactsWith(
      '  type: rest\n  uri: http://h\n  warehouse: w\n  credential: { token: "${env:T}" }',
      {
        T: 'tok',
      },
    ).catalog;
    const options = restCatalogOptionsFrom(catalog, { retry: { maxAttempts: 1, timeoutMs: 10 } });
    expect(options.token).toBe('tok');
    expect(options.clientId).toBeUndefined();
    expect(options.retry).toMatchObject({ maxAttempts: 1, timeoutMs: 10, maxDelayMs: 10_000 });
  });
});

describe('explainCatalogFailure', () => {
  const explain = (error: unknown) => explainCatalogFailure(error, polaris, 3000);

  it('says an unreachable or unknown host is the uri', () => {
    expect(explain(new CatalogError('network', 'x', { context: { code: 'ECONNREFUSED' } }))).toBe(
      'catalog at http://polaris:8181/api/catalog refused the connection: is it running? (local stack: `npm run stack:up`)',
    );
    expect(explain(new CatalogError('network', 'x', { context: { code: 'ENOTFOUND' } }))).toBe(
      'catalog host in http://polaris:8181/api/catalog was not found (DNS ENOTFOUND): check catalog.uri',
    );
    expect(explain(new CatalogError('timeout', 'x'))).toBe(
      'catalog at http://polaris:8181/api/catalog did not answer within 3000 ms: check catalog.uri and that the network lets you reach it',
    );
  });

  it('names the client id and token endpoint on rejected credentials, and the path on a 404 token endpoint', () => {
    const context = { tokenEndpoint: 'http://polaris:8181/api/catalog/v1/oauth/tokens', clientId: 'etl' };
    expect(
      explain(
        new CatalogError('token-request-failed', 'x', {
          context: { ...context, status: 401, oauthError: 'invalid_client' },
        }),
      ),
    ).toBe(
      `the catalog rejected client id "etl" at ${context.tokenEndpoint} (HTTP 401 invalid_client): check catalog.credential.client_id / client_secret (Polaris: the principal's credentials) and catalog.scope (PRINCIPAL_ROLE:ALL)`,
    );
    expect(
      explain(new CatalogError('token-request-failed', 'x', { context: { ...context, status: 404 } })),
    ).toBe(
      `the token endpoint ${context.tokenEndpoint} does not exist (HTTP 404): catalog.uri probably lacks its path (Polaris serves the REST API under /api/catalog, e.g. http://polaris:8181/api/catalog), or set catalog.oauth2_server_uri`,
    );
  });

  it('tells a wrong path from an unknown warehouse', () => {
    expect(
      explain(
        new CatalogError('bad-request', 'x', {
          context: {
            status: 400,
            serverType: 'BadRequestException',
            serverMessage: 'No route for request: GET v1/config',
          },
        }),
      ),
    ).toBe(
      'no Iceberg REST catalog answers at http://polaris:8181/api/catalog/v1/config (HTTP 400): check the path in catalog.uri (Polaris serves the REST API under /api/catalog, e.g. http://polaris:8181/api/catalog)',
    );
    expect(explain(new CatalogError('not-found', 'x', { context: { status: 404 } }))).toContain(
      'no Iceberg REST catalog answers at http://polaris:8181/api/catalog/v1/config (HTTP 404)',
    );
    expect(
      explain(
        new CatalogError('not-found', 'x', {
          context: {
            status: 404,
            serverType: 'NotFoundException',
            serverMessage: 'Unable to find warehouse analytics',
          },
        }),
      ),
    ).toBe(
      'catalog at http://polaris:8181/api/catalog does not know warehouse "analytics" (HTTP 404): check catalog.warehouse (Polaris: the catalog name; Iceberg REST server: its warehouse location) (server said: NotFoundException: Unable to find warehouse analytics)',
    );
  });

  it('explains 401 and 403 on the config call and an answer that is not a catalog', () => {
    expect(explain(new CatalogError('unauthorized', 'x', { context: { status: 401 } }))).toContain(
      'did not accept our token (HTTP 401) as client id "etl"',
    );
    const noAuth = artifactsWith('  type: rest\n  uri: http://h:1\n  warehouse: w').catalog;
    expect(
      explainCatalogFailure(new CatalogError('unauthorized', 'x', { context: { status: 401 } }), noAuth, 1),
    ).toBe(
      "catalog at http://h:1 requires authentication (HTTP 401): add catalog.credential with client_id + client_secret (Polaris: a principal's credentials) or a token",
    );
    expect(explain(new CatalogError('forbidden', 'x', { context: { status: 403 } }))).toContain(
      'refused access to warehouse "analytics" (HTTP 403)',
    );
    expect(explain(new CatalogError('invalid-response', 'x', { context: { status: 200 } }))).toBe(
      'something answered at http://polaris:8181/api/catalog, but not an Iceberg REST catalog (HTTP 200): check catalog.uri (Polaris serves the REST API under /api/catalog, e.g. http://polaris:8181/api/catalog)',
    );
  });

  it('names the realm header when Polaris answers MissingOrInvalidRealm, at the token endpoint or at /v1/config', () => {
    const realm =
      'Polaris at http://polaris:8181/api/catalog does not know the realm of the request (HTTP 404 MissingOrInvalidRealm): ' +
      'add the realm header to catalog.headers in floe.yaml (Polaris-Realm: <realm>, e.g. POLARIS)';
    const token = new CatalogError('token-request-failed', 'x', {
      context: { status: 404, oauthError: 'MissingOrInvalidRealm', clientId: 'etl' },
    });
    const config = new CatalogError('not-found', 'x', {
      context: {
        status: 404,
        serverType: 'MissingOrInvalidRealm',
        serverMessage: 'Missing or invalid realm',
      },
    });
    expect(explain(token)).toBe(realm);
    expect(explain(config)).toBe(realm);
  });
});

describe('catalogCheck', () => {
  it('fails on a refused connection with the uri, and never names the secret', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const artifacts = artifactsWith(
      `  type: rest\n  uri: http://127.0.0.1:${port}\n  warehouse: w\n  credential: { client_id: etl, client_secret: "\${env:SECRET}" }`,
      { SECRET: 'sup3r-secret' },
    );
    const result = await catalogCheck.run(artifacts, {
      timeoutMs: 2000,
      logger: createLogger({ name: 't', level: 'silent' }),
    });
    expect(result).toEqual({
      ok: false,
      message: `catalog at http://127.0.0.1:${port} refused the connection: is it running? (local stack: \`npm run stack:up\`)`,
    });
  });
});
