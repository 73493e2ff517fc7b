import { CatalogError } from '@floe/catalog';
import { IcebergError, SchemaMismatchError } from '@floe/iceberg';
import { JobContractError, parseWriteJob } from '@floe/jobs';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { errorKind, isRetryable, toQueueError } from './classify-error.ts';
import { WriterError } from './writer-error.ts';

describe('toQueueError', () => {
  it('turns a contract violation into UnrecoverableError keeping the field-naming message', () => {
    let contract: unknown;
    try {
      parseWriteJob({ version: 2 });
    } catch (error) {
      contract = error;
    }
    expect(contract).toBeInstanceOf(JobContractError);
    const queued = toQueueError(contract);
    expect(queued).toBeInstanceOf(UnrecoverableError);
    expect(queued.message).toContain('version: contract version 2 is not supported');
  });

  it('fails schema mismatches, missing tables and storage-auth at once', () => {
    const mismatch = new SchemaMismatchError(
      'cannot write to a.t',
      [
        {
          kind: 'incompatible-type',
          column: 'id',
          dataType: 'string',
          tableType: 'long',
          message: "'id' is string, table has long",
        },
      ],
      'fix it',
    );
    for (const error of [
      mismatch,
      new WriterError('table-missing', 'table a.t does not exist'),
      new WriterError('storage-auth', 'storage rejected the credentials'),
      new CatalogError('unauthorized', 'catalog rejected client_id'),
    ]) {
      const queued = toQueueError(error);
      expect(queued).toBeInstanceOf(UnrecoverableError);
      expect(queued.message).toBe(error.message);
    }
  });

  it('rethrows retryable infrastructure errors unchanged so BullMQ retries with backoff', () => {
    const outage = new CatalogError('service-unavailable', 'catalog unavailable');
    const conflict = new IcebergError('commit-conflict', 'lost the race');
    const io = new WriterError('staged-object-io', 'connection reset');
    for (const error of [outage, conflict, io]) {
      expect(toQueueError(error)).toBe(error);
      expect(isRetryable(error)).toBe(true);
    }
  });

  it('retries errors without a flag, and names their kind', () => {
    const bare = new TypeError('socket hang up');
    expect(isRetryable(bare)).toBe(true);
    expect(toQueueError(bare)).toBe(bare);
    expect(errorKind(bare)).toBe('TypeError');
    expect(errorKind(new CatalogError('unauthorized', 'x'))).toBe('unauthorized');
    expect(toQueueError('plain string').message).toBe('plain string');
  });
});
