// Picks the FileIO for a table location: S3 for `s3://`, `s3a://`, `s3n://`; the local
// filesystem for `file:` URIs and absolute paths. Catalogs call this with the table's location
// and the merged catalog + loadTable `config` properties (which carry vended credentials).

import { IcebergError } from '../errors.ts';
import type { FileIO } from './file-io.ts';
import { LocalFileIO } from './local-file-io.ts';
import type { S3CredentialsProvider } from './s3-config.ts';
import { S3FileIO } from './s3-file-io.ts';
import { isS3Location } from './s3-location.ts';

export interface FileIOForOptions {
  /** Refreshing credentials for S3 (vended by the catalog); wins over static properties. */
  readonly s3Credentials?: S3CredentialsProvider;
}

export function fileIOFor(
  location: string,
  properties: Readonly<Record<string, string>> = {},
  options: FileIOForOptions = {},
): FileIO {
  if (isS3Location(location)) {
    return new S3FileIO({
      properties,
      ...(options.s3Credentials === undefined ? {} : { credentials: options.s3Credentials }),
    });
  }
  if (location.startsWith('file:') || location.startsWith('/')) return new LocalFileIO();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location)?.[1];
  throw new IcebergError(
    'unsupported',
    scheme === undefined
      ? `cannot pick storage for '${location}': use an s3:// URI, a file:// URI or an absolute path`
      : `storage scheme '${scheme}:' of '${location}' is not supported: use s3://, s3a://, s3n:// or file://`,
    { context: { location, scheme } },
  );
}
