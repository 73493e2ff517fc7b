// Checks that the S3 endpoint answers and the staging bucket exists and is reachable with the
// configured credentials (HeadBucket: cheap, needs only s3:ListBucket). The SDK's error shapes
// are mapped to what the user should change in floe.yaml.
import { HeadBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { CompiledArtifacts } from '@floe/config';
import { elapsedSince, type ServiceCheck } from './service-check.ts';

interface SdkError extends Error {
  code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

function s3ClientConfig(storage: CompiledArtifacts['storage'], timeoutMs: number): S3ClientConfig {
  const config: S3ClientConfig = {
    region: storage.region,
    forcePathStyle: storage.path_style,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  };
  if (storage.endpoint !== undefined) config.endpoint = storage.endpoint;
  if (storage.access_key_id !== undefined && storage.secret_access_key !== undefined) {
    config.credentials = {
      accessKeyId: storage.access_key_id,
      secretAccessKey: storage.secret_access_key,
      ...(storage.session_token === undefined ? {} : { sessionToken: storage.session_token }),
    };
  }
  return config;
}

function errorCode(error: SdkError): string | undefined {
  const cause = error.cause as { code?: string } | undefined;
  return error.code ?? cause?.code;
}

function explainS3Failure(error: SdkError, storage: CompiledArtifacts['storage'], timeoutMs: number): string {
  const where = storage.endpoint ?? `AWS S3 (${storage.region})`;
  const bucket = storage.staging.bucket;
  const status = error.$metadata?.httpStatusCode;
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') {
    return `S3 endpoint ${where} refused the connection: is it running? (local stack: \`npm run stack:up\`)`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `S3 endpoint ${where} was not found (DNS ${code}): check storage.endpoint`;
  }
  if (error.name === 'TimeoutError' || code === 'ETIMEDOUT' || error.name === 'RequestTimeout') {
    return `S3 endpoint ${where} did not answer within ${timeoutMs} ms: check storage.endpoint and the network`;
  }
  if (error.name === 'CredentialsProviderError') {
    return 'no S3 credentials found: set storage.access_key_id and storage.secret_access_key, or configure the AWS default credential chain';
  }
  if (status === 404 || error.name === 'NotFound' || error.name === 'NoSuchBucket') {
    return `staging bucket "${bucket}" does not exist at ${where}: create it, or fix storage.staging.bucket`;
  }
  if (status === 403) {
    const keyId =
      storage.access_key_id === undefined
        ? 'the default AWS credentials'
        : `access key id "${storage.access_key_id}"`;
    return `S3 at ${where} denied access to bucket "${bucket}" for ${keyId}: check storage.access_key_id / storage.secret_access_key and the bucket policy`;
  }
  if (status === 301 || error.name === 'PermanentRedirect') {
    return `bucket "${bucket}" is in another region than ${storage.region}: fix storage.region`;
  }
  if (status === 400 && storage.endpoint !== undefined && !storage.path_style) {
    return `S3 at ${where} rejected the request (400): S3-compatible servers usually need storage.path_style: true`;
  }
  return `S3 at ${where} failed on bucket "${bucket}" (${status ?? code ?? error.name}): check the storage section`;
}

export const s3StagingCheck: ServiceCheck = {
  name: 's3',
  async run(artifacts, { timeoutMs, logger }) {
    const storage = artifacts.storage;
    if (storage.staging.location !== undefined) return checkLocalStaging(storage.staging.location);
    const where = storage.endpoint ?? `AWS S3 (${storage.region})`;
    const start = process.hrtime.bigint();
    const client = new S3Client(s3ClientConfig(storage, timeoutMs));
    try {
      await client.send(new HeadBucketCommand({ Bucket: storage.staging.bucket }));
      return {
        ok: true,
        message: `S3 at ${where} answered; staging bucket "${storage.staging.bucket}" exists (${elapsedSince(start)})`,
      };
    } catch (error) {
      logger.debug({ err: error, check: 's3' }, 's3 check failed');
      return { ok: false, message: explainS3Failure(error as SdkError, storage, timeoutMs) };
    } finally {
      client.destroy();
    }
  },
};

/** Local staging (`storage.staging.location: file:///…`): the folder exists or can be made, and is writable. */
async function checkLocalStaging(location: string): Promise<{ ok: boolean; message: string }> {
  const { access, constants, mkdir } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const path = fileURLToPath(location);
  try {
    await mkdir(path, { recursive: true });
    await access(path, constants.W_OK);
    return { ok: true, message: `local staging folder ${path} is writable` };
  } catch (error) {
    return {
      ok: false,
      message: `local staging folder ${path} is not writable (${(error as { code?: string }).code ?? (error as Error).message}): fix storage.staging.location or the folder's permissions`,
    };
  }
}
