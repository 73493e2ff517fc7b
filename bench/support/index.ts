// The bench harness, dependency-free: measure operations, summarize latencies, record the
// environment and peak memory, write `bench/results/<name>.json`. See bench/README.md.

export {
  type BenchResult,
  BenchRun,
  type BenchRunOptions,
  type Comparison,
  type Detail,
  type InterleavedOperation,
  type MeasureOptions,
  type OperationRef,
  type OperationResult,
} from './bench-run.ts';
export { type BenchArgs, parseBenchArgs } from './cli-args.ts';
export { type BenchEnvironment, captureEnvironment } from './environment.ts';
export { type LatencySummary, nearestRankPercentile, summarizeLatencies } from './latency-summary.ts';
export { type MemoryReport, MemorySampler } from './memory-sampler.ts';
export { resultsDir } from './report.ts';
