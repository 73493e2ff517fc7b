// Errors cross the encode-thread boundary flattened: the rebuilt error must read exactly as the
// original and keep the fields retry-or-fail decides on.
import { describe, expect, it } from 'vitest';
import { errorKind, isRetryable, toQueueError } from './classify-error.ts';
import { EncodeThreadError, flattenError } from './encode-protocol.ts';
import { createWriterMetrics } from './worker-metrics.ts';
import { WriterError } from './writer-error.ts';

describe('encode thread errors', () => {
  it('keeps message, name, kind, retryable flag and context across the boundary', () => {
    const original = new WriterError(
      'staged-object-missing',
      'staged object s3://b/k does not exist (NoSuchKey)',
      {
        context: { uri: 's3://b/k', status: 404 },
      },
    );
    const rebuilt = new EncodeThreadError(structuredClone(flattenError(original)));
    expect(rebuilt.message).toBe(original.message);
    expect(rebuilt.name).toBe('WriterError');
    expect(errorKind(rebuilt)).toBe('staged-object-missing');
    expect(isRetryable(rebuilt)).toBe(false);
    expect(rebuilt.context).toEqual({ uri: 's3://b/k', status: 404 });
    expect(toQueueError(rebuilt).name).toBe('UnrecoverableError');
  });

  it('treats an error without a retry flag, or a thrown non-error, as transient', () => {
    const plain = new EncodeThreadError(flattenError(new TypeError('socket hang up')));
    expect(plain.message).toBe('socket hang up');
    expect(errorKind(plain)).toBe('TypeError');
    expect(isRetryable(plain)).toBe(true);
    expect(new EncodeThreadError(flattenError('boom')).message).toBe('boom');
  });
});

describe('writer metrics', () => {
  it('records coalesced jobs per commit next to the existing commit counters', async () => {
    const metrics = createWriterMetrics();
    metrics.commit({
      table: 'db.t',
      status: 'committed',
      attempts: 2,
      conflicts: 1,
      durationMs: 40,
      coalescedJobs: 5,
    });
    metrics.commit({
      table: 'db.t',
      status: 'already-committed',
      attempts: 0,
      conflicts: 0,
      durationMs: 5,
      coalescedJobs: 0,
    });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^floe_writer_coalesced_jobs_per_commit_sum(\{[^}]*\})? 5$/m);
    expect(text).toMatch(/^floe_writer_coalesced_jobs_per_commit_count(\{[^}]*\})? 1$/m);
    expect(text).toMatch(/^floe_writer_commit_attempts_total(\{[^}]*\})? 2$/m);
    expect(text).toMatch(/^floe_writer_commit_conflicts_total(\{[^}]*\})? 1$/m);
  });
});
