// OAuth2 client-credentials auth, as Polaris and the Iceberg REST spec use it: a form-encoded
// `grant_type=client_credentials` request to the token endpoint (default `<uri>/v1/oauth/tokens`,
// scope default `PRINCIPAL_ROLE:ALL`) returns a bearer token with an `expires_in`. Tokens are
// refreshed proactively a margin before they expire, so long jobs never send a stale one; all
// callers waiting for a token share one in-flight request (single flight), so fifty concurrent
// calls at expiry cost one token request; and a 401/419 triggers one reactive refresh. The
// client secret is never put in an error, a log line or a span — server text is scrubbed too.

import { parseJson } from '@floe/iceberg';
import type { Dispatcher } from 'undici';
import { CatalogError } from '../errors.ts';
import { redactUrl, sendHttp } from '../internal/http.ts';
import type { CatalogCallObserver, CatalogLogger } from '../telemetry.ts';
import { errorModelSchema, oauthErrorSchema, oauthTokenResponseSchema } from '../wire/responses.ts';
import type { AuthManager } from './auth-manager.ts';

export const DEFAULT_OAUTH_SCOPE = 'PRINCIPAL_ROLE:ALL';

export interface OAuth2ClientCredentialsOptions {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** Refresh this long before expiry, capped at a fifth of the token's lifetime (default 60 s). */
  readonly refreshMarginMs?: number;
  /** Timeout of one token request (default 10 s). */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
  readonly logger?: CatalogLogger;
  /** Told about every token request (operation `oauthToken`), for metrics. */
  readonly onCall?: CatalogCallObserver;
  /** Clock, for tests. */
  readonly now?: () => number;
}

interface IssuedToken {
  readonly header: string;
  /** Epoch ms when the server says it expires; undefined = no expiry given. */
  readonly expiresAt: number | undefined;
  /** Epoch ms from which we refresh proactively. */
  readonly refreshAt: number | undefined;
}

export class OAuth2ClientCredentialsAuthManager implements AuthManager {
  readonly scheme = 'oauth2';
  readonly #options: OAuth2ClientCredentialsOptions;
  readonly #now: () => number;
  #token: IssuedToken | undefined;
  #inflight: Promise<IssuedToken> | undefined;
  #tokenRequests = 0;

  constructor(options: OAuth2ClientCredentialsOptions) {
    if (options.clientId.length === 0) {
      throw new CatalogError(
        'invalid-config',
        'OAuth2 client credentials need a client_id: set catalog.credential.client_id in floe.yaml',
      );
    }
    if (options.clientSecret.length === 0) {
      throw new CatalogError(
        'invalid-config',
        `OAuth2 client credentials for client_id '${options.clientId}' need a client_secret: set catalog.credential.client_secret in floe.yaml`,
      );
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** How many token requests this manager has sent (for diagnostics and tests). */
  get tokenRequestCount(): number {
    return this.#tokenRequests;
  }

  async authorizationHeader(): Promise<string | undefined> {
    const token = this.#token;
    const now = this.#now();
    if (token !== undefined && (token.refreshAt === undefined || now < token.refreshAt)) return token.header;
    try {
      return (await this.#refresh()).header;
    } catch (error) {
      // A proactive refresh that fails while the old token is still valid is not fatal yet.
      if (token !== undefined && token.expiresAt !== undefined && now < token.expiresAt) {
        this.#options.logger?.warn(
          { err: describe(error), clientId: this.#options.clientId },
          'catalog token refresh failed; using the current token until it expires',
        );
        return token.header;
      }
      throw error;
    }
  }

  async refreshAfterRejection(rejectedHeader: string | undefined): Promise<boolean> {
    // Another caller may already have replaced the rejected token.
    if (this.#token !== undefined && this.#token.header !== rejectedHeader) return true;
    await this.#refresh();
    return true;
  }

  #refresh(): Promise<IssuedToken> {
    if (this.#inflight === undefined) {
      this.#inflight = this.#requestToken().finally(() => {
        this.#inflight = undefined;
      });
    }
    return this.#inflight;
  }

  async #requestToken(): Promise<IssuedToken> {
    const { tokenEndpoint, clientId, clientSecret } = this.#options;
    const scope = this.#options.scope ?? DEFAULT_OAUTH_SCOPE;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope,
    });
    this.#tokenRequests++;
    const started = this.#now();
    const timer = performance.now();
    const observe = (status: number | 'error') => {
      const durationMs = performance.now() - timer;
      this.#options.onCall?.({ operation: 'oauthToken', status, durationMs });
      this.#options.logger?.debug(
        {
          operation: 'oauthToken',
          tokenEndpoint: redactUrl(tokenEndpoint),
          clientId,
          status,
          durationMs: Math.round(durationMs),
        },
        'catalog oauthToken request',
      );
    };
    const response = await sendHttp(this.#options.dispatcher, {
      method: 'POST',
      url: tokenEndpoint,
      headers: {
        ...this.#options.headers,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
    }).catch((error: unknown) => {
      observe('error');
      throw this.#scrubbed(error);
    });
    observe(response.status);
    if (response.status !== 200) throw this.#rejection(response.status, response.text);

    let body: ReturnType<typeof oauthTokenResponseSchema.parse>;
    try {
      body = oauthTokenResponseSchema.parse(parseJson(response.text));
    } catch (error) {
      throw new CatalogError(
        'invalid-response',
        `token endpoint ${redactUrl(tokenEndpoint)} answered client_id '${clientId}' without a usable access_token; check catalog.oauth2_server_uri points at an OAuth2 token endpoint`,
        { context: { tokenEndpoint: redactUrl(tokenEndpoint), clientId }, cause: describe(error) },
      );
    }
    const lifetimeMs = body.expires_in === undefined ? undefined : Number(body.expires_in) * 1000;
    const expiresAt = lifetimeMs === undefined ? undefined : started + lifetimeMs;
    const margin =
      lifetimeMs === undefined
        ? 0
        : Math.min(this.#options.refreshMarginMs ?? 60_000, Math.floor(lifetimeMs / 5));
    const token: IssuedToken = {
      header: `Bearer ${body.access_token}`,
      expiresAt,
      refreshAt: expiresAt === undefined ? undefined : expiresAt - margin,
    };
    const refreshed = this.#token !== undefined;
    this.#token = token;
    this.#options.logger?.info(
      {
        tokenEndpoint: redactUrl(tokenEndpoint),
        clientId,
        scope,
        expiresInMs: lifetimeMs,
        ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
      },
      refreshed ? 'catalog token refreshed' : 'catalog token issued',
    );
    return token;
  }

  #rejection(status: number, text: string): CatalogError {
    const { tokenEndpoint, clientId } = this.#options;
    let code: string | undefined;
    let description: string | undefined;
    try {
      const json = parseJson(text);
      const oauth = oauthErrorSchema.safeParse(json);
      if (oauth.success) {
        code = oauth.data.error;
        description = oauth.data.error_description;
      } else {
        const model = errorModelSchema.safeParse(json);
        if (model.success) {
          code = model.data.error.type;
          description = model.data.error.message;
        }
      }
    } catch {
      description = text.slice(0, 200) || undefined;
    }
    const endpoint = redactUrl(tokenEndpoint);
    const fix =
      code === 'MissingOrInvalidRealm'
        ? 'Polaris does not know the realm of this request: add the Polaris-Realm header (Polaris-Realm: <realm>, e.g. POLARIS) to catalog.headers in floe.yaml'
        : status === 401 || status === 400 || code === 'invalid_client'
          ? 'check catalog.credential.client_id / catalog.credential.client_secret in floe.yaml (and catalog.scope)'
          : status === 404
            ? 'check catalog.oauth2_server_uri (Polaris: <uri>/api/catalog/v1/oauth/tokens)'
            : 'check the token endpoint and the identity provider logs';
    const said = [code, description].filter((part) => part !== undefined).join(': ');
    const message = this.#scrub(
      `catalog rejected client_id '${clientId}' at ${endpoint} (HTTP ${status}${said ? ` ${said}` : ''}): ${fix}`,
    );
    return new CatalogError('token-request-failed', message, {
      retryable: status === 429 || status >= 500,
      context: {
        tokenEndpoint: endpoint,
        clientId,
        status,
        oauthError: code,
        oauthErrorDescription: description === undefined ? undefined : this.#scrub(description),
      },
    });
  }

  // Defensive: some identity providers echo request fields in their error text.
  #scrub(text: string): string {
    const secret = this.#options.clientSecret;
    return secret.length >= 4 ? text.split(secret).join('***') : text;
  }

  #scrubbed(error: unknown): unknown {
    if (!(error instanceof CatalogError)) return error;
    const scrubbedMessage = this.#scrub(error.message);
    if (scrubbedMessage === error.message) return error;
    return new CatalogError(error.kind, scrubbedMessage, {
      retryable: error.retryable,
      context: error.context,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `client_id:client_secret` (the PyIceberg/Spark `credential` form) split into its two parts. */
export function splitCredential(credential: string): { clientId: string; clientSecret: string } {
  const colon = credential.indexOf(':');
  if (colon <= 0 || colon === credential.length - 1) {
    throw new CatalogError(
      'invalid-config',
      "catalog.credential must look like 'client_id:client_secret' (both parts non-empty)",
    );
  }
  return { clientId: credential.slice(0, colon), clientSecret: credential.slice(colon + 1) };
}
