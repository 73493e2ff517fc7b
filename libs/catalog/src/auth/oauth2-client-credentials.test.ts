// Unit tests of the OAuth2 client-credentials manager against a tiny in-process token endpoint
// (the real-server behaviour is covered by oauth2.integration.test.ts through the auth gateway).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../errors.ts';
import type { CatalogLogger } from '../telemetry.ts';
import { BearerTokenAuthManager, NoAuthManager } from './auth-manager.ts';
import { OAuth2ClientCredentialsAuthManager, splitCredential } from './oauth2-client-credentials.ts';

const SECRET = 'top-secret-value-123';
type Reply = (form: URLSearchParams, res: ServerResponse) => void;

let server: Server;
let endpoint: string;
let reply: Reply;
let forms: URLSearchParams[] = [];
let issued = 0;
const dispatcher = new Agent();

const okReply =
  (expiresIn: number | null = 60, delayMs = 0): Reply =>
  (_form, res) => {
    issued++;
    const body = {
      access_token: `token-${issued}`,
      token_type: 'bearer',
      ...(expiresIn === null ? {} : { expires_in: expiresIn }),
    };
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, delayMs);
  };

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(text);
      forms.push(form);
      reply(form, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/oauth/tokens`;
});

afterAll(async () => {
  await dispatcher.close();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  forms = [];
  issued = 0;
  reply = okReply();
});

function manager(extra: Partial<ConstructorParameters<typeof OAuth2ClientCredentialsAuthManager>[0]> = {}) {
  return new OAuth2ClientCredentialsAuthManager({
    tokenEndpoint: endpoint,
    clientId: 'etl',
    clientSecret: SECRET,
    dispatcher,
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<CatalogError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('OAuth2 client credentials', () => {
  it('sends a form-encoded client_credentials request with the default scope', async () => {
    const auth = manager();
    expect(await auth.authorizationHeader()).toBe('Bearer token-1');
    const form = forms[0];
    expect(form?.get('grant_type')).toBe('client_credentials');
    expect(form?.get('client_id')).toBe('etl');
    expect(form?.get('client_secret')).toBe(SECRET);
    expect(form?.get('scope')).toBe('PRINCIPAL_ROLE:ALL');
    expect(await auth.authorizationHeader()).toBe('Bearer token-1');
    expect(auth.tokenRequestCount).toBe(1);
  });

  it('shares one in-flight token request among concurrent callers (single flight)', async () => {
    reply = okReply(60, 50);
    const auth = manager({ scope: 'PRINCIPAL_ROLE:etl' });
    const headers = await Promise.all(Array.from({ length: 50 }, () => auth.authorizationHeader()));
    expect(new Set(headers)).toEqual(new Set(['Bearer token-1']));
    expect(forms.length).toBe(1);
    expect(forms[0]?.get('scope')).toBe('PRINCIPAL_ROLE:etl');
  });

  it('refreshes proactively inside the margin (capped at a fifth of the lifetime), once for all callers', async () => {
    let now = 1_000_000;
    reply = okReply(10, 20); // 10 s tokens → margin min(60 s, 2 s) = 2 s
    const auth = manager({ now: () => now });
    await auth.authorizationHeader();
    now += 7_900;
    expect(await auth.authorizationHeader()).toBe('Bearer token-1');
    now += 200; // 8.1 s: inside the 2 s margin
    const headers = await Promise.all(Array.from({ length: 20 }, () => auth.authorizationHeader()));
    expect(new Set(headers)).toEqual(new Set(['Bearer token-2']));
    expect(forms.length).toBe(2);
  });

  it('keeps a token without expires_in until the server rejects it', async () => {
    reply = okReply(null);
    let now = 0;
    const auth = manager({ now: () => now });
    await auth.authorizationHeader();
    now += 1e9;
    expect(await auth.authorizationHeader()).toBe('Bearer token-1');
    expect(await auth.refreshAfterRejection('Bearer token-1')).toBe(true);
    expect(await auth.authorizationHeader()).toBe('Bearer token-2');
  });

  it('does not refresh again when another caller already replaced the rejected token', async () => {
    const auth = manager();
    await auth.authorizationHeader();
    await auth.refreshAfterRejection('Bearer token-1');
    expect(await auth.refreshAfterRejection('Bearer token-1')).toBe(true);
    expect(forms.length).toBe(2);
  });

  it('falls back to the still-valid token when a proactive refresh fails, and logs a warning without the secret', async () => {
    let now = 0;
    const warnings: string[] = [];
    const logger: CatalogLogger = {
      debug: () => {},
      info: () => {},
      error: () => {},
      warn: (obj, msg) => warnings.push(`${msg} ${JSON.stringify(obj)}`),
    };
    const auth = manager({ now: () => now, logger });
    await auth.authorizationHeader();
    reply = (_form, res) => {
      res.writeHead(503);
      res.end('busy');
    };
    now += 59_000; // inside the margin, before expiry
    expect(await auth.authorizationHeader()).toBe('Bearer token-1');
    expect(warnings[0]).toContain('catalog token refresh failed; using the current token until it expires');
    now += 2_000; // expired: the failure is now fatal
    const error = await failure(auth.authorizationHeader());
    expect(error.kind).toBe('token-request-failed');
    expect(error.retryable).toBe(true);
    expect(warnings.join('\n')).not.toContain(SECRET);
  });

  it('names endpoint, client id, status and OAuth error code when credentials are rejected', async () => {
    reply = (_form, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `bad secret ${SECRET}` }));
    };
    const error = await failure(manager().authorizationHeader());
    expect(error.message).toBe(
      `catalog rejected client_id 'etl' at ${endpoint} (HTTP 401 invalid_client: bad secret ***): ` +
        'check catalog.credential.client_id / catalog.credential.client_secret in floe.yaml (and catalog.scope)',
    );
    expect(error.retryable).toBe(false);
    expect(error.context).toMatchObject({
      tokenEndpoint: endpoint,
      clientId: 'etl',
      status: 401,
      oauthError: 'invalid_client',
    });
    expect(JSON.stringify(error.context)).not.toContain(SECRET);
  });

  it('reads Iceberg error models and plain text from token endpoints too', async () => {
    reply = (_form, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'no route', type: 'NotFoundException', code: 404 } }));
    };
    const notFound = await failure(manager().authorizationHeader());
    expect(notFound.message).toContain(
      '(HTTP 404 NotFoundException: no route): check catalog.oauth2_server_uri',
    );
    reply = (_form, res) => {
      res.writeHead(500);
      res.end('<html>oops</html>');
    };
    const html = await failure(manager().authorizationHeader());
    expect(html.message).toContain(
      '(HTTP 500 <html>oops</html>): check the token endpoint and the identity provider logs',
    );
    reply = (_form, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"unexpected":true}');
    };
    const odd = await failure(manager().authorizationHeader());
    expect(odd.message).toContain('(HTTP 400)');
  });

  it('refuses a 200 without an access token', async () => {
    reply = (_form, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"token_type":"bearer"}');
    };
    const error = await failure(manager().authorizationHeader());
    expect(error.kind).toBe('invalid-response');
    expect(error.message).toContain(
      `token endpoint ${endpoint} answered client_id 'etl' without a usable access_token`,
    );
  });

  it('reports an unreachable token endpoint as a network error without the secret', async () => {
    const auth = manager({ tokenEndpoint: 'http://127.0.0.1:1/v1/oauth/tokens' });
    const error = await failure(auth.authorizationHeader());
    expect(error.kind).toBe('network');
    expect(error.context['notSent']).toBe(true);
    expect(error.message).not.toContain(SECRET);
  });

  it('needs both parts of the credential', () => {
    expect(() => manager({ clientId: '' })).toThrow(
      'OAuth2 client credentials need a client_id: set catalog.credential.client_id in floe.yaml',
    );
    expect(() => manager({ clientSecret: '' })).toThrow(
      "OAuth2 client credentials for client_id 'etl' need a client_secret: set catalog.credential.client_secret in floe.yaml",
    );
    expect(splitCredential('etl:a:b')).toEqual({ clientId: 'etl', clientSecret: 'a:b' });
    for (const bad of ['nocolon', ':secret', 'etl:']) {
      expect(() => splitCredential(bad)).toThrow(
        "catalog.credential must look like 'client_id:client_secret' (both parts non-empty)",
      );
    }
  });
});

describe('static auth managers', () => {
  it('send a fixed header or none, and never refresh', async () => {
    const bearer = new BearerTokenAuthManager('abc');
    expect(await bearer.authorizationHeader()).toBe('Bearer abc');
    expect(await bearer.refreshAfterRejection()).toBe(false);
    const none = new NoAuthManager();
    expect(await none.authorizationHeader()).toBeUndefined();
    expect(await none.refreshAfterRejection()).toBe(false);
  });
});
