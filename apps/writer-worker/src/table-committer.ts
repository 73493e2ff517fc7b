// The per-table commit queue of one worker process (DESIGN §5, group commit). Jobs reserve a
// slot when they start writing data files and submit a CommitRequest once the files are written.
// Per table at most one commit is in flight; requests that arrive meanwhile accumulate. The next
// commit takes, in arrival order, up to `maxJobsPerCommit` append jobs that change no schema and
// share the same snapshot properties (their ids must also fit the `floe.job-ids` length budget);
// any other job commits alone. When the group is not full and other jobs of the table are still
// writing, it lingers up to `lingerMs` for them to join. A busy table is paced: once jobs share
// commits (the last commit or the next one takes more than one), a commit starts at least
// `commitIntervalMs` after the previous one started here, so the jobs that become ready meanwhile
// share one snapshot instead of each costing a commit (a group that is already full does not
// wait). This bounds the snapshots per second a table gets from a fleet (the lease holder commits
// for every writer), and with them the metadata every commit rewrites and every reader parses.
// Jobs that cannot share a commit (each with its own snapshot properties) and the first job after
// a quiet spell commit at once: pacing them would only delay them. Each job's promise settles with its own
// result (same snapshot for the whole group) or the commit's error. A job id is queued at most
// once per table: a second delivery of a job that is pending or in flight (its BullMQ lock
// lapsed and the job was handed to this process again) follows the first one and is settled
// with the same outcome; its own data files are deleted (commit-group.ts `settleDuplicate`).
//
// Across processes (with `coordination`): lease-coordinator.ts claims the table's commit lease
// before a groupable append commits, or hands the job to the holder.
import { formatTable } from '@floe/iceberg';
import {
  type CommitGroupDeps,
  type CommitRequest,
  commitGroup,
  type GroupCommitResult,
  type Settled,
} from './commit-group.ts';
import { groupable, newTableState, type Queued, settle, type TableState } from './commit-queue-state.ts';
import { type CommitCoordination, LeaseCoordinator } from './lease-coordinator.ts';

/** Upper bound of the joined `floe.job-ids` value, so a snapshot summary stays small. */
export const MAX_JOB_IDS_CHARS = 8192;

export interface TableCommitterOptions extends CommitGroupDeps {
  readonly maxJobsPerCommit: number;
  readonly lingerMs: number;
  /** Least ms between the starts of two commits of one table here (0: no pacing). */
  readonly commitIntervalMs?: number;
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

function propertiesKey(request: CommitRequest): string {
  return JSON.stringify(Object.entries(request.snapshotProperties).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export class TableCommitter {
  private readonly options: TableCommitterOptions;
  private readonly tables = new Map<string, TableState>();
  private readonly coordinator: LeaseCoordinator | undefined;

  constructor(options: TableCommitterOptions) {
    this.options = options;
    this.coordinator =
      options.coordination === undefined
        ? undefined
        : new LeaseCoordinator(options, options.coordination, {
            schedule: (table) => this.schedule(table),
            commitHere: (table, state) => this.run(table, state, this.nextGroup(state)),
            requeue: (table, queued) => {
              this.stateOf(table).pending.push(queued);
              this.schedule(table);
            },
          });
  }

  /** Subscribes to hand-over wake-ups and answers (with coordination). */
  async start(): Promise<void> {
    await this.coordinator?.start(this.tables);
  }

  /** Stops the lease ticks, releases the leases this process holds, closes the subscription. */
  async close(): Promise<void> {
    await this.coordinator?.close(this.tables);
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
      state = newTableState();
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
      if (state.holding && state.wakePending) void this.coordinator?.coordinate(table, state);
      return;
    }
    const group = this.nextGroup(state);
    const head = group[0] as Queued;
    const handsOver = this.coordinator !== undefined && state.othersHold && !head.local;
    // Jobs handed over by other writers already waited for this commit: the holder does not linger.
    const othersWait =
      state.holding && (state.wakePending || group.some((queued) => queued.foreign === true));
    const canGrow =
      groupable(head.request) &&
      !handsOver &&
      !othersWait &&
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
    const paceMs = handsOver ? 0 : this.paceDelay(state, group, now);
    if (paceMs > 0) {
      state.paceTimer ??= setTimeout(() => {
        state.paceTimer = undefined;
        this.schedule(table);
      }, paceMs);
      return;
    }
    if (this.coordinator !== undefined && groupable(head.request) && !head.local) {
      void this.coordinator.coordinate(table, state);
      return;
    }
    this.run(table, state, group);
  }

  /** How long a group that could still grow waits for the table's commit interval to pass. */
  private paceDelay(state: TableState, group: readonly Queued[], now: number): number {
    const interval = this.options.commitIntervalMs ?? 0;
    const head = group[0];
    if (interval <= 0 || state.lastCommitAt === undefined || head === undefined) return 0;
    if (!groupable(head.request) || group.length >= this.options.maxJobsPerCommit) return 0;
    // Nothing shares commits: waiting would gain no job, only delay this one.
    if (group.length === 1 && state.lastGroupSize <= 1) return 0;
    return Math.max(0, state.lastCommitAt + interval - now);
  }

  private run(table: string, state: TableState, group: readonly Queued[]): void {
    clearTimeout(state.paceTimer);
    state.paceTimer = undefined;
    state.lastCommitAt = Date.now();
    state.lastGroupSize = group.length;
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
