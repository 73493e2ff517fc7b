// Runs pyiceberg-ops.py in the stack's Python venv and returns its self-timed samples. The
// Python process starts, connects (GET /v1/config) and warms up before its timed loop, so
// interpreter start-up never lands in a sample.

import { readFileSync } from 'node:fs';
import { runPython } from '@floe/test-support';

export interface PyIcebergRun {
  /** Samples in ms by operation name (`create table`, `load table`, …). */
  readonly samplesMs: Readonly<Record<string, readonly number[]>>;
  readonly pyicebergVersion: string;
  readonly pythonVersion: string;
  readonly peakRssBytes: number;
}

export interface PyIcebergParameters {
  readonly iterations: number;
  readonly warmup: number;
  /** Dotted namespace the peer creates (and purges) its tables in. */
  readonly createNamespace: string;
  /** Dotted namespace holding the tables it loads and lists. */
  readonly listNamespace: string;
  readonly listedTables: readonly string[];
}

interface WireRun {
  readonly samples_ms: Record<string, number[]>;
  readonly pyiceberg_version: string;
  readonly python_version: string;
  readonly peak_rss_bytes: number;
}

export async function runPyIcebergOps(parameters: PyIcebergParameters): Promise<PyIcebergRun> {
  const script = readFileSync(new URL('./pyiceberg-ops.py', import.meta.url), 'utf8');
  const wire = await runPython<WireRun>(script, {
    FLOE_BENCH_ITERATIONS: String(parameters.iterations),
    FLOE_BENCH_WARMUP: String(parameters.warmup),
    FLOE_BENCH_CREATE_NAMESPACE: parameters.createNamespace,
    FLOE_BENCH_LIST_NAMESPACE: parameters.listNamespace,
    FLOE_BENCH_LISTED_TABLES: parameters.listedTables.join(','),
  });
  if (typeof wire !== 'object' || wire === null || typeof wire.samples_ms !== 'object') {
    throw new Error(`pyiceberg-ops.py printed no result object: ${JSON.stringify(wire)}`);
  }
  return {
    samplesMs: wire.samples_ms,
    pyicebergVersion: wire.pyiceberg_version,
    pythonVersion: wire.python_version,
    peakRssBytes: wire.peak_rss_bytes,
  };
}
