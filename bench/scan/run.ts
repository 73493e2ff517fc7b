// bench/scan: issue 5's read benchmark (SC-005). A table gets 20 snapshots (20 appends of
// 50,000 rows × 10 columns); then a time-travel read of snapshot #5 is measured next to the same
// read of the current snapshot, each with a selective filter (an id range inside snapshot #3,
// 2,000 rows, which column metrics prune to one data file) + a 2-column projection, and without
// either. Per iteration floe times planning (`planScan`) and planning + read (`planScan` then
// `scanToTable`); PyIceberg times `plan_files()` and `to_arrow()` of the same scans in its own
// process in the same run. Table metadata is loaded once before the timers for both. Ratios:
// time travel / current (does reading an old snapshot cost more?) and floe / PyIceberg. Both
// clients' answers (rows, columns, files planned) must agree or the run fails and writes nothing.
// Everything lives under `bench_scan_<runid>`, purged at the end.
//
//   node bench/scan/run.ts [--iterations 10] [--warmup 1]

import { type Namespace, RestCatalog, tableMetadataOf } from '@floe/catalog';
import { fileIOFor, planScan, type ScanOptions, scanToTable } from '@floe/iceberg';
import { loadStackEnv, repoRoot, stackS3Properties } from '@floe/test-support';
import { BenchRun, parseBenchArgs } from '../support/index.ts';
import { buildScanTable } from './build-table.ts';
import { runPyIcebergScans, type ScanShape } from './pyiceberg-peer.ts';

const SNAPSHOTS = 20;
const ROWS_PER_SNAPSHOT = 50_000;
const TIME_TRAVEL_TO = 5;
const FILTER = 'id > 100000 and id <= 102000';
const COLUMNS = ['id', 'amount'] as const;
const FLOE = 'floe';
const PYICEBERG = 'pyiceberg';

const { iterations, warmup } = parseBenchArgs(process.argv.slice(2), { iterations: 10, warmup: 1 });
const stack = loadStackEnv();
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
const namespace: Namespace = [`bench_scan_${runId}`];
const tableName = 'events';
const s3Properties = stackS3Properties(stack);
const catalog = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });
const bench = new BenchRun({
  name: 'scan',
  description: `time travel to snapshot #${TIME_TRAVEL_TO} of ${SNAPSHOTS} vs the current snapshot, filtered + projected and full: floe vs PyIceberg`,
  parameters: {
    iterations,
    warmup,
    snapshots: SNAPSHOTS,
    rowsPerSnapshot: ROWS_PER_SNAPSHOT,
    timeTravelTo: TIME_TRAVEL_TO,
    filter: FILTER,
    columns: COLUMNS.join(','),
    catalogUri: stack.catalogUri,
  },
  repoRoot,
});

interface Variant {
  readonly name: string;
  readonly options: ScanOptions;
}

let failed = false;
try {
  await catalog.createNamespace(namespace);
  console.log(`scan: building ${SNAPSHOTS} snapshots × ${ROWS_PER_SNAPSHOT} rows under ${namespace[0]} …`);
  const built = await buildScanTable({
    catalog,
    s3Properties,
    namespace,
    name: tableName,
    snapshots: SNAPSHOTS,
    rowsPerSnapshot: ROWS_PER_SNAPSHOT,
  });
  console.log(`  ${built.snapshotIds.length} snapshots committed in ${built.seconds.toFixed(1)} s`);
  const travelId = built.snapshotIds[TIME_TRAVEL_TO - 1]!;
  const loaded = await catalog.loadTable({ namespace: [...namespace], name: tableName });
  const metadata = tableMetadataOf(loaded);
  const io = fileIOFor(metadata.location, s3Properties);
  const selective = { filter: FILTER, columns: [...COLUMNS] };
  const variants: Variant[] = [
    { name: 'time-travel filtered', options: { snapshotId: BigInt(travelId), ...selective } },
    { name: 'time-travel full', options: { snapshotId: BigInt(travelId) } },
    { name: 'current filtered', options: selective },
    { name: 'current full', options: {} },
  ];

  // floe: every variant each iteration, order flipped every other iteration (as the peer does).
  const planMs = new Map(variants.map((v) => [v.name, [] as number[]]));
  const totalMs = new Map(variants.map((v) => [v.name, [] as number[]]));
  const floeShape = new Map<string, ScanShape>();
  console.log(`  floe: ${warmup} warm-up + ${iterations} timed iterations of ${variants.length} scans …`);
  for (let index = 0; index < warmup + iterations; index++) {
    const order = index % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      const started = performance.now();
      const plan = await planScan(metadata, io, { ...variant.options, tableName });
      const planned = performance.now();
      const table = await scanToTable(plan, io);
      const finished = performance.now();
      if (index >= warmup) {
        planMs.get(variant.name)!.push(planned - started);
        totalMs.get(variant.name)!.push(finished - started);
      }
      floeShape.set(variant.name, { rows: table.numRows, columns: table.numCols, files: plan.tasks.length });
    }
  }

  console.log('  pyiceberg: same scans in its own process …');
  const py = await runPyIcebergScans({
    table: `${namespace[0]}.${tableName}`,
    snapshotId: travelId,
    filter: FILTER,
    columns: COLUMNS,
    iterations,
    warmup,
  });

  const problems: string[] = [];
  for (const variant of variants) {
    const ours = floeShape.get(variant.name);
    const theirs = py.shape[variant.name];
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
      problems.push(`${variant.name}: floe ${JSON.stringify(ours)}, pyiceberg ${JSON.stringify(theirs)}`);
    }
  }
  const expectedRows: Record<string, number> = {
    'time-travel filtered': 2000,
    'time-travel full': TIME_TRAVEL_TO * ROWS_PER_SNAPSHOT,
    'current filtered': 2000,
    'current full': SNAPSHOTS * ROWS_PER_SNAPSHOT,
  };
  for (const [name, rows] of Object.entries(expectedRows)) {
    if (floeShape.get(name)?.rows !== rows)
      problems.push(`${name}: floe read ${floeShape.get(name)?.rows} rows, expected ${rows}`);
  }
  if (problems.length > 0) throw new Error(`floe and PyIceberg disagree:\n  ${problems.join('\n  ')}`);

  for (const variant of variants) {
    const detail = { ...floeShape.get(variant.name)!, interleaved: true };
    bench.record(`plan: ${variant.name}`, FLOE, planMs.get(variant.name)!, { warmup, detail });
    bench.record(`plan: ${variant.name}`, PYICEBERG, py.planMs[variant.name] ?? [], { warmup, detail });
    bench.record(`plan + read: ${variant.name}`, FLOE, totalMs.get(variant.name)!, { warmup, detail });
    bench.record(`plan + read: ${variant.name}`, PYICEBERG, py.totalMs[variant.name] ?? [], {
      warmup,
      detail,
    });
  }
  const ratios: Record<string, unknown> = {};
  for (const stage of ['plan', 'plan + read']) {
    for (const client of [FLOE, PYICEBERG]) {
      for (const shape of ['filtered', 'full']) {
        const c = bench.compare(
          `${stage}, ${shape}, ${client}: time travel (#${TIME_TRAVEL_TO}) / current`,
          { operation: `${stage}: time-travel ${shape}`, client },
          { operation: `${stage}: current ${shape}`, client },
        );
        ratios[`${stage} ${shape} ${client} timeTravel/current`] = { p50: c.ratioP50, p99: c.ratioP99 };
      }
    }
    for (const variant of variants) {
      const c = bench.compare(
        `${stage}, ${variant.name}: floe / pyiceberg`,
        { operation: `${stage}: ${variant.name}`, client: FLOE },
        { operation: `${stage}: ${variant.name}`, client: PYICEBERG },
      );
      ratios[`${stage} ${variant.name} floe/pyiceberg`] = { p50: c.ratioP50, p99: c.ratioP99 };
    }
  }
  bench.fact('ratios', ratios);
  bench.fact('table', {
    snapshots: built.snapshotIds.length,
    rowsPerSnapshot: ROWS_PER_SNAPSHOT,
    timeTravelSnapshotId: travelId,
    currentSnapshotId: built.snapshotIds.at(-1),
    buildSeconds: Math.round(built.seconds * 10) / 10,
  });
  bench.fact('shapes', Object.fromEntries(floeShape));
  bench.fact('pyiceberg', {
    version: py.pyicebergVersion,
    pyarrow: py.pyarrowVersion,
    python: py.pythonVersion,
    peakRssBytes: py.peakRssBytes,
  });
  bench.note(
    'floe "plan + read" is planScan + scanToTable; PyIceberg "plan + read" is scan.to_arrow(), which plans ' +
      'again inside. "plan" is planScan vs list(scan.plan_files()). Metadata is loaded once, before the timers.',
  );
  bench.note(
    `Filter "${FILTER}" selects 2,000 rows of snapshot #3, so both time travel and current read one data file after metrics pruning.`,
  );
  bench.note('Loopback on a shared 2-core machine: read the ratios, not absolute numbers across runs.');
} catch (error) {
  failed = true;
  process.exitCode = 1;
  console.error('scan failed; no result written:', error);
} finally {
  await cleanUp();
  await catalog.close();
}
if (!failed) bench.finish();

async function cleanUp(): Promise<void> {
  try {
    for (const table of await catalog.listTables(namespace)) await catalog.dropTable(table, { purge: true });
    await catalog.dropNamespace(namespace);
  } catch (error) {
    process.exitCode = 1;
    console.error(`scan: clean-up of ${namespace[0]} failed:`, error);
  }
}
