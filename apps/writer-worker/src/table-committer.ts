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
import { type CommittedTable, formatTable } from '@floe/iceberg';
import {
  type CommitGroupDeps,
  type CommitRequest,
  commitGroup,
  type GroupCommitResult,
  type Settled,
  settleDuplicate,
} from './commit-group.ts';

/** Upper bound of the joined `floe.job-ids` value, so a snapshot summary stays small. */
export const MAX_JOB_IDS_CHARS = 8192;

export interface TableCommitterOptions extends CommitGroupDeps {
  readonly maxJobsPerCommit: number;
  readonly lingerMs: number;
}

/** A job's place in its table's commit queue, taken before it starts writing files. */
export interface CommitSlot {
  /** Hands the written files over; resolves once the snapshot holding them is durable. */
  submit(request: CommitRequest): Promise<GroupCommitResult>;
  /** The job will not submit (it failed before committing); stops others lingering for it. */
  release(): void;
}

interface Waiter {
  readonly request: CommitRequest;
  readonly resolve: (result: GroupCommitResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Queued extends Waiter {
  /** Later deliveries of the same job, settled with this one's outcome. */
  readonly followers: Waiter[];
}

interface TableState {
  readonly pending: Queued[];
  /** Slots reserved and not yet submitted or released: jobs still writing files. */
  writing: number;
  inFlight: boolean;
  /** The jobs of the commit in flight, by job id. */
  readonly inFlightJobs: Map<string, Queued>;
  lingerTimer: NodeJS.Timeout | undefined;
  lingerUntil: number | undefined;
  latest: CommittedTable | undefined;
}

function groupable(request: CommitRequest): boolean {
  return request.mode === 'append' && (request.schemaChange?.updates.length ?? 0) === 0;
}

function propertiesKey(request: CommitRequest): string {
  return JSON.stringify(Object.entries(request.snapshotProperties).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export class TableCommitter {
  private readonly options: TableCommitterOptions;
  private readonly tables = new Map<string, TableState>();

  constructor(options: TableCommitterOptions) {
    this.options = options;
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
          const first =
            target.inFlightJobs.get(request.jobId) ??
            target.pending.find((queued) => queued.request.jobId === request.jobId);
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
    for (const state of this.tables.values()) count += state.pending.length + (state.inFlight ? 1 : 0);
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
    if (state.inFlight || state.pending.length === 0) return;
    const group = this.nextGroup(state);
    const canGrow =
      groupable((group[0] as Queued).request) &&
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
    this.run(table, state, group);
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

function deliver(waiter: Waiter, outcome: Settled): void {
  if (outcome.ok) waiter.resolve(outcome.result);
  else waiter.reject(outcome.error);
}

/** Settles a committed job and then every later delivery of it that followed. */
async function settle(queued: Queued, outcome: Settled): Promise<void> {
  deliver(queued, outcome);
  for (const follower of queued.followers)
    deliver(follower, await settleDuplicate(follower.request, outcome));
}
