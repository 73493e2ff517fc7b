// The `created_by` string floe writes into every Parquet footer. Readers decide from it whether to
// trust a file's statistics: parquet-mr (Spark, Hive, Iceberg-Java) ignores the min/max of string
// and binary columns when created_by does not read as `<application> version <x.y.z> (build <id>)`,
// so floe uses exactly that form. The version is @floe/iceberg's package.json version. floe runs its
// TypeScript sources directly (no build stage, and images carry no .git), so there is no build hash
// to embed; the build id is that same version, which keeps the value deterministic: the same
// sources always stamp the same created_by.

import { readFileSync } from 'node:fs';
import { IcebergError } from '../errors.ts';

const MANIFEST = new URL('../../package.json', import.meta.url);
const SEMVER = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/;

/** `floe version <x.y.z> (build <id>)` for a package version; throws when it is not x.y.z. */
export function createdByFor(version: string): string {
  if (!SEMVER.test(version)) {
    throw new IcebergError(
      'invalid-value',
      `@floe/iceberg package.json version '${version}' is not <major>.<minor>.<patch>: Parquet readers could not parse the created_by built from it; set a semantic version in libs/iceberg/package.json`,
      { context: { version } },
    );
  }
  return `floe version ${version} (build ${version})`;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '';
}

/** created_by of every Parquet file floe writes. */
export const PARQUET_CREATED_BY: string = createdByFor(packageVersion());
