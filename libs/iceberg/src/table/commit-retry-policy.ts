// Commit retry limits from the table properties Iceberg defines for them
// (`commit.retry.num-retries`, `…min-wait-ms`, `…max-wait-ms`, `…total-timeout-ms`), and the
// exponential backoff with full jitter between attempts.

export interface CommitRetryPolicy {
  readonly numRetries: number;
  readonly minWaitMs: number;
  readonly maxWaitMs: number;
  readonly totalTimeoutMs: number;
}

export const DEFAULT_COMMIT_RETRY: CommitRetryPolicy = {
  numRetries: 4,
  minWaitMs: 100,
  maxWaitMs: 60_000,
  totalTimeoutMs: 1_800_000,
};

function intProperty(properties: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const raw = properties[key];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

export function commitRetryPolicy(properties: Readonly<Record<string, string>>): CommitRetryPolicy {
  return {
    numRetries: intProperty(properties, 'commit.retry.num-retries', DEFAULT_COMMIT_RETRY.numRetries),
    minWaitMs: intProperty(properties, 'commit.retry.min-wait-ms', DEFAULT_COMMIT_RETRY.minWaitMs),
    maxWaitMs: intProperty(properties, 'commit.retry.max-wait-ms', DEFAULT_COMMIT_RETRY.maxWaitMs),
    totalTimeoutMs: intProperty(
      properties,
      'commit.retry.total-timeout-ms',
      DEFAULT_COMMIT_RETRY.totalTimeoutMs,
    ),
  };
}

/** Wait before retry number `retry` (1-based): min·2^(retry-1), capped, with full jitter. */
export function backoffMs(
  policy: CommitRetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxWaitMs, policy.minWaitMs * 2 ** Math.max(0, retry - 1));
  return Math.max(policy.minWaitMs, Math.round(ceiling * random()));
}
