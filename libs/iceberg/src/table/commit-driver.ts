// The one commit driver: every table action that changes a table through the catalog (append,
// overwrite, overwrite by filter, replace partitions, a schema change with data, expire
// snapshots; later compaction and row-level deletes) is committed by `driveCommit`. An action
// only says what one attempt is; the driver owns retries, backoff, marker checks, unknown
// outcomes and clean-up, so every action treats an unclear network the same way.
//
// CONTRACT
//   Action (`CommitAction<A, L>`):
//     prepare(base, attempt) → A | undefined
//         the attempt's `updates` + `requirements`, built on `base` (the table as just loaded).
//         On a rebase (attempt > 1) the action re-runs its conflict validation here and throws
//         when the change no longer applies (that throw is a definite failure). `undefined`:
//         nothing is left to commit. Every file it writes it tracks itself, for `cleanUp`.
//         Attempts must be safe together: at most one lands (a snapshot action reuses ONE
//         snapshot id, which a catalog adds at most once, and pins its parent), or landing
//         twice is harmless (expiry).
//     landedIn(table) → L | undefined
//         evidence that ANY attempt of the action is in `table` (a snapshot action: its snapshot
//         id, with the manifest list the table records; expiry: its snapshots are gone).
//     cleanUp(table, landed) → deletes what the action wrote that `landed` (read from `table`,
//         never from the last attempt) does not reference. The driver calls it only when no
//         attempt can land any more.
//   Options: committer, identifier, base, `alreadyCommitted` (the marker check: a snapshot of
//   ANOTHER commit that already holds this work), retry policy from `commit.retry.*`.
//
//   One request's outcome, once sent (the committer classifies by error `kind`):
//     2xx showing the change             → committed.
//     `commit-conflict` (409)            → rejected: back off, reload, rebase (num-retries,
//                                          min/max-wait-ms, total-timeout-ms).
//     any other error without that kind  → definite failure (4xx validation, or never sent).
//     `commit-state-unknown` (5xx, timeout, cut connection, unparseable 2xx), or a 2xx whose
//       table does not show the change   → UNKNOWN: back off, reload, look; its own budget
//                                          (`maxUnknownOutcomes`).
//
//   Rules:
//   1. Once a request has been sent only a definite rejection is a failure; everything else is
//      unknown.
//   2. After an unknown outcome nothing any attempt wrote is deleted until a reload proves which
//      attempt, if any, landed. Our landing found in a reload (by `landedIn`, or by the marker
//      check finding our own snapshot) means COMMITTED with what the table holds, and the files
//      that landing references are kept.
//   3. An attempt whose outcome is unknown is settled "not landed" only when it is not in the
//      reloaded table AND its requirements no longer hold there (refs only move forward, so it
//      can never land). Otherwise it is unresolved.
//   4. Unknown outcomes beyond the budget, or a reload that throws while any is unresolved, end
//      the commit with a retryable `commit-state-unknown` ("unresolved") and delete nothing;
//      the next delivery's marker check settles it.
//   5. Clean-up after a definite failure (or when the marker shows another commit did the work)
//      runs only once no attempt can land, and deletes only what no committed snapshot
//      references.
//
//   Returns { status: 'committed', landed } | { status: 'already-committed', snapshot }
//         | { status: 'nothing-to-commit' }, each with the table seen and attempt counts.
//   Throws: the definite failure (after clean-up; `commit-conflict` when the retry budget is
//   spent), or the unresolved `commit-state-unknown` (nothing deleted; `context.unresolved`).
import { setTimeout as sleep } from 'node:timers/promises';
import { IcebergError } from '../errors.ts';
import { checkRequirements } from '../metadata/requirements.ts';
import type { TableRequirement, TableUpdate } from '../metadata/updates.ts';
import type { Snapshot } from '../spec/partition-types.ts';
import {
  type CatalogCommitter,
  type CommittedTable,
  isCommitConflict,
  isCommitStateUnknown,
} from './catalog-committer.ts';
import { backoffMs, type CommitRetryPolicy, commitRetryPolicy } from './commit-retry-policy.ts';
import { formatTable, type TableIdentifier } from './table-identifier.ts';

export interface CommitLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** What one attempt sends. */
export interface CommitAttempt {
  readonly updates: readonly TableUpdate[];
  readonly requirements: readonly TableRequirement[];
}

/** One table action, as the driver sees it (see the contract above). */
export interface CommitAction<A extends CommitAttempt, L> {
  /** For logs and messages: `append`, `overwrite by filter`, `expire snapshots`. */
  readonly description: string;
  prepare(base: CommittedTable, attempt: number): Promise<A | undefined>;
  landedIn(table: CommittedTable): L | undefined;
  cleanUp(table: CommittedTable | undefined, landed: L | undefined): Promise<void>;
}

/** Unknown outcomes a commit tolerates before it ends unresolved. */
export const DEFAULT_MAX_UNKNOWN_OUTCOMES = 3;

export interface DriveCommitOptions {
  readonly committer: CatalogCommitter;
  readonly identifier: TableIdentifier;
  /** The table as last loaded (loaded here when absent); reloaded on conflicts and unknowns. */
  readonly base?: CommittedTable;
  /** Marker check on every base: a snapshot of another commit that already holds this work. */
  readonly alreadyCommitted?: (table: CommittedTable) => Snapshot | undefined;
  readonly maxUnknownOutcomes?: number;
  /**
   * Replaces the table's `commit.retry.*` policy for this commit (compaction keeps rebasing
   * over a busy table's appends far longer than an append would).
   */
  readonly retryPolicy?: (tablePolicy: CommitRetryPolicy) => CommitRetryPolicy;
  readonly logger?: CommitLogger;
  /** For tests: replaces the backoff sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The commit-loop options a table action forwards from its own options (only those set); the
 * retry policy stays the driver caller's own choice.
 */
export function forwardedDriveOptions(options: Omit<DriveCommitOptions, 'retryPolicy'>): DriveCommitOptions {
  return {
    committer: options.committer,
    identifier: options.identifier,
    ...(options.base === undefined ? {} : { base: options.base }),
    ...(options.alreadyCommitted === undefined ? {} : { alreadyCommitted: options.alreadyCommitted }),
    ...(options.maxUnknownOutcomes === undefined ? {} : { maxUnknownOutcomes: options.maxUnknownOutcomes }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  };
}

export interface DriveStats {
  /** Requests sent (attempts prepared and handed to the catalog). */
  readonly attempts: number;
  readonly conflicts: number;
  readonly unknownOutcomes: number;
  readonly durationMs: number;
}

export type DriveOutcome<L> =
  | (DriveStats & { readonly status: 'committed'; readonly landed: L; readonly table: CommittedTable })
  | (DriveStats & {
      readonly status: 'already-committed';
      readonly snapshot: Snapshot;
      readonly table: CommittedTable;
    })
  | (DriveStats & { readonly status: 'nothing-to-commit'; readonly table: CommittedTable });

/** Whether an error is the driver's "unresolved unknown outcome": nothing may be deleted. */
export function isUnresolvedCommit(error: unknown): boolean {
  return (
    error instanceof IcebergError &&
    error.kind === 'commit-state-unknown' &&
    error.context['unresolved'] === true
  );
}

/** Commits `action` on the table, by the rules in the module header. */
export async function driveCommit<A extends CommitAttempt, L>(
  action: CommitAction<A, L>,
  options: DriveCommitOptions,
): Promise<DriveOutcome<L>> {
  return new CommitRun(action, options).run();
}

class CommitRun<A extends CommitAttempt, L> {
  private readonly started = Date.now();
  private readonly name: string;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly maxUnknown: number;
  private attempts = 0;
  private conflicts = 0;
  private unknownOutcomes = 0;
  /** Attempts whose outcome was unknown and not yet proven impossible. */
  private unknownAttempts: A[] = [];
  private readonly action: CommitAction<A, L>;
  private readonly options: DriveCommitOptions;

  constructor(action: CommitAction<A, L>, options: DriveCommitOptions) {
    this.action = action;
    this.options = options;
    this.name = formatTable(options.identifier);
    this.wait = options.sleep ?? ((ms: number) => sleep(ms));
    this.maxUnknown = options.maxUnknownOutcomes ?? DEFAULT_MAX_UNKNOWN_OUTCOMES;
  }

  private stats(): DriveStats {
    return {
      attempts: this.attempts,
      conflicts: this.conflicts,
      unknownOutcomes: this.unknownOutcomes,
      durationMs: Date.now() - this.started,
    };
  }

  private load(): Promise<CommittedTable> {
    return this.options.committer.loadTable(this.options.identifier);
  }

  async run(): Promise<DriveOutcome<L>> {
    let base = this.options.base ?? (await this.load());
    const tablePolicy = commitRetryPolicy(base.metadata.properties);
    const policy = this.options.retryPolicy?.(tablePolicy) ?? tablePolicy;
    for (;;) {
      const settled = await this.settleOn(base);
      if (settled !== undefined) return settled;

      let prepared: A | undefined;
      try {
        prepared = await this.action.prepare(base, this.attempts + 1);
      } catch (error) {
        return this.failDefinitely(error);
      }
      if (prepared === undefined) {
        if (this.mayStillLand(base)) throw this.unresolved(undefined);
        await this.cleanUp(base, undefined);
        return { status: 'nothing-to-commit', table: base, ...this.stats() };
      }
      this.attempts++;

      let committed: CommittedTable | undefined;
      let failure: unknown;
      try {
        committed = await this.options.committer.commitTable(
          this.options.identifier,
          prepared.requirements,
          prepared.updates,
        );
      } catch (error) {
        failure = error;
      }
      if (committed !== undefined) {
        const landed = this.action.landedIn(committed);
        if (landed !== undefined) return this.committed(landed, committed);
        failure = new IcebergError(
          'commit-state-unknown',
          `the catalog accepted the ${this.action.description} commit to ${this.name} but the table it returned does not show it`,
          { context: { table: this.name } },
        );
      }

      if (isCommitStateUnknown(failure)) {
        this.unknownOutcomes++;
        this.unknownAttempts.push(prepared);
        this.options.logger?.warn(
          { table: this.name, attempt: this.attempts, err: String(failure) },
          'commit outcome unknown; reloading to check whether it landed',
        );
        if (this.unknownOutcomes > this.maxUnknown) {
          // One last look before giving up: the outcome may have settled meanwhile.
          return this.failDefinitely(failure);
        }
        await this.wait(backoffMs(policy, this.attempts));
        try {
          base = await this.load();
        } catch (reloadError) {
          throw this.unresolved(reloadError);
        }
        continue;
      }

      if (!isCommitConflict(failure)) return this.failDefinitely(failure);
      this.conflicts++;
      const elapsed = Date.now() - this.started;
      if (this.attempts > policy.numRetries || elapsed >= policy.totalTimeoutMs) {
        return this.failDefinitely(
          new IcebergError(
            'commit-conflict',
            `${this.action.description} commit to ${this.name} lost ${this.conflicts} optimistic-concurrency races in ` +
              `${this.attempts} attempts (${elapsed} ms); raise commit.retry.num-retries on the table or reduce concurrent writers`,
            {
              retryable: true,
              context: { table: this.name, attempts: this.attempts, conflicts: this.conflicts },
              cause: failure,
            },
          ),
        );
      }
      const delay = backoffMs(policy, this.attempts);
      this.options.logger?.warn(
        { table: this.name, attempt: this.attempts, delayMs: delay },
        'commit conflict; rebasing on the new table state',
      );
      await this.wait(delay);
      try {
        base = await this.load();
      } catch (reloadError) {
        return this.failDefinitely(reloadError);
      }
    }
  }

  /** Our landing or another commit's marker in `table` ends the run. */
  private async settleOn(table: CommittedTable): Promise<DriveOutcome<L> | undefined> {
    const landed = this.action.landedIn(table);
    if (landed !== undefined) return this.committed(landed, table);
    const marked = this.options.alreadyCommitted?.(table);
    if (marked === undefined) return undefined;
    if (this.mayStillLand(table)) throw this.unresolved(undefined);
    await this.cleanUp(table, undefined);
    const outcome = { status: 'already-committed' as const, snapshot: marked, table, ...this.stats() };
    this.options.logger?.info(
      { table: this.name, snapshotId: marked.snapshotId.toString(), attempts: this.attempts },
      'commit already present; nothing new committed',
    );
    return outcome;
  }

  private mayStillLand(table: CommittedTable): boolean {
    return this.unknownAttempts.some(
      (attempt) => checkRequirements(table.metadata, attempt.requirements).length === 0,
    );
  }

  private async committed(landed: L, table: CommittedTable): Promise<DriveOutcome<L>> {
    await this.cleanUp(table, landed);
    return { status: 'committed', landed, table, ...this.stats() };
  }

  /**
   * A definite failure of the latest step. Before cleaning up, every earlier unknown outcome is
   * settled by one more reload: ours landed → committed after all; may still land → unresolved.
   */
  private async failDefinitely(error: unknown): Promise<DriveOutcome<L>> {
    let table: CommittedTable | undefined;
    if (this.unknownAttempts.length > 0) {
      try {
        table = await this.load();
      } catch (reloadError) {
        throw this.unresolved(reloadError);
      }
    }
    if (table !== undefined) {
      const landed = this.action.landedIn(table);
      if (landed !== undefined) return this.committed(landed, table);
      if (this.mayStillLand(table)) throw this.unresolved(error);
    }
    await this.cleanUp(table, undefined);
    throw error;
  }

  private async cleanUp(table: CommittedTable | undefined, landed: L | undefined): Promise<void> {
    try {
      await this.action.cleanUp(table, landed);
    } catch (error) {
      this.options.logger?.warn(
        { table: this.name, err: String(error) },
        'could not delete the files of abandoned commit attempts; the orphan sweep will',
      );
    }
  }

  private unresolved(cause: unknown): IcebergError {
    return new IcebergError(
      'commit-state-unknown',
      `${this.action.description} commit to ${this.name}: ${this.unknownOutcomes} attempt(s) ended with an unknown outcome ` +
        'and no reload settled whether one landed; nothing was deleted, retry the job (its marker check settles it)',
      {
        retryable: true,
        context: {
          table: this.name,
          attempts: this.attempts,
          unknownOutcomes: this.unknownOutcomes,
          unresolved: true,
        },
        cause,
      },
    );
  }
}
