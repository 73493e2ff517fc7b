// Options of the REST catalog client. The shape mirrors the `catalog` section of floe.yaml
// (type, uri, warehouse, credential or client_id + client_secret, token, scope, token endpoint,
// access delegation, headers, retry) in camelCase, so @floe/config can map its compiled
// artifacts onto it one field at a time. Defaults live here, next to the fields they belong to.

import type { Dispatcher } from 'undici';
import type { AuthManager } from './auth/auth-manager.ts';
import { CatalogError } from './errors.ts';
import type { CatalogCallObserver, CatalogLogger } from './telemetry.ts';

export interface CircuitBreakerOptions {
  /** Consecutive failed attempts (network errors, timeouts, 5xx) that open the breaker. Default 5. */
  readonly threshold?: number;
  /** How long the breaker stays open before letting one probe through. Default 30 000 ms. */
  readonly halfOpenAfterMs?: number;
}

export interface CatalogRetryOptions {
  /** Attempts per request, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** First backoff delay (jittered). Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Cap on one backoff delay. Default 10 000 ms. */
  readonly maxDelayMs?: number;
  /** Timeout of one attempt (connect + response). Default 30 000 ms. */
  readonly timeoutMs?: number;
  readonly breaker?: CircuitBreakerOptions;
}

/** `none` sends no delegation header (the storage section's own credentials are used). */
export type AccessDelegation = 'vended-credentials' | 'remote-signing' | 'none';

export interface RestCatalogOptions {
  /** Only `rest` is implemented; present so a floe.yaml section can be passed as is. */
  readonly type?: 'rest';
  /** Name for logs and errors; default the URI. */
  readonly name?: string;
  /** Catalog base URI without `/v1`: `http://host:8181` or Polaris's `http://host:8181/api/catalog`. */
  readonly uri: string;
  /** Warehouse (Polaris: the catalog name), sent as `GET /v1/config?warehouse=`. */
  readonly warehouse?: string;
  /** Path prefix override; normally the catalog advertises it in `/v1/config`. */
  readonly prefix?: string;
  /** `client_id:client_secret` for OAuth2 client credentials. */
  readonly credential?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** A static bearer token (no refresh). */
  readonly token?: string;
  /** OAuth2 scope; default `PRINCIPAL_ROLE:ALL`. */
  readonly scope?: string;
  /** OAuth2 token endpoint; default `<uri>/v1/oauth/tokens`. */
  readonly tokenEndpoint?: string;
  /** Refresh OAuth2 tokens this long before expiry (capped at 1/5 of the lifetime). Default 60 s. */
  readonly tokenRefreshMarginMs?: number;
  /** Sent as `X-Iceberg-Access-Delegation` on table loads and creates. */
  readonly accessDelegation?: AccessDelegation;
  /** Refresh vended storage credentials this long before they expire. Default 5 min (capped at half the lifetime). */
  readonly credentialRefreshMarginMs?: number;
  /** Extra static headers on every catalog request (also the token request). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Client-side catalog properties; merged as defaults < these < server overrides. */
  readonly properties?: Readonly<Record<string, string>>;
  /** Page size asked for on list calls (servers may ignore it). */
  readonly pageSize?: number;
  readonly retry?: CatalogRetryOptions;
  readonly logger?: CatalogLogger;
  /** Told about every HTTP exchange (operation, status, duration), e.g. to count them in Prometheus. */
  readonly onCall?: CatalogCallObserver;
  /** A custom auth manager; wins over credential/token. */
  readonly auth?: AuthManager;
  /** A custom undici dispatcher (tests, proxies); default a keep-alive Agent owned by the client. */
  readonly dispatcher?: Dispatcher;
}

export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerHalfOpenAfterMs: number;
}

export const DEFAULT_RETRY: ResolvedRetryOptions = {
  maxAttempts: 5,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  timeoutMs: 30_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
};

export function resolveRetryOptions(retry: CatalogRetryOptions | undefined): ResolvedRetryOptions {
  const resolved: ResolvedRetryOptions = {
    maxAttempts: retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    initialDelayMs: retry?.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs,
    maxDelayMs: retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    timeoutMs: retry?.timeoutMs ?? DEFAULT_RETRY.timeoutMs,
    breakerThreshold: retry?.breaker?.threshold ?? DEFAULT_RETRY.breakerThreshold,
    breakerHalfOpenAfterMs: retry?.breaker?.halfOpenAfterMs ?? DEFAULT_RETRY.breakerHalfOpenAfterMs,
  };
  const positive: (keyof ResolvedRetryOptions)[] = ['maxAttempts', 'timeoutMs', 'breakerThreshold'];
  for (const key of positive) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new CatalogError(
        'invalid-config',
        `catalog.retry: ${key} must be a positive integer, got ${resolved[key]}`,
      );
    }
  }
  const nonNegative: (keyof ResolvedRetryOptions)[] = [
    'initialDelayMs',
    'maxDelayMs',
    'breakerHalfOpenAfterMs',
  ];
  for (const key of nonNegative) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) {
      throw new CatalogError(
        'invalid-config',
        `catalog.retry: ${key} must be zero or more, got ${resolved[key]}`,
      );
    }
  }
  if (resolved.maxDelayMs < resolved.initialDelayMs) {
    throw new CatalogError(
      'invalid-config',
      `catalog.retry: maxDelayMs (${resolved.maxDelayMs}) must not be below initialDelayMs (${resolved.initialDelayMs})`,
    );
  }
  return resolved;
}
