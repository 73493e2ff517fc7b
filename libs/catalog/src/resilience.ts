// Retry, per-attempt timeout and circuit breaking for catalog requests (cockatiel), with every
// knob from floe.yaml `catalog.retry`. The layering, outermost first:
//
//   retry (exponential backoff with jitter, capped, max attempts; only safe cases)
//     → circuit breaker (shared by the whole client; opens on consecutive outage failures)
//       → timeout (one attempt)
//         → the HTTP attempt
//
// What is safe to retry: idempotent requests on network errors, timeouts, 429 and 502/503/504;
// any request whose connection was refused (it never reached the server) or that got a 429
// (the server turned it away unprocessed). A commit is never re-sent after a 5xx or a
// connection lost mid-request: it may have landed, so the error is `commit-state-unknown`
// and the caller must reload and check. While the breaker is open calls fail fast with
// `circuit-open`; after `halfOpenAfterMs` one probe goes through and closes it on success.

import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  TimeoutStrategy,
  timeout,
} from 'cockatiel';
import { CatalogError, isCatalogError } from './errors.ts';
import type { ResolvedRetryOptions } from './options.ts';

export interface AttemptDescription {
  readonly operation: string;
  readonly object: string;
  readonly idempotent: boolean;
  /** Called when a failed attempt will be retried (for logging). */
  readonly onRetry?: (error: CatalogError, attempt: number, delayMs: number) => void;
}

/** Whether a failed attempt may be sent again without risking a duplicate side effect. */
export function isSafeToRetry(error: unknown, idempotent: boolean): boolean {
  if (!isCatalogError(error)) return false;
  switch (error.kind) {
    case 'network':
      return idempotent || error.context['notSent'] === true;
    case 'timeout':
    case 'service-unavailable':
      return idempotent;
    case 'rate-limited':
      return true;
    default:
      return false;
  }
}

/** Whether a failure says the catalog is unwell (and so counts toward opening the breaker). */
export function countsAsOutage(error: unknown): boolean {
  if (!isCatalogError(error)) return false;
  return (
    error.kind === 'network' ||
    error.kind === 'timeout' ||
    error.kind === 'service-unavailable' ||
    error.kind === 'server-error' ||
    error.kind === 'commit-state-unknown'
  );
}

export class CatalogResilience {
  readonly #options: ResolvedRetryOptions;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #timeout;

  constructor(options: ResolvedRetryOptions) {
    this.#options = options;
    this.#breaker = circuitBreaker(handleWhen(countsAsOutage), {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.#timeout = timeout(options.timeoutMs, TimeoutStrategy.Cooperative);
  }

  get breakerState(): 'closed' | 'open' | 'half-open' | 'isolated' {
    switch (this.#breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.Open:
        return 'open';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'isolated';
    }
  }

  /**
   * Runs `attempt` under the policies. `attempt` receives the abort signal of its timeout and
   * its 1-based number. Exhausted retries become `retries-exhausted` carrying the attempt count
   * and the last cause; an open breaker becomes `circuit-open`.
   */
  async execute<T>(
    describe: AttemptDescription,
    attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>,
  ): Promise<T> {
    const retryPolicy = retry(
      handleWhen((error) => isSafeToRetry(error, describe.idempotent)),
      {
        maxAttempts: this.#options.maxAttempts - 1,
        backoff: new ExponentialBackoff({
          initialDelay: this.#options.initialDelayMs,
          maxDelay: this.#options.maxDelayMs,
        }),
      },
    );
    let attempts = 0;
    const listener = retryPolicy.onRetry((event) => {
      if ('error' in event && isCatalogError(event.error))
        describe.onRetry?.(event.error, attempts, event.delay);
    });
    try {
      return await retryPolicy.execute(() =>
        this.#breaker.execute(() =>
          this.#timeout.execute(({ signal }) => {
            attempts++;
            return attempt(signal, attempts);
          }),
        ),
      );
    } catch (error) {
      throw this.#finalError(describe, error, attempts);
    } finally {
      listener.dispose();
    }
  }

  #finalError(describe: AttemptDescription, error: unknown, attempts: number): unknown {
    if (error instanceof BrokenCircuitError) {
      const last = this.#breaker.lastFailure;
      const lastCause = last !== undefined && 'error' in last ? last.error : undefined;
      const lastMessage = lastCause instanceof Error ? `; last failure: ${lastCause.message}` : '';
      return new CatalogError(
        'circuit-open',
        `${describe.operation} ${describe.object} was not sent: the catalog circuit breaker is open after ` +
          `${this.#options.breakerThreshold} consecutive failures${lastMessage}; it lets one probe through ` +
          `${this.#options.breakerHalfOpenAfterMs} ms after opening — check that the catalog is up`,
        {
          context: { operation: describe.operation, object: describe.object, attempts },
          cause: lastCause ?? error,
        },
      );
    }
    if (attempts > 1 && isSafeToRetry(error, describe.idempotent) && isCatalogError(error)) {
      return new CatalogError(
        'retries-exhausted',
        `${describe.operation} ${describe.object} failed after ${attempts} attempts; last error: ${error.message}`,
        {
          context: {
            ...error.context,
            operation: describe.operation,
            object: describe.object,
            attempts,
            lastKind: error.kind,
          },
          cause: error,
        },
      );
    }
    return error;
  }
}
