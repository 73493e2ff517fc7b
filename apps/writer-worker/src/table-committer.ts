// The per-table commit queue of one worker process (DESIGN §5, group commit). Jobs reserve a
// slot when they start writing data files and submit a CommitRequest once the files are written.
// Per table at most one commit is in flight; requests that arrive meanwhile accumulate. The next
// commit takes, in arrival order, up to `maxJobsPerCommit` append jobs that change no schema and
// share the same snapshot properties (their ids must also fit the `floe.job-ids` length budget);
// any other job commits alone. When the group is not full and other jobs of the table are still
// writing, it lingers up to `lingerMs` for them to join. Each job's promise settles with its own
// result (same snapshot for the whole group) or the commit's error.
import type { CommittedTable } from '@floe/iceberg';
import {
  type CommitGroupDeps,
  type CommitRequest,
  commitGroup,
  dottedName,
  type GroupCommitResult,
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

interface Queued {
  readonly request: CommitRequest;
  readonly resolve: (result: GroupCommitResult) => void;
  readonly reject: (error: unknown) => void;
}

interface TableState {
  readonly pending: Queued[];
  /** Slots reserved and not yet submitted or released: jobs still writing files. */
  writing: number;
  inFlight: boolean;
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
          this.stateOf(dottedName(request.identifier)).pending.push({ request, resolve, reject });
          this.schedule(dottedName(request.identifier));
        });
      },
      release: () => {
        if (close()) this.schedule(table);
      },
    };
  }

  /** Submits without a reservation (nothing to linger for). */
  commit(request: CommitRequest): Promise<GroupCommitResult> {
    return this.reserve(dottedName(request.identifier)).submit(request);
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
    const taken = new Set(group);
    const rest = state.pending.filter((queued) => !taken.has(queued));
    state.pending.splice(0, state.pending.length, ...rest);
    commitGroup(
      group.map((queued) => queued.request),
      this.options,
      state.latest,
    )
      .then(({ settled, latest }) => {
        if (latest !== undefined) state.latest = latest;
        settled.forEach((outcome, i) => {
          const queued = group[i] as Queued;
          if (outcome.ok) queued.resolve(outcome.result);
          else queued.reject(outcome.error);
        });
      })
      .catch((error: unknown) => {
        for (const queued of group) queued.reject(error);
      })
      .finally(() => {
        state.inFlight = false;
        this.schedule(table);
      });
  }
}
