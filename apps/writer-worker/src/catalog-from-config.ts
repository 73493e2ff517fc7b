// Maps floe.yaml's `catalog:` section (snake_case, as in CompiledArtifacts) to the
// `RestCatalogOptions` of @floe/catalog, and `storage:` to the `s3.*` FileIO properties the
// format library reads. The CLI has the same catalog mapping; it is repeated here (not imported)
// so the worker does not depend on the CLI — both should move next to the client eventually.
import type { CatalogLogger, CatalogRetryOptions, RestCatalogOptions } from '@floe/catalog';
import type { CatalogConfig, StorageConfig } from '@floe/config';

export function restCatalogOptionsFrom(catalog: CatalogConfig, logger?: CatalogLogger): RestCatalogOptions {
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
    ...(logger === undefined ? {} : { logger }),
  };
}

/** The storage section as FileIO `s3.*` properties (catalog-vended config is merged over these). */
export function s3PropertiesFrom(storage: StorageConfig): Record<string, string> {
  return {
    'client.region': storage.region,
    's3.path-style-access': String(storage.path_style),
    ...(storage.endpoint === undefined ? {} : { 's3.endpoint': storage.endpoint }),
    ...(storage.access_key_id === undefined ? {} : { 's3.access-key-id': storage.access_key_id }),
    ...(storage.secret_access_key === undefined ? {} : { 's3.secret-access-key': storage.secret_access_key }),
    ...(storage.session_token === undefined ? {} : { 's3.session-token': storage.session_token }),
  };
}
