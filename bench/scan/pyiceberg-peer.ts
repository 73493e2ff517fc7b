// Runs pyiceberg_scan.py in the stack's Python venv and returns its self-timed samples: per
// variant, planning alone and planning + read, plus the shape (rows, columns, files) of what it
// read, which the bench compares with floe's to make sure both answered the same query.

import { readFileSync } from 'node:fs';
import { runPython } from '@floe/test-support';

export interface ScanShape {
  readonly rows: number;
  readonly columns: number;
  readonly files: number;
}

export interface PyIcebergScanRun {
  readonly planMs: Readonly<Record<string, readonly number[]>>;
  readonly totalMs: Readonly<Record<string, readonly number[]>>;
  readonly shape: Readonly<Record<string, ScanShape>>;
  readonly peakRssBytes: number;
  readonly pyicebergVersion: string;
  readonly pyarrowVersion: string;
  readonly pythonVersion: string;
}

interface WireRun {
  readonly plan_ms: Record<string, number[]>;
  readonly total_ms: Record<string, number[]>;
  readonly shape: Record<string, ScanShape>;
  readonly peak_rss_bytes: number;
  readonly pyiceberg_version: string;
  readonly pyarrow_version: string;
  readonly python_version: string;
}

export async function runPyIcebergScans(parameters: {
  readonly table: string;
  readonly snapshotId: string;
  readonly filter: string;
  readonly columns: readonly string[];
  readonly iterations: number;
  readonly warmup: number;
}): Promise<PyIcebergScanRun> {
  const script = readFileSync(new URL('./pyiceberg_scan.py', import.meta.url), 'utf8');
  const wire = await runPython<WireRun>(script, {
    FLOE_BENCH_TABLE: parameters.table,
    FLOE_BENCH_SNAPSHOT_ID: parameters.snapshotId,
    FLOE_BENCH_FILTER: parameters.filter,
    FLOE_BENCH_COLUMNS: parameters.columns.join(','),
    FLOE_BENCH_ITERATIONS: String(parameters.iterations),
    FLOE_BENCH_WARMUP: String(parameters.warmup),
  });
  if (typeof wire?.plan_ms !== 'object' || typeof wire.total_ms !== 'object') {
    throw new Error(`pyiceberg_scan.py printed no result object: ${JSON.stringify(wire)}`);
  }
  return {
    planMs: wire.plan_ms,
    totalMs: wire.total_ms,
    shape: wire.shape,
    peakRssBytes: wire.peak_rss_bytes,
    pyicebergVersion: wire.pyiceberg_version,
    pyarrowVersion: wire.pyarrow_version,
    pythonVersion: wire.python_version,
  };
}
