// Queue names and the staging key layout shared by producers (TS and Python) and workers.
// Staged objects live under a date prefix so the staging cleanup can find old ones by listing.

export const DEFAULT_QUEUE_PREFIX = 'floe';
export const DEFAULT_WRITE_QUEUE = 'floe-write';
export const DEFAULT_MAINTENANCE_QUEUE = 'floe-maintenance';

/** Job name used for every write job on the write queue. */
export const WRITE_JOB_NAME = 'write';

export interface StagingLocation {
  /** The staging bucket; ignored when `localRoot` is set. */
  readonly bucket: string;
  /** Local staging (one machine): `file:///abs/folder`, instead of a bucket. */
  readonly localRoot?: string | undefined;
  /** key prefix without a trailing slash, e.g. `floe/staging` */
  readonly prefix: string;
}

/** `<prefix>/<yyyy-mm-dd>/<idempotencyKey>/part-00000.arrows` */
export function stagingKey(
  location: StagingLocation,
  idempotencyKey: string,
  part: number,
  at: Date = new Date(),
): string {
  const day = at.toISOString().slice(0, 10);
  const base = location.prefix.replace(/\/+$/, '');
  return `${base ? `${base}/` : ''}${day}/${idempotencyKey}/part-${String(part).padStart(5, '0')}.arrows`;
}

export function stagingUri(location: StagingLocation, key: string): string {
  if (location.localRoot !== undefined) return `${location.localRoot.replace(/\/+$/, '')}/${key}`;
  return `s3://${location.bucket}/${key}`;
}

/** Parses `s3://bucket/key` (and `s3a://`) into bucket and key. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3a?:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`'${uri}' is not an s3://bucket/key URI`);
  return { bucket: match[1] as string, key: match[2] as string };
}
