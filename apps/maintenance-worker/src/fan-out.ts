// Fan-out: what a schedule naming several tables or namespaces (or every table) enqueues at each tick is ONE job
// with `tables` or `namespaces`; processing it lists the targets now (a namespace's tables are
// listed at every tick, so tables created later are included) and enqueues one per-table job
// each, with the same action, dry-run flag and policy. The per-table job ids derive from the
// fan-out job's id, so a fan-out re-delivered after a crash adds no second copy. A scheduled
// tick skips a table whose run of the same schedule from an earlier tick is still waiting,
// delayed or active (BullMQ deduplication by schedule and table): a worker that falls behind —
// hundreds of tables, a slow catalog — catches up instead of piling up one run per table per tick.
import { type Catalog, formatTable, type TableIdentifier } from '@floe/catalog';
import type { MaintenanceJob } from '@floe/jobs';
import type { JobsOptions, Queue } from 'bullmq';

/** Retry settings of the per-table jobs: a run that waited too long for its table's lock comes back. */
export const PER_TABLE_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

/** The targets of a fan-out job, deduplicated and sorted. */
export async function fanOutTargets(
  job: MaintenanceJob,
  catalog: Pick<Catalog, 'listTables' | 'listNamespaces'>,
) {
  const tables: TableIdentifier[] = [...(job.tables ?? [])];
  const namespaces = job.allTables ? await allNamespaces(catalog) : (job.namespaces ?? []);
  for (const namespace of namespaces) tables.push(...(await catalog.listTables(namespace)));
  const unique = new Map(tables.map((t) => [formatTable(t), t]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t);
}

/** Every namespace of the catalog, nested ones included (breadth first). */
async function allNamespaces(catalog: Pick<Catalog, 'listNamespaces'>): Promise<string[][]> {
  const found: string[][] = [];
  let level = (await catalog.listNamespaces()).map((ns) => [...ns]);
  while (level.length > 0) {
    found.push(...level);
    const next: string[][] = [];
    for (const parent of level) next.push(...(await catalog.listNamespaces(parent)).map((ns) => [...ns]));
    level = next;
  }
  return found;
}

/** BullMQ ids may not contain ':' (scheduler job ids do); the table part keeps ids unique per table. */
export function perTableJobId(parentJobId: string, table: TableIdentifier): string {
  return `${parentJobId}.${formatTable(table)}`.replaceAll(':', '-');
}

/** At most one unfinished run per schedule and table. */
export function scheduledRunKey(schedule: string, table: TableIdentifier): string {
  return `scheduled.${schedule}.${formatTable(table)}`;
}

/** Enqueues the per-table jobs of a fan-out job; returns their ids. */
export async function fanOut(
  job: MaintenanceJob,
  parentJobId: string,
  queue: Queue,
  catalog: Pick<Catalog, 'listTables' | 'listNamespaces'>,
): Promise<string[]> {
  const targets = await fanOutTargets(job, catalog);
  const jobs = targets.map((table) => ({
    name: job.action,
    data: {
      version: job.version,
      action: job.action,
      table: { namespace: [...table.namespace], name: table.name },
      dryRun: job.dryRun,
      policy: job.policy,
      ...(job.schedule === undefined ? {} : { schedule: job.schedule }),
    },
    opts: {
      ...PER_TABLE_JOB_OPTIONS,
      jobId: perTableJobId(parentJobId, table),
      ...(job.schedule === undefined ? {} : { deduplication: { id: scheduledRunKey(job.schedule, table) } }),
    },
  }));
  if (jobs.length > 0) await queue.addBulk(jobs);
  return jobs.map((j) => j.opts.jobId);
}
