// Latency statistics of one measured operation: min, max, mean and nearest-rank percentiles.
// Nearest rank (the smallest sample with at least p% of samples at or below it) is used on
// purpose: every reported percentile is a latency that was actually observed, nothing is
// interpolated, and the rule is short enough to check by eye:
//   sorted ascending, rank = ceil(p * n / 100), value = sorted[rank - 1].
// For n = 200: p50 is the 100th fastest sample, p99 the 198th. Samples are milliseconds.

export interface LatencySummary {
  readonly count: number;
  readonly minMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** The nearest-rank percentile `p` (0 < p <= 100) of samples already sorted ascending. */
export function nearestRankPercentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) throw new Error('a percentile of no samples is undefined');
  if (!(p > 0 && p <= 100)) throw new Error(`a percentile must be in (0, 100], got ${p}`);
  // p * n first: for integer p the product is exact, so an exact rank never gets ceil'ed up
  // (0.07 * 100 is 7.000000000000001 in floating point, 7 * 100 / 100 is 7).
  const rank = Math.ceil((p * sortedAscending.length) / 100);
  return sortedAscending[rank - 1]!;
}

export function summarizeLatencies(samplesMs: readonly number[]): LatencySummary {
  if (samplesMs.length === 0) throw new Error('cannot summarize an operation with no samples');
  for (const sample of samplesMs) {
    if (!Number.isFinite(sample) || sample < 0) throw new Error(`a latency must be >= 0 ms, got ${sample}`);
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const total = sorted.reduce((sum, sample) => sum + sample, 0);
  return {
    count: sorted.length,
    minMs: roundMs(sorted[0]!),
    p50Ms: roundMs(nearestRankPercentile(sorted, 50)),
    p90Ms: roundMs(nearestRankPercentile(sorted, 90)),
    p99Ms: roundMs(nearestRankPercentile(sorted, 99)),
    maxMs: roundMs(sorted[sorted.length - 1]!),
    meanMs: roundMs(total / sorted.length),
  };
}

/** Microsecond resolution is plenty for loopback HTTP and keeps the JSON diff-friendly. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
