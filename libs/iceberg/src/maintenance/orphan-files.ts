// The orphan-file cleanup (the maintenance worker's `orphans` action): objects under a table's
// location that no snapshot of the current metadata references, and that are not metadata files
// the catalog still knows (current, metadata log) or a version hint, are deleted once they are
// older than a threshold. Files younger than the threshold are never touched, because a writer
// may be about to commit them (it uploads data files and manifests before the commit makes them
// referenced). The listing uses the location with a trailing `/`, so table `t1` never sees the
// files of `t10`; a location at a bucket root is refused, since its listing would cover other
// tables. Files whose age the store does not report count as young. A dry run returns exactly
// the list a real run would delete. Rerunning after a crash is safe: it recomputes everything.
import { IcebergError } from '../errors.ts';
import { DEFAULT_DELETE_CONCURRENCY, type FileInfo, type FileIO } from '../io/file-io.ts';
import type { TableMetadata } from '../spec/partition-types.ts';
import { normalizeLocation, referencedFiles } from './referenced-files.ts';

/** Iceberg's default: files younger than 3 days may belong to a commit in flight. */
export const DEFAULT_ORPHAN_OLDER_THAN_MS = 3 * 24 * 60 * 60 * 1000;

const VERSION_HINT = /\/metadata\/version-hint\.text$/;

export interface OrphanFilesOptions {
  readonly io: FileIO;
  readonly metadata: TableMetadata;
  /** The metadata file the catalog currently points at (kept whatever its age). */
  readonly metadataLocation: string | undefined;
  /** Only files last modified more than this many ms before `nowMs` are deleted (default 3 days). */
  readonly olderThanMs?: number;
  /** The clock ages are measured against; default now. */
  readonly nowMs?: number;
  /** List what would be deleted; delete nothing. */
  readonly dryRun?: boolean;
  /** Manifest reads and deletes in flight at once (default 16). */
  readonly concurrency?: number;
  /** Called after planning, before the first delete; throwing stops the run (e.g. a lost lock). */
  readonly beforeDelete?: () => void | Promise<void>;
}

export interface OrphanFilesPlan {
  /** The listed prefix (the table location with a trailing `/`). */
  readonly prefix: string;
  /** Unreferenced and old enough: what the cleanup deletes, sorted by location. */
  readonly orphans: readonly FileInfo[];
  /** Unreferenced files kept because they are younger than the threshold (or of unknown age). */
  readonly youngFilesKept: number;
  readonly listedFiles: number;
  readonly referencedFiles: number;
}

export interface OrphanFilesReport extends OrphanFilesPlan {
  readonly dryRun: boolean;
  readonly filesDeleted: number;
  /** Bytes of the deleted files (in a dry run: of the files that would be deleted). */
  readonly bytesDeleted: number;
  readonly failedDeletes: readonly { readonly location: string; readonly message: string }[];
}

function invalid(message: string, context: Record<string, string | number>): never {
  throw new IcebergError('invalid-argument', message, { context });
}

/** The listing prefix of a table location; refuses locations that would list other tables. */
export function tableListingPrefix(location: string): string {
  const trimmed = location.replace(/\/+$/, '');
  const path = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*(\/.*)?$/.exec(trimmed);
  if (trimmed === '' || (path !== null && (path[1] ?? '') === '')) {
    invalid(
      `refusing to look for orphan files under '${location}': a table location at a bucket or ` +
        'filesystem root would list the files of other tables; move the table to its own folder',
      { location },
    );
  }
  return `${trimmed}/`;
}

/** Lists the table location and decides which files are orphans (no deletes). */
export async function planOrphanFiles(options: OrphanFilesOptions): Promise<OrphanFilesPlan> {
  const olderThanMs = options.olderThanMs ?? DEFAULT_ORPHAN_OLDER_THAN_MS;
  if (!Number.isSafeInteger(olderThanMs) || olderThanMs < 0) {
    invalid(`olderThanMs must be a non-negative whole number of ms, got ${olderThanMs}`, { olderThanMs });
  }
  const prefix = tableListingPrefix(options.metadata.location);
  const cutoffMs = (options.nowMs ?? Date.now()) - olderThanMs;
  // Listed before the references are read: a file committed in between is then either referenced
  // by what we read or younger than any sensible threshold.
  const listed: FileInfo[] = [];
  for await (const info of options.io.list(prefix)) listed.push(info);
  const referenced = await referencedFiles({
    io: options.io,
    metadata: options.metadata,
    metadataLocation: options.metadataLocation,
    concurrency: options.concurrency ?? DEFAULT_DELETE_CONCURRENCY,
  });
  const orphans: FileInfo[] = [];
  let youngFilesKept = 0;
  for (const info of listed) {
    if (referenced.has(normalizeLocation(info.location)) || VERSION_HINT.test(info.location)) continue;
    if (info.lastModifiedMs !== undefined && info.lastModifiedMs < cutoffMs) orphans.push(info);
    else youngFilesKept += 1;
  }
  orphans.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  return {
    prefix,
    orphans,
    youngFilesKept,
    listedFiles: listed.length,
    referencedFiles: referenced.size,
  };
}

/** Plans and (unless a dry run) deletes the orphan files of one table. */
export async function deleteOrphanFiles(options: OrphanFilesOptions): Promise<OrphanFilesReport> {
  const plan = await planOrphanFiles(options);
  const dryRun = options.dryRun === true;
  const bytesOf = (files: readonly FileInfo[]) => files.reduce((sum, f) => sum + f.size, 0);
  if (dryRun || plan.orphans.length === 0) {
    return {
      ...plan,
      dryRun,
      filesDeleted: plan.orphans.length,
      bytesDeleted: bytesOf(plan.orphans),
      failedDeletes: [],
    };
  }
  await options.beforeDelete?.();
  const result = await options.io.deleteMany(
    plan.orphans.map((f) => f.location),
    { concurrency: options.concurrency ?? DEFAULT_DELETE_CONCURRENCY },
  );
  const failed = new Set(result.failed.map((f) => f.location));
  return {
    ...plan,
    dryRun,
    filesDeleted: result.deleted,
    bytesDeleted: bytesOf(plan.orphans.filter((f) => !failed.has(f.location))),
    failedDeletes: result.failed.map((f) => ({ location: f.location, message: f.error.message })),
  };
}
