// The hand-over wire (handoff-codec.ts): a data file's bigint counts, Map metrics and Uint8Array
// bounds survive the trip through Redis unchanged, an answer keeps the error's kind, retryable
// flag and whether the outcome was unknown, and a blob that is not a floe hand-over is refused
// with a message saying what it is.
import { serialize } from 'node:v8';
import { IcebergError, MemoryFileIO } from '@floe/iceberg';
import { describe, expect, it } from 'vitest';
import type { CommitRequest } from './commit-group.ts';
import { answerOf, decodeAnswer, decodeHandOver, encodeAnswer, encodeHandOver } from './handoff-codec.ts';

const request = {
  jobId: 'job-1',
  identifier: { namespace: ['db'], name: 'events' },
  mode: 'append',
  files: [
    {
      specId: 0,
      file: {
        content: 'data',
        filePath: 's3://warehouse/db/events/data/a.parquet',
        fileFormat: 'PARQUET',
        partition: [],
        recordCount: 9_007_199_254_740_993n,
        fileSizeInBytes: 1234n,
        valueCounts: new Map([[1, 10n]]),
        lowerBounds: new Map([[1, new Uint8Array([1, 2, 3])]]),
      },
    },
  ],
  snapshotProperties: { 'dagster.run-id': 'r1' },
  markerNotBeforeMs: 1_700_000_000_000n,
  io: new MemoryFileIO(),
} as unknown as CommitRequest;

describe('hand-over codec', () => {
  it('carries the data files exactly and leaves the FileIO and table behind', () => {
    const decoded = decodeHandOver(encodeHandOver({ id: 'h1', origin: 'token-a', request }));
    expect(decoded.id).toBe('h1');
    expect(decoded.origin).toBe('token-a');
    expect(decoded.request.files).toEqual(request.files);
    expect(decoded.request.files[0]?.file.lowerBounds?.get(1)).toBeInstanceOf(Uint8Array);
    expect(decoded.request.markerNotBeforeMs).toBe(1_700_000_000_000n);
    expect('io' in decoded.request).toBe(false);
  });

  it('refuses a blob that is not a hand-over, saying so', () => {
    expect(() => decodeHandOver(serialize({ id: 'h1', request: { jobId: 1 } }))).toThrow(
      'commit hand-over in Redis is not a floe hand-over (written by another floe version?)',
    );
    expect(() => decodeAnswer(serialize('nope'))).toThrow(
      'commit hand-over answer in Redis is not a floe answer',
    );
  });

  it('keeps the kind, the retryable flag and an unknown outcome of a failure', () => {
    const unknown = new IcebergError('commit-state-unknown', 'gateway timeout', { retryable: true });
    expect(decodeAnswer(encodeAnswer(answerOf({ ok: false, error: unknown })))).toEqual({
      ok: false,
      message: 'gateway timeout',
      kind: 'commit-state-unknown',
      retryable: true,
      unknown: true,
    });
    const rejected = new IcebergError('invalid-argument', 'bad update', { retryable: false });
    expect(decodeAnswer(encodeAnswer(answerOf({ ok: false, error: rejected })))).toMatchObject({
      kind: 'invalid-argument',
      retryable: false,
      unknown: false,
    });
  });
});
