// `floe jobs` argument rules and the job rows it prints, on plain objects (no Redis).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.ts';
import { formatAge, jobDetail, jobRow } from '../jobs/job-summary.ts';
import { parseJobsArgs } from './jobs-command.ts';

const failedWrite = {
  id: 'job-1',
  name: 'write',
  data: {
    table: { namespace: ['bronze', 'raw'], name: 'events' },
    mode: 'append',
    batches: [
      { uri: 's3://staging/a.arrows', rows: 10, bytes: 100 },
      { uri: 's3://staging/b.arrows', rows: 5, bytes: 50 },
    ],
    idempotencyKey: 'job-1',
  },
  attemptsMade: 1,
  failedReason: 'staged object s3://staging/a.arrows is missing\nat …',
  timestamp: 1_000,
  opts: { attempts: 3 },
};

describe('parseJobsArgs', () => {
  it('lists every state by default and only the named ones with state flags', () => {
    const all = parseJobsArgs(['list']);
    expect(all).toMatchObject({
      sub: 'list',
      states: ['waiting', 'active', 'delayed', 'failed', 'completed'],
    });
    expect(parseJobsArgs(['list', '--failed', '--queue', 'write'])).toMatchObject({
      states: ['failed'],
      queues: ['write'],
    });
  });

  it('refuses mistakes with a message naming the flag', () => {
    const usage = (argv: string[]) => {
      try {
        parseJobsArgs(argv);
      } catch (error) {
        if (error instanceof UsageError) return error.message;
        throw error;
      }
      throw new Error('expected a usage error');
    };
    expect(usage([])).toBe('missing subcommand: list, show, retry or remove');
    expect(usage(['show'])).toBe('show needs a job ID');
    expect(usage(['retry'])).toBe('retry needs a job ID, or --failed for every failed job');
    expect(usage(['retry', '--failed', '--waiting'])).toBe(
      'retry only sends failed jobs back: drop the other state flags',
    );
    expect(usage(['list', '--format', 'yaml'])).toBe('--format must be text or json, got "yaml"');
    expect(usage(['list', '--queue', 'other'])).toBe('--queue must be write or maintenance, got "other"');
    expect(usage(['list', '--limit', '0'])).toBe('--limit must be a whole number >= 1, got "0"');
  });
});

describe('job rows', () => {
  it('summarises a write job: table, rows, attempts and the first line of the reason', () => {
    expect(jobRow('floe-write', 'failed', failedWrite, 61_000)).toEqual({
      queue: 'floe-write',
      id: 'job-1',
      state: 'failed',
      kind: 'append',
      table: 'bronze.raw.events',
      rows: 15,
      ageMs: 60_000,
      attempts: '1/3',
      reason: 'staged object s3://staging/a.arrows is missing',
    });
  });

  it('shows references and counts of the payload, never rows', () => {
    const detail = jobDetail('floe-write', 'failed', failedWrite, 2_000);
    expect(detail.payload['batches']).toEqual({
      count: 2,
      rows: 15,
      bytes: 150,
      uris: ['s3://staging/a.arrows', 's3://staging/b.arrows'],
    });
    expect(detail.error).toBe(failedWrite.failedReason);
  });

  it('formats ages in the largest readable unit', () => {
    expect([
      formatAge(5_000),
      formatAge(600_000),
      formatAge(4 * 3_600_000),
      formatAge(3 * 86_400_000),
    ]).toEqual(['5s', '10m', '4h', '3d']);
  });
});
