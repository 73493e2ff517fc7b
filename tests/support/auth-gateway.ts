// A test gateway that puts Polaris's behaviour in front of the real Iceberg REST catalog server:
// an OAuth2 client-credentials token endpoint (at `/v1/oauth/tokens` and at Polaris's
// `/api/catalog/v1/oauth/tokens`) issuing tokens that live `tokenTtlMs` (2 s by default),
// 401 for missing, unknown or expired tokens, Polaris's `/api/catalog/v1/...` path layout
// proxied to the server's `/v1/...`, and optionally ETag/304 on table loads, vended storage
// credentials injected into load responses and served by the credentials endpoint. It counts token
// requests and records every proxied request so tests can assert what the client actually sent.
// A test can rotate the accepted client secret and revoke issued tokens, as an operator rotating
// a Polaris principal would. The real server still does all
// catalog work; nothing about tables or namespaces is faked.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  errorModel,
  forwardRequest as forward,
  requestHeader as header,
  readBody,
  sendJson,
} from './http-relay.ts';

export interface AuthGatewayOptions {
  /** The real catalog server, e.g. the stack's catalogUri. */
  readonly upstream: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Lifetime of issued tokens (default 2000 ms); expires_in is sent in (fractional) seconds. */
  readonly tokenTtlMs?: number;
  /** Reject requests without a valid token (default true). */
  readonly requireAuth?: boolean;
  /** Serve an ETag on table loads and answer a matching If-None-Match with 304. */
  readonly etag?: boolean;
  /** Merged into the `config` of loadTable/createTable responses (vended credentials). */
  readonly vendedConfig?: () => Record<string, string>;
  /**
   * Serve `GET …/tables/{table}/credentials` (the loadCredentials endpoint, which Polaris serves
   * without advertising it) with `vendedConfig()` as one storage credential for prefix `s3://`.
   */
  readonly serveCredentials?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as the gateway received them. */
  readonly path: string;
  /** Path and query as sent upstream (Polaris prefix removed); undefined when not proxied. */
  readonly upstreamPath: string | undefined;
  readonly status: number;
  readonly accessDelegation: string | undefined;
  readonly ifNoneMatch: string | undefined;
}

export interface AuthGateway {
  /** Base URI in the Iceberg REST layout: `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Base URI in Polaris's layout: `http://127.0.0.1:PORT/api/catalog`. */
  readonly polarisUrl: string;
  readonly clientId: string;
  /** The client secret the token endpoint accepts now. */
  readonly clientSecret: string;
  readonly tokenRequests: number;
  /** Scopes requested, one entry per token request. */
  readonly scopes: readonly string[];
  readonly requests: readonly RecordedRequest[];
  /** Rejections of expired tokens so far. */
  readonly expiredRejections: number;
  /** Invalidate every issued token (the next call with one gets 401). */
  revokeAllTokens(): void;
  /** From now on the token endpoint accepts only `secret` (tokens already issued stay valid). */
  acceptClientSecret(secret: string): void;
  resetCounters(): void;
  close(): Promise<void>;
}

const POLARIS_PREFIX = '/api/catalog';

export async function startAuthGateway(options: AuthGatewayOptions): Promise<AuthGateway> {
  const clientId = options.clientId ?? 'floe-test-client';
  let clientSecret = options.clientSecret ?? `s3cr3t-${randomBytes(12).toString('hex')}`;
  const ttlMs = options.tokenTtlMs ?? 2000;
  const requireAuth = options.requireAuth ?? true;
  const upstream = new URL(options.upstream);
  const tokens = new Map<string, number>();
  const state = {
    tokenRequests: 0,
    expiredRejections: 0,
    scopes: [] as string[],
    requests: [] as RecordedRequest[],
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 502, errorModel(502, 'BadGateway', String(error)));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    const path = rawPath.startsWith(`${POLARIS_PREFIX}/`) ? rawPath.slice(POLARIS_PREFIX.length) : rawPath;
    const body = await readBody(req);
    const record = (status: number, upstreamPath: string | undefined): void => {
      state.requests.push({
        method: req.method ?? 'GET',
        path: rawPath,
        upstreamPath,
        status,
        accessDelegation: header(req, 'x-iceberg-access-delegation'),
        ifNoneMatch: header(req, 'if-none-match'),
      });
    };

    if (req.method === 'POST' && path.split('?')[0] === '/v1/oauth/tokens') {
      const status = issueToken(body.toString('utf8'), res);
      record(status, undefined);
      return;
    }
    if (requireAuth) {
      const auth = header(req, 'authorization');
      const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
      const expiresAt = token === undefined ? undefined : tokens.get(token);
      if (expiresAt === undefined || Date.now() >= expiresAt) {
        if (expiresAt !== undefined) state.expiredRejections++;
        const message =
          expiresAt === undefined ? 'Not authorized: missing or unknown token' : 'Token expired';
        sendJson(res, 401, errorModel(401, 'NotAuthorizedException', message));
        record(401, undefined);
        return;
      }
    }
    if (
      options.serveCredentials &&
      req.method === 'GET' &&
      /^\/v1\/(.+\/)?namespaces\/[^/]+\/tables\/[^/?]+\/credentials(\?|$)/.test(path)
    ) {
      const config = options.vendedConfig?.() ?? {};
      sendJson(res, 200, { 'storage-credentials': [{ prefix: 's3://', config }] });
      record(200, undefined);
      return;
    }
    const status = await proxy(req, res, path, body);
    record(status, path);
  }

  function issueToken(form: string, res: ServerResponse): number {
    state.tokenRequests++;
    const params = new URLSearchParams(form);
    if (params.get('grant_type') !== 'client_credentials') {
      sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'only client_credentials' });
      return 400;
    }
    state.scopes.push(params.get('scope') ?? '');
    if (params.get('client_id') !== clientId || params.get('client_secret') !== clientSecret) {
      sendJson(res, 401, { error: 'invalid_client', error_description: 'The client is not authorized' });
      return 401;
    }
    const token = randomBytes(16).toString('hex');
    tokens.set(token, Date.now() + ttlMs);
    sendJson(res, 200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: ttlMs / 1000,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    return 200;
  }

  async function proxy(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Buffer,
  ): Promise<number> {
    const headers = { ...req.headers };
    delete headers['authorization'];
    delete headers['host'];
    delete headers['if-none-match'];
    delete headers['transfer-encoding'];
    delete headers['connection'];
    headers['content-length'] = String(body.length);
    const answer = await forward(upstream, req.method ?? 'GET', path, headers, body);
    const isTableLoad =
      (req.method === 'GET' && /^\/v1\/(.+\/)?namespaces\/[^/]+\/tables\/[^/?]+(\?|$)/.test(path)) ||
      (req.method === 'POST' && /^\/v1\/(.+\/)?namespaces\/[^/]+\/tables(\?|$)/.test(path));
    let payload = answer.body;
    const outHeaders: Record<string, string> = { 'content-type': answer.contentType ?? 'application/json' };
    if (isTableLoad && answer.status === 200) {
      if (options.vendedConfig !== undefined) payload = injectConfig(payload, options.vendedConfig());
      if (options.etag && req.method === 'GET') {
        const etag = `"${createHash('sha256').update(payload).digest('hex').slice(0, 32)}"`;
        outHeaders['etag'] = etag;
        if (header(req, 'if-none-match') === etag) {
          res.writeHead(304, { etag });
          res.end();
          return 304;
        }
      }
    }
    res.writeHead(answer.status, outHeaders);
    res.end(payload);
    return answer.status;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    polarisUrl: `${url}${POLARIS_PREFIX}`,
    clientId,
    get clientSecret() {
      return clientSecret;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    get scopes() {
      return state.scopes;
    },
    get requests() {
      return state.requests;
    },
    get expiredRejections() {
      return state.expiredRejections;
    },
    revokeAllTokens() {
      tokens.clear();
    },
    acceptClientSecret(secret: string) {
      clientSecret = secret;
    },
    resetCounters() {
      state.tokenRequests = 0;
      state.expiredRejections = 0;
      state.scopes = [];
      state.requests = [];
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

// Table metadata holds 64-bit snapshot ids; re-serialising it must not round them, so integers
// beyond 2^53 are carried through as their exact source text.
interface JsonWithRaw {
  rawJSON(text: string): unknown;
}

function injectConfig(payload: Buffer, config: Record<string, string>): Buffer {
  const parsed = JSON.parse(
    payload.toString('utf8'),
    (_key, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' &&
      !Number.isSafeInteger(value) &&
      context?.source &&
      /^-?\d+$/.test(context.source)
        ? (JSON as unknown as JsonWithRaw).rawJSON(context.source)
        : value,
  ) as Record<string, unknown>;
  const existing = (parsed['config'] as Record<string, string> | undefined) ?? {};
  parsed['config'] = { ...existing, ...config };
  return Buffer.from(JSON.stringify(parsed), 'utf8');
}
