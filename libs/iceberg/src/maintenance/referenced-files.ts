// Every file a table's metadata references, as the orphan-file cleanup needs it: the current
// metadata file and those in the metadata log, the manifest list of every snapshot, every
// manifest those lists name, the data and delete files of every live (added or existing) entry of
// those manifests, and the statistics and partition-statistics files. A retained snapshot reads
// only live entries, so a file named only by a `deleted` entry is not part of any snapshot (the
// expiry's reachable-file rule, unreachable-files.ts, counts the same way). Locations are
// compared in a normal form (`s3a://`/`s3n://` read as `s3://`), because writers in other engines
// record the same object under those schemes and a mismatch would make a live file look orphaned.
// Any manifest list or manifest that cannot be read aborts: deciding what is unreferenced without
// knowing what is referenced could destroy live data.
import { type FileIO, forEachBounded } from '../io/file-io.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { manifestsOf } from './unreachable-files.ts';

/** The comparison form of a location: one S3 scheme, no repeated slashes in the key. */
export function normalizeLocation(location: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)\/(.*)$/.exec(location);
  if (match === null) return location;
  const scheme = (match[1] as string).toLowerCase();
  const normalScheme = scheme === 's3a' || scheme === 's3n' ? 's3' : scheme;
  return `${normalScheme}://${match[2]}/${(match[3] as string).replace(/\/{2,}/g, '/')}`;
}

export interface ReferencedFilesOptions {
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  /** The metadata file the catalog currently points at. */
  readonly metadataLocation: string | undefined;
  /** Manifest reads in flight at once. */
  readonly concurrency: number;
}

/** Normalized locations of every file `metadata` references (see the module header). */
export async function referencedFiles(options: ReferencedFilesOptions): Promise<Set<string>> {
  const { io, metadata, concurrency } = options;
  const referenced = new Set<string>();
  const add = (location: string) => referenced.add(normalizeLocation(location));
  if (options.metadataLocation !== undefined) add(options.metadataLocation);
  for (const entry of metadata.metadataLog) add(entry.metadataFile);
  for (const f of metadata.statistics ?? []) add(f.statisticsPath);
  for (const f of metadata.partitionStatistics ?? []) add(f.statisticsPath);

  const lists = [...new Set(metadata.snapshots.map((s) => s.manifestList))];
  for (const location of lists) add(location);
  const manifests = await manifestsOf(io, lists, concurrency, false);
  await forEachBounded([...manifests.keys()], concurrency, async (location) => {
    add(location);
    for (const entry of readManifest(await io.read(location)).entries) {
      if (entry.status !== 'deleted') add(entry.file.filePath);
    }
  });
  return referenced;
}
