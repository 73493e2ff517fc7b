import { describe, expect, it } from 'vitest';
import { runFloeInProcess } from '../run-floe.test-helper.ts';
import { parseMaintenanceArgs, renderMaintenanceReport } from './maintenance-command.ts';

const floe = (...argv: string[]) => runFloeInProcess(argv, { cwd: '/nonexistent', env: {} });

describe('floe maintenance run: arguments', () => {
  it('builds the job from the action, the table and the policy flags', () => {
    const args = parseMaintenanceArgs([
      'run',
      'expire',
      '--table',
      'a.b.events',
      '--dry-run',
      '--max-snapshot-age-ms',
      '60000',
      '--min-snapshots-to-keep',
      '3',
      '--timeout-ms',
      '5000',
    ]);
    expect(args.job).toEqual({
      version: 1,
      action: 'expire',
      table: { namespace: ['a', 'b'], name: 'events' },
      dryRun: true,
      policy: { maxSnapshotAgeMs: 60000, minSnapshotsToKeep: 3 },
    });
    expect(args.timeoutMs).toBe(5000);
    expect(parseMaintenanceArgs(['run', 'staging', '--staging-retention-ms', '10']).job).toMatchObject({
      action: 'staging',
      policy: { stagingRetentionMs: 10 },
    });
  });

  it.each([
    [['run'], 'missing action: expire, orphans, staging, compact or rewrite-manifests'],
    [['clean', 'expire'], 'unknown subcommand "clean" (expected run)'],
    [
      ['run', 'vacuum', '--table', 'a.t'],
      'unknown action "vacuum" (expected expire, orphans, staging, compact or rewrite-manifests)',
    ],
    [['run', 'compact'], 'compact needs --table NAMESPACE.TABLE'],
    [
      ['run', 'compact', '--table', 'a.t', '--min-input-files', '0'],
      '--min-input-files must be a whole number >= 1, got "0"',
    ],
    [['run', 'expire'], 'expire needs --table NAMESPACE.TABLE'],
    [
      ['run', 'orphans', '--table', 'events'],
      '--table "events" must be written as NAMESPACE.TABLE, e.g. bronze.events',
    ],
    [
      ['run', 'staging', '--table', 'a.t'],
      '--table is not used by staging: it cleans storage.staging, not a table',
    ],
    [
      ['run', 'expire', '--table', 'a.t', '--max-snapshot-age-ms', '1h'],
      '--max-snapshot-age-ms must be a whole number >= 1, got "1h"',
    ],
    [
      ['run', 'expire', '--table', 'a.t', '--timeout-ms', '0'],
      '--timeout-ms must be a whole number >= 1, got "0"',
    ],
  ])('rejects %j: %s (exit 2)', async (argv, message) => {
    const result = await floe('maintenance', ...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`floe maintenance: ${message}`);
  });

  it('explains a missing floe.yaml (exit 1)', async () => {
    const result = await floe('maintenance', 'run', 'staging');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read');
  });
});

describe('renderMaintenanceReport', () => {
  it('shows the counts, and in a dry run the files it would delete', () => {
    const text = renderMaintenanceReport({
      action: 'orphans',
      table: 'a.t',
      dryRun: true,
      snapshotsExpired: 0,
      snapshotsRetainedForPendingJobs: 0,
      filesDeleted: 1,
      bytesDeleted: 42,
      failedDeletes: 0,
      files: ['s3://w/a/t/data/x.parquet'],
      durationMs: 12,
      startedAt: '2026-11-24T00:00:00.000Z',
      finishedAt: '2026-11-24T00:00:00.012Z',
      worker: 'host:1',
    });
    expect(text).toContain('orphans (dry run: nothing was deleted)');
    expect(text).toMatch(/files to delete\s+1/);
    expect(text).toContain('  s3://w/a/t/data/x.parquet\n');
  });
});
