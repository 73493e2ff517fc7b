// @floe/producer-sdk: public entry point. Curated exports only; internals stay unexported.
export {
  type ErrorContext,
  FloeProducerError,
  type FloeProducerErrorKind,
  FloeWriteError,
} from './errors.ts';
export type { WriteData } from './input-batches.ts';
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_PART_BYTES,
  type DeleteOptions,
  type FloeProducerOptions,
  producerOptionsFromArtifacts,
  type TableReference,
  type WriteOptions,
} from './options.ts';
export { FloeProducer } from './producer.ts';
export { traceparentOf } from './traceparent.ts';
export type { CancelOutcome, WriteHandle } from './write-handle.ts';
