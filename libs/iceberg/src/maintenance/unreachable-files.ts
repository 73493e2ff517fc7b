// The files an expiry may delete: those reachable from the expired snapshots minus those still
// reachable from the retained ones (the set difference Iceberg's reachable-file cleanup uses).
//   manifest lists — of expired snapshots, unless a retained snapshot names the same list;
//   manifests      — in an expired list and in no retained list;
//   data / delete files — named by an entry of such a manifest and by no live (added or
//                    existing) entry of any retained manifest. A retained snapshot reads only its
//                    live entries, so a file it lists as `deleted` is not part of it; if an older
//                    retained snapshot still has the file live, that snapshot's manifest keeps it.
//                    (Our writers carry tombstone entries forward, so counting them as references
//                    would keep overwritten data forever.)
//   statistics files — attached to expired snapshots and to no retained one.
// Files already gone (a rerun after a crash) are skipped; a retained manifest list or manifest
// that cannot be read aborts the computation, because deleting without knowing what is still
// referenced could destroy live data.
import { isIcebergError } from '../errors.ts';
import { type FileIO, forEachBounded } from '../io/file-io.ts';
import type { DataFileContent } from '../manifest/data-file.ts';
import type { ManifestFile } from '../manifest/manifest-file.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';

export interface UnreachableFiles {
  readonly manifestLists: readonly string[];
  readonly manifests: readonly string[];
  readonly dataFiles: readonly string[];
  readonly deleteFiles: readonly string[];
  readonly statisticsFiles: readonly string[];
  /** Sum of the sizes known from metadata (manifests, data/delete files, statistics files). */
  readonly knownBytes: bigint;
}

export const EMPTY_UNREACHABLE_FILES: UnreachableFiles = {
  manifestLists: [],
  manifests: [],
  dataFiles: [],
  deleteFiles: [],
  statisticsFiles: [],
  knownBytes: 0n,
};

async function readOrMissing<T>(io: FileIO, location: string, parse: (bytes: Uint8Array) => T) {
  try {
    return parse(await io.read(location));
  } catch (error) {
    if (isIcebergError(error, 'not-found')) return undefined;
    throw error;
  }
}

/** The manifests the given manifest lists name, by path (missing lists skipped when tolerated). */
export async function manifestsOf(
  io: FileIO,
  lists: readonly string[],
  concurrency: number,
  tolerateMissing: boolean,
): Promise<Map<string, ManifestFile>> {
  const manifests = new Map<string, ManifestFile>();
  await forEachBounded(lists, concurrency, async (location) => {
    const list = tolerateMissing
      ? await readOrMissing(io, location, readManifestList)
      : readManifestList(await io.read(location));
    for (const manifest of list?.manifests ?? []) manifests.set(manifest.manifestPath, manifest);
  });
  return manifests;
}

function statisticsOf(metadata: TableMetadata): Map<string, { snapshotId: bigint; size: bigint }> {
  const files = new Map<string, { snapshotId: bigint; size: bigint }>();
  for (const f of [...(metadata.statistics ?? []), ...(metadata.partitionStatistics ?? [])]) {
    files.set(f.statisticsPath, { snapshotId: f.snapshotId, size: f.fileSizeInBytes });
  }
  return files;
}

/**
 * Files referenced only by `expired` (snapshots of `before`) and by nothing `after` retains.
 * Results are sorted so a dry run and a real run compare equal.
 */
export async function unreachableFiles(
  io: FileIO,
  before: TableMetadata,
  after: TableMetadata,
  expired: readonly Snapshot[],
  concurrency: number,
): Promise<UnreachableFiles> {
  if (expired.length === 0) return EMPTY_UNREACHABLE_FILES;
  const retainedLists = new Set(after.snapshots.map((s) => s.manifestList));
  const manifestLists = [...new Set(expired.map((s) => s.manifestList))]
    .filter((l) => !retainedLists.has(l))
    .sort();

  const expiredManifests = await manifestsOf(io, manifestLists, concurrency, true);
  const retainedManifests = await manifestsOf(io, [...retainedLists], concurrency, false);
  const manifests = [...expiredManifests.values()].filter((m) => !retainedManifests.has(m.manifestPath));

  const candidates = new Map<string, { content: DataFileContent; size: bigint }>();
  await forEachBounded(manifests, concurrency, async (manifest) => {
    const contents = await readOrMissing(io, manifest.manifestPath, (bytes) => readManifest(bytes));
    for (const entry of contents?.entries ?? []) {
      candidates.set(entry.file.filePath, { content: entry.file.content, size: entry.file.fileSizeInBytes });
    }
  });
  if (candidates.size > 0) {
    await forEachBounded([...retainedManifests.values()], concurrency, async (manifest) => {
      const contents = readManifest(await io.read(manifest.manifestPath));
      for (const entry of contents.entries) {
        if (entry.status !== 'deleted') candidates.delete(entry.file.filePath);
      }
    });
  }

  const expiredIds = new Set(expired.map((s) => s.snapshotId));
  const retainedStatistics = statisticsOf(after);
  const statistics = [...statisticsOf(before)].filter(
    ([path, f]) => expiredIds.has(f.snapshotId) && !retainedStatistics.has(path),
  );

  let knownBytes = 0n;
  for (const m of manifests) knownBytes += m.manifestLength;
  for (const f of candidates.values()) knownBytes += f.size;
  for (const [, f] of statistics) knownBytes += f.size;
  const byContent = (data: boolean) =>
    [...candidates]
      .filter(([, f]) => (f.content === 'data') === data)
      .map(([path]) => path)
      .sort();
  return {
    manifestLists,
    manifests: manifests.map((m) => m.manifestPath).sort(),
    dataFiles: byContent(true),
    deleteFiles: byContent(false),
    statisticsFiles: statistics.map(([path]) => path).sort(),
    knownBytes,
  };
}
