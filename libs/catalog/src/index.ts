// @floe/catalog: public entry point. Curated exports only; internals stay under src/internal.

export type { AuthManager } from './auth/auth-manager.ts';
export { BearerTokenAuthManager, NoAuthManager } from './auth/auth-manager.ts';
export {
  DEFAULT_OAUTH_SCOPE,
  OAuth2ClientCredentialsAuthManager,
  type OAuth2ClientCredentialsOptions,
  splitCredential,
} from './auth/oauth2-client-credentials.ts';
export type {
  Catalog,
  CommitTableRequest,
  CommitTableResult,
  CreateNamespaceOptions,
  CreateNamespaceResult,
  CreateTableRequest,
  CreateTableResult,
  DropTableOptions,
  LoadedTable,
  LoadTableOptions,
  Namespace,
  NamespaceInfo,
  NamespaceInput,
  NamespacePropertyChangeReport,
  NamespacePropertyChanges,
  RegisterTableOptions,
  TableIdentifier,
  TableIdentifierInput,
} from './catalog.ts';
export { type CatalogCommitterOptions, catalogCommitter, tableMetadataOf } from './committer.ts';
export { type CatalogOptions, createCatalog } from './create-catalog.ts';
export { ENDPOINTS, type Endpoint, type EndpointId, endpointKey } from './endpoints.ts';
export { errorRuleFor } from './error-maps.ts';
export { CatalogError, type CatalogErrorContext, type CatalogErrorKind, isCatalogError } from './errors.ts';
export { formatNamespace, formatTable, toNamespace, toTableIdentifier } from './identifiers.ts';
export type { JsonObject } from './internal/json-shapes.ts';
export {
  type AccessDelegation,
  type CatalogRetryOptions,
  type CircuitBreakerOptions,
  DEFAULT_RETRY,
  type RestCatalogOptions,
} from './options.ts';
export {
  DATA_COMPACTION_POLICY,
  describePolicy,
  type MaintenancePolicyType,
  METADATA_COMPACTION_POLICY,
  ORPHAN_FILE_REMOVAL_POLICY,
  SNAPSHOT_EXPIRY_POLICY,
  tablePoliciesFrom,
} from './policies.ts';
export type {
  ApplicablePolicy,
  CompactionPolicy,
  MaintenancePolicyBase,
  OrphanFileRemovalPolicy,
  SnapshotExpiryPolicy,
  TablePolicies,
} from './policy-types.ts';
export { createAuthManager, RestCatalog } from './rest-catalog.ts';
export { DEFAULT_SQL_CATALOG_NAME, SqlCatalog, type SqlCatalogOptions } from './sql/sql-catalog.ts';
export {
  type CatalogCallObservation,
  type CatalogCallObserver,
  type CatalogLogger,
  TRACER_NAME,
} from './telemetry.ts';
export {
  type S3Credentials,
  type StorageCredentials,
  s3CredentialsFromConfig,
  storageConfigFor,
  type VendedCredentialsProvider,
} from './vended-credentials.ts';
