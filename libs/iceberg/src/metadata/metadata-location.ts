// Names of table metadata files. Catalogs that write metadata themselves (and floe's own
// writes when it commits through a file-based path) name each version
// `<location>/metadata/<5-digit version>-<uuid>.metadata.json`; the version is read back from
// the previous file's name so the next one sorts after it. Hadoop-style `v<N>.metadata.json`
// and gzip-compressed `.gz.metadata.json` names are understood when reading.

import { randomUUID } from 'node:crypto';
import { IcebergError } from '../errors.ts';

/** Table property that moves metadata files out of `<location>/metadata`. */
export const WRITE_METADATA_PATH = 'write.metadata.path';

const VERSIONED_NAME = /^(\d+)-[0-9a-fA-F-]{36}(?:\.gz)?\.metadata\.json$/;
const HADOOP_NAME = /^v(\d+)(?:\.gz)?\.metadata\.json$/;

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}

/** Directory for metadata files: `write.metadata.path` or `<location>/metadata`. */
export function metadataDirectory(
  tableLocation: string,
  properties: Readonly<Record<string, string>> = {},
): string {
  const override = properties[WRITE_METADATA_PATH];
  if (override !== undefined && override !== '') return trimSlashes(override);
  if (tableLocation === '')
    throw new IcebergError('invalid-argument', 'table location is empty; cannot name a metadata file');
  return `${trimSlashes(tableLocation)}/metadata`;
}

/** `<dir>/00001-<uuid>.metadata.json` for `version` (≥ 0). */
export function newMetadataLocation(
  tableLocation: string,
  version: number,
  options: { readonly properties?: Readonly<Record<string, string>>; readonly uuid?: string } = {},
): string {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new IcebergError(
      'invalid-argument',
      `metadata version must be a non-negative integer, got ${version}`,
    );
  }
  const uuid = options.uuid ?? randomUUID();
  return `${metadataDirectory(tableLocation, options.properties)}/${String(version).padStart(5, '0')}-${uuid}.metadata.json`;
}

/** The version in a metadata file's name, or undefined when the name follows no known scheme. */
export function parseMetadataVersion(metadataLocation: string): number | undefined {
  const name = metadataLocation.slice(metadataLocation.lastIndexOf('/') + 1);
  const match = VERSIONED_NAME.exec(name) ?? HADOOP_NAME.exec(name);
  if (match === null) return undefined;
  const version = Number(match[1]);
  return Number.isSafeInteger(version) ? version : undefined;
}

/**
 * Location for the metadata file that follows `currentMetadataLocation` (version 0 for a new
 * table). A current name without a version (a catalog's own scheme) continues at 1 more than
 * the metadata log length, so names still sort by age.
 */
export function nextMetadataLocation(
  tableLocation: string,
  currentMetadataLocation: string | undefined,
  options: {
    readonly properties?: Readonly<Record<string, string>>;
    readonly metadataLogLength?: number;
    readonly uuid?: string;
  } = {},
): string {
  const current = currentMetadataLocation === undefined ? -1 : parseMetadataVersion(currentMetadataLocation);
  const version = (current ?? options.metadataLogLength ?? 0) + 1;
  const rest = {
    ...(options.properties === undefined ? {} : { properties: options.properties }),
    ...(options.uuid === undefined ? {} : { uuid: options.uuid }),
  };
  return newMetadataLocation(tableLocation, version, rest);
}
