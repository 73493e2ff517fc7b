// Where the machine's CPU goes during a fleet variant: CPU seconds of each process that serves a
// job — the writers, the producer (this bench process: staging, enqueue, waiting for results),
// MinIO, the REST catalog, Redis — read from /proc before and after, plus the whole machine's
// busy time from /proc/stat (the rest is everything else that ran meanwhile). On a shared
// 2-core machine the jobs/s ceiling is 2 cores divided by the sum per job, so this says which
// component a faster fleet has to make cheaper. Linux only: elsewhere `readMachineCpu` returns
// undefined and the bench records no breakdown.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** CPU seconds so far, per component, and the machine's busy seconds. */
export interface MachineCpu {
  readonly components: Readonly<Record<string, number>>;
  readonly machineBusySeconds: number;
}

const STACK_SERVICES = ['minio', 'catalog', 'redis'] as const;

/** The pids of the stack's services, from `<stackDir>/state.json` (infra/local). */
export function stackServicePids(stackDir: string): Record<string, number> {
  const file = join(stackDir, 'state.json');
  if (!existsSync(file)) return {};
  const state = JSON.parse(readFileSync(file, 'utf8')) as {
    services?: Record<string, { pid?: number } | undefined>;
  };
  const pids: Record<string, number> = {};
  for (const name of STACK_SERVICES) {
    const pid = state.services?.[name]?.pid;
    if (typeof pid === 'number') pids[name] = pid;
  }
  return pids;
}

/**
 * Reads the CPU seconds of each component (a component may span several pids, e.g. the
 * writers); undefined without /proc. A pid that has exited counts as 0 from then on, so read
 * before stopping processes.
 */
export function readMachineCpu(
  components: Readonly<Record<string, readonly number[]>>,
): MachineCpu | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux architecture floe runs on
  const out: Record<string, number> = {};
  for (const [name, pids] of Object.entries(components)) {
    out[name] = pids.reduce((sum, pid) => sum + processTicks(pid), 0) / ticksPerSecond;
  }
  return { components: out, machineBusySeconds: machineBusyTicks() / ticksPerSecond };
}

/** Per-job milliseconds of each component between two readings, and what the rest used. */
export function cpuMsPerJob(before: MachineCpu, after: MachineCpu, jobs: number): Record<string, number> {
  const perJob: Record<string, number> = {};
  let named = 0;
  for (const [name, seconds] of Object.entries(after.components)) {
    const used = Math.max(0, seconds - (before.components[name] ?? 0));
    named += used;
    perJob[name] = round2((used / jobs) * 1000);
  }
  const busy = after.machineBusySeconds - before.machineBusySeconds;
  perJob['everything else'] = round2((Math.max(0, busy - named) / jobs) * 1000);
  perJob['machine total'] = round2((busy / jobs) * 1000);
  return perJob;
}

/** utime + stime of a process, all its threads (fields 14 and 15 of /proc/<pid>/stat). */
function processTicks(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) may hold spaces; the fields after it start past the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy ticks of all cpus since boot: everything but idle and iowait (first line of /proc/stat). */
function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return total - idle;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
