// Bin-packing compaction of one table: plan (compaction-plan.ts), rewrite each group
// (compaction-rewrite.ts, or a caller's rewriter that runs off the event loop), and commit ONE
// `replace` snapshot that removes the inputs and the delete files they retire and adds the
// rewritten files.
//
// Committed through the commit driver (commit-driver.ts) as one `SnapshotCommitAction`, with a
// retry policy that outlasts appends (compactionRetryPolicy).
// Concurrency contract:
//   - concurrent appends never conflict: each attempt rebases on the new table state, and the
//     rewritten files keep the data sequence number of the snapshot that was read, so deletes
//     committed meanwhile still apply to the rewritten rows;
//   - validation on every attempt's base walks the snapshots committed since the plan and fails
//     (retryably, `commit-conflict`) only when one of them removed an input file, or added a
//     position delete that may apply to one (its rows would come back);
//   - when the commit fails definitely, the rewritten data files are deleted: nothing is left
//     behind. When the table cannot be reloaded to learn the outcome, they stay (the orphan
//     cleanup deletes them later if nothing references them).
import { randomUUID } from 'node:crypto';
import { IcebergError } from '../errors.ts';
import { type FileIO, forEachBounded } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { currentSnapshot, snapshotById } from '../metadata/snapshot-queries.ts';
import { partitionKey } from '../spec/partition.ts';
import type { Snapshot, TableMetadata } from '../spec/partition-types.ts';
import type { CatalogCommitter } from '../table/catalog-committer.ts';
import { type CommitLogger, isUnresolvedCommit } from '../table/commit-driver.ts';
import type { CommitRetryPolicy } from '../table/commit-retry-policy.ts';
import { type ChangeSource, commitSnapshotAction, SnapshotCommitAction } from '../table/snapshot-action.ts';
import type { SnapshotChange } from '../table/snapshot-producer.ts';
import { formatTable, type TableIdentifier } from '../table/table-identifier.ts';
import { type CompactionOptions, type CompactionPlan, planCompaction } from './compaction-plan.ts';
import { type GroupRewriter, rewriteGroup } from './compaction-rewrite.ts';

export const COMPACTION_ID_PROPERTY = 'floe.compaction-id';

export interface CompactTableOptions {
  readonly committer: CatalogCommitter;
  readonly identifier: TableIdentifier;
  readonly io: FileIO;
  readonly options?: CompactionOptions;
  readonly dryRun?: boolean;
  /** Rewrites one group; default in-process. The maintenance worker passes a thread pool. */
  readonly rewriter?: GroupRewriter;
  readonly logger?: CommitLogger;
  /** For tests: runs after the rewrite, before the commit (e.g. a concurrent overwrite). */
  readonly beforeCommit?: () => Promise<void>;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface CompactionGroupReport {
  readonly partition: string;
  readonly inputFiles: number;
  readonly inputBytes: string;
  readonly deleteFiles: number;
}

export interface CompactionReport {
  readonly table: string;
  readonly dryRun: boolean;
  /** Undefined when nothing was committed (dry run, nothing to do). */
  readonly snapshotId: bigint | undefined;
  readonly groups: readonly CompactionGroupReport[];
  readonly rewrittenDataFiles: number;
  readonly rewrittenBytes: bigint;
  readonly addedDataFiles: number;
  readonly addedBytes: bigint;
  readonly retiredDeleteFiles: number;
  readonly rows: bigint;
  readonly dataFilesBefore: number;
  readonly attempts: number;
  /** Input files (or, in a dry run, the files a run would rewrite). */
  readonly files: readonly string[];
}

export async function compactTable(options: CompactTableOptions): Promise<CompactionReport> {
  const name = formatTable(options.identifier);
  const base = await options.committer.loadTable(options.identifier);
  const plan = await planCompaction(base.metadata, options.io, options.options, name);
  const inputs = plan.groups.flatMap((g) => g.tasks.map((t) => t.file));
  const report = {
    table: name,
    dryRun: options.dryRun ?? false,
    groups: plan.groups.map(
      (g): CompactionGroupReport => ({
        partition: g.partitionPath === '' ? '(unpartitioned)' : g.partitionPath,
        inputFiles: g.tasks.length,
        inputBytes: g.inputBytes.toString(),
        deleteFiles: new Set(g.tasks.flatMap((t) => t.deletes.map((d) => d.file.filePath))).size,
      }),
    ),
    rewrittenDataFiles: inputs.length,
    rewrittenBytes: inputs.reduce((sum, f) => sum + f.fileSizeInBytes, 0n),
    retiredDeleteFiles: plan.retiredDeleteFiles.length,
    dataFilesBefore: plan.dataFilesTotal,
    files: [...inputs.map((f) => f.filePath), ...plan.retiredDeleteFiles.map((d) => d.file.filePath)],
  };
  const nothing = {
    ...report,
    snapshotId: undefined,
    addedDataFiles: 0,
    addedBytes: 0n,
    rows: 0n,
    attempts: 0,
  };
  if (options.dryRun || plan.groups.length === 0) return nothing;

  const rewriter = options.rewriter ?? rewriteGroup;
  const written: { file: DataFile; specId: number }[] = [];
  let rows = 0n;
  try {
    for (const group of plan.groups) {
      const result = await rewriter({
        io: options.io,
        metadata: base.metadata,
        scan: plan.scan,
        group,
        targetFileSizeBytes: plan.options.targetFileSizeBytes,
      });
      rows += result.rows;
      for (const file of result.files) written.push({ file, specId: group.specId });
    }
  } catch (error) {
    await options.io.deleteMany(written.map((w) => w.file.filePath)).catch(() => undefined);
    throw error;
  }

  const compactionId = randomUUID();
  const doomed = new Set(report.files);
  const change: SnapshotChange = {
    operation: 'replace',
    addedFiles: written.map((w) => ({ ...w, dataSequenceNumber: plan.sequenceNumber })),
    deleteSelector: (file) => doomed.has(file.filePath),
    summaryProperties: { [COMPACTION_ID_PROPERTY]: compactionId },
  };
  // The driver calls this per attempt; on every base but the planned one the inputs are checked.
  const checked = new Set<bigint>();
  const source: ChangeSource = async (fresh) => {
    if (currentSnapshot(fresh.metadata)?.snapshotId !== plan.tableSnapshotId) {
      await validateCompaction(plan, inputs, fresh.metadata, options.io, name, checked);
    }
    return change;
  };
  try {
    await options.beforeCommit?.();
    const outcome = await commitOutlastingAppends(options, source, compactionId);
    return {
      ...report,
      snapshotId: outcome.snapshot.snapshotId,
      addedDataFiles: written.length,
      addedBytes: written.reduce((sum, w) => sum + w.file.fileSizeInBytes, 0n),
      rows,
      attempts: outcome.attempts,
    };
  } catch (error) {
    // An unresolved outcome may still land: then the files must stay (the orphan cleanup decides
    // later). Otherwise no request is in flight and the table says whether it landed.
    const landed = isUnresolvedCommit(error)
      ? undefined
      : await options.committer
          .loadTable(options.identifier)
          .then((t) => findCompaction(t.metadata, compactionId) !== undefined)
          .catch(() => undefined);
    if (landed === false) {
      await options.io.deleteMany(written.map((w) => w.file.filePath)).catch((cleanup: unknown) => {
        options.logger?.warn(
          { table: name, err: String(cleanup) },
          'could not delete the files of a failed compaction; the orphan cleanup will',
        );
      });
    }
    throw error;
  }
}

/**
 * The commit policy of a compaction: appends racing it are never a reason to give up, so it
 * rebases many times with short jittered waits (each rebase reads only what the appends added),
 * within the table's total timeout.
 */
function compactionRetryPolicy(table: CommitRetryPolicy): CommitRetryPolicy {
  return {
    numRetries: Math.max(table.numRetries, 200),
    minWaitMs: Math.min(table.minWaitMs, 20),
    maxWaitMs: Math.min(table.maxWaitMs, 1000),
    totalTimeoutMs: table.totalTimeoutMs,
  };
}

async function commitOutlastingAppends(
  options: CompactTableOptions,
  source: ChangeSource,
  compactionId: string,
) {
  const action = new SnapshotCommitAction(options.io, source, { description: 'compaction' });
  return commitSnapshotAction(action, {
    committer: options.committer,
    identifier: options.identifier,
    alreadyCommitted: (fresh) => findCompaction(fresh.metadata, compactionId),
    retryPolicy: compactionRetryPolicy,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  });
}

function findCompaction(metadata: TableMetadata, compactionId: string): Snapshot | undefined {
  let snapshot = currentSnapshot(metadata);
  // Only recent history can hold it: the commit happened during this run.
  for (let depth = 0; snapshot !== undefined && depth < 1000; depth++) {
    if (snapshot.summary[COMPACTION_ID_PROPERTY] === compactionId) return snapshot;
    snapshot =
      snapshot.parentSnapshotId === undefined ? undefined : snapshotById(metadata, snapshot.parentSnapshotId);
  }
  return undefined;
}

const INPUTS_CHANGED = 'inputs-changed';

function conflict(table: string, message: string): IcebergError {
  return new IcebergError('commit-conflict', `compaction of ${table} ${message}; the next run plans again`, {
    retryable: true,
    context: { table, reason: INPUTS_CHANGED },
  });
}

/**
 * Fails when a snapshot committed since the plan removed an input or added a position delete for
 * one. `checked` holds snapshots validated by earlier attempts (snapshots never change), so a
 * rebase reads only what was committed since the last attempt.
 */
export async function validateCompaction(
  plan: CompactionPlan,
  inputs: readonly DataFile[],
  fresh: TableMetadata,
  io: FileIO,
  table: string,
  checked: Set<bigint> = new Set(),
): Promise<void> {
  const inputPaths = new Set(inputs.map((f) => f.filePath));
  const inputPartitions = new Set(plan.groups.map((g) => `${g.specId}/${partitionKey(g.partition)}`));
  const unchecked: Snapshot[] = [];
  let snapshot = currentSnapshot(fresh);
  while (
    snapshot !== undefined &&
    snapshot.snapshotId !== plan.tableSnapshotId &&
    !checked.has(snapshot.snapshotId)
  ) {
    unchecked.push(snapshot);
    const parentId = snapshot.parentSnapshotId;
    snapshot = parentId === undefined ? undefined : snapshotById(fresh, parentId);
    if (snapshot === undefined && parentId !== undefined) {
      throw conflict(
        table,
        `cannot check the commits since its plan (snapshot ${parentId} was expired meanwhile)`,
      );
    }
  }
  if (snapshot === undefined && plan.tableSnapshotId !== undefined) {
    throw conflict(table, `cannot find the snapshot it planned on (${plan.tableSnapshotId})`);
  }
  await forEachBounded(unchecked, 8, async (commit) => {
    const list = readManifestList(await io.read(commit.manifestList));
    for (const manifest of list.manifests) {
      if (manifest.addedSnapshotId !== commit.snapshotId) continue;
      const contents = readManifest(await io.read(manifest.manifestPath), manifest);
      for (const entry of contents.entries) {
        if (entry.snapshotId !== commit.snapshotId) continue;
        if (entry.status === 'deleted' && inputPaths.has(entry.file.filePath)) {
          throw conflict(
            table,
            `lost its input ${entry.file.filePath}: snapshot ${commit.snapshotId} (${commit.summary.operation ?? '?'}) removed it meanwhile`,
          );
        }
        if (
          entry.status === 'added' &&
          entry.file.content === 'position-deletes' &&
          (inputPartitions.has(`${manifest.partitionSpecId}/${partitionKey(entry.file.partition)}`) ||
            entry.file.partition.length === 0)
        ) {
          throw conflict(
            table,
            `conflicts with position deletes ${entry.file.filePath} committed meanwhile by snapshot ${commit.snapshotId}`,
          );
        }
      }
    }
  });
  for (const commit of unchecked) checked.add(commit.snapshotId);
}
