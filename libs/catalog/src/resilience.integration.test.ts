// Resilience against the real catalog server behind the fault-injecting proxy
// (tests/support/fault-proxy.ts): transient 503s, dropped connections and slow answers are
// retried and succeed; a commit is never re-posted after a 5xx or a lost connection; retries
// run out with the attempt count and the last cause; a sustained outage opens the breaker,
// calls fail fast while it is open, and one probe closes it after recovery.

import { type FaultProxy, faults, loadStackEnv, startFaultProxy } from '@floe/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError, RestCatalog, type RestCatalogOptions } from './index.ts';

const env = loadStackEnv();
const run = `res_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [{ id: 1, name: 'id', type: 'long', required: true }],
};

let proxy: FaultProxy;
const catalogs: RestCatalog[] = [];

async function catalogThroughProxy(retry: RestCatalogOptions['retry'] = {}): Promise<RestCatalog> {
  const catalog = new RestCatalog({
    uri: proxy.url,
    warehouse: env.catalogWarehouse,
    retry: { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 50, timeoutMs: 2000, ...retry },
  });
  catalogs.push(catalog);
  await catalog.properties(); // load /v1/config now so request counts below are per operation
  proxy.resetCounters();
  return catalog;
}

async function caught(promise: Promise<unknown>): Promise<CatalogError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  proxy = await startFaultProxy(env.catalogUri);
  const direct = new RestCatalog({ uri: env.catalogUri, warehouse: env.catalogWarehouse });
  await direct.createNamespace(run);
  await direct.createTable(`${run}.t`, { schema });
  await direct.close();
});

beforeEach(() => proxy.resetCounters());

afterAll(async () => {
  for (const catalog of catalogs) await catalog.close();
  await proxy.close();
});

describe('transient faults', () => {
  it('retries 503s on an idempotent call and succeeds', async () => {
    const catalog = await catalogThroughProxy();
    proxy.inject(faults.unavailable(), faults.unavailable());
    const info = await catalog.loadNamespace(run);
    expect(info.namespace).toEqual([run]);
    expect(proxy.requests).toBe(3);
  });

  it('retries dropped connections and succeeds', async () => {
    const catalog = await catalogThroughProxy();
    proxy.inject(faults.drop(), faults.drop());
    const table = await catalog.loadTable(`${run}.t`);
    expect(table.identifier.name).toBe('t');
    expect(proxy.requests).toBe(3);
  });

  it('times out a slow attempt and succeeds on the next one', async () => {
    const catalog = await catalogThroughProxy({ timeoutMs: 300 });
    proxy.inject(faults.delay(1500));
    expect(await catalog.namespaceExists(run)).toBe(true);
    expect(proxy.requests).toBe(2);
  });

  it('retries a 429 even on a non-idempotent create', async () => {
    const catalog = await catalogThroughProxy();
    proxy.inject(faults.status(429));
    const created = await catalog.createNamespace(`${run}.after429`, {}, { createParents: false });
    expect(created.created).toBe(true);
    expect(proxy.requests).toBe(2);
  });
});

describe('commits are never re-sent blindly', () => {
  it('reports commit-state-unknown after a 503 and sends the commit once', async () => {
    const catalog = await catalogThroughProxy();
    proxy.inject(faults.unavailable());
    const error = await caught(
      catalog.commitTable(`${run}.t`, {
        requirements: [],
        updates: [{ action: 'set-properties', updates: { a: '1' } }],
      }),
    );
    expect(error.kind).toBe('commit-state-unknown');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('the commit may or may not have been applied');
    expect(error.message).toContain('never re-send it blindly');
    expect(proxy.requests).toBe(1);
  });

  it('reports commit-state-unknown when the connection drops after sending', async () => {
    const catalog = await catalogThroughProxy();
    proxy.inject(faults.drop());
    const error = await caught(
      catalog.commitTable(`${run}.t`, {
        requirements: [],
        updates: [{ action: 'set-properties', updates: { b: '1' } }],
      }),
    );
    expect(error.kind).toBe('commit-state-unknown');
    expect(error.message).toContain('the request was sent but no answer came back');
    expect(proxy.requests).toBe(1);
  });
});

describe('exhaustion and the circuit breaker', () => {
  it('gives up after maxAttempts with the attempt count and the last cause', async () => {
    const catalog = await catalogThroughProxy({ maxAttempts: 3, breaker: { threshold: 100 } });
    proxy.setPersistent(faults.unavailable());
    const error = await caught(catalog.loadNamespace(run));
    expect(error.kind).toBe('retries-exhausted');
    expect(error.context['attempts']).toBe(3);
    expect(error.message).toContain(`loadNamespace namespace ${run} failed after 3 attempts; last error:`);
    expect(error.message).toContain('HTTP 503 InjectedFault');
    expect((error.cause as CatalogError).kind).toBe('service-unavailable');
    expect(proxy.requests).toBe(3);
  });

  it('opens on a sustained outage, fails fast while open, and closes after a successful probe', async () => {
    const catalog = await catalogThroughProxy({
      maxAttempts: 2,
      breaker: { threshold: 3, halfOpenAfterMs: 1500 },
    });
    await proxy.goDown();
    const first = await caught(catalog.loadNamespace(run));
    expect(first.kind).toBe('retries-exhausted');
    expect(first.message).toContain('ECONNREFUSED');
    const second = await caught(catalog.loadNamespace(run));
    expect(['retries-exhausted', 'circuit-open']).toContain(second.kind);
    expect(catalog.breakerState).toBe('open');

    await proxy.comeUp();
    proxy.resetCounters();
    const started = performance.now();
    const fast = await caught(catalog.loadNamespace(run));
    expect(fast.kind).toBe('circuit-open');
    expect(performance.now() - started).toBeLessThan(100);
    expect(fast.message).toContain('the catalog circuit breaker is open after 3 consecutive failures');
    expect(proxy.requests).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 1600));
    const info = await catalog.loadNamespace(run);
    expect(info.namespace).toEqual([run]);
    expect(catalog.breakerState).toBe('closed');
    expect(proxy.requests).toBe(1);
  });
});
