// bench/: benchmarks that write JSON results to bench/results (see bench/README.md). The
// harness is re-exported here for benches that live outside this folder.

export * from './support/index.ts';
