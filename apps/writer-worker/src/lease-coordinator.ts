// The cross-process half of a table's commit queue (DESIGN §5, "across processes"): before a
// groupable append commits, the writer claims the table's commit lease (commit-lease.ts). The
// holder takes every hand-over waiting in Redis, queues it with its own jobs (the next group
// commits them in one snapshot) and answers each origin; a writer that finds the lease held by
// another hands its groupable appends over and waits for the answers (handoff-waiter.ts). Other
// jobs (overwrites, schema changes, row-level changes) and requests taken over from others
// commit in their writer under optimistic concurrency, whoever holds the lease. A tick (a third
// of the lease TTL) renews a held lease, releases it after two idle ticks, and looks after the
// hand-overs waiting for an answer. Redis trouble never stops a commit: the job commits in its
// own writer under optimistic concurrency. A holder gives a maintenance commit that asked for
// right of way (@floe/jobs commit-coordination.ts) the table first: it holds its next commit
// back, polling, until the request is gone — at most MAINTENANCE_RIGHT_OF_WAY_TTL_MS.
import { randomUUID } from 'node:crypto';
import { MAINTENANCE_RIGHT_OF_WAY_TTL_MS } from '@floe/jobs';
import type { CommitGroupDeps, CommitRequest, Settled } from './commit-group.ts';
import type { CommitLease } from './commit-lease.ts';
import { handsOver, type Queued, type TableState } from './commit-queue-state.ts';
import { answerOf, decodeHandOver, encodeAnswer, encodeHandOver } from './handoff-codec.ts';
import { HandOffWaiter } from './handoff-waiter.ts';

/** What the lease coordination reports (metrics). */
export type LeaseEvent = 'acquired' | 'handed-over' | 'taken-over' | 'fallback' | 'gave-way' | 'redis-error';

const RIGHT_OF_WAY_POLL_MS = 25;

export interface CommitCoordination {
  readonly lease: CommitLease;
  /** A hand-over with no answer this long (or whose taker lost the lease) falls back. */
  readonly answerTimeoutMs: number;
  readonly onEvent?: (event: LeaseEvent) => void;
}

/** What the coordinator needs from the table's local commit queue. */
export interface LocalQueue {
  /** Re-evaluates the table's queue (a hand-over woke the holder, a job came back). */
  schedule(table: string): void;
  /** Commits the next group here (the queue is not empty and nothing is in flight). */
  commitHere(table: string, state: TableState): void;
  /** Puts a withdrawn hand-over back into the table's queue. */
  requeue(table: string, queued: Queued): void;
}

export class LeaseCoordinator {
  private readonly options: CommitGroupDeps;
  private readonly coordination: CommitCoordination;
  private readonly hooks: LocalQueue;
  private readonly waiter: HandOffWaiter;

  constructor(options: CommitGroupDeps, coordination: CommitCoordination, hooks: LocalQueue) {
    this.options = options;
    this.coordination = coordination;
    this.hooks = hooks;
    this.waiter = new HandOffWaiter({ ...options, coordination, requeue: hooks.requeue });
  }

  /** Subscribes to hand-over wake-ups and answers (with coordination). */
  async start(tables: ReadonlyMap<string, TableState>): Promise<void> {
    await this.coordination.lease.start({
      wake: (table) => {
        const state = tables.get(table);
        if (state === undefined) return;
        // Also noted while a claim is on its way: if it wins, the next round takes what came.
        state.wakePending = true;
        if (state.holding) this.hooks.schedule(table);
      },
      answered: (id) => {
        for (const [table, state] of tables) {
          if (state.handedOver.has(id)) void this.waiter.collect(table, state.handedOver, id);
        }
      },
    });
  }

  /** Stops the ticks, releases the leases this process holds and closes the subscription. */
  async close(tables: ReadonlyMap<string, TableState>): Promise<void> {
    const { lease } = this.coordination;
    for (const [table, state] of tables) {
      clearInterval(state.tick);
      state.tick = undefined;
      if (state.holding) await lease.releaseIfIdle(table).catch(() => undefined);
    }
    await lease.close();
  }

  /**
   * Claims the lease (taking the waiting hand-overs) or hands the own groupable appends to the
   * holder; then commits what is left here. Runs with `inFlight` set, so one at a time per table.
   */
  async coordinate(table: string, state: TableState): Promise<void> {
    const coordination = this.coordination;
    state.inFlight = true;
    state.wakePending = false;
    try {
      // Jobs that submit while a round awaits Redis are handed over in the next round.
      for (let round = 0; round < 5; round++) {
        await this.claimOrHandOver(table, state, coordination);
        if (state.holding || !state.pending.some(handsOver)) break;
      }
    } catch (error) {
      state.holding = false;
      state.othersHold = false;
      coordination.onEvent?.('redis-error');
      this.options.logger?.warn(
        { table, err: String(error) },
        'commit lease unavailable (Redis); committing here under optimistic concurrency',
      );
    }
    if (state.holding && state.pending.length > 0) await this.giveWayToMaintenance(table, coordination);
    this.startTicking(table, state);
    state.inFlight = false;
    if (state.pending.length > 0) this.hooks.commitHere(table, state);
    else if (!state.holding) state.wakePending = false;
    else if (state.wakePending) this.hooks.schedule(table);
  }

  /** Holds this holder's next commit back while a maintenance commit has right of way. */
  private async giveWayToMaintenance(table: string, coordination: CommitCoordination): Promise<void> {
    const until = Date.now() + MAINTENANCE_RIGHT_OF_WAY_TTL_MS;
    try {
      let waited = false;
      while (Date.now() < until && (await coordination.lease.maintenanceWaiting(table))) {
        waited = true;
        await new Promise((resolve) => setTimeout(resolve, RIGHT_OF_WAY_POLL_MS));
      }
      if (waited) coordination.onEvent?.('gave-way');
    } catch {
      // Redis trouble: commit as usual (optimistic concurrency keeps it correct).
    }
  }

  private async claimOrHandOver(table: string, state: TableState, coordination: CommitCoordination) {
    const { lease } = coordination;
    // A hand-over can meet a lease that was just released: claim again (bounded).
    for (let round = 0; round < 3; round++) {
      const claim = await lease.claimAndTake(table);
      if (claim.held) {
        if (claim.acquired) {
          coordination.onEvent?.('acquired');
          this.options.logger?.info({ table, taken: claim.taken.length }, 'took the commit lease');
          await this.refreshLatest(table, state);
        }
        state.holding = true;
        state.othersHold = false;
        this.adopt(table, state, claim.taken, coordination);
        return;
      }
      state.holding = false;
      state.othersHold = true;
      let free = false;
      for (const queued of [...state.pending]) {
        if (!handsOver(queued)) continue;
        const id = randomUUID();
        let outcome: Awaited<ReturnType<CommitLease['handOver']>>;
        try {
          outcome = await lease.handOver(
            table,
            id,
            encodeHandOver({ id, origin: lease.token, request: queued.request }),
          );
        } catch (error) {
          // The hand-over may have reached Redis: a holder may commit these files, never delete them.
          state.pending[state.pending.indexOf(queued)] = {
            ...queued,
            request: { ...queued.request, keepFiles: true },
            local: true,
          };
          throw error;
        }
        if (outcome !== 'handed') {
          free = true;
          break;
        }
        state.pending.splice(state.pending.indexOf(queued), 1);
        state.handedOver.set(id, { queued, handedAt: Date.now(), orphanedAt: undefined });
        coordination.onEvent?.('handed-over');
      }
      if (!free) return;
    }
  }

  /**
   * A new holder starts from the table as it is now: the previous holder committed since this
   * process last looked, and a stale base would cost the first commit a conflict.
   */
  private async refreshLatest(table: string, state: TableState): Promise<void> {
    const identifier = state.identifier;
    if (identifier === undefined) return;
    try {
      state.latest = await this.options.committer.loadTable(identifier);
    } catch (error) {
      this.options.logger?.warn(
        { table, err: String(error) },
        'could not reload the table on taking the commit lease',
      );
    }
  }

  /** Queues the hand-overs just taken: own ones come back as own, others are answered via Redis. */
  private adopt(
    table: string,
    state: TableState,
    taken: readonly { id: string; blob: Buffer }[],
    coordination: CommitCoordination,
  ): void {
    const { lease } = coordination;
    for (const { id, blob } of taken) {
      let handOver: ReturnType<typeof decodeHandOver>;
      try {
        handOver = decodeHandOver(blob);
      } catch (error) {
        this.options.logger?.warn({ table, handOverId: id, err: String(error) }, 'skipped a hand-over');
        continue;
      }
      const own = state.handedOver.get(id);
      if (handOver.origin === lease.token && own !== undefined) {
        state.handedOver.delete(id);
        state.pending.push(own.queued);
        continue;
      }
      const io = state.io;
      const base = state.latest ?? state.base;
      const answer = (outcome: Settled) =>
        lease.answer(id, handOver.origin, encodeAnswer(answerOf(outcome))).catch((error: unknown) => {
          this.options.logger?.warn(
            { table, jobId: handOver.request.jobId, err: String(error) },
            'could not answer a hand-over; its origin will check the table markers',
          );
        });
      if (io === undefined || base === undefined) {
        void answer({ ok: false, error: new Error(`commit lease holder has no FileIO for ${table}`) });
        continue;
      }
      const request: CommitRequest = { ...handOver.request, io, base, keepFiles: true };
      state.pending.push({
        request,
        resolve: (result) => void answer({ ok: true, result }),
        reject: (error) => void answer({ ok: false, error }),
        followers: [],
        foreign: true,
      });
      coordination.onEvent?.('taken-over');
    }
  }

  /** Every third of the lease TTL while the table holds the lease or waits for answers. */
  startTicking(table: string, state: TableState): void {
    const coordination = this.coordination;
    if (state.tick !== undefined) return;
    if (!state.holding && state.handedOver.size === 0) return;
    state.tick = setInterval(
      () => {
        if (state.ticking) return;
        state.ticking = true;
        this.onTick(table, state, coordination)
          .catch((error: unknown) =>
            this.options.logger?.warn({ table, err: String(error) }, 'commit lease check failed'),
          )
          .finally(() => {
            state.ticking = false;
          });
      },
      Math.max(50, Math.floor(coordination.lease.ttlMs / 3)),
    );
    state.tick.unref();
  }

  private async onTick(table: string, state: TableState, coordination: CommitCoordination): Promise<void> {
    const { lease } = coordination;
    if (state.holding) {
      const idle = !state.inFlight && state.pending.length === 0 && state.writing === 0;
      // Released after two idle ticks in a row: a busy table keeps its holder (a move costs a reload).
      state.idleTicks = idle ? state.idleTicks + 1 : 0;
      if (state.idleTicks >= 2) {
        state.idleTicks = 0;
        const released = await lease.releaseIfIdle(table);
        if (released === 'busy') {
          state.wakePending = true;
          this.hooks.schedule(table);
        } else {
          state.holding = false;
          this.options.logger?.info({ table, released }, 'released the commit lease (idle)');
        }
      } else if (!(await lease.renew(table))) {
        state.holding = false;
        this.options.logger?.warn(
          { table },
          'lost the commit lease (not renewed in time); committing under optimistic concurrency until it is back',
        );
      }
    }
    await this.waiter.check(table, state.handedOver);
    if (!state.holding && state.handedOver.size === 0) {
      clearInterval(state.tick);
      state.tick = undefined;
    }
  }
}
