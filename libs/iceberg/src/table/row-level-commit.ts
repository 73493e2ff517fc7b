// Row-level changes as merge-on-read commits through the one commit driver: `delete` by filter
// (a `delete` snapshot adding delete files) and upsert (an `overwrite` snapshot adding the new
// rows' data files plus delete files for the rows they replace). Per attempt:
//   1. if no plan exists yet, or the plan is stale on this attempt's base (row-delete-conflicts:
//      a target file removed, a concurrent delete on a target, or — for upserts — any concurrent
//      append), plan on this base (row-level-delete.ts) and write its delete files
//      (delete-file-writer.ts): a rebase, never a lost update;
//   2. the change is pinned to that base (`assert-ref-snapshot-id`), so a commit that raced past
//      the validation is rejected by the catalog and comes back here.
// Data files of an upsert are written once by the caller and reused; delete files of stale plans
// and of attempts that never landed are deleted by the driver's clean-up. A change that finds no
// row still commits its snapshot, so a job's marker lands exactly once either way.

import type { FileIO } from '../io/file-io.ts';
import type { DataFile } from '../manifest/data-file.ts';
import type { TableChange } from '../schema-evolution/update-schema.ts';
import type { Snapshot } from '../spec/partition-types.ts';
import type { CatalogCommitter, CommittedTable } from './catalog-committer.ts';
import { type CommitLogger, forwardedDriveOptions } from './commit-driver.ts';
import { writeDeleteFiles } from './delete-file-writer.ts';
import { withSchemaChange } from './evolve-schema.ts';
import { staleRowDeletes } from './row-delete-conflicts.ts';
import { type PlannedRowDeletes, planRowDeletes, type RowMatcher } from './row-level-delete.ts';
import { commitSnapshotAction, SnapshotCommitAction, type SnapshotCommitOutcome } from './snapshot-action.ts';
import type { SnapshotChange } from './snapshot-producer.ts';
import { formatTable, type TableIdentifier } from './table-identifier.ts';

export interface RowLevelCommitOptions {
  readonly committer: CatalogCommitter;
  readonly identifier: TableIdentifier;
  readonly io: FileIO;
  /** The table as last loaded. */
  readonly base: CommittedTable;
  /** Rows to delete. */
  readonly matcher: RowMatcher;
  /** Data files to add in the same snapshot (upsert's new rows). */
  readonly addedFiles?: readonly { readonly file: DataFile; readonly specId: number }[];
  readonly summaryProperties?: Readonly<Record<string, string>>;
  /** A schema change committed in the same request (an upsert whose rows widen the table). */
  readonly schemaChange?: TableChange;
  readonly alreadyCommitted?: (base: CommittedTable) => Snapshot | undefined;
  readonly maxUnknownOutcomes?: number;
  readonly logger?: CommitLogger;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RowLevelOutcome extends SnapshotCommitOutcome {
  /** The plan the landed snapshot was built from (undefined when a marker showed another commit). */
  readonly plan: PlannedRowDeletes | undefined;
  /** Plans made: 1, plus one per rebase onto a conflicting commit. */
  readonly plans: number;
}

const deleteKey = (file: DataFile) => `${file.filePath}@${file.contentOffset ?? ''}`;

export async function commitRowLevelChange(options: RowLevelCommitOptions): Promise<RowLevelOutcome> {
  const name = formatTable(options.identifier);
  const addedFiles = options.addedFiles ?? [];
  const written: string[] = [];
  const plans = new Map<SnapshotChange, PlannedRowDeletes>();
  let current: { plan: PlannedRowDeletes; change: SnapshotChange } | undefined;
  const action = new SnapshotCommitAction(
    options.io,
    async (base) => {
      const stale =
        current === undefined
          ? true
          : (await staleRowDeletes(options.io, base.metadata, current.plan, addedFiles.length > 0)) !==
            undefined;
      if (stale) {
        const plan = await planRowDeletes(base.metadata, options.io, options.matcher, name);
        const deletes = await writeDeleteFiles(base.metadata, options.io, plan.targets, name);
        written.push(...deletes.writtenLocations);
        const replaced = new Set(plan.targets.flatMap((t) => t.replacedDeletes.map(deleteKey)));
        const change: SnapshotChange = {
          operation: addedFiles.length > 0 ? 'overwrite' : 'delete',
          addedFiles,
          addedDeleteFiles: deletes.deleteFiles,
          ...(base.metadata.formatVersion >= 3 && replaced.size > 0
            ? { deleteFileSelector: (file: DataFile) => replaced.has(deleteKey(file)) }
            : {}),
          ...(options.summaryProperties === undefined
            ? {}
            : { summaryProperties: options.summaryProperties }),
        };
        current = { plan, change: withSchemaChange(change, options.schemaChange) };
        plans.set(current.change, plan);
      }
      return current!.change;
    },
    { description: addedFiles.length > 0 ? 'upsert' : 'row-level delete', extraWrittenFiles: () => written },
  );
  const outcome = await commitSnapshotAction(action, forwardedDriveOptions(options));
  const landed = outcome.status === 'committed' ? action.attemptOf(outcome.snapshot) : undefined;
  return { ...outcome, plan: landed === undefined ? undefined : plans.get(landed.change), plans: plans.size };
}
