// What the maintenance acceptance tests write and how they judge the result. `startWriteLoop`
// keeps the real writer fleet appending to one table (a bounded number of jobs in flight) and can
// pause at a quiet point, so a check compares the bucket with metadata nobody is changing;
// `tableState` asks PyIceberg, DuckDB and boto3 (tests/e2e/support/maintenance_peers.py) what the
// table looks like; `stateProblems` turns that into readable findings (empty = healthy table).
import { join } from 'node:path';
import type { WriteOptions } from '@floe/producer-sdk';
import { repoRoot, runPython } from '@floe/test-support';
import { type Fleet, jobBatch, sleep } from './fleet.ts';

export interface SnapshotState {
  readonly id: string;
  readonly timestampMs: number;
  readonly totalRecords: number;
  readonly jobIds: string[];
  /** rows the snapshot's live data files hold per its manifests (null: it has delete files) */
  readonly manifestRows: number | null;
  /** rows PyIceberg read when time-travelling to this snapshot (absent when the scan failed) */
  readonly readRows?: number;
}

export interface TableState {
  readonly metadataLocation: string;
  readonly location: string;
  readonly currentSnapshotId: string | null;
  readonly snapshots: SnapshotState[];
  /** data files or snapshots a reader failed on, with the error */
  readonly unreadable: string[];
  readonly rows: number;
  readonly distinctIds: number;
  /** [job, rows] of jobs whose row count is not rowsPerJob */
  readonly wrongJobs: [number, number][];
  readonly jobsPresent: number;
  readonly duckdbRows: number;
  readonly duckdbDistinctIds: number;
  readonly listedAtMs: number;
  /** referenced by the retained metadata but not in the bucket */
  readonly missing: string[];
  /** in the bucket but referenced by nothing retained */
  readonly unreferenced: { path: string; lastModifiedMs: number }[];
  readonly referencedCount: number;
  readonly listedCount: number;
}

/**
 * PyIceberg + DuckDB + a bucket listing of `table`. Every retained snapshot is read by a
 * PyIceberg time-travel scan, and its manifests and data files are read and counted.
 */
export function tableState(table: string, options: { rowsPerJob?: number } = {}): Promise<TableState> {
  const support = join(repoRoot, 'tests', 'e2e', 'support');
  return runPython<TableState>(`
import sys
sys.path.insert(0, ${JSON.stringify(support)})
from floe_peers import emit
from maintenance_peers import table_state
emit(table_state(${JSON.stringify(table)}, ${options.rowsPerJob ?? 0}))
`);
}

export interface StateExpectations {
  /** rows the current snapshot must hold (PyIceberg and DuckDB) */
  readonly rows?: number;
  /** unreferenced objects are allowed only when last modified at or after this instant (ms) */
  readonly unreferencedSinceMs?: number;
}

// MinIO reports LastModified with second precision in some versions: one second of slack so a
// file written just after the cutoff is never mistaken for an older one.
const LAST_MODIFIED_SLACK_MS = 1000;

/** Everything wrong with `state` as sentences; an empty list is a healthy table. */
export function stateProblems(state: TableState, expected: StateExpectations = {}): string[] {
  const problems: string[] = [];
  for (const error of state.unreadable) problems.push(`a reader failed: ${error}`);
  for (const snapshot of state.snapshots) {
    if (snapshot.readRows !== undefined && snapshot.readRows !== snapshot.totalRecords) {
      problems.push(
        `snapshot ${snapshot.id} reads ${snapshot.readRows} rows, its summary says ${snapshot.totalRecords}`,
      );
    }
    if (snapshot.manifestRows !== null && snapshot.manifestRows !== snapshot.totalRecords) {
      problems.push(
        `snapshot ${snapshot.id}'s manifests hold ${snapshot.manifestRows} rows, its summary says ${snapshot.totalRecords}`,
      );
    }
  }
  for (const path of state.missing) problems.push(`referenced file is missing from the bucket: ${path}`);
  if (state.duckdbRows !== state.rows || state.duckdbDistinctIds !== state.distinctIds) {
    problems.push(
      `DuckDB reads ${state.duckdbRows} rows (${state.duckdbDistinctIds} distinct ids), PyIceberg ${state.rows} (${state.distinctIds})`,
    );
  }
  if (state.distinctIds !== state.rows) problems.push(`${state.rows - state.distinctIds} duplicate ids`);
  if (state.wrongJobs.length > 0)
    problems.push(`jobs with a wrong row count: ${JSON.stringify(state.wrongJobs)}`);
  if (expected.rows !== undefined && state.rows !== expected.rows) {
    problems.push(`current snapshot has ${state.rows} rows, ${expected.rows} were committed`);
  }
  const since = expected.unreferencedSinceMs;
  for (const object of state.unreferenced) {
    if (since === undefined || object.lastModifiedMs < since - LAST_MODIFIED_SLACK_MS) {
      const age = state.listedAtMs - object.lastModifiedMs;
      problems.push(`unreferenced object ${object.path} (${age} ms old) survived cleanup`);
    }
  }
  return problems;
}

export interface WriteLoopOptions {
  readonly rowsPerJob: number;
  /** jobs staged and awaited at once */
  readonly inFlight?: number;
  /** pause between two enqueues */
  readonly paceMs?: number;
  /** first job number (ids are job * rowsPerJob + i, so loops on one table use disjoint ranges) */
  readonly firstJob?: number;
  readonly create?: WriteOptions['create'];
}

export interface WriteLoop {
  /** job numbers whose write result arrived, in completion order */
  readonly committed: number[];
  readonly failures: string[];
  /** Stops enqueueing and resolves once every job in flight has its result. */
  pause(): Promise<void>;
  resume(): void;
  /** pause() for good */
  stop(): Promise<void>;
}

/** Appends `jobBatch(job, rowsPerJob)` to `table` through the fleet's producer until stopped. */
export function startWriteLoop(fleet: Fleet, table: string, options: WriteLoopOptions): WriteLoop {
  const producer = fleet.producer();
  const committed: number[] = [];
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let paused = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  let next = options.firstJob ?? 0;

  async function writeOne(job: number): Promise<void> {
    try {
      const handle = await producer.write(table, jobBatch(job, options.rowsPerJob), {
        idempotencyKey: `${fleet.run}-loop-${job}`,
        ...(options.create === undefined ? {} : { create: options.create }),
      });
      await handle.result(120_000);
      committed.push(job);
    } catch (error) {
      failures.push(`job ${job}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      if (paused) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      // Nothing awaits between the gate above and adding the task, so pause() sees every job.
      const task = writeOne(next++);
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= (options.inFlight ?? 3)) await Promise.race(inFlight);
      await sleep(options.paceMs ?? 200);
    }
  })();

  async function drain(): Promise<void> {
    paused = true;
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  return {
    committed,
    failures,
    pause: drain,
    resume() {
      paused = false;
      wake?.();
      wake = undefined;
    },
    async stop() {
      stopped = true;
      await drain();
      wake?.();
      await loop;
    },
  };
}
