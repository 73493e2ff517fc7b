// The origin side of a hand-over (commit-lease.ts): an own job whose files were handed to the
// holder of the table's commit lease waits here for the answer, and is never left hanging.
//   answer arrives   → the job settles with the holder's snapshot, or with its error; the files
//                      are deleted only when the holder reported a definite failure (no attempt
//                      of its commit can land any more).
//   nobody took it   → when the lease is free (the holder died before taking), or once the answer
//                      timeout passed, it is withdrawn atomically and goes back to the local queue
//                      (after a timeout it then commits here, never handed over again).
//   taken, no answer → when the taker no longer holds the lease for a lease TTL, or once the
//                      answer timeout passed: the table is reloaded and the job committed here
//                      through the commit driver, whose marker check finds it if the taker's
//                      commit landed (optimistic concurrency keeps a late one from landing
//                      twice). Its files are never deleted on this path: the silent taker may
//                      have committed them.
import type { CommittedTable } from '@floe/iceberg';
import {
  type CommitGroupDeps,
  commitGroup,
  deleteFiles,
  type GroupCommitResult,
  type Settled,
} from './commit-group.ts';
import type { CommitLease } from './commit-lease.ts';
import { type HandedOver, type Queued, settle } from './commit-queue-state.ts';
import { decodeAnswer, HandedCommitError } from './handoff-codec.ts';

export interface HandOffWaiterOptions extends CommitGroupDeps {
  readonly coordination: {
    readonly lease: CommitLease;
    readonly answerTimeoutMs: number;
    readonly onEvent?: (event: 'fallback') => void;
  };
  /** Puts a withdrawn job back into the table's local queue. */
  readonly requeue: (table: string, queued: Queued) => void;
}

export class HandOffWaiter {
  private readonly options: HandOffWaiterOptions;

  constructor(options: HandOffWaiterOptions) {
    this.options = options;
  }

  /** Looks after every hand-over of the table still waiting for its answer. */
  async check(table: string, handedOver: Map<string, HandedOver>): Promise<void> {
    const { lease, answerTimeoutMs } = this.options.coordination;
    for (const [id, handed] of [...handedOver]) {
      if (!handedOver.has(id)) continue;
      const now = Date.now();
      const overdue = now - handed.handedAt > answerTimeoutMs;
      let status: Awaited<ReturnType<CommitLease['status']>>;
      try {
        status = await lease.status(table, id);
      } catch (error) {
        // Without Redis nobody can answer: after the timeout, settle it against the table.
        if (overdue) await this.fallback(table, handedOver, id, String(error));
        continue;
      }
      if (status.answer !== undefined) {
        await this.collect(table, handedOver, id, status.answer);
        continue;
      }
      if (status.waiting) {
        if ((status.holder === undefined || overdue) && (await lease.withdraw(table, id))) {
          handedOver.delete(id);
          if (overdue) handed.queued.local = true;
          this.options.requeue(table, handed.queued);
        }
        continue;
      }
      const takerGone = status.taker === undefined || status.holder !== status.taker;
      handed.orphanedAt = takerGone ? (handed.orphanedAt ?? now) : undefined;
      const orphaned = handed.orphanedAt !== undefined && now - handed.orphanedAt >= lease.ttlMs;
      if (overdue || orphaned) {
        await this.fallback(
          table,
          handedOver,
          id,
          overdue ? 'no answer in time' : 'its taker lost the lease',
        );
      }
    }
  }

  /** Settles hand-over `id` with the holder's answer (read from Redis when not given). */
  async collect(
    table: string,
    handedOver: Map<string, HandedOver>,
    id: string,
    blob?: Buffer,
  ): Promise<void> {
    const handed = handedOver.get(id);
    if (handed === undefined) return;
    const { lease } = this.options.coordination;
    handedOver.delete(id);
    let outcome: Settled;
    try {
      const raw = blob ?? (await lease.readAnswer(id));
      if (raw === undefined) {
        handedOver.set(id, handed);
        return;
      }
      const answer = decodeAnswer(raw);
      const request = handed.queued.request;
      if (answer.ok) {
        // The answer carries the snapshot and the schema id, not the holder's whole metadata.
        const table: CommittedTable = {
          metadata: { ...request.base.metadata, currentSchemaId: answer.currentSchemaId },
          metadataLocation: answer.metadataLocation,
        };
        const result: GroupCommitResult = {
          status: answer.status,
          snapshot: answer.snapshot,
          table,
          attempts: answer.attempts,
          coalescedJobs: answer.coalescedJobs,
        };
        outcome = { ok: true, result };
      } else {
        if (!answer.unknown) await deleteFiles(request);
        outcome = { ok: false, error: new HandedCommitError(answer, table) };
      }
    } catch (error) {
      handedOver.set(id, handed);
      this.options.logger?.warn(
        { table, handOverId: id, err: String(error) },
        'could not read a hand-over answer',
      );
      return;
    }
    await lease.forget(id).catch(() => undefined);
    await settle(handed.queued, outcome);
  }

  private async fallback(
    table: string,
    handedOver: Map<string, HandedOver>,
    id: string,
    reason: string,
  ): Promise<void> {
    const handed = handedOver.get(id);
    if (handed === undefined) return;
    handedOver.delete(id);
    this.options.coordination.onEvent?.('fallback');
    const request = { ...handed.queued.request, keepFiles: true };
    this.options.logger?.warn(
      { table, jobId: request.jobId, handOverId: id, reason },
      'hand-over unanswered; checking the table markers and committing here (files kept whatever happens)',
    );
    let known: CommittedTable | undefined;
    try {
      known = await this.options.committer.loadTable(request.identifier);
    } catch {
      // The commit driver reloads on its own conflicts; the stale base only costs an attempt.
    }
    const { settled } = await commitGroup([request], this.options, known);
    await settle(
      handed.queued,
      settled[0] ?? { ok: false, error: new Error('group commit returned no outcome for a job') },
    );
  }
}
