// Shared set-up of the writer's in-process integration tests on the real stack: floe.yaml's
// storage section for the local MinIO (staging under `staging/`) and a plain S3 client the test
// stages objects with.
import { S3Client } from '@aws-sdk/client-s3';
import type { StorageConfig } from '@floe/config';
import type { StackEnv } from '@floe/test-support';

export function stackStorage(stack: StackEnv, maxStagedObjectBytes: number): StorageConfig {
  return {
    endpoint: stack.s3Endpoint,
    region: stack.s3Region,
    path_style: true,
    access_key_id: stack.s3AccessKeyId,
    secret_access_key: stack.s3SecretAccessKey,
    staging: { bucket: stack.stagingBucket, prefix: 'staging/' },
    max_staged_object_bytes: maxStagedObjectBytes,
  } as StorageConfig;
}

export function stackS3Client(stack: StackEnv): S3Client {
  return new S3Client({
    endpoint: stack.s3Endpoint,
    region: stack.s3Region,
    forcePathStyle: true,
    credentials: { accessKeyId: stack.s3AccessKeyId, secretAccessKey: stack.s3SecretAccessKey },
  });
}
