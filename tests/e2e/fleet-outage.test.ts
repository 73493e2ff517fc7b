// Issue 6 acceptance, catalog outage: two real writer processes reach the catalog through the
// fault proxy, which goes down (connections refused) for 20 s in the middle of a paced run of
// 60 jobs. Jobs must wait and retry (BullMQ backoff), none is lost, every one commits after the
// catalog is back, rows land exactly once, and the circuit breaker's opening shows in the
// workers' logs (the catalog client's `circuit-open` message on a retried job).
import type { WriteHandle } from '@floe/producer-sdk';
import { type FaultProxy, startFaultProxy } from '@floe/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFleet,
  describeFailures,
  type Fleet,
  fetchText,
  jobBatch,
  settle,
  sleep,
  tableReport,
} from './support/fleet.ts';

const JOBS = 60;
const ROWS = 20;
const OUTAGE_MS = 20_000;

let fleet: Fleet | undefined;
let proxy: FaultProxy | undefined;

afterAll(async () => {
  await proxy?.comeUp();
  await fleet?.close();
  await proxy?.close();
}, 90_000);

describe('catalog outage of 20 s in the middle of a run', () => {
  it('jobs wait and retry, none is lost, all commit after recovery; the breaker opening is logged and scraped', async () => {
    fleet = createFleet('outage');
    proxy = await startFaultProxy(fleet.stack.catalogUri);
    await fleet.startWorkers(2, {
      catalogUri: proxy.url,
      concurrency: 4,
      breakerThreshold: 3,
      breakerHalfOpenAfterMs: 3000,
      catalogMaxAttempts: 3,
    });
    const producer = fleet.producer();
    const handles: { job: number; handle: WriteHandle }[] = [];
    const started = Date.now();
    let downAtMs = -1;
    let upAtMs = -1;

    // While the catalog is down, the workers' /metrics must show the breaker open.
    let breakerOpenScraped = false;
    const scrapeBreaker = async (until: number) => {
      while (Date.now() < until && !breakerOpenScraped) {
        for (const worker of fleet?.workers ?? []) {
          if (worker.metricsPort === undefined) continue;
          const { body } = await fetchText(`http://127.0.0.1:${worker.metricsPort}/metrics`).catch(() => ({
            body: '',
          }));
          if (/^floe_catalog_circuit_breaker_state\{state="open"[^}]*\} 1$/m.test(body))
            breakerOpenScraped = true;
        }
        await sleep(250);
      }
    };
    const outage = (async () => {
      await sleep(6000);
      await proxy?.goDown();
      downAtMs = Date.now() - started;
      const outageEnds = Date.now() + OUTAGE_MS;
      await scrapeBreaker(outageEnds);
      await sleep(Math.max(0, outageEnds - Date.now()));
      await proxy?.comeUp();
      upAtMs = Date.now() - started;
    })();

    // 60 jobs over ~30 s: some before, many during, some after the outage.
    for (let job = 0; job < JOBS; job++) {
      const handle = await producer.write(`${fleet.namespace}.outage`, jobBatch(job, ROWS), {
        create: { partitionSpec: [] },
        idempotencyKey: `${fleet.run}-job-${job}`,
      });
      handles.push({ job, handle });
      await sleep(450);
    }
    await outage;
    expect(upAtMs - downAtMs).toBeGreaterThanOrEqual(OUTAGE_MS);

    const outcomes = await settle(handles, 150_000);
    expect(describeFailures(outcomes)).toBe('');

    const report = await tableReport(`${fleet.namespace}.outage`, ROWS);
    expect(report.wrongJobs).toEqual([]);
    expect(report.jobsPresent).toBe(JOBS);
    expect(report.rows).toBe(JOBS * ROWS);
    expect(report.distinctIds).toBe(JOBS * ROWS);

    const logs = fleet.workers.map((w) => w.output()).join('\n');
    // Jobs hit the outage and were handed back to the queue for a retry…
    expect(logs).toContain('write job failed; it will be retried');
    // …and the breaker opened: calls failed fast instead of hammering the dead catalog.
    expect(logs).toMatch(/circuit breaker is open after 3 consecutive failures/);
    expect(breakerOpenScraped, 'a /metrics scrape during the outage showed the breaker open').toBe(true);
    // Both workers are still up and serving after the outage.
    expect(fleet.workers.every((w) => w.isAlive())).toBe(true);
  }, 240_000);
});
