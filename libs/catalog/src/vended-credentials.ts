// Vended storage credentials: with `X-Iceberg-Access-Delegation: vended-credentials`, a catalog
// such as Polaris returns short-lived S3 credentials scoped to a table, in the load response's
// `config` (`s3.access-key-id`, `s3.secret-access-key`, `s3.session-token`,
// `s3.session-token-expires-at-ms`) and/or its `storage-credentials` list (one config per
// location prefix — the longest matching prefix wins). This module picks the right set for a
// location and wraps it in a provider the storage layer calls before each use; the provider
// re-fetches from the catalog a margin before the session token expires (one fetch in flight
// at a time; through the table's `client.refresh-credentials-endpoint` when the catalog names
// one) and also exposes the AWS SDK's credential-provider function shape.

import type { JsonObject } from './internal/json-shapes.ts';

export interface StorageCredentials {
  /** Storage location prefix these credentials are valid for (`s3://bucket/warehouse/db/t`). */
  readonly prefix: string;
  readonly config: Readonly<Record<string, string>>;
}

/** S3 credentials in the form the AWS SDK wants, plus the endpoint hints a catalog may vend. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When the session token expires, if the catalog said. */
  readonly expiration?: Date;
  readonly endpoint?: string;
  readonly region?: string;
  readonly forcePathStyle?: boolean;
}

/** What one catalog round trip yields: the table-level config and the per-prefix credentials. */
export interface VendedCredentialsSource {
  readonly location: string | undefined;
  readonly config: Readonly<Record<string, string>>;
  readonly storageCredentials: readonly StorageCredentials[];
}

export interface VendedCredentialsProvider {
  /** Credentials for `location` (default the table location); undefined when none were vended. */
  resolve(location?: string): Promise<S3Credentials | undefined>;
  /** AWS SDK `AwsCredentialIdentityProvider`-compatible function (pass as `credentials`). */
  readonly awsCredentialProvider: () => Promise<S3Credentials>;
  /** How many times credentials were fetched from the catalog (diagnostics, tests). */
  readonly fetchCount: number;
}

/** The config that applies to `location`: the longest matching storage-credentials prefix, else the table config. */
export function storageConfigFor(
  location: string | undefined,
  source: Pick<VendedCredentialsSource, 'config' | 'storageCredentials'>,
): Readonly<Record<string, string>> {
  let best: StorageCredentials | undefined;
  if (location !== undefined) {
    for (const candidate of source.storageCredentials) {
      if (
        location.startsWith(candidate.prefix) &&
        (best === undefined || candidate.prefix.length > best.prefix.length)
      ) {
        best = candidate;
      }
    }
  }
  // With no location to match, a single vended set is unambiguous.
  if (best === undefined && location === undefined && source.storageCredentials.length === 1) {
    best = source.storageCredentials[0];
  }
  return best === undefined ? source.config : { ...source.config, ...best.config };
}

/** Reads the `s3.*` credential keys of a config; undefined when it holds no key pair. */
export function s3CredentialsFromConfig(config: Readonly<Record<string, string>>): S3Credentials | undefined {
  const accessKeyId = config['s3.access-key-id'];
  const secretAccessKey = config['s3.secret-access-key'];
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const expiresAtMs = config['s3.session-token-expires-at-ms'];
  const expiration = expiresAtMs === undefined ? undefined : new Date(Number(expiresAtMs));
  const region = config['client.region'] ?? config['s3.region'];
  const pathStyle = config['s3.path-style-access'];
  return {
    accessKeyId,
    secretAccessKey,
    ...(config['s3.session-token'] === undefined ? {} : { sessionToken: config['s3.session-token'] }),
    ...(expiration === undefined || Number.isNaN(expiration.getTime()) ? {} : { expiration }),
    ...(config['s3.endpoint'] === undefined ? {} : { endpoint: config['s3.endpoint'] }),
    ...(region === undefined ? {} : { region }),
    ...(pathStyle === undefined ? {} : { forcePathStyle: pathStyle === 'true' }),
  };
}

/** The table location recorded in table metadata, if any. */
export function tableLocationOf(metadata: JsonObject): string | undefined {
  const location = metadata['location'];
  return typeof location === 'string' ? location : undefined;
}

/** The config key naming where a table's credentials can be refreshed (Iceberg's AWS client property). */
export const REFRESH_CREDENTIALS_ENDPOINT = 'client.refresh-credentials-endpoint';

/**
 * The absolute URL of the refresh endpoint a table's config names, resolved against the catalog
 * URI (Polaris sends a path relative to it: `v1/<prefix>/namespaces/…/credentials`). An absolute
 * URL on another origin is ignored: the catalog's bearer token must not go anywhere else.
 */
export function refreshEndpointOf(source: VendedCredentialsSource, catalogUri: string): string | undefined {
  const named =
    source.config[REFRESH_CREDENTIALS_ENDPOINT] ??
    source.storageCredentials
      .map((credentials) => credentials.config[REFRESH_CREDENTIALS_ENDPOINT])
      .find(Boolean);
  if (named === undefined || named.trim() === '') return undefined;
  const base = catalogUri.replace(/\/+$/, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(named)) return `${base}/${named.replace(/^\/+/, '')}`;
  try {
    return new URL(named).origin === new URL(base).origin ? named : undefined;
  } catch {
    return undefined;
  }
}

/** When the credentials that apply to the source's table location expire, if the catalog said. */
export function credentialsExpiry(source: VendedCredentialsSource): Date | undefined {
  return s3CredentialsFromConfig(storageConfigFor(source.location, source))?.expiration;
}

export interface RefreshingCredentialsOptions {
  /** Fetches fresh credentials; gets the current source (undefined before the first fetch). */
  readonly fetch: (previous: VendedCredentialsSource | undefined) => Promise<VendedCredentialsSource>;
  /** Describes the table in error messages. */
  readonly table: string;
  readonly refreshMarginMs?: number;
  readonly initial?: VendedCredentialsSource;
  readonly now?: () => number;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

export class RefreshingCredentialsProvider implements VendedCredentialsProvider {
  readonly #options: RefreshingCredentialsOptions;
  readonly #now: () => number;
  #source: VendedCredentialsSource | undefined;
  #fetchedAt = 0;
  #inflight: Promise<VendedCredentialsSource> | undefined;
  #fetches = 0;

  constructor(options: RefreshingCredentialsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    if (options.initial !== undefined) {
      this.#source = options.initial;
      this.#fetchedAt = this.#now();
    }
  }

  get fetchCount(): number {
    return this.#fetches;
  }

  readonly awsCredentialProvider = async (): Promise<S3Credentials> => {
    const credentials = await this.resolve();
    if (credentials === undefined) {
      throw new Error(
        `the catalog vended no S3 credentials for ${this.#options.table}: set catalog.access_delegation to 'vended-credentials' and check the catalog's storage configuration`,
      );
    }
    return credentials;
  };

  async resolve(location?: string): Promise<S3Credentials | undefined> {
    let source = this.#source;
    if (source === undefined || this.#isDue(source, location)) source = await this.#refresh();
    return s3CredentialsFromConfig(storageConfigFor(location ?? source.location, source));
  }

  #isDue(source: VendedCredentialsSource, location: string | undefined): boolean {
    const credentials = s3CredentialsFromConfig(storageConfigFor(location ?? source.location, source));
    const expiresAt = credentials?.expiration?.getTime();
    if (expiresAt === undefined) return false;
    const lifetime = Math.max(0, expiresAt - this.#fetchedAt);
    const margin = Math.min(this.#options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS, lifetime / 2);
    return this.#now() >= expiresAt - margin;
  }

  #refresh(): Promise<VendedCredentialsSource> {
    if (this.#inflight === undefined) {
      this.#fetches++;
      this.#inflight = this.#options
        .fetch(this.#source)
        .then((source) => {
          this.#source = source;
          this.#fetchedAt = this.#now();
          return source;
        })
        .finally(() => {
          this.#inflight = undefined;
        });
    }
    return this.#inflight;
  }
}
