// The per-table commit queue of one worker process (DESIGN §5, group commit). Jobs reserve a
// slot when they start writing data files and submit a CommitRequest once the files are written.
// Per table at most one commit is in flight; requests that arrive meanwhile accumulate. The next
// commit takes, in arrival order, up to `maxJobsPerCommit` append jobs that change no schema and
// share the same snapshot properties (their ids must also fit the `floe.job-ids` length budget);
// any other job commits alone. When the group is not full and other jobs of the table are still
// writing, it lingers up to `lingerMs` for them to join. Each job's promise settles with its own
// result (same snapshot for the whole group) or the commit's error. A job id is queued at most
// once per table: a second delivery of a job that is pending or in flight (its BullMQ lock
// lapsed and the job was handed to this process again) follows the first one and is settled
// with the same outcome; its own data files are deleted (commit-group.ts `settleDuplicate`).
//
// Across processes (with `coordination`, commit-lease.ts): before a groupable append commits, the
// process claims the table's commit lease. The holder takes every hand-over waiting in Redis and
// commits them with its own jobs in one snapshot, answering each origin; a process that finds
// the lease held by another hands its groupable appends over and waits for the answers. Other
// jobs (overwrites, schema changes, row-level changes) and requests taken over from others
// commit here under optimistic concurrency, whoever holds the lease. A tick (a third of the
// lease TTL) renews a held lease, releases it once the table is idle, and looks after the
// hand-overs waiting for an answer (handoff-waiter.ts): a hand-over nobody took is withdrawn
// and committed here; one whose taker went silent falls back to a marker check and a commit
// here that never deletes the files (the taker may have committed them). Redis trouble never
// stops a commit: the job commits here under optimistic concurrency.
import { randomUUID } from 'node:crypto';
import { type CommittedTable, type FileIO, formatTable, type TableIdentifier } from '@floe/iceberg';
import {
  type CommitGroupDeps,
  type CommitRequest,
  commitGroup,
  type GroupCommitResult,
  type Settled,
} from './commit-group.ts';
import type { CommitLease } from './commit-lease.ts';
import { answerOf, decodeHandOver, encodeAnswer, encodeHandOver } from './handoff-codec.ts';
import { type HandedOver, HandOffWaiter } from './handoff-waiter.ts';
import { type Queued, settle } from './queued-job.ts';

/** Upper bound of the joined `floe.job-ids` value, so a snapshot summary stays small. */
export const MAX_JOB_IDS_CHARS = 8192;

/** What the lease coordination reports (metrics). */
export type LeaseEvent = 'acquired' | 'handed-over' | 'taken-over' | 'fallback' | 'redis-error';

export interface CommitCoordination {
  readonly lease: CommitLease;
  /** A hand-over with no answer this long (or whose taker lost the lease) falls back. */
  readonly answerTimeoutMs: number;
  readonly onEvent?: (event: LeaseEvent) => void;
}

export interface TableCommitterOptions extends CommitGroupDeps {
  readonly maxJobsPerCommit: number;
  readonly lingerMs: number;
  /** Commit lease and hand-over in Redis; absent → every commit is local (OCC only). */
  readonly coordination?: CommitCoordination;
}

/** A job's place in its table's commit queue, taken before it starts writing files. */
export interface CommitSlot {
  /** Hands the written files over; resolves once the snapshot holding them is durable. */
  submit(request: CommitRequest): Promise<GroupCommitResult>;
  /** The job will not submit (it failed before committing); stops others lingering for it. */
  release(): void;
}

export interface TableState {
  readonly pending: Queued[];
  /** Slots reserved and not yet submitted or released: jobs still writing files. */
  writing: number;
  inFlight: boolean;
  /** The jobs of the commit in flight, by job id. */
  readonly inFlightJobs: Map<string, Queued>;
  lingerTimer: NodeJS.Timeout | undefined;
  lingerUntil: number | undefined;
  latest: CommittedTable | undefined;
  /** The FileIO and table of this process's latest own request (used for taken-over ones). */
  io: FileIO | undefined;
  base: CommittedTable | undefined;
  identifier: TableIdentifier | undefined;
  /** This process holds the table's commit lease. */
  holding: boolean;
  /** Another process held the lease at the last claim: hand over without lingering. */
  othersHold: boolean;
  /** A hand-over is waiting in Redis for the holder. */
  wakePending: boolean;
  /** Own jobs handed to the holder, by hand-over id. */
  readonly handedOver: Map<string, HandedOver>;
  tick: NodeJS.Timeout | undefined;
  ticking: boolean;
  /** Consecutive ticks the held lease found the table idle. */
  idleTicks: number;
}

export function groupable(request: CommitRequest): boolean {
  return request.mode === 'append' && (request.schemaChange?.updates.length ?? 0) === 0;
}

/** An own groupable append that has not given up on the lease: it goes to the holder. */
function handsOver(queued: Queued): boolean {
  return queued.foreign !== true && queued.local !== true && groupable(queued.request);
}

function propertiesKey(request: CommitRequest): string {
  return JSON.stringify(Object.entries(request.snapshotProperties).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export class TableCommitter {
  private readonly options: TableCommitterOptions;
  private readonly tables = new Map<string, TableState>();
  private readonly waiter: HandOffWaiter | undefined;

  constructor(options: TableCommitterOptions) {
    this.options = options;
    const coordination = options.coordination;
    this.waiter =
      coordination === undefined
        ? undefined
        : new HandOffWaiter({
            ...options,
            coordination,
            requeue: (table, queued) => {
              const state = this.stateOf(table);
              state.pending.push(queued);
              this.schedule(table);
            },
          });
  }

  /** Subscribes to hand-over wake-ups and answers (with coordination). */
  async start(): Promise<void> {
    await this.options.coordination?.lease.start({
      wake: (table) => {
        const state = this.tables.get(table);
        if (state === undefined || !state.holding) return;
        state.wakePending = true;
        this.schedule(table);
      },
      answered: (id) => {
        for (const [table, state] of this.tables) {
          if (state.handedOver.has(id)) void this.waiter?.collect(table, state.handedOver, id);
        }
      },
    });
  }

  /** Stops the ticks, releases the leases this process holds and closes the subscription. */
  async close(): Promise<void> {
    const lease = this.options.coordination?.lease;
    if (lease === undefined) return;
    for (const [table, state] of this.tables) {
      clearInterval(state.tick);
      state.tick = undefined;
      if (state.holding) await lease.releaseIfIdle(table).catch(() => undefined);
    }
    await lease.close();
  }

  reserve(table: string): CommitSlot {
    const state = this.stateOf(table);
    state.writing++;
    let open = true;
    const close = () => {
      if (!open) return false;
      open = false;
      state.writing--;
      return true;
    };
    return {
      submit: (request) => {
        close();
        return new Promise<GroupCommitResult>((resolve, reject) => {
          const name = formatTable(request.identifier);
          const target = this.stateOf(name);
          target.io = request.io;
          target.base = request.base;
          target.identifier = request.identifier;
          const first =
            target.inFlightJobs.get(request.jobId) ??
            target.pending.find((queued) => queued.request.jobId === request.jobId) ??
            [...target.handedOver.values()].find((h) => h.queued.request.jobId === request.jobId)?.queued;
          if (first !== undefined) {
            first.followers.push({ request, resolve, reject });
            this.schedule(name);
            return;
          }
          target.pending.push({ request, resolve, reject, followers: [] });
          this.schedule(name);
        });
      },
      release: () => {
        if (close()) this.schedule(table);
      },
    };
  }

  /** Submits without a reservation (nothing to linger for). */
  commit(request: CommitRequest): Promise<GroupCommitResult> {
    return this.reserve(formatTable(request.identifier)).submit(request);
  }

  /** Commits waiting or in flight, over all tables. */
  get backlog(): number {
    let count = 0;
    for (const state of this.tables.values())
      count += state.pending.length + state.handedOver.size + (state.inFlight ? 1 : 0);
    return count;
  }

  private stateOf(table: string): TableState {
    let state = this.tables.get(table);
    if (state === undefined) {
      state = {
        pending: [],
        writing: 0,
        inFlight: false,
        inFlightJobs: new Map(),
        lingerTimer: undefined,
        lingerUntil: undefined,
        latest: undefined,
        io: undefined,
        base: undefined,
        identifier: undefined,
        holding: false,
        othersHold: false,
        wakePending: false,
        handedOver: new Map(),
        tick: undefined,
        ticking: false,
        idleTicks: 0,
      };
      this.tables.set(table, state);
    }
    return state;
  }

  /** The next group: the head job, plus later groupable jobs with the same properties. */
  private nextGroup(state: TableState): Queued[] {
    const head = state.pending[0];
    if (head === undefined) return [];
    if (!groupable(head.request)) return [head];
    const key = propertiesKey(head.request);
    const group: Queued[] = [];
    let idsLength = -1;
    for (const queued of state.pending) {
      if (group.length >= this.options.maxJobsPerCommit) break;
      if (!groupable(queued.request) || propertiesKey(queued.request) !== key) continue;
      const length = idsLength + 1 + queued.request.jobId.length;
      if (group.length > 0 && length > MAX_JOB_IDS_CHARS) break;
      idsLength = length;
      group.push(queued);
    }
    return group;
  }

  private schedule(table: string): void {
    const state = this.stateOf(table);
    if (state.inFlight) return;
    if (state.pending.length === 0) {
      if (state.holding && state.wakePending) void this.coordinate(table, state);
      return;
    }
    const group = this.nextGroup(state);
    const head = group[0] as Queued;
    const handsOver = this.options.coordination !== undefined && state.othersHold && !head.local;
    const canGrow =
      groupable(head.request) &&
      !handsOver &&
      group.length < this.options.maxJobsPerCommit &&
      state.writing > 0 &&
      this.options.lingerMs > 0;
    const now = Date.now();
    if (canGrow && (state.lingerUntil === undefined || now < state.lingerUntil)) {
      if (state.lingerUntil === undefined) {
        state.lingerUntil = now + this.options.lingerMs;
        state.lingerTimer = setTimeout(() => {
          state.lingerTimer = undefined;
          state.lingerUntil = 0;
          this.schedule(table);
        }, this.options.lingerMs);
      }
      return;
    }
    clearTimeout(state.lingerTimer);
    state.lingerTimer = undefined;
    state.lingerUntil = undefined;
    if (this.options.coordination !== undefined && groupable(head.request) && !head.local) {
      void this.coordinate(table, state);
      return;
    }
    this.run(table, state, group);
  }

  /**
   * Claims the lease (taking the waiting hand-overs) or hands the own groupable appends to the
   * holder; then commits what is left here. Runs with `inFlight` set, so one at a time per table.
   */
  private async coordinate(table: string, state: TableState): Promise<void> {
    const coordination = this.options.coordination as CommitCoordination;
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
    this.startTicking(table, state);
    state.inFlight = false;
    if (state.pending.length > 0) this.run(table, state, this.nextGroup(state));
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
  private startTicking(table: string, state: TableState): void {
    const coordination = this.options.coordination;
    if (coordination === undefined || state.tick !== undefined) return;
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
          this.schedule(table);
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
    await this.waiter?.check(table, state.handedOver);
    if (!state.holding && state.handedOver.size === 0) {
      clearInterval(state.tick);
      state.tick = undefined;
    }
  }

  private run(table: string, state: TableState, group: readonly Queued[]): void {
    state.inFlight = true;
    for (const queued of group) state.inFlightJobs.set(queued.request.jobId, queued);
    const taken = new Set(group);
    const rest = state.pending.filter((queued) => !taken.has(queued));
    state.pending.splice(0, state.pending.length, ...rest);
    commitGroup(
      group.map((queued) => queued.request),
      this.options,
      state.latest,
    )
      .then(async ({ settled, latest }) => {
        if (latest !== undefined) state.latest = latest;
        state.inFlightJobs.clear();
        await Promise.all(group.map((queued, i) => settle(queued, settled[i] ?? unsettled())));
      })
      .catch(async (error: unknown) => {
        state.inFlightJobs.clear();
        await Promise.all(group.map((queued) => settle(queued, { ok: false, error })));
      })
      .finally(() => {
        state.inFlight = false;
        this.schedule(table);
      });
  }
}

function unsettled(): Settled {
  return { ok: false, error: new Error('group commit returned no outcome for a job') };
}
