// Parses object-store locations. Iceberg tables written by Spark/Hadoop carry `s3a://` (and
// old `s3n://`) locations for the same objects that PyIceberg and Trino call `s3://`, so all
// three resolve to one bucket/key and listings answer in the scheme the caller asked with.

import { IcebergError } from '../errors.ts';

export interface S3Location {
  readonly scheme: 's3' | 's3a' | 's3n';
  readonly bucket: string;
  /** Object key without a leading slash; empty for the bucket root. */
  readonly key: string;
}

const S3_URI = /^(s3|s3a|s3n):\/\/([^/]+)(?:\/(.*))?$/;

export function isS3Location(location: string): boolean {
  return /^(s3|s3a|s3n):\/\//.test(location);
}

export function parseS3Location(location: string): S3Location {
  const match = S3_URI.exec(location);
  if (!match) {
    throw new IcebergError(
      'invalid-argument',
      `not an S3 location: '${location}' (expected s3://bucket/key, s3a://bucket/key or s3n://bucket/key)`,
      { context: { location } },
    );
  }
  return { scheme: match[1] as S3Location['scheme'], bucket: match[2] as string, key: match[3] ?? '' };
}

export function formatS3Location(location: Pick<S3Location, 'scheme' | 'bucket' | 'key'>): string {
  return `${location.scheme}://${location.bucket}/${location.key}`;
}
