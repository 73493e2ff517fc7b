// Objects the maintenance tests plant in the warehouse bucket behind floe's back: an orphan under
// a table's location (what a crashed writer leaves behind: cleanup must leave it alone while it
// is young and delete it once older than the threshold), and an object under a sibling prefix
// that merely starts with the table's name (`events` vs `events-sibling`: never touched).
// Plain S3 calls against the stack's MinIO, independent of floe's FileIO.
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StackEnv } from '@floe/test-support';

export interface PlantedObjects {
  /** Writes a few random bytes at `uri` (s3://bucket/key). */
  plant(uri: string): Promise<void>;
  exists(uri: string): Promise<boolean>;
  close(): void;
}

function split(uri: string): { Bucket: string; Key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (match === null) throw new Error(`'${uri}' is not an s3://bucket/key URI`);
  return { Bucket: match[1] as string, Key: match[2] as string };
}

export function plantedObjects(stack: StackEnv): PlantedObjects {
  const s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: stack.s3Region,
    forcePathStyle: true,
    credentials: { accessKeyId: stack.s3AccessKeyId, secretAccessKey: stack.s3SecretAccessKey },
  });
  return {
    async plant(uri) {
      await s3.send(new PutObjectCommand({ ...split(uri), Body: randomBytes(64) }));
    },
    async exists(uri) {
      try {
        await s3.send(new HeadObjectCommand(split(uri)));
        return true;
      } catch (error) {
        if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return false;
        throw error;
      }
    },
    close: () => s3.destroy(),
  };
}
