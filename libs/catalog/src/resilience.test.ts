import { describe, expect, it } from 'vitest';
import { CatalogError } from './errors.ts';
import { resolveRetryOptions } from './options.ts';
import { CatalogResilience, countsAsOutage, isSafeToRetry } from './resilience.ts';

const network = (notSent: boolean) => new CatalogError('network', 'socket hang up', { context: { notSent } });
const unavailable = () => new CatalogError('service-unavailable', 'HTTP 503', { context: { status: 503 } });
const fast = (extra: Parameters<typeof resolveRetryOptions>[0] = {}) =>
  new CatalogResilience(resolveRetryOptions({ initialDelayMs: 1, maxDelayMs: 2, ...extra }));

describe('isSafeToRetry', () => {
  it('retries idempotent calls on network errors, timeouts, 429 and 502/503/504', () => {
    expect(isSafeToRetry(network(false), true)).toBe(true);
    expect(isSafeToRetry(new CatalogError('timeout', 't'), true)).toBe(true);
    expect(isSafeToRetry(unavailable(), true)).toBe(true);
    expect(isSafeToRetry(new CatalogError('rate-limited', 'r'), true)).toBe(true);
  });

  it('retries a non-idempotent call only when it never reached the server or got a 429', () => {
    expect(isSafeToRetry(network(true), false)).toBe(true);
    expect(isSafeToRetry(new CatalogError('rate-limited', 'r'), false)).toBe(true);
    expect(isSafeToRetry(network(false), false)).toBe(false);
    expect(isSafeToRetry(new CatalogError('timeout', 't'), false)).toBe(false);
    expect(isSafeToRetry(unavailable(), false)).toBe(false);
  });

  it('never retries 500s, client errors, commit outcomes or foreign errors', () => {
    for (const kind of [
      'server-error',
      'bad-request',
      'commit-conflict',
      'commit-state-unknown',
      'unauthorized',
    ] as const) {
      expect(isSafeToRetry(new CatalogError(kind, kind), true)).toBe(false);
    }
    expect(isSafeToRetry(new Error('x'), true)).toBe(false);
  });
});

describe('countsAsOutage', () => {
  it('counts transport failures and 5xx, not client errors', () => {
    expect(countsAsOutage(network(false))).toBe(true);
    expect(countsAsOutage(new CatalogError('commit-state-unknown', 'x'))).toBe(true);
    expect(countsAsOutage(new CatalogError('no-such-table', 'x'))).toBe(false);
    expect(countsAsOutage('boom')).toBe(false);
  });
});

describe('CatalogResilience', () => {
  const idempotent = { operation: 'loadTable', object: 'table a.b', idempotent: true } as const;

  it('retries transient failures and reports each retry', async () => {
    const retries: number[] = [];
    let calls = 0;
    const result = await fast().execute(
      { ...idempotent, onRetry: (_e, attempt) => retries.push(attempt) },
      async (_signal, n) => {
        calls++;
        if (n < 3) throw unavailable();
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after maxAttempts with the count and the last cause', async () => {
    const error = await fast({ maxAttempts: 3 })
      .execute(idempotent, async () => {
        throw unavailable();
      })
      .catch((e: unknown) => e as CatalogError);
    expect(error.kind).toBe('retries-exhausted');
    expect(error.message).toBe('loadTable table a.b failed after 3 attempts; last error: HTTP 503');
    expect(error.context).toMatchObject({ attempts: 3, lastKind: 'service-unavailable', status: 503 });
    expect(error.cause).toBeInstanceOf(CatalogError);
  });

  it('passes an unretryable error through untouched after one attempt', async () => {
    const original = new CatalogError('no-such-table', 'gone');
    let calls = 0;
    const error = await fast()
      .execute(idempotent, async () => {
        calls++;
        throw original;
      })
      .catch((e: unknown) => e);
    expect(error).toBe(original);
    expect(calls).toBe(1);
  });

  it('aborts a slow attempt through its signal', async () => {
    const resilience = fast({ timeoutMs: 20, maxAttempts: 1 });
    const error = await resilience
      .execute(
        idempotent,
        (signal) =>
          new Promise<never>((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(new CatalogError('timeout', 'timed out')));
          }),
      )
      .catch((e: unknown) => e as CatalogError);
    expect(error.kind).toBe('timeout');
  });

  it('opens the breaker after consecutive outages, fails fast, then closes after a good probe', async () => {
    const resilience = fast({ maxAttempts: 1, breaker: { threshold: 2, halfOpenAfterMs: 30 } });
    for (let i = 0; i < 2; i++) {
      await resilience.execute(idempotent, async () => Promise.reject(unavailable())).catch(() => undefined);
    }
    expect(resilience.breakerState).toBe('open');
    let called = false;
    const error = (await resilience
      .execute(idempotent, async () => {
        called = true;
      })
      .catch((e: unknown) => e)) as CatalogError;
    expect(called).toBe(false);
    expect(error.kind).toBe('circuit-open');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      'loadTable table a.b was not sent: the catalog circuit breaker is open after 2 consecutive failures; ' +
        'last failure: HTTP 503; it lets one probe through 30 ms after opening — check that the catalog is up',
    );
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await resilience.execute(idempotent, async () => 'probe')).toBe('probe');
    expect(resilience.breakerState).toBe('closed');
  });

  it('does not count client errors toward the breaker', async () => {
    const resilience = fast({ maxAttempts: 1, breaker: { threshold: 1 } });
    await resilience
      .execute(idempotent, async () => Promise.reject(new CatalogError('no-such-table', 'x')))
      .catch(() => undefined);
    expect(resilience.breakerState).toBe('closed');
  });
});
