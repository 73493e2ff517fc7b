// A job waiting in a table's commit queue (table-committer.ts) and how its outcome reaches it:
// the promise callbacks of its `submit`, the later deliveries of the same job that follow it,
// and the settling of all of them with one outcome.
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
