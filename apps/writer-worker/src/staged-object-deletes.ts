// Deletes staged objects once the commit holding their rows is durable (DESIGN §5): a URI outside
// the staging area is never deleted (it comes back as a failure), S3 objects go in multi-object
// DeleteObjects requests (up to 1,000 keys each, per bucket) and local files one by one. Failures
// are returned, never thrown: a staged object left behind is garbage for the `staging` sweep, not
// lost data. `StagedObjectDeletes` coalesces the deletes asked for in one turn of the event loop —
// the jobs of one group commit settle together — into one request per bucket, so a busy writer
// pays one S3 request per commit for its staged objects instead of one per job.
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { outsideStagingArea, parseS3Uri, type StagingLocation, stagingAreaUri } from '@floe/jobs';
import { deleteLocalStaged, isLocalStagedUri } from './local-staged-objects.ts';

export interface StagedDeleteFailure {
  readonly uri: string;
  readonly error: string;
}

/** Most keys S3 takes in one DeleteObjects request. */
const MAX_KEYS_PER_REQUEST = 1000;

/** Deletes the staged objects `uris` now; returns the ones that could not be deleted. */
export async function deleteStagedObjects(
  client: S3Client,
  uris: readonly string[],
  area: StagingLocation,
): Promise<{ readonly failed: readonly StagedDeleteFailure[] }> {
  const failed: StagedDeleteFailure[] = [];
  const keysByBucket = new Map<string, Map<string, string>>();
  const local: string[] = [];
  for (const uri of new Set(uris)) {
    const problem = outsideStagingArea(uri, area);
    if (problem !== undefined) {
      failed.push({
        uri,
        error: `not deleted: outside the staging area ${stagingAreaUri(area)} (${problem})`,
      });
    } else if (isLocalStagedUri(uri)) {
      local.push(uri);
    } else {
      const { bucket, key } = parseS3Uri(uri);
      const keys = keysByBucket.get(bucket) ?? new Map<string, string>();
      keysByBucket.set(bucket, keys);
      keys.set(key, uri);
    }
  }
  const requests: Promise<void>[] = local.map(async (uri) => {
    try {
      await deleteLocalStaged(uri);
    } catch (error) {
      failed.push({ uri, error: messageOf(error) });
    }
  });
  for (const [bucket, keys] of keysByBucket) {
    const all = [...keys.keys()];
    for (let start = 0; start < all.length; start += MAX_KEYS_PER_REQUEST) {
      const chunk = all.slice(start, start + MAX_KEYS_PER_REQUEST);
      requests.push(deleteChunk(client, bucket, chunk, keys, failed));
    }
  }
  await Promise.all(requests);
  return { failed };
}

async function deleteChunk(
  client: S3Client,
  bucket: string,
  chunk: readonly string[],
  uriOf: ReadonlyMap<string, string>,
  failed: StagedDeleteFailure[],
): Promise<void> {
  try {
    const response = await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    for (const error of response.Errors ?? []) {
      const uri = error.Key === undefined ? undefined : uriOf.get(error.Key);
      if (uri !== undefined)
        failed.push({ uri, error: `${error.Code ?? 'Error'}: ${error.Message ?? ''}`.trim() });
    }
  } catch (error) {
    for (const key of chunk) failed.push({ uri: uriOf.get(key) as string, error: messageOf(error) });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface PendingDelete {
  readonly uris: readonly string[];
  readonly resolve: (failed: readonly StagedDeleteFailure[]) => void;
}

/** The process's staged-object deletes, coalesced per turn of the event loop. */
export class StagedObjectDeletes {
  private readonly client: S3Client;
  private readonly area: StagingLocation;
  private pending: PendingDelete[] = [];

  constructor(client: S3Client, area: StagingLocation) {
    this.client = client;
    this.area = area;
  }

  /** Deletes `uris` together with what else is asked for in this turn; resolves with this call's failures. */
  delete(uris: readonly string[]): Promise<readonly StagedDeleteFailure[]> {
    if (uris.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.pending.push({ uris, resolve });
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    let failed: readonly StagedDeleteFailure[];
    try {
      ({ failed } = await deleteStagedObjects(
        this.client,
        batch.flatMap((entry) => entry.uris),
        this.area,
      ));
    } catch (error) {
      // Not expected (failures are returned), but no job may wait forever on its clean-up.
      failed = batch.flatMap((entry) => entry.uris.map((uri) => ({ uri, error: messageOf(error) })));
    }
    const failures = new Map(failed.map((failure) => [failure.uri, failure]));
    for (const entry of batch) {
      entry.resolve(entry.uris.flatMap((uri) => failures.get(uri) ?? []));
    }
  }
}
