// The maintenance worker on the real stack (Redis, MinIO, the Iceberg REST catalog; tables built
// by PyIceberg), started in-process: the retention layering (job policy > table properties >
// floe.yaml), the pending-write-job guard, the report / log line / metrics of a run, and the
// messages of jobs that cannot run.

import { startTelemetry } from '@floe/telemetry';
import { isLoopbackAddress, listeningAddresses } from '@floe/test-support';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHarness,
  type StartedWorker,
  snapshotIdsOf,
  tableWithSnapshots,
  WORKER_YAML,
} from './stack-harness.test-helper.ts';

const h = createHarness('worker');
let started: StartedWorker;
// The tracing a worker process runs, recording in memory.
const spans = new InMemorySpanExporter();
const telemetry = startTelemetry({
  serviceName: 'maintenance-test',
  exporter: 'none',
  additionalExporter: spans,
});

beforeAll(async () => {
  started = await h.startWorker();
});
afterAll(async () => {
  await h.close();
  await telemetry.shutdown();
});

const table = (name: string) => ({ namespace: [h.namespace], name });
/** Runs `expire` on `ns.<name>` (plus any job fields) and returns the report. */
const expire = async (name: string, fields: Record<string, unknown> = {}) =>
  h.wait(await h.enqueue({ version: 1, action: 'expire', table: table(name), ...fields }));

describe('retention layering', () => {
  it('applies table properties over floe.yaml defaults, and a job policy over both', async () => {
    // floe.yaml: keep 5 days → nothing of a fresh table expires.
    await h.python(tableWithSnapshots('plain', 3));
    // The table says: expire after 1 ms, keep 1.
    await h.python(
      tableWithSnapshots('short', 3, {
        'history.expire.max-snapshot-age-ms': '1',
        'history.expire.min-snapshots-to-keep': '1',
      }),
    );
    await h.python(
      tableWithSnapshots('overridden', 3, {
        'history.expire.max-snapshot-age-ms': '1',
        'history.expire.min-snapshots-to-keep': '1',
      }),
    );
    const plain = await expire('plain');
    expect(plain.snapshotsExpired).toBe(0);
    const short = await expire('short');
    expect(short).toMatchObject({ action: 'expire', table: `${h.namespace}.short`, snapshotsExpired: 2 });
    expect(await h.python<string[]>(snapshotIdsOf('short'))).toHaveLength(1);
    // The job keeps 2 although the table says 1.
    const overridden = await expire('overridden', { policy: { minSnapshotsToKeep: 2 } });
    expect(overridden.snapshotsExpired).toBe(1);
    expect(await h.python<string[]>(snapshotIdsOf('overridden'))).toHaveLength(2);
  });

  it('lists without deleting in a dry run', async () => {
    await h.python(tableWithSnapshots('dry', 3));
    const before = await h.python<string[]>(snapshotIdsOf('dry'));
    const report = await expire('dry', { dryRun: true, policy: { maxSnapshotAgeMs: 1 } });
    expect(report).toMatchObject({ dryRun: true, snapshotsExpired: 2 });
    expect(report.files.length).toBeGreaterThan(0);
    expect(report.files.every((f) => f.includes(`${h.namespace}`))).toBe(true);
    expect(await h.python<string[]>(snapshotIdsOf('dry'))).toEqual(before);
  });
});

describe('pending write jobs', () => {
  it('keeps the snapshots an unfinished write job may still look for, and lets them go once it finished', async () => {
    const key = `job-${h.namespace}-guard`;
    // The job's marker is in the oldest of 3 snapshots: everything from there to the head stays,
    // so the writer's walk from the head reaches it.
    const ids = await h.python<string[]>(tableWithSnapshots('guarded', 3, {}, { 'floe.job-ids': key }, 0));
    // A write job of this table, enqueued before its snapshot was committed, is still waiting
    // (e.g. its worker crashed after the commit and BullMQ will re-deliver it).
    const pending = await h.writeQueue.add(
      'write',
      { version: 1, table: table('guarded'), enqueuedAt: new Date(Date.now() - 5_000).toISOString() },
      { jobId: key },
    );
    // A write job of another table pins nothing here.
    await h.writeQueue.add('write', {
      version: 1,
      table: table('other'),
      enqueuedAt: new Date(0).toISOString(),
    });
    const guarded = await expire('guarded', { policy: { maxSnapshotAgeMs: 1 } });
    expect(guarded).toMatchObject({ snapshotsExpired: 0, snapshotsRetainedForPendingJobs: 2 });
    expect(await h.python<string[]>(snapshotIdsOf('guarded'))).toEqual(ids);

    await pending.remove();
    const freed = await expire('guarded', { policy: { maxSnapshotAgeMs: 1 } });
    expect(freed).toMatchObject({ snapshotsExpired: 2, snapshotsRetainedForPendingJobs: 0 });
    // The newest snapshot is never expired.
    expect(await h.python<string[]>(snapshotIdsOf('guarded'))).toEqual([ids[2]]);
  });

  it('pins only from the snapshot holding the pending job, not every snapshot since its enqueue', async () => {
    const key = `job-${h.namespace}-precise`;
    const ids = await h.python<string[]>(tableWithSnapshots('precise', 3, {}, { 'floe.job-ids': key }, 1));
    const pending = await h.writeQueue.add(
      'write',
      { version: 1, table: table('precise'), enqueuedAt: new Date(Date.now() - 60_000).toISOString() },
      { jobId: key },
    );
    const run = await expire('precise', { policy: { maxSnapshotAgeMs: 1 } });
    expect(run).toMatchObject({ snapshotsExpired: 1, snapshotsRetainedForPendingJobs: 1 });
    expect(await h.python<string[]>(snapshotIdsOf('precise'))).toEqual([ids[1], ids[2]]);
    await pending.remove();
  });
});

describe('what a run reports', () => {
  it('returns the report, logs it once and counts it in /metrics', async () => {
    await h.python(tableWithSnapshots('reported', 2));
    const id = await h.enqueue({ version: 1, action: 'orphans', table: table('reported') });
    const report = await h.wait(id);
    expect(report).toMatchObject({
      action: 'orphans',
      table: `${h.namespace}.reported`,
      filesDeleted: 0,
      failedDeletes: 0,
    });
    expect(report.worker).toBe(`${(await import('node:os')).hostname()}:${process.pid}`);
    expect(Date.parse(report.finishedAt)).toBeGreaterThanOrEqual(Date.parse(report.startedAt));
    const line = started.lines().find((l) => l['msg'] === 'maintenance run finished' && l['jobId'] === id);
    expect(line).toMatchObject({
      action: 'orphans',
      table: report.table,
      startedAt: report.startedAt,
      worker: report.worker,
    });
    const span = spans.getFinishedSpans().find((sp) => sp.attributes['floe.job_id'] === id);
    expect(span?.name).toBe('floe.maintenance.run');
    expect(span?.status.code).toBe(SpanStatusCode.OK);
    expect(span?.attributes).toMatchObject({
      'floe.maintenance.action': 'orphans',
      'floe.table': report.table,
      'floe.maintenance.files_deleted': 0,
    });
    const metrics = await (await fetch(`http://127.0.0.1:${started.worker.ops.port}/metrics`)).text();
    expect(metrics).toMatch(
      /floe_maintenance_runs_total\{[^}]*action="orphans",outcome="succeeded"[^}]*\} [1-9]/,
    );
    expect((await fetch(`http://127.0.0.1:${started.worker.ops.port}/readyz`)).status).toBe(200);
    // maintenance.worker.metrics_host defaults to loopback: the kernel shows no other address.
    expect(started.worker.ops.host).toBe('127.0.0.1');
    const addresses = listeningAddresses(started.worker.ops.port);
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((address) => !isLoopbackAddress(address))).toEqual([]);
  });
});

describe('jobs that cannot run', () => {
  it('fails an unknown table at once with a message that says what to check', async () => {
    const id = await h.enqueue({ version: 1, action: 'expire', table: table('no_such_table') });
    await expect(h.wait(id)).rejects.toThrow(
      `maintenance expire failed: table ${h.namespace}.no_such_table does not exist in the catalog`,
    );
    const job = await h.queue.getJob(id);
    expect(job?.attemptsMade).toBe(1);
  });

  it('fails a malformed job at once, naming the bad field', async () => {
    const id = await h.enqueue({ version: 1, action: 'expire', policy: { maxSnapshotAgeMs: -5 } });
    await expect(h.wait(id)).rejects.toThrow(
      'maintenance job is invalid: policy.maxSnapshotAgeMs: Too small: expected number to be >0',
    );
    const unknownVersion = await h.enqueue({ version: 2, action: 'expire' });
    await expect(h.wait(unknownVersion)).rejects.toThrow(
      'contract version 2 is not supported by this worker',
    );
  });
});

describe('the ops server address', () => {
  it('listens on maintenance.worker.metrics_host when it is set (every interface, as in a container)', async () => {
    const open = await h.startWorker(
      WORKER_YAML.replace('    metrics_port: 0\n', '    metrics_port: 0\n    metrics_host: 0.0.0.0\n'),
    );
    expect(open.worker.ops.host).toBe('0.0.0.0');
    expect(listeningAddresses(open.worker.ops.port)).toContain('0.0.0.0');
    expect((await fetch(`http://127.0.0.1:${open.worker.ops.port}/healthz`)).status).toBe(200);
    await open.worker.shutdown();
  });
});
