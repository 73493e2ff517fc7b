// commitWithRebase: the optimistic-concurrency commit loop every table action goes through.
//
// Contract (per attempt):
//   in:  the freshly loaded table metadata (`base`)
//   1. `alreadyCommitted(base)` — a marker check (e.g. `floe.job-ids`); found → return that
//      snapshot, commit nothing.
//   2. build the snapshot on `base` (new manifest list; data files and added manifests reused)
//   3. POST requirements + updates to the catalog
//   out: committed → the new metadata;
//        `commit-conflict` → back off (commit.retry.* table properties), reload, go to 1;
//        `commit-state-unknown` → reload; our snapshot id present → committed; absent → go to 1;
//        anything else → give up, clean up what this commit wrote, rethrow.
// Metadata files written by attempts that did not win are deleted after the outcome is known;
// after an unresolved unknown state nothing is deleted (it may be referenced).
import { setTimeout as sleep } from 'node:timers/promises';
import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { IcebergError } from '../errors.ts';
import type { FileIO } from '../io/file-io.ts';
import { snapshotById } from '../metadata/snapshot-queries.ts';
import type { Snapshot } from '../spec/partition-types.ts';
import {
  type CatalogCommitter,
  type CommittedTable,
  isCommitConflict,
  isCommitStateUnknown,
  type TableIdentifier,
  tableName,
} from './catalog-committer.ts';
import { backoffMs, commitRetryPolicy } from './commit-retry-policy.ts';
import { type PreparedCommit, type SnapshotChange, SnapshotProducer } from './snapshot-producer.ts';

export interface CommitLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface CommitOptions {
  readonly committer: CatalogCommitter;
  readonly identifier: TableIdentifier;
  readonly io: FileIO;
  /** The table as last loaded; reloaded on conflicts. */
  readonly base: CommittedTable;
  readonly change: SnapshotChange;
  /** Marker check run on every attempt's base; a snapshot returned means "already committed". */
  readonly alreadyCommitted?: (base: CommittedTable) => Snapshot | undefined;
  readonly logger?: CommitLogger;
  /** For tests: replaces the backoff sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface CommitOutcome {
  readonly status: 'committed' | 'already-committed';
  readonly snapshot: Snapshot;
  readonly table: CommittedTable;
  readonly attempts: number;
  readonly conflicts: number;
  readonly durationMs: number;
}

const tracer = trace.getTracer('floe.iceberg');

export async function commitWithRebase(options: CommitOptions): Promise<CommitOutcome> {
  return tracer.startActiveSpan('iceberg.commit', async (span) => {
    try {
      const outcome = await commitLoop(options, span);
      const summary = outcome.snapshot.summary;
      span.setAttributes({
        'floe.snapshot_id': outcome.snapshot.snapshotId.toString(),
        'floe.commit.attempts': outcome.attempts,
        'floe.commit.conflicts': outcome.conflicts,
        'floe.commit.status': outcome.status,
        'floe.commit.duration_ms': outcome.durationMs,
        'floe.rows_added': Number(summary['added-records'] ?? 0),
        'floe.files_added': Number(summary['added-data-files'] ?? 0),
        'floe.bytes_added': Number(summary['added-files-size'] ?? 0),
      });
      return outcome;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

async function commitLoop(options: CommitOptions, span: Span): Promise<CommitOutcome> {
  const started = Date.now();
  const name = tableName(options.identifier);
  span.setAttribute('floe.table', name);
  const producer = new SnapshotProducer(options.io, options.change);
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  let base = options.base;
  const policy = commitRetryPolicy(base.metadata.properties);
  let attempts = 0;
  let conflicts = 0;
  let unresolvedUnknown = false;

  const finish = async (
    status: CommitOutcome['status'],
    snapshot: Snapshot,
    table: CommittedTable,
    prepared: PreparedCommit | undefined,
  ): Promise<CommitOutcome> => {
    await producer.cleanUp(prepared).catch((error: unknown) => {
      options.logger?.warn(
        { table: name, err: String(error) },
        'could not delete metadata of abandoned commit attempts',
      );
    });
    const outcome = { status, snapshot, table, attempts, conflicts, durationMs: Date.now() - started };
    options.logger?.info(
      {
        table: name,
        snapshotId: snapshot.snapshotId.toString(),
        status,
        attempts,
        conflicts,
        durationMs: outcome.durationMs,
        addedRecords: snapshot.summary['added-records'] ?? '0',
        addedFiles: snapshot.summary['added-data-files'] ?? '0',
        addedBytes: snapshot.summary['added-files-size'] ?? '0',
      },
      status === 'committed' ? 'committed snapshot' : 'commit already present; nothing new committed',
    );
    return outcome;
  };

  for (;;) {
    const existing = options.alreadyCommitted?.(base);
    if (existing !== undefined) return finish('already-committed', existing, base, undefined);
    attempts++;
    const prepared = await producer.prepare(base.metadata, attempts);
    try {
      const committed = await options.committer.commitTable(
        options.identifier,
        prepared.requirements,
        prepared.updates,
      );
      return finish('committed', prepared.snapshot, committed, prepared);
    } catch (error) {
      if (isCommitStateUnknown(error)) {
        unresolvedUnknown = true;
        options.logger?.warn(
          { table: name, attempt: attempts, err: String(error) },
          'commit outcome unknown; reloading to check',
        );
        base = await options.committer.loadTable(options.identifier);
        const landed = snapshotById(base.metadata, producer.snapshotId);
        if (landed !== undefined) return finish('committed', landed, base, prepared);
        unresolvedUnknown = false;
      } else if (isCommitConflict(error)) {
        conflicts++;
        const elapsed = Date.now() - started;
        if (attempts > policy.numRetries || elapsed >= policy.totalTimeoutMs) {
          await producer.cleanUp(undefined).catch(() => undefined);
          throw new IcebergError(
            'commit-conflict',
            `commit to ${name} lost ${conflicts} optimistic-concurrency races in ${attempts} attempts (${elapsed} ms); ` +
              'raise commit.retry.num-retries on the table or reduce concurrent writers',
            { retryable: true, context: { table: name, attempts, conflicts }, cause: error },
          );
        }
        const delay = backoffMs(policy, attempts);
        options.logger?.warn(
          { table: name, attempt: attempts, delayMs: delay },
          'commit conflict; rebasing on the new table state',
        );
        await wait(delay);
        base = await options.committer.loadTable(options.identifier);
      } else {
        if (!unresolvedUnknown) await producer.cleanUp(undefined).catch(() => undefined);
        throw error;
      }
    }
  }
}
