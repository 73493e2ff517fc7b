import { afterEach, describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry } from './metrics.ts';
import { type OpsServer, startOpsServer } from './ops-server.ts';

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startOpsServer', () => {
  it('serves /metrics in the Prometheus text format, including floe counters', async () => {
    const registry = createMetricsRegistry({ serviceName: 'writer-worker' });
    const commits = new Counter({
      name: 'floe_commits_total',
      help: 'Snapshots committed',
      labelNames: ['table'],
      registers: [registry],
    });
    commits.inc({ table: 'db.events' }, 3);
    server = await startOpsServer({ port: 0, host: '127.0.0.1', readiness: () => true, registry });
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    expect(body).toContain('# TYPE floe_commits_total counter');
    expect(body).toContain('floe_commits_total{table="db.events",service="writer-worker"} 3');
    expect(body).toContain('floe_process_cpu_user_seconds_total');
  });

  it('answers /healthz, and /readyz from the readiness callback (503 when not ready or failing)', async () => {
    let ready: boolean | 'throw' = false;
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      readiness: () => {
        if (ready === 'throw') throw new Error('redis down');
        return ready;
      },
      registry: createMetricsRegistry({ serviceName: 's', collectProcessMetrics: false }),
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    ready = 'throw';
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect(await (await fetch(`${base}/readyz`)).text()).toBe('not ready\n');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('says why it is not ready when the callback gives a reason', async () => {
    let answer: { ready: boolean; reason?: string } = {
      ready: false,
      reason: 'the catalog rejects our credentials',
    };
    server = await startOpsServer({
      port: 0,
      readiness: () => answer,
      registry: createMetricsRegistry({ serviceName: 's', collectProcessMetrics: false }),
    });
    const base = `http://127.0.0.1:${server.port}`;
    const unready = await fetch(`${base}/readyz`);
    expect(unready.status).toBe(503);
    expect(await unready.text()).toBe('not ready: the catalog rejects our credentials\n');
    answer = { ready: true };
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready\n');
  });

  it('listens on loopback unless given another host', async () => {
    server = await startOpsServer({
      port: 0,
      readiness: () => true,
      registry: createMetricsRegistry({ serviceName: 's', collectProcessMetrics: false }),
    });
    expect(server.host).toBe('127.0.0.1');
    const everywhere = await startOpsServer({
      port: 0,
      host: '0.0.0.0',
      readiness: () => true,
      registry: createMetricsRegistry({ serviceName: 's', collectProcessMetrics: false }),
    });
    try {
      expect(everywhere.host).toBe('0.0.0.0');
    } finally {
      await everywhere.close();
    }
  });

  it('reports a port already in use with the key to change', async () => {
    const registry = createMetricsRegistry({ serviceName: 's', collectProcessMetrics: false });
    server = await startOpsServer({ port: 0, host: '127.0.0.1', readiness: () => true, registry });
    await expect(
      startOpsServer({ port: server.port, host: '127.0.0.1', readiness: () => true, registry }),
    ).rejects.toThrow(
      `ops server could not listen on 127.0.0.1:${server.port} (EADDRINUSE): choose another writer.metrics_port`,
    );
  });
});
