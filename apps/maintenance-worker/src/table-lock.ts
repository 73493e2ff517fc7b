// One maintenance run per table at a time across every process: a Redis key per table holding a
// random token, taken with `SET key token NX PX ttl`, renewed every ttl/3 while the run lives,
// and released only by its owner. The two scripts below are the whole protocol:
//   RENEW   KEYS[1]=lock key, ARGV[1]=token, ARGV[2]=ttl ms → 1 renewed, 0 not ours (anymore)
//   RELEASE KEYS[1]=lock key, ARGV[1]=token               → 1 deleted,  0 not ours (left alone)
// Compare-and-act in one script means a holder whose lock already expired (a long GC pause, a
// partition) can neither extend nor delete the lock a newer holder took. A killed holder's lock
// frees itself after its TTL. A run that cannot take the lock within the wait budget fails
// retryably, so BullMQ runs it later; it never runs without the lock.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { MaintenanceError } from './maintenance-error.ts';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface TableLockOptions {
  readonly redis: Redis;
  /** The Redis key (see `tableLockKey`). */
  readonly key: string;
  readonly ttlMs: number;
  /** How long to wait for another holder before giving up (retryably). */
  readonly waitMs: number;
  /** Pause between attempts while another process holds the lock; default min(500, ttl/4). */
  readonly pollMs?: number;
}

export interface HeldTableLock {
  readonly key: string;
  readonly token: string;
  /** How long the caller waited for the lock. */
  readonly waitedMs: number;
  /** False once a renewal found the lock gone or taken over. */
  isHeld(): boolean;
  /** Throws a retryable `lock-lost` error when the lock is no longer ours (call before deleting). */
  assertHeld(): void;
  /** Stops renewing and deletes the key if it is still ours. */
  release(): Promise<void>;
}

/** `<prefix>:maintenance-lock:<table>`; each name part URI-encoded so dots inside parts stay unambiguous. */
export function tableLockKey(prefix: string, target: readonly string[]): string {
  return `${prefix}:maintenance-lock:${target.map(encodeURIComponent).join('.')}`;
}

/** Waits up to `waitMs` for the lock; throws a retryable `lock-timeout` when another run keeps it. */
export async function acquireTableLock(options: TableLockOptions): Promise<HeldTableLock> {
  const token = randomBytes(16).toString('hex');
  const started = Date.now();
  const pollMs = options.pollMs ?? Math.max(50, Math.min(500, Math.floor(options.ttlMs / 4)));
  for (;;) {
    const taken = await options.redis.set(options.key, token, 'PX', options.ttlMs, 'NX');
    if (taken === 'OK') break;
    const waited = Date.now() - started;
    if (waited >= options.waitMs) {
      const holderTtl = await options.redis.pttl(options.key);
      throw new MaintenanceError(
        'lock-timeout',
        `another maintenance run holds ${options.key} (waited ${waited} ms, its lock expires in ${holderTtl} ms); ` +
          'the job is retried later — raise maintenance.worker.table_lock_wait_ms to wait longer',
        { key: options.key, waitedMs: waited },
      );
    }
    await sleep(Math.min(pollMs, Math.max(1, options.waitMs - waited)));
  }
  return heldLock(options, token, Date.now() - started);
}

function heldLock(options: TableLockOptions, token: string, waitedMs: number): HeldTableLock {
  let held = true;
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = () => {
    renewing = options.redis
      .eval(RENEW, 1, options.key, token, String(options.ttlMs))
      .then((renewed) => {
        if (renewed !== 1) held = false;
      })
      // A failed renewal (Redis briefly away) is not a loss yet: the key lives until its TTL,
      // and the next renewal decides.
      .catch(() => undefined);
  };
  const timer = setInterval(renew, Math.max(100, Math.floor(options.ttlMs / 3)));
  timer.unref();
  return {
    key: options.key,
    token,
    waitedMs,
    isHeld: () => held,
    assertHeld() {
      if (!held) {
        throw new MaintenanceError(
          'lock-lost',
          `the maintenance lock ${options.key} expired while the run was working (Redis unreachable for longer ` +
            'than maintenance.worker.table_lock_ttl_ms?); stopped before deleting anything further, the job is retried',
          { key: options.key },
        );
      }
    },
    async release() {
      clearInterval(timer);
      await renewing;
      held = false;
      await options.redis.eval(RELEASE, 1, options.key, token);
    },
  };
}
