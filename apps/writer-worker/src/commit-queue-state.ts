// The state of one table's commit queue in a writer process (table-committer.ts, and its lease
// coordination in lease-coordinator.ts): the jobs waiting, writing, in flight or handed to the
// lease holder, and how a job's outcome reaches it — the promise callbacks of its `submit`, the
// later deliveries of the same job that follow it, and the settling of all of them with one outcome.
import type { CommittedTable, FileIO, TableIdentifier } from '@floe/iceberg';
import { type CommitRequest, type GroupCommitResult, type Settled, settleDuplicate } from './commit-group.ts';

export interface Waiter {
  readonly request: CommitRequest;
  readonly resolve: (result: GroupCommitResult) => void;
  readonly reject: (error: unknown) => void;
}

export interface Queued extends Waiter {
  /** Later deliveries of the same job, settled with this one's outcome. */
  readonly followers: Waiter[];
  /** Taken over from another process: answered through Redis. */
  readonly foreign?: boolean;
  /** Commit here, never hand over (its hand-over went unanswered). */
  local?: boolean;
}

function deliver(waiter: Waiter, outcome: Settled): void {
  if (outcome.ok) waiter.resolve(outcome.result);
  else waiter.reject(outcome.error);
}

/** Settles a committed job and then every later delivery of it that followed. */
export async function settle(queued: Queued, outcome: Settled): Promise<void> {
  deliver(queued, outcome);
  for (const follower of queued.followers)
    deliver(follower, await settleDuplicate(follower.request, outcome));
}

/** An own job handed to the lease holder. */
export interface HandedOver {
  readonly queued: Queued;
  readonly handedAt: number;
  /** Since when its taker no longer holds the lease. */
  orphanedAt: number | undefined;
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
  /** When this process last started a commit of the table, and how many jobs it took (commit pacing). */
  lastCommitAt: number | undefined;
  lastGroupSize: number;
  paceTimer: NodeJS.Timeout | undefined;
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
export function handsOver(queued: Queued): boolean {
  return queued.foreign !== true && queued.local !== true && groupable(queued.request);
}
export function newTableState(): TableState {
  return {
    pending: [],
    writing: 0,
    inFlight: false,
    inFlightJobs: new Map(),
    lingerTimer: undefined,
    lingerUntil: undefined,
    lastCommitAt: undefined,
    lastGroupSize: 0,
    paceTimer: undefined,
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
}
