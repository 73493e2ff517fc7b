// The commit lease's Redis scripts against a real Redis (commit-lease.ts): one holder at a time,
// hand-overs only while another process holds the lease, taking is all-or-nothing and records
// the taker, a waiting hand-over can be withdrawn by its origin but not once taken, the holder
// cannot release while hand-overs wait, the lease lapses after its TTL when nobody renews it
// (the holder died) and then the next claimant takes the waiting hand-overs, and answers reach
// the origin through pub/sub and a key.
import { randomUUID } from 'node:crypto';
import { loadStackEnv } from '@floe/test-support';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CommitLease } from './commit-lease.ts';

const stack = loadStackEnv();
const connections: Redis[] = [];
const leases: CommitLease[] = [];
const prefix = `lease-test-${randomUUID().slice(0, 8)}`;

function leaseOfProcess(ttlMs = 1000): CommitLease {
  const redis = new Redis(stack.redisUrl);
  connections.push(redis);
  const lease = new CommitLease({
    redis,
    prefix,
    catalogScope: 'http://catalog wh',
    ttlMs,
    answerTimeoutMs: 5000,
  });
  leases.push(lease);
  return lease;
}

afterAll(async () => {
  await Promise.all(leases.map((lease) => lease.close()));
  for (const redis of connections) redis.disconnect();
});

describe('commit lease scripts', () => {
  it('one holder; hand-overs wait for it; taking records the taker; withdraw only before taking', async () => {
    const table = `db.t_${randomUUID().slice(0, 6)}`;
    const a = leaseOfProcess();
    const b = leaseOfProcess();
    expect(await b.handOver(table, 'early', Buffer.from('x'))).toBe('free');
    expect(await a.claimAndTake(table)).toEqual({ held: true, acquired: true, taken: [] });
    expect(await b.claimAndTake(table)).toEqual({ held: false, acquired: false, taken: [] });
    expect(await a.handOver(table, 'own', Buffer.from('x'))).toBe('held');

    expect(await b.handOver(table, 'h1', Buffer.from([1, 2, 3]))).toBe('handed');
    expect(await b.handOver(table, 'h2', Buffer.from([4]))).toBe('handed');
    expect(await b.withdraw(table, 'h2')).toBe(true);
    expect(await a.releaseIfIdle(table)).toBe('busy');

    const claim = await a.claimAndTake(table);
    expect(claim).toMatchObject({ held: true, acquired: false });
    expect(claim.taken).toEqual([{ id: 'h1', blob: Buffer.from([1, 2, 3]) }]);
    expect(await b.withdraw(table, 'h1')).toBe(false);
    expect(await b.status(table, 'h1')).toEqual({
      answer: undefined,
      waiting: false,
      holder: a.token,
      taker: a.token,
    });
    expect(await b.releaseIfIdle(table)).toBe('not-held');
    expect(await a.releaseIfIdle(table)).toBe('released');
    expect((await b.status(table, 'h1')).holder).toBeUndefined();
  });

  it('a lease nobody renews lapses; the next claimant takes what waits', async () => {
    const table = `db.t_${randomUUID().slice(0, 6)}`;
    const dead = leaseOfProcess(300);
    const waiter = leaseOfProcess(300);
    const next = leaseOfProcess(300);
    expect((await dead.claimAndTake(table)).acquired).toBe(true);
    expect(await waiter.handOver(table, 'w1', Buffer.from('files'))).toBe('handed');
    expect(await dead.renew(table)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await dead.renew(table)).toBe(false);
    const claim = await next.claimAndTake(table);
    expect(claim.acquired).toBe(true);
    expect(claim.taken.map((t) => t.id)).toEqual(['w1']);
    expect((await waiter.status(table, 'w1')).taker).toBe(next.token);
  });

  it('answers reach the origin by pub/sub and stay readable until forgotten', async () => {
    const table = `db.t_${randomUUID().slice(0, 6)}`;
    const holder = leaseOfProcess();
    const origin = leaseOfProcess();
    const answered: string[] = [];
    const woken: string[] = [];
    await holder.start({ wake: (t) => woken.push(t), answered: () => undefined });
    await origin.start({ wake: () => undefined, answered: (id) => answered.push(id) });
    await holder.claimAndTake(table);
    expect(await origin.handOver(table, 'a1', Buffer.from('files'))).toBe('handed');
    await holder.claimAndTake(table);
    await holder.answer('a1', origin.token, Buffer.from('answer'));
    for (let i = 0; i < 50 && (answered.length === 0 || woken.length === 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(woken).toEqual([table]);
    expect(answered).toEqual(['a1']);
    expect((await origin.status(table, 'a1')).answer).toEqual(Buffer.from('answer'));
    await origin.forget('a1');
    expect((await origin.status(table, 'a1')).answer).toBeUndefined();
  });
});
