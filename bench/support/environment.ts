// What a result was measured on, recorded next to the numbers so that two JSON files can be
// judged before they are compared: runtime versions, CPU count and model, memory, the load
// average at the start and end (the machine is shared; a high load explains a slow run), and
// the git commit with a dirty flag. Git failures are recorded, never fatal: a bench can run
// from an exported tree.

import { execFileSync } from 'node:child_process';
import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface BenchEnvironment {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly osRelease: string;
  readonly arch: string;
  readonly cpuCount: number;
  readonly cpuModel: string;
  readonly totalMemoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started. */
  readonly loadAverageAtStart: readonly number[];
  readonly gitCommit: string;
  /** Tracked files differ from the commit (the numbers may not belong to it exactly). */
  readonly gitDirty: boolean | 'unknown';
  readonly date: string;
}

export function captureEnvironment(repoRoot: string): BenchEnvironment {
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    osRelease: release(),
    arch: arch(),
    cpuCount: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: totalmem(),
    loadAverageAtStart: currentLoadAverage(),
    gitCommit: git(repoRoot, ['rev-parse', 'HEAD']) ?? 'unknown',
    gitDirty: gitDirty(repoRoot),
    date: new Date().toISOString(),
  };
}

export function currentLoadAverage(): number[] {
  return loadavg().map((load) => Math.round(load * 100) / 100);
}

function gitDirty(repoRoot: string): boolean | 'unknown' {
  const status = git(repoRoot, ['status', '--porcelain', '--untracked-files=no']);
  return status === undefined ? 'unknown' : status.length > 0;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
