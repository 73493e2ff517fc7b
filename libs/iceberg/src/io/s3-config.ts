// Reads S3 client settings from Iceberg FileIO properties, the same keys PyIceberg and the REST
// catalog use (`s3.endpoint`, `s3.access-key-id`, `client.region`, …). Catalogs that vend
// credentials (Polaris with X-Iceberg-Access-Delegation) return these keys in loadTable's
// `config`; a catalog that can refresh them passes a credentials *provider* instead, which the
// SDK calls again before `expiration`.

import { IcebergError } from '../errors.ts';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Called by the SDK whenever it needs credentials (again before they expire). */
export type S3CredentialsProvider = () => Promise<S3Credentials>;

export interface S3ClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  /** Absent: the SDK's default chain (env, profile, instance role). */
  readonly credentials?: S3Credentials;
}

export const S3_PROPERTIES = {
  accessKeyId: 's3.access-key-id',
  secretAccessKey: 's3.secret-access-key',
  sessionToken: 's3.session-token',
  sessionTokenExpiresAtMs: 's3.session-token-expires-at-ms',
  endpoint: 's3.endpoint',
  pathStyleAccess: 's3.path-style-access',
  region: 'client.region',
  s3Region: 's3.region',
} as const;

export function s3SettingsFromProperties(properties: Readonly<Record<string, string>>): S3ClientSettings {
  const accessKeyId = properties[S3_PROPERTIES.accessKeyId];
  const secretAccessKey = properties[S3_PROPERTIES.secretAccessKey];
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? S3_PROPERTIES.accessKeyId : S3_PROPERTIES.secretAccessKey;
    throw new IcebergError(
      'invalid-argument',
      `incomplete S3 credentials: ${missing} is missing (set both s3.access-key-id and s3.secret-access-key, or neither to use the default AWS credential chain)`,
      { context: { missing } },
    );
  }
  const endpoint = properties[S3_PROPERTIES.endpoint];
  const pathStyle = properties[S3_PROPERTIES.pathStyleAccess];
  const settings: {
    region: string;
    forcePathStyle: boolean;
    endpoint?: string;
    credentials?: S3Credentials;
  } = {
    region: properties[S3_PROPERTIES.region] ?? properties[S3_PROPERTIES.s3Region] ?? 'us-east-1',
    forcePathStyle: parseBoolean(S3_PROPERTIES.pathStyleAccess, pathStyle) ?? false,
  };
  if (endpoint !== undefined) settings.endpoint = endpoint;
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = properties[S3_PROPERTIES.sessionToken];
    const expiresAt = properties[S3_PROPERTIES.sessionTokenExpiresAtMs];
    settings.credentials = {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken === undefined ? {} : { sessionToken }),
      ...(expiresAt === undefined ? {} : { expiration: parseExpiry(expiresAt) }),
    };
  }
  return settings;
}

function parseBoolean(key: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lowered = value.trim().toLowerCase();
  if (lowered === 'true') return true;
  if (lowered === 'false') return false;
  throw new IcebergError('invalid-argument', `${key} must be 'true' or 'false', got '${value}'`, {
    context: { key, value },
  });
}

function parseExpiry(value: string): Date {
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new IcebergError(
      'invalid-argument',
      `${S3_PROPERTIES.sessionTokenExpiresAtMs} must be epoch milliseconds, got '${value}'`,
      { context: { key: S3_PROPERTIES.sessionTokenExpiresAtMs, value } },
    );
  }
  return new Date(ms);
}
