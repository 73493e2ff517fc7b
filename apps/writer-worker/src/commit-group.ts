// One snapshot for a group of jobs of the same table (DESIGN §5, group commit): the data files of
// every job in the group go into a single append whose summary carries `floe.job-ids` (all the
// group's ids) and a fresh `floe.commit-id`. The marker check runs on every attempt against every
// job: when a concurrent or earlier delivery already committed some of them, those leave the group
// (their result is the snapshot that holds them, their own files are deleted — nothing references
// them) and the rest are committed in a new attempt. Every commit goes through the commit driver
// of @floe/iceberg, which settles conflicts and unknown outcomes. A failed commit is settled per
// job after one reload: a job whose marker landed after all succeeded; the others fail with the
// error (its `retryable` flag decides BullMQ retry); their data files are deleted only when the
// failure was definite — after an unresolved unknown outcome nothing is deleted (the commit may
// still land; the next delivery's marker check settles it). A job id appears at most once in a
// group: a duplicate delivery of the same job is settled with the first one's outcome and its
// own files are deleted. A group of one is a job committed alone, in its own mode (overwrite,
// overwrite by filter, replace-partitions, an append that changes the schema, or a row-level
// upsert / delete, which commit merge-on-read). A request marked `keepFiles` (a hand-over between
// writer processes, lease-coordinator.ts) never has its files deleted here: another process may
// commit them.
import {
  type AddedDataFile,
  applyUpdates,
  type CatalogCommitter,
  type CommitLogger,
  type CommitOutcome,
  type CommittedTable,
  commitOverwriteByFilter,
  commitRowLevelChange,
  commitWithRebase,
  currentSchema,
  type FileIO,
  fastAppend,
  findSnapshotWithProperty,
  formatTable,
  isCommitStateUnknown,
  overwrite,
  parseExpressionJson,
  replacePartitions,
  type Snapshot,
  type SnapshotChange,
  type TableChange,
  type TableIdentifier,
  upsertKeyFields,
  upsertMatcher,
  withSchemaChange,
} from '@floe/iceberg';
import { JOB_IDS_PROPERTY, type WriteJob } from '@floe/jobs';

export { JOB_IDS_PROPERTY };
export const COMMIT_ID_PROPERTY = 'floe.commit-id';

/** What one job hands to the committer once its data files are written. */
export interface CommitRequest {
  readonly jobId: string;
  readonly identifier: TableIdentifier;
  readonly mode: WriteJob['mode'];
  readonly files: readonly AddedDataFile[];
  /** The job's own snapshot properties (without the floe markers). */
  readonly snapshotProperties: Readonly<Record<string, string>>;
  /** A schema change the commit must carry; such a job commits alone. */
  readonly schemaChange?: TableChange;
  readonly overwriteFilter?: WriteJob['overwriteFilter'];
  /** upsert: the key columns (absent: the table's identifier fields). */
  readonly keys?: readonly string[];
  readonly io: FileIO;
  /** The table as this job loaded it; the freshest base of the group is used. */
  readonly base: CommittedTable;
  /** The marker search stops at snapshots older than this (enqueue time minus clock skew). */
  readonly markerNotBeforeMs: bigint;
  /**
   * The files belong to a commit another process may also make (a hand-over, commit-lease.ts):
   * never deleted here, whatever the outcome; their owner decides.
   */
  readonly keepFiles?: boolean;
}

export interface GroupCommitResult {
  readonly status: 'committed' | 'already-committed';
  /** The snapshot holding this job. */
  readonly snapshot: Snapshot;
  readonly table: CommittedTable;
  readonly attempts: number;
  /** Jobs in the snapshot that holds this job. */
  readonly coalescedJobs: number;
}

export interface GroupCommitObservation {
  readonly table: string;
  readonly status: CommitOutcome['status'];
  readonly attempts: number;
  readonly conflicts: number;
  readonly durationMs: number;
  /** Jobs in the snapshot this commit made (0 when it found everything already committed). */
  readonly coalescedJobs: number;
}

export interface CommitGroupDeps {
  readonly committer: CatalogCommitter;
  readonly logger?: CommitLogger;
  readonly onCommit?: (observation: GroupCommitObservation) => void;
  /** For tests: replaces the backoff sleep of the commit loop. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type Settled =
  | { readonly ok: true; readonly result: GroupCommitResult }
  | { readonly ok: false; readonly error: unknown };

/** The marker check of one job: the snapshot whose `floe.job-ids` holds it, if any. */
export function markerCheck(
  request: Pick<CommitRequest, 'jobId' | 'markerNotBeforeMs'>,
): (base: CommittedTable) => Snapshot | undefined {
  return (base) =>
    findSnapshotWithProperty(
      base.metadata,
      JOB_IDS_PROPERTY,
      (value) => value.split(',').includes(request.jobId),
      { notBeforeMs: request.markerNotBeforeMs },
    );
}

export function jobsInSnapshot(snapshot: Snapshot): number {
  const ids = snapshot.summary[JOB_IDS_PROPERTY];
  return ids === undefined || ids === '' ? 1 : ids.split(',').length;
}

/** The newest of the tables seen (highest sequence number, then last update). */
export function freshest(tables: readonly CommittedTable[]): CommittedTable {
  let best = tables[0] as CommittedTable;
  for (const table of tables) {
    const a = table.metadata;
    const b = best.metadata;
    if (
      a.lastSequenceNumber > b.lastSequenceNumber ||
      (a.lastSequenceNumber === b.lastSequenceNumber && a.lastUpdatedMs > b.lastUpdatedMs)
    ) {
      best = table;
    }
  }
  return best;
}

function commitOnce(
  group: readonly CommitRequest[],
  base: CommittedTable,
  alreadyCommitted: (base: CommittedTable) => Snapshot | undefined,
  deps: CommitGroupDeps,
): Promise<CommitOutcome> {
  const first = group[0] as CommitRequest;
  // `floe.commit-id` is set by the snapshot producer (one id per commit, whatever the attempt).
  const summaryProperties = {
    ...first.snapshotProperties,
    [JOB_IDS_PROPERTY]: group.map((r) => r.jobId).join(','),
  };
  const files = group.flatMap((r) => r.files);
  const common = {
    committer: deps.committer,
    identifier: first.identifier,
    io: first.io,
    base,
    alreadyCommitted,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
  };
  if (first.mode === 'overwrite' && first.overwriteFilter !== undefined) {
    return commitOverwriteByFilter({
      ...common,
      filter: first.overwriteFilter,
      newFiles: files,
      summaryProperties,
    });
  }
  if (first.mode === 'delete' || first.mode === 'upsert') {
    return commitRowLevel(first, files, summaryProperties, common);
  }
  const options = { summaryProperties };
  let change: SnapshotChange;
  if (first.mode === 'append') change = fastAppend(files, options);
  else if (first.mode === 'overwrite') change = overwrite(files, undefined, options);
  else change = replacePartitions(files, options);
  return commitWithRebase({ ...common, change: withSchemaChange(change, first.schemaChange) });
}

/** A job committed merge-on-read: `delete` by its filter, `upsert` by the keys of its rows. */
async function commitRowLevel(
  request: CommitRequest,
  files: readonly AddedDataFile[],
  summaryProperties: Readonly<Record<string, string>>,
  common: Omit<Parameters<typeof commitRowLevelChange>[0], 'matcher' | 'summaryProperties'>,
): Promise<CommitOutcome> {
  const name = formatTable(request.identifier);
  let matcher: Parameters<typeof commitRowLevelChange>[0]['matcher'];
  if (request.mode === 'delete') {
    matcher = { filter: parseExpressionJson(request.overwriteFilter) };
  } else {
    // The schema the rows were written with: the table's, plus the job's own schema change.
    const base = common.base.metadata;
    const schema = currentSchema(
      request.schemaChange === undefined ? base : applyUpdates(base, request.schemaChange.updates),
    );
    const keys = upsertKeyFields(schema, request.keys, name);
    matcher = await upsertMatcher(
      request.io,
      schema,
      files.map((f) => f.file),
      keys,
      name,
    );
  }
  return commitRowLevelChange({
    ...common,
    matcher,
    addedFiles: files,
    summaryProperties,
    ...(request.schemaChange === undefined ? {} : { schemaChange: request.schemaChange }),
  });
}

/** Deletes the data files of a request that no commit can reference (unless `keepFiles`). */
export async function deleteFiles(request: CommitRequest): Promise<void> {
  if (request.files.length === 0 || request.keepFiles === true) return;
  await request.io.deleteMany(request.files.map((a) => a.file.filePath)).catch(() => undefined);
}

/**
 * A second delivery of a job already in a group or in flight (a lapsed lock handed the job to
 * this process again): it gets the first delivery's outcome, and its own data files — never part
 * of any commit request — are deleted once that outcome is known.
 */
export async function settleDuplicate(duplicate: CommitRequest, outcome: Settled): Promise<Settled> {
  await deleteFiles(duplicate);
  return outcome;
}

/** The group without repeated job ids, and each repeat with the first request of its id. */
function withoutDuplicates(group: readonly CommitRequest[]): {
  unique: CommitRequest[];
  duplicates: [CommitRequest, CommitRequest][];
} {
  const byId = new Map<string, CommitRequest>();
  const duplicates: [CommitRequest, CommitRequest][] = [];
  for (const request of group) {
    const first = byId.get(request.jobId);
    if (first === undefined) byId.set(request.jobId, request);
    else duplicates.push([request, first]);
  }
  return { unique: [...byId.values()], duplicates };
}

/**
 * Commits the group (all jobs of one table) and settles every job; never throws. Returns the
 * settlements in the group's order and the newest table state seen, for the next group's base.
 */
export async function commitGroup(
  group: readonly CommitRequest[],
  deps: CommitGroupDeps,
  knownBase?: CommittedTable,
): Promise<{ settled: Settled[]; latest: CommittedTable | undefined }> {
  const settled = new Map<CommitRequest, Settled>();
  const first = group[0];
  if (first === undefined) return { settled: [], latest: knownBase };
  const name = formatTable(first.identifier);
  const { unique, duplicates } = withoutDuplicates(group);
  let remaining = unique;
  let base = freshest([...group.map((r) => r.base), ...(knownBase === undefined ? [] : [knownBase])]);
  let latest: CommittedTable | undefined;
  let attempts = 0;

  while (remaining.length > 0) {
    const markers = remaining.map((r) => ({ request: r, find: markerCheck(r) }));
    const anyCommitted = (table: CommittedTable) => {
      for (const marker of markers) {
        const found = marker.find(table);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    let outcome: CommitOutcome;
    try {
      outcome = await commitOnce(remaining, base, anyCommitted, deps);
    } catch (error) {
      latest = await settleAfterFailure(remaining, error, deps, settled, attempts + 1, name);
      break;
    }
    attempts += outcome.attempts;
    latest = outcome.table;
    deps.onCommit?.({
      table: name,
      status: outcome.status,
      attempts: outcome.attempts,
      conflicts: outcome.conflicts,
      durationMs: outcome.durationMs,
      coalescedJobs: outcome.status === 'committed' ? remaining.length : 0,
    });
    if (outcome.status === 'committed') {
      for (const request of remaining) {
        settled.set(request, {
          ok: true,
          result: {
            status: 'committed',
            snapshot: outcome.snapshot,
            table: outcome.table,
            attempts: Math.max(1, attempts),
            coalescedJobs: remaining.length,
          },
        });
      }
      break;
    }
    // Another delivery committed some of the group: they leave it, the rest go again.
    const still: CommitRequest[] = [];
    for (const { request, find } of markers) {
      const found = find(outcome.table);
      if (found === undefined) {
        still.push(request);
        continue;
      }
      await deleteFiles(request);
      settled.set(request, {
        ok: true,
        result: {
          status: 'already-committed',
          snapshot: found,
          table: outcome.table,
          attempts: Math.max(1, attempts),
          coalescedJobs: jobsInSnapshot(found),
        },
      });
    }
    if (still.length > 0) {
      deps.logger?.info(
        { table: name, dropped: remaining.length - still.length, remaining: still.length },
        'some jobs of the group were already committed; committing the rest',
      );
    }
    remaining = still;
    base = outcome.table;
  }
  for (const [duplicate, original] of duplicates) {
    const outcome = settled.get(original) ?? {
      ok: false,
      error: new Error('group commit left a job unsettled'),
    };
    settled.set(duplicate, await settleDuplicate(duplicate, outcome));
  }
  return {
    settled: group.map(
      (r) => settled.get(r) ?? { ok: false, error: new Error('group commit left a job unsettled') },
    ),
    latest,
  };
}

/**
 * After a failed commit: reload once. A job whose marker is present landed after all; the others
 * fail with the error. Their files are deleted only after a definite failure (the driver then
 * guarantees no attempt can land); after an unknown outcome, or when the reload fails, they stay
 * (a late commit may reference them; the orphan sweep takes them otherwise).
 */
async function settleAfterFailure(
  remaining: readonly CommitRequest[],
  error: unknown,
  deps: CommitGroupDeps,
  settled: Map<CommitRequest, Settled>,
  attempts: number,
  name: string,
): Promise<CommittedTable | undefined> {
  const definite = !isCommitStateUnknown(error);
  let table: CommittedTable | undefined;
  try {
    table = await deps.committer.loadTable((remaining[0] as CommitRequest).identifier);
  } catch (reloadError) {
    deps.logger?.warn(
      { table: name, jobs: remaining.length, err: String(reloadError) },
      'commit failed and the table could not be reloaded; data files left for the orphan sweep',
    );
  }
  let deleted = 0;
  for (const request of remaining) {
    const found = table === undefined ? undefined : markerCheck(request)(table);
    if (table !== undefined && found !== undefined) {
      settled.set(request, {
        ok: true,
        result: {
          status: 'committed',
          snapshot: found,
          table,
          attempts,
          coalescedJobs: jobsInSnapshot(found),
        },
      });
      continue;
    }
    if (table !== undefined && definite) {
      await deleteFiles(request);
      if (request.keepFiles !== true) deleted += request.files.length;
    }
    settled.set(request, { ok: false, error });
  }
  if (!definite) {
    deps.logger?.warn(
      { table: name, jobs: remaining.length, err: String(error) },
      'commit outcome unresolved; data files kept (a late commit may reference them), jobs fail retryably',
    );
  }
  if (deleted > 0) {
    deps.logger?.warn(
      { table: name, files: deleted },
      'commit failed; deleted the data files written for it',
    );
  }
  return table;
}
