// The one mapping from floe.yaml sections (snake_case, as in CompiledArtifacts) to the options the
// clients take: `catalog:` → @floe/catalog's `CatalogOptions` (REST or SQL, camelCase), `storage:` → the
// `s3.*` FileIO properties of @floe/iceberg (catalog-vended config is merged over these). Every
// app builds its clients through here, so a new config key is wired in one place. Only types are
// imported from the catalog library, so loading the config never loads the format library.
import type {
  CatalogCallObserver,
  CatalogLogger,
  CatalogOptions,
  CatalogRetryOptions,
  RestCatalogOptions,
} from '@floe/catalog';
import type { CatalogConfig } from './schema/catalog.ts';
import type { StorageConfig } from './schema/storage.ts';

export interface CatalogClientOverrides {
  /** Replaces fields of the configured retry policy (e.g. one quick attempt for a health check). */
  readonly retry?: CatalogRetryOptions;
  readonly logger?: CatalogLogger;
  /** Told about every catalog HTTP exchange (the workers count them in Prometheus). */
  readonly onCall?: CatalogCallObserver;
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
    type: 'rest',
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
    ...(overrides.onCall === undefined ? {} : { onCall: overrides.onCall }),
  };
}

/**
 * Options for `createCatalog` (@floe/catalog): the REST client's, or for `type: sql` the SQL
 * catalog's — its metadata files are written with the storage section's S3 properties.
 */
export function catalogOptionsFrom(
  catalog: CatalogConfig,
  storage: StorageConfig,
  overrides: CatalogClientOverrides = {},
): CatalogOptions {
  if (catalog.type === 'rest') return restCatalogOptionsFrom(catalog, overrides);
  return {
    type: 'sql',
    uri: catalog.uri,
    warehouse: catalog.warehouse,
    name: catalog.name,
    properties: s3PropertiesFrom(storage),
    ...(overrides.logger === undefined ? {} : { logger: overrides.logger }),
  };
}

/** The storage section as FileIO `s3.*` properties. */
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
