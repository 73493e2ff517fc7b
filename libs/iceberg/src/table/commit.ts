// commitWithRebase: commit one fixed `SnapshotChange` (append, overwrite, replace partitions, a
// schema change with data) through the commit driver (commit-driver.ts, whose header states the
// rules for conflicts, unknown outcomes and clean-up). Per attempt the change is rebuilt on the
// freshly loaded table: a new manifest list on the new parent, the added files' manifests
// written once and reused, deletes re-evaluated against that parent.
import type { FileIO } from '../io/file-io.ts';
import type { Snapshot } from '../spec/partition-types.ts';
import type { CatalogCommitter, CommittedTable } from './catalog-committer.ts';
import type { CommitLogger } from './commit-driver.ts';
import { commitSnapshotAction, SnapshotCommitAction, type SnapshotCommitOutcome } from './snapshot-action.ts';
import type { SnapshotChange } from './snapshot-producer.ts';
import type { TableIdentifier } from './table-identifier.ts';

export type { CommitLogger } from './commit-driver.ts';

export interface CommitOptions {
  readonly committer: CatalogCommitter;
  readonly identifier: TableIdentifier;
  readonly io: FileIO;
  /** The table as last loaded; reloaded on conflicts and unknown outcomes. */
  readonly base: CommittedTable;
  readonly change: SnapshotChange;
  /** Marker check run on every attempt's base; a snapshot returned means "already committed". */
  readonly alreadyCommitted?: (base: CommittedTable) => Snapshot | undefined;
  /** Unknown outcomes tolerated before the commit ends unresolved (default 3). */
  readonly maxUnknownOutcomes?: number;
  readonly logger?: CommitLogger;
  /** For tests: replaces the backoff sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type CommitOutcome = SnapshotCommitOutcome;

export function commitWithRebase(options: CommitOptions): Promise<CommitOutcome> {
  const { io, change, ...drive } = options;
  return commitSnapshotAction(new SnapshotCommitAction(io, change), drive);
}
