import { describe, expect, it } from 'vitest';
import { JobContractError, parseMaintenanceJob, parseWriteJob, parseWriteResult } from './parse.ts';

const validJob = {
  version: 1,
  table: { namespace: ['bronze'], name: 'events' },
  mode: 'append',
  batches: [
    {
      uri: 's3://staging/floe/2026-11-24/job-1/part-00000.arrows',
      format: 'arrow-ipc-stream',
      rows: 10,
      bytes: 1024,
    },
  ],
  idempotencyKey: 'job-1',
  enqueuedAt: '2026-11-24T04:00:00.000Z',
};

function problemsOf(payload: unknown): readonly string[] {
  try {
    parseWriteJob(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(JobContractError);
    return (error as JobContractError).problems;
  }
  throw new Error('expected the payload to be rejected');
}

describe('parseWriteJob', () => {
  it('accepts a valid job and fills defaults', () => {
    const job = parseWriteJob(validJob);
    expect(job.schemaEvolution).toBe('add-columns');
    expect(job.table).toEqual({ namespace: ['bronze'], name: 'events' });
  });

  it('accepts an overwrite with a nested REST expression filter', () => {
    const job = parseWriteJob({
      ...validJob,
      mode: 'overwrite',
      overwriteFilter: {
        type: 'and',
        left: { type: 'gt-eq', term: 'ts', value: '2026-11-01T00:00:00' },
        right: {
          type: 'not',
          child: { type: 'in', term: { type: 'reference', term: 'country' }, values: ['FR', 'DE'] },
        },
      },
    });
    expect(job.overwriteFilter).toMatchObject({ type: 'and' });
  });

  it('names every bad field with its path', () => {
    const problems = problemsOf({
      ...validJob,
      mode: 'merge',
      batches: [{ ...validJob.batches[0], uri: 'http://x/y', rows: -1 }],
      extra: true,
    });
    expect(problems.join('\n')).toMatch(/^mode: /m);
    expect(problems.join('\n')).toMatch(/^batches\.0\.uri: must be an s3:\/\/bucket\/key URI/m);
    expect(problems.join('\n')).toMatch(/^batches\.0\.rows: /m);
    expect(problems.join('\n')).toMatch(/^\(root\): unknown field\(s\) extra/m);
  });

  it('rejects an unknown contract version with the fix', () => {
    expect(() => parseWriteJob({ ...validJob, version: 2 })).toThrow(
      'write job is invalid: version: contract version 2 is not supported by this worker (supports 1); upgrade the worker or enqueue version 1',
    );
  });

  it('rejects a payload that is not an object', () => {
    expect(() => parseWriteJob('{"version":1}')).toThrow(
      'write job is invalid: (root): expected a JSON object',
    );
    expect(() => parseWriteJob(null)).toThrow(JobContractError);
  });

  it('rejects idempotency keys that BullMQ cannot use as job ids', () => {
    expect(problemsOf({ ...validJob, idempotencyKey: 'a:b' })[0]).toMatch(/^idempotencyKey: use letters/);
    expect(problemsOf({ ...validJob, idempotencyKey: '12345' })[0]).toMatch(/must not be a plain integer/);
  });

  it('rejects idempotency keys with path segments a client could normalise out of the staging area', () => {
    for (const key of ['a/../b', 'a//b', './a', 'a/']) {
      expect(problemsOf({ ...validJob, idempotencyKey: key })[0]).toBe(
        "idempotencyKey: must not hold an empty, '.' or '..' path segment (it becomes part of the staged object keys)",
      );
    }
    expect(parseWriteJob({ ...validJob, idempotencyKey: 'dagster/run-7/p=2026-01-01' }).idempotencyKey).toBe(
      'dagster/run-7/p=2026-01-01',
    );
  });

  it('rejects an empty batch list, a filter on append and reserved snapshot properties', () => {
    expect(problemsOf({ ...validJob, batches: [] })).toContain(
      'batches: a write job needs at least one staged batch (and a "delete" job none)',
    );
    expect(problemsOf({ ...validJob, overwriteFilter: true })).toContain(
      'overwriteFilter: overwriteFilter is only allowed with mode "overwrite" or "delete"',
    );
    expect(problemsOf({ ...validJob, snapshotProperties: { 'floe.job-ids': 'x' } }).join()).toMatch(
      /snapshotProperties\.floe\.job-ids: keys starting with 'floe\.' are reserved/,
    );
  });

  it('accepts delete (a filter, no batches) and upsert (keys) jobs, and says what each needs', () => {
    const filter = { type: 'eq', term: 'id', value: 3 };
    expect(parseWriteJob({ ...validJob, mode: 'delete', batches: [], overwriteFilter: filter }).mode).toBe(
      'delete',
    );
    expect(parseWriteJob({ ...validJob, mode: 'upsert', keys: ['id'] }).keys).toEqual(['id']);
    expect(problemsOf({ ...validJob, mode: 'delete', batches: [] })).toContain(
      'overwriteFilter: mode "delete" needs overwriteFilter: the rows to delete (use mode "overwrite" to empty a table)',
    );
    expect(problemsOf({ ...validJob, mode: 'delete', overwriteFilter: filter })).toContain(
      'batches: a write job needs at least one staged batch (and a "delete" job none)',
    );
    expect(problemsOf({ ...validJob, keys: ['id'] })).toContain(
      'keys: keys is only allowed with mode "upsert"',
    );
  });

  it('validates traceparent and sha256 formats', () => {
    expect(problemsOf({ ...validJob, traceparent: 'nope' })[0]).toMatch(
      /^traceparent: must be a W3C traceparent/,
    );
    const ok = parseWriteJob({
      ...validJob,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      batches: [{ ...validJob.batches[0], sha256: 'a'.repeat(64) }],
    });
    expect(ok.traceparent).toBeDefined();
  });
});

describe('parseMaintenanceJob', () => {
  it('accepts an expire job with defaults', () => {
    const job = parseMaintenanceJob({ version: 1, action: 'expire', table: { namespace: ['a'], name: 't' } });
    expect(job).toMatchObject({ dryRun: false, policy: {} });
  });

  it('rejects unknown actions and versions', () => {
    expect(() => parseMaintenanceJob({ version: 1, action: 'vacuum' })).toThrow(/action: /);
    expect(() => parseMaintenanceJob({ version: 9, action: 'expire' })).toThrow(/contract version 9/);
  });

  it('accepts fan-out jobs naming tables or namespaces', () => {
    const job = parseMaintenanceJob({
      version: 1,
      action: 'orphans',
      namespaces: [['a', 'b']],
      schedule: 'weekly-orphans',
    });
    expect(job.namespaces).toEqual([['a', 'b']]);
    expect(parseMaintenanceJob({ version: 1, action: 'staging' }).table).toBeUndefined();
  });

  it('names the missing or conflicting target of a table action', () => {
    expect(() => parseMaintenanceJob({ version: 1, action: 'expire' })).toThrow(
      'maintenance job is invalid: table: action expire needs a table (or tables / namespaces for a fan-out job)',
    );
    expect(() =>
      parseMaintenanceJob({
        version: 1,
        action: 'expire',
        table: { namespace: ['a'], name: 't' },
        namespaces: [['a']],
      }),
    ).toThrow('namespaces: give only one of table, tables, namespaces, allTables (got table, namespaces)');
    expect(() =>
      parseMaintenanceJob({ version: 1, action: 'staging', table: { namespace: ['a'], name: 't' } }),
    ).toThrow('table: must be absent for action staging (it cleans the staging prefix, not a table)');
  });
});

describe('parseWriteResult', () => {
  it('keeps Iceberg longs as decimal strings beyond 2^53', () => {
    const result = parseWriteResult({
      table: 'bronze.events',
      snapshotId: '9223372036854775807',
      sequenceNumber: '12',
      operation: 'append',
      addedRows: 10,
      addedFiles: 1,
      addedBytes: 2048,
      removedFiles: 0,
      schemaId: 0,
      attempts: 1,
      coalescedJobs: 1,
      committedAt: '2026-11-24T04:00:01.000Z',
    });
    expect(BigInt(result.snapshotId)).toBe(9223372036854775807n);
    expect(result.alreadyCommitted).toBe(false);
  });

  it('rejects a numeric snapshot id', () => {
    expect(() => parseWriteResult({ snapshotId: 1 })).toThrow(/snapshotId: /);
  });
});
