// Turns AWS SDK failures into IcebergErrors a worker can act on. The one distinction that matters
// most to an operator is "storage said no to our credentials" (kind 'storage-auth', not
// retryable, message names the bucket/key and what to check) versus "the object is not there"
// ('not-found') versus "try again" (retryable 'io' for 5xx, throttling and network failures).
// Messages may name the access key id, never the secret or the session token.

import { IcebergError } from '../errors.ts';
import type { S3Location } from './s3-location.ts';

export type S3Operation = 'read' | 'write' | 'stat' | 'delete' | 'list';

interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'InvalidSecurity',
  'CredentialsProviderError',
  'Forbidden',
]);
const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);
const TRANSIENT_CODES = new Set([
  'SlowDown',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'TimeoutError',
  'RequestAbortedError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'XMinioServerNotInitialized',
]);

export interface S3ErrorDetails {
  readonly operation: S3Operation;
  readonly location: string;
  readonly target: Pick<S3Location, 'bucket' | 'key'>;
  /** Access key id in use, if known: safe to show and the first thing a user checks. */
  readonly accessKeyId?: string;
}

export function mapS3Error(error: unknown, details: S3ErrorDetails): IcebergError {
  if (error instanceof IcebergError) return error;
  const sdk = (error ?? {}) as SdkErrorShape;
  const status = sdk.$metadata?.httpStatusCode;
  const code = sdk.Code ?? sdk.code ?? sdk.name ?? 'UnknownError';
  const { operation, location, target } = details;
  const context = { location, bucket: target.bucket, key: target.key, operation, status, code };

  if (AUTH_CODES.has(code) || status === 401 || status === 403) {
    const who = details.accessKeyId === undefined ? '' : ` for access key id '${details.accessKeyId}'`;
    return new IcebergError(
      'storage-auth',
      `storage rejected the credentials${who} on ${operation} of s3://${target.bucket}/${target.key} ` +
        `(${status ?? 'no status'} ${code}): check s3.access-key-id / s3.secret-access-key / s3.session-token ` +
        `(or the catalog's vended credentials) and that they may ${operation} in bucket '${target.bucket}'`,
      {
        retryable: false,
        context: { ...context, accessKeyId: details.accessKeyId },
        cause: stripSecrets(error),
      },
    );
  }
  if (NOT_FOUND_CODES.has(code) || status === 404) {
    const what = code === 'NoSuchBucket' ? `bucket '${target.bucket}' does not exist` : `file not found`;
    return new IcebergError('not-found', `${what}: ${location}`, { retryable: false, context, cause: error });
  }
  if (status === 416 || code === 'InvalidRange') {
    return new IcebergError('invalid-argument', `byte range is outside ${location}`, {
      context,
      cause: error,
    });
  }
  const transient =
    TRANSIENT_CODES.has(code) ||
    status === undefined ||
    status >= 500 ||
    status === 429 ||
    sdk.$retryable !== undefined;
  return new IcebergError(
    'io',
    `S3 ${operation} of ${location} failed (${status ?? 'no response'} ${code}): ${sdk.message ?? String(error)}`,
    { retryable: transient, context, cause: error },
  );
}

/** Keeps the SDK error as a cause without anything that could echo a signature or token. */
function stripSecrets(error: unknown): Error {
  const sdk = (error ?? {}) as SdkErrorShape;
  return new Error(`${sdk.name ?? 'Error'}: ${sdk.Code ?? sdk.code ?? ''}`.trim());
}
