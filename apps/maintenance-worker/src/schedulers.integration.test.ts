// Job scheduler registration on the real Redis: two workers starting with the same floe.yaml
// leave one scheduler per schedule (and one pending tick each); a restart without a schedule
// removes it but leaves schedulers floe did not create; a namespace schedule lists the
// namespace at every tick, so a table created after the worker started is maintained too.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, tableWithSnapshots, WORKER_YAML } from './stack-harness.test-helper.ts';

const h = createHarness('sched');
afterAll(() => h.close());

function withSchedules(schedules: string): string {
  return `${WORKER_YAML}  schedules:\n${schedules}`;
}

const NIGHTLY = `    - name: nightly-expire
      cron: "0 3 * * *"
      tz: Europe/Paris
      tables: [${h.namespace}.a, ${h.namespace}.b]
      action: expire
`;
const HOURLY = `    - name: hourly-staging
      every_ms: 3600000
      action: staging
`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('registerSchedules', () => {
  it('upserts each schedule once when two workers start with the same floe.yaml', async () => {
    const yaml = withSchedules(NIGHTLY + HOURLY);
    const [first, second] = await Promise.all([h.startWorker(yaml), h.startWorker(yaml)]);
    const schedulers = await h.queue.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key).sort()).toEqual(['hourly-staging', 'nightly-expire']);
    const nightly = schedulers.find((s) => s.key === 'nightly-expire');
    expect(nightly).toMatchObject({ pattern: '0 3 * * *', tz: 'Europe/Paris' });
    expect(nightly?.template?.data).toMatchObject({
      action: 'expire',
      schedule: 'nightly-expire',
      tables: [
        { namespace: [h.namespace], name: 'a' },
        { namespace: [h.namespace], name: 'b' },
      ],
    });
    const delayed = await h.queue.getJobs(['delayed'], 0, -1);
    expect(delayed.filter((j) => j.id?.startsWith('repeat:nightly-expire:'))).toHaveLength(1);
    await Promise.all([first.worker.shutdown(), second.worker.shutdown()]);
  });

  it('removes floe schedules that floe.yaml no longer lists, and only those', async () => {
    await h.queue.upsertJobScheduler(
      'someone-elses',
      { every: 3_600_000 },
      { name: 'other', data: { mine: true } },
    );
    const started = await h.startWorker(withSchedules(HOURLY));
    expect(started.worker.schedules.removed).toEqual(['nightly-expire']);
    const ids = (await h.queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
    expect(ids).toEqual(['hourly-staging', 'someone-elses']);
    await h.queue.removeJobScheduler('someone-elses');
    await started.worker.shutdown();
  });

  it('includes tables created after the worker started in a namespace schedule', async () => {
    await h.python(tableWithSnapshots('early', 1));
    const started = await h.startWorker(
      withSchedules(`    - name: frequent-orphans
      every_ms: 1000
      namespaces: [${h.namespace}]
      action: orphans
`),
    );
    const ranOn = (table: string) => async () =>
      started
        .lines()
        .find((l) => l['msg'] === 'maintenance run finished' && l['table'] === `${h.namespace}.${table}`);
    const early = await until('a scheduled run on the early table', ranOn('early'));
    expect(early).toMatchObject({ action: 'orphans', failedDeletes: 0 });
    expect(String(early['jobId'])).toMatch(/^repeat-frequent-orphans-\d+\./);
    await h.python(tableWithSnapshots('late', 1));
    await until('a scheduled run on the table created later', ranOn('late'));
    await started.worker.shutdown();
  });
});
