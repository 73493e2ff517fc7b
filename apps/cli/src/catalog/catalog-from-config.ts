// The one mapping from floe.yaml's `catalog:` section (snake_case, as compiled into
// CompiledArtifacts) to `RestCatalogOptions` (camelCase) of @floe/catalog. Every CLI path that
// talks to the catalog — the `floe compile` check and the namespace/table commands — builds its
// client through here, so a new config key is wired in one place. It belongs next to the
// client in a shared library eventually (the writer and maintenance apps need the same
// mapping); it lives in the CLI until then. Only types are imported: loading @floe/catalog
// pulls in the Iceberg format library, which the CLI loads lazily.
import type { CatalogLogger, CatalogRetryOptions, RestCatalogOptions } from '@floe/catalog';
import type { CatalogConfig } from '@floe/config';

export interface CatalogClientOverrides {
  /** Replaces fields of the configured retry policy (the compile check wants one quick attempt). */
  readonly retry?: CatalogRetryOptions;
  readonly logger?: CatalogLogger;
}

export function restCatalogOptionsFrom(
  catalog: CatalogConfig,
  overrides: CatalogClientOverrides = {},
): RestCatalogOptions {
  const credential = catalog.credential;
  const retry: CatalogRetryOptions = {
    maxAttempts: catalog.retry.max_attempts,
    initialDelayMs: catalog.retry.initial_delay_ms,
    maxDelayMs: catalog.retry.max_delay_ms,
    timeoutMs: catalog.retry.timeout_ms,
    breaker: {
      threshold: catalog.retry.breaker.threshold,
      halfOpenAfterMs: catalog.retry.breaker.half_open_after_ms,
    },
    ...overrides.retry,
  };
  return {
    type: catalog.type,
    uri: catalog.uri,
    warehouse: catalog.warehouse,
    ...(catalog.prefix === undefined ? {} : { prefix: catalog.prefix }),
    ...(credential?.client_id === undefined ? {} : { clientId: credential.client_id }),
    ...(credential?.client_secret === undefined ? {} : { clientSecret: credential.client_secret }),
    ...(credential?.token === undefined ? {} : { token: credential.token }),
    scope: catalog.scope,
    ...(catalog.oauth2_server_uri === undefined ? {} : { tokenEndpoint: catalog.oauth2_server_uri }),
    accessDelegation: catalog.access_delegation,
    headers: catalog.headers,
    retry,
    ...(overrides.logger === undefined ? {} : { logger: overrides.logger }),
  };
}

/** How the client will authenticate, in words fit for a check line (never the secret). */
export function describeCatalogAuth(catalog: CatalogConfig): string {
  const credential = catalog.credential;
  if (credential?.client_id !== undefined) {
    const endpoint = catalog.oauth2_server_uri ?? `${catalog.uri.replace(/\/+$/, '')}/v1/oauth/tokens`;
    return `as client id "${credential.client_id}" (OAuth2 token from ${endpoint}, scope ${catalog.scope})`;
  }
  if (credential?.token !== undefined) return 'with the configured bearer token';
  return 'without credentials';
}
