// The per-table lock on the real Redis: owner-only renewal and release, a retryable timeout
// with an actionable message, a killed holder's lock freeing itself after its TTL, and two
// in-process workers (two "pods") whose runs of one table never overlap.
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, tableWithSnapshots } from './stack-harness.test-helper.ts';
import { acquireTableLock, tableLockKey } from './table-lock.ts';

const h = createHarness('lock');
afterAll(() => h.close());

describe('acquireTableLock', () => {
  it('is exclusive, renewed while held, and released only by its owner', async () => {
    const key = tableLockKey(h.prefix, ['ns', 'exclusive']);
    const first = await acquireTableLock({ redis: h.redis, key, ttlMs: 1000, waitMs: 0 });
    await expect(acquireTableLock({ redis: h.redis, key, ttlMs: 1000, waitMs: 300 })).rejects.toMatchObject({
      kind: 'lock-timeout',
      retryable: true,
      message: expect.stringContaining(
        'the job is retried later — raise maintenance.worker.table_lock_wait_ms to wait longer',
      ),
    });
    // Renewal keeps it alive well past one TTL.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(first.isHeld()).toBe(true);
    expect(await h.redis.get(key)).toBe(first.token);
    // Someone else's token in the key (ours expired meanwhile): our release leaves it alone.
    await h.redis.set(key, 'another-holder', 'PX', 5000);
    await first.release();
    expect(await h.redis.get(key)).toBe('another-holder');
    await h.redis.del(key);
    const second = await acquireTableLock({ redis: h.redis, key, ttlMs: 1000, waitMs: 0 });
    await second.release();
    expect(await h.redis.exists(key)).toBe(0);
  });

  it('notices a lost lock and refuses to go on', async () => {
    const key = tableLockKey(h.prefix, ['ns', 'lost']);
    const lock = await acquireTableLock({ redis: h.redis, key, ttlMs: 1000, waitMs: 0 });
    await h.redis.set(key, 'thief', 'PX', 5000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(() => lock.assertHeld()).toThrow(`the maintenance lock ${key} expired while the run was working`);
    await lock.release();
    expect(await h.redis.get(key)).toBe('thief');
  });
});

describe('runs of one table across workers', () => {
  it('waits for a killed holder’s lock to expire, then runs', async () => {
    const started = await h.startWorker();
    await h.python(tableWithSnapshots('abandoned', 2));
    // What a holder killed mid-run leaves behind: its key with the remaining TTL, no owner.
    const key = tableLockKey(h.prefix, [h.namespace, 'abandoned']);
    const ttlMs = 3000;
    await h.redis.set(key, 'killed-holder', 'PX', ttlMs);
    const setAt = Date.now();
    const report = await h.wait(
      await h.enqueue({
        version: 1,
        action: 'orphans',
        table: { namespace: [h.namespace], name: 'abandoned' },
      }),
    );
    expect(Date.parse(report.startedAt)).toBeGreaterThanOrEqual(setAt + ttlMs - 100);
    expect(await h.redis.exists(key)).toBe(0);
    await started.worker.shutdown();
  });

  it('never lets two workers process the same table at once', async () => {
    const a = await h.startWorker();
    const b = await h.startWorker();
    await h.python(tableWithSnapshots('contended', 3));
    const target = { namespace: [h.namespace], name: 'contended' };
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push(
        await h.enqueue({
          version: 1,
          action: i % 2 === 0 ? 'orphans' : 'expire',
          table: target,
          policy: { maxSnapshotAgeMs: 1 },
        }),
      );
    }
    const reports = await Promise.all(ids.map((id) => h.wait(id, 120_000)));
    const intervals = reports
      .map((r) => [Date.parse(r.startedAt), Date.parse(r.finishedAt)] as const)
      .sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < intervals.length; i++) {
      expect(intervals[i]?.[0]).toBeGreaterThanOrEqual(intervals[i - 1]?.[1] as number);
    }
    // Both workers took jobs (each runs 2 at once), so the lock, not luck, kept them apart.
    const finished = (lines: Record<string, unknown>[]) =>
      lines.filter((l) => l['msg'] === 'maintenance run finished' && ids.includes(String(l['jobId']))).length;
    expect(finished(a.lines()) + finished(b.lines())).toBe(8);
    const waits = await (await fetch(`http://127.0.0.1:${a.worker.ops.port}/metrics`)).text();
    expect(waits).toMatch(/floe_maintenance_lock_wait_seconds_count\{[^}]*outcome="acquired"[^}]*\} [1-9]/);
  });
});
