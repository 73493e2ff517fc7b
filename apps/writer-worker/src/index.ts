// @floe/writer-worker: public entry point. The process itself starts from src/main.ts; these
// exports let tests, benchmarks and the demo drive the pipeline and the worker in-process.
export { errorKind, isRetryable, type JobOutcome, toQueueError } from './classify-error.ts';
export {
  type CommitRequest,
  commitGroup,
  type GroupCommitObservation,
  type GroupCommitResult,
} from './commit-group.ts';
export { CommitLease, type CommitLeaseOptions } from './commit-lease.ts';
export { type EncodeRequest, type EncodeResult, encodeJob } from './encode-job.ts';
export { defaultEncodeThreads, EncodePool, type EncodePoolOptions } from './encode-pool.ts';
export { EncodeThreadError } from './encode-protocol.ts';
export type { CommitCoordination, LeaseEvent } from './lease-coordinator.ts';
export {
  COMMIT_ID_PROPERTY,
  type CommitObservation,
  JOB_IDS_PROPERTY,
  processWriteJob,
  type WriteJobContext,
  type WriteJobDeps,
  type WriteJobLogger,
} from './process-write-job.ts';
export {
  type CommitSlot,
  MAX_JOB_IDS_CHARS,
  TableCommitter,
  type TableCommitterOptions,
} from './table-committer.ts';
export { startWriterWorker, type WriterWorker } from './worker.ts';
export { type BreakerState, createWriterMetrics, type WriterMetrics } from './worker-metrics.ts';
export { WriterError, type WriterErrorKind } from './writer-error.ts';
