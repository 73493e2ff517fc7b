// Runs pyiceberg_append.py in the stack's Python venv: `pyicebergAppend` creates a table and
// times PyIceberg's `table.append` of the shared Arrow IPC file (read before its timer);
// `pyicebergVerify` reads tables back and reports row counts and id sums, which is how the bench
// checks that every table (floe's included) holds exactly the rows it was given.

import { readFileSync } from 'node:fs';
import { runPython } from '@floe/test-support';
import type { AppendMeasurement } from './floe-append.ts';

const SCRIPT = readFileSync(new URL('./pyiceberg_append.py', import.meta.url), 'utf8');

export interface PyIcebergAppend extends AppendMeasurement {
  readonly peakRssBeforeAppendBytes: number;
  readonly pyicebergVersion: string;
  readonly pyarrowVersion: string;
  readonly pythonVersion: string;
}

interface WireAppend {
  readonly seconds: number;
  readonly cpu_seconds: number;
  readonly rows: number;
  readonly added_records: number;
  readonly data_files: number;
  readonly bytes: number;
  readonly peak_rss_bytes_before_append: number;
  readonly peak_rss_bytes: number;
  readonly pyiceberg_version: string;
  readonly pyarrow_version: string;
  readonly python_version: string;
}

export interface TableReadBack {
  readonly count: number;
  readonly rowsRead: number;
  readonly idSum: bigint;
  readonly distinctIds: number;
}

interface WireReadBack {
  readonly count: number;
  readonly rows_read: number;
  readonly id_sum: string;
  readonly distinct_ids: number;
}

export async function pyicebergAppend(options: {
  readonly table: string;
  readonly partitioned: boolean;
  readonly ipcPath: string;
}): Promise<PyIcebergAppend> {
  const wire = await runPython<WireAppend>(SCRIPT, {
    FLOE_BENCH_MODE: 'append',
    FLOE_BENCH_TABLE: options.table,
    FLOE_BENCH_PARTITIONED: String(options.partitioned),
    FLOE_BENCH_IPC: options.ipcPath,
  });
  if (typeof wire?.seconds !== 'number') {
    throw new Error(`pyiceberg_append.py printed no measurement: ${JSON.stringify(wire)}`);
  }
  if (wire.added_records !== wire.rows) {
    throw new Error(`PyIceberg appended ${wire.added_records} records of the ${wire.rows} it read`);
  }
  return {
    seconds: wire.seconds,
    cpuSeconds: wire.cpu_seconds,
    rows: wire.added_records,
    dataFiles: wire.data_files,
    bytes: wire.bytes,
    rssAtStartBytes: wire.peak_rss_bytes_before_append,
    peakRssBytes: wire.peak_rss_bytes,
    commitAttempts: 1,
    peakRssBeforeAppendBytes: wire.peak_rss_bytes_before_append,
    pyicebergVersion: wire.pyiceberg_version,
    pyarrowVersion: wire.pyarrow_version,
    pythonVersion: wire.python_version,
  };
}

/** Reads each table (dotted identifier) back with PyIceberg. */
export async function pyicebergVerify(tables: readonly string[]): Promise<Map<string, TableReadBack>> {
  const wire = await runPython<Record<string, WireReadBack>>(SCRIPT, {
    FLOE_BENCH_MODE: 'verify',
    FLOE_BENCH_TABLES: tables.join(','),
  });
  const seen = new Map<string, TableReadBack>();
  for (const table of tables) {
    const entry = wire[table];
    if (!entry) throw new Error(`PyIceberg did not report table ${table}`);
    seen.set(table, {
      count: entry.count,
      rowsRead: entry.rows_read,
      idSum: BigInt(entry.id_sum),
      distinctIds: entry.distinct_ids,
    });
  }
  return seen;
}
