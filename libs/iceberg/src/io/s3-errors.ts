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

/** What an S3 SDK failure means, before anyone words it for a user. */
export interface S3Failure {
  readonly kind: 'auth' | 'not-found' | 'invalid-range' | 'other';
  readonly code: string;
  readonly status: number | undefined;
  /** For `other`: whether trying again can help (5xx, throttling, network, SDK-retryable). */
  readonly transient: boolean;
  readonly message: string;
}

/** Classifies an S3 SDK failure; shared by the FileIO and the writer's staged-object reader. */
export function classifyS3Failure(error: unknown): S3Failure {
  const sdk = (error ?? {}) as SdkErrorShape;
  const status = sdk.$metadata?.httpStatusCode;
  const code = sdk.Code ?? sdk.code ?? sdk.name ?? 'UnknownError';
  const message = sdk.message ?? String(error);
  const transient =
    TRANSIENT_CODES.has(code) ||
    status === undefined ||
    status >= 500 ||
    status === 429 ||
    sdk.$retryable !== undefined;
  const kind =
    AUTH_CODES.has(code) || status === 401 || status === 403
      ? 'auth'
      : NOT_FOUND_CODES.has(code) || status === 404
        ? 'not-found'
        : status === 416 || code === 'InvalidRange'
          ? 'invalid-range'
          : 'other';
  return { kind, code, status, transient, message };
}

export interface S3ErrorDetails {
  readonly operation: S3Operation;
  readonly location: string;
  readonly target: Pick<S3Location, 'bucket' | 'key'>;
  /** Access key id in use, if known: safe to show and the first thing a user checks. */
  readonly accessKeyId?: string;
}

export function mapS3Error(error: unknown, details: S3ErrorDetails): IcebergError {
  if (error instanceof IcebergError) return error;
  const failure = classifyS3Failure(error);
  const { status, code } = failure;
  const { operation, location, target } = details;
  const context = { location, bucket: target.bucket, key: target.key, operation, status, code };

  if (failure.kind === 'auth') {
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
  if (failure.kind === 'not-found') {
    const what = code === 'NoSuchBucket' ? `bucket '${target.bucket}' does not exist` : `file not found`;
    return new IcebergError('not-found', `${what}: ${location}`, { retryable: false, context, cause: error });
  }
  if (failure.kind === 'invalid-range') {
    return new IcebergError('invalid-argument', `byte range is outside ${location}`, {
      context,
      cause: error,
    });
  }
  return new IcebergError(
    'io',
    `S3 ${operation} of ${location} failed (${status ?? 'no response'} ${code}): ${failure.message}`,
    { retryable: failure.transient, context, cause: error },
  );
}

/** Keeps the SDK error as a cause without anything that could echo a signature or token. */
function stripSecrets(error: unknown): Error {
  const sdk = (error ?? {}) as SdkErrorShape;
  return new Error(`${sdk.name ?? 'Error'}: ${sdk.Code ?? sdk.code ?? ''}`.trim());
}
