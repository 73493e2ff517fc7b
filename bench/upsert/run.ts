// bench/upsert: issue 15's upsert benchmark. Two identical 1,000,000-row tables partitioned by
// day(ts) (10 days × 100,000 rows, one append per day) get the same 100,000-row upsert keyed by
// `id`: half updates of existing rows (the last day's first 50,000 ids), half inserts (new ids,
// a new day). floe upserts merge-on-read (new data files + position deletes, found through
// partition and column-statistics pruning); PyIceberg's `Table.upsert` runs on the other table
// in its own process in the same run. Each upsert is timed once, end to end (encoding the batch
// included), then a full scan of each table. Both tables must end with the same row count and
// the same sum of `amount`, or the run fails and writes nothing. Everything lives under
// `bench_upsert_<runid>`, purged at the end.
//
//   node bench/upsert/run.ts

import { readFileSync } from 'node:fs';
import { catalogCommitter, type Namespace, RestCatalog, tableMetadataOf } from '@floe/catalog';
import {
  commitRowLevelChange,
  commitWithRebase,
  fastAppend,
  fileIOFor,
  scanTable,
  upsertKeyFields,
  upsertMatcher,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { loadStackEnv, repoRoot, runPython, stackS3Properties } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { BenchRun } from '../support/index.ts';

const DAYS = 10;
const ROWS_PER_DAY = 100_000;
const UPDATES = 50_000;
const INSERTS = 50_000;
const UPDATE_FROM = (DAYS - 1) * ROWS_PER_DAY;
const INSERT_FROM = DAYS * ROWS_PER_DAY;
const EPOCH_MS = Date.UTC(2026, 0, 1);

const stack = loadStackEnv();
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
const namespace: Namespace = [`bench_upsert_${runId}`];
const s3Properties = stackS3Properties(stack);
const catalog = new RestCatalog({ uri: stack.catalogUri, warehouse: stack.catalogWarehouse });
const committer = catalogCommitter(catalog);
const bench = new BenchRun({
  name: 'upsert',
  description: `${UPDATES + INSERTS} keyed rows (${UPDATES} updates, ${INSERTS} inserts) upserted into a ${DAYS * ROWS_PER_DAY}-row day-partitioned table: floe (merge-on-read) vs PyIceberg Table.upsert`,
  parameters: {
    days: DAYS,
    rowsPerDay: ROWS_PER_DAY,
    updates: UPDATES,
    inserts: INSERTS,
    catalogUri: stack.catalogUri,
  },
  repoRoot,
});

const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  'identifier-field-ids': [1],
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'ts', required: true, type: 'timestamptz' },
    { id: 3, name: 'amount', required: false, type: 'double' },
    { id: 4, name: 'note', required: false, type: 'string' },
  ],
};

/** Rows for `ids`: ts on day id / ROWS_PER_DAY, amount and note as given. */
function batchOf(ids: readonly number[], amount: (id: number) => number, note: string): arrow.RecordBatch {
  const ts = BigInt64Array.from(
    ids,
    (id) => BigInt(EPOCH_MS + Math.floor(id / ROWS_PER_DAY) * 86_400_000 + (id % 86_400) * 1000) * 1000n,
  );
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids, BigInt)),
    ts: arrow.makeVector(
      arrow.makeData({
        type: new arrow.TimestampMicrosecond('UTC'),
        length: ids.length,
        data: ts as unknown as Int32Array,
      }),
    ),
    amount: arrow.makeVector(Float64Array.from(ids, amount)),
    note: arrow.vectorFromArray(
      ids.map(() => note),
      new arrow.Utf8(),
    ),
  }).batches[0]!;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

async function buildTable(name: string): Promise<void> {
  const identifier = { namespace: [...namespace], name };
  const created = await catalog.createTable(identifier, {
    schema: SCHEMA,
    partitionSpec: {
      'spec-id': 0,
      fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }],
    },
    properties: { 'format-version': '2' },
  });
  let base = { metadata: tableMetadataOf(created), metadataLocation: created.metadataLocation };
  const { metadata } = base;
  const io = fileIOFor(metadata.location, s3Properties);
  for (let day = 0; day < DAYS; day++) {
    const batch = batchOf(range(day * ROWS_PER_DAY, ROWS_PER_DAY), (id) => id, 'original');
    const files = await writePartitionedDataFiles([batch], {
      io,
      tableLocation: metadata.location,
      schema: metadata.schemas[0]!,
      spec: metadata.partitionSpecs[0]!,
      arrowSchema: batch.schema,
    });
    const outcome = await commitWithRebase({
      committer,
      identifier,
      io,
      base,
      change: fastAppend(files.map((file) => ({ file, specId: 0 }))),
    });
    base = outcome.table;
  }
}

async function floeUpsert(name: string) {
  const identifier = { namespace: [...namespace], name };
  const started = performance.now();
  const base = await committer.loadTable(identifier);
  const { metadata } = base;
  const io = fileIOFor(metadata.location, s3Properties);
  const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId)!;
  const batch = batchOf(
    [...range(UPDATE_FROM, UPDATES), ...range(INSERT_FROM, INSERTS)],
    (id) => id * 2 + 0.5,
    'upserted',
  );
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: metadata.location,
    schema,
    spec: metadata.partitionSpecs[0]!,
    arrowSchema: batch.schema,
  });
  const written = performance.now();
  const matcher = await upsertMatcher(io, schema, files, upsertKeyFields(schema, ['id'], name), name);
  const matched = performance.now();
  const outcome = await commitRowLevelChange({
    committer,
    identifier,
    io,
    base,
    matcher,
    addedFiles: files.map((file) => ({ file, specId: 0 })),
  });
  const done = performance.now();
  const phases = {
    writeDataMs: Math.round(written - started),
    keysMs: Math.round(matched - written),
    planDeleteCommitMs: Math.round(done - matched),
  };
  return { ms: done - started, outcome, phases };
}

async function floeScan(name: string) {
  const { metadata } = await committer.loadTable({ namespace: [...namespace], name });
  const io = fileIOFor(metadata.location, s3Properties);
  const started = performance.now();
  const { table, plan } = await scanTable(metadata, io);
  const ms = performance.now() - started;
  const amounts = table.getChild('amount')!.toArray() as Float64Array;
  let sum = 0;
  for (const value of amounts) sum += value;
  return { ms, rows: table.numRows, sum, deleteFiles: plan.stats.deleteFiles };
}

interface PyResult {
  readonly upsert_ms: number;
  readonly scan_ms: number;
  readonly rows_updated: number;
  readonly rows_inserted: number;
  readonly rows_after: number;
  readonly amount_sum: number;
  readonly pyiceberg_version: string;
}

let failed = false;
try {
  await catalog.createNamespace(namespace);
  console.log(`upsert: building two ${DAYS * ROWS_PER_DAY}-row tables under ${namespace[0]} …`);
  await buildTable('floe_events');
  await buildTable('pyiceberg_events');
  const before = await floeScan('floe_events');
  console.log(`  scan before: ${before.ms.toFixed(0)} ms, ${before.rows} rows`);

  console.log('  floe upsert …');
  const floe = await floeUpsert('floe_events');
  console.log(
    `  floe upsert: ${floe.ms.toFixed(0)} ms, ${floe.outcome.plan?.deletedRows} rows replaced`,
    floe.phases,
  );
  const after = await floeScan('floe_events');

  console.log('  pyiceberg upsert (its own process) …');
  const py = await runPython<PyResult>(
    readFileSync(new URL('./pyiceberg_upsert.py', import.meta.url), 'utf8'),
    {
      FLOE_BENCH_TABLE: `${namespace[0]}.pyiceberg_events`,
      FLOE_BENCH_ROWS_PER_DAY: String(ROWS_PER_DAY),
      FLOE_BENCH_UPDATE_FROM: String(UPDATE_FROM),
      FLOE_BENCH_UPDATES: String(UPDATES),
      FLOE_BENCH_INSERT_FROM: String(INSERT_FROM),
      FLOE_BENCH_INSERTS: String(INSERTS),
    },
  );
  console.log(
    `  pyiceberg upsert: ${py.upsert_ms.toFixed(0)} ms (${py.rows_updated} updated, ${py.rows_inserted} inserted)`,
  );

  const expectedRows = DAYS * ROWS_PER_DAY + INSERTS;
  const problems: string[] = [];
  if (after.rows !== expectedRows)
    problems.push(`floe table has ${after.rows} rows, expected ${expectedRows}`);
  if (py.rows_after !== expectedRows)
    problems.push(`pyiceberg table has ${py.rows_after} rows, expected ${expectedRows}`);
  if (Math.abs(after.sum - py.amount_sum) > 1e-6 * Math.abs(py.amount_sum)) {
    problems.push(`sum(amount): floe ${after.sum}, pyiceberg ${py.amount_sum}`);
  }
  if (floe.outcome.plan?.deletedRows !== BigInt(UPDATES))
    problems.push(`floe replaced ${floe.outcome.plan?.deletedRows} rows, expected ${UPDATES}`);
  if (problems.length > 0) throw new Error(`floe and PyIceberg disagree:\n  ${problems.join('\n  ')}`);

  bench.record('upsert 100k keyed rows', 'floe', [floe.ms], {
    warmup: 0,
    detail: { filesScanned: floe.outcome.plan?.filesScanned ?? 0 },
  });
  bench.record('upsert 100k keyed rows', 'pyiceberg', [py.upsert_ms], { warmup: 0 });
  bench.record('full scan before upsert', 'floe', [before.ms], { warmup: 0 });
  bench.record('full scan after upsert', 'floe', [after.ms], {
    warmup: 0,
    detail: { deleteFiles: after.deleteFiles },
  });
  bench.record('full scan after upsert', 'pyiceberg', [py.scan_ms], { warmup: 0 });
  const ratio = bench.compare(
    'upsert: floe / PyIceberg',
    { operation: 'upsert 100k keyed rows', client: 'floe' },
    { operation: 'upsert 100k keyed rows', client: 'pyiceberg' },
  );
  bench.fact('speedup (PyIceberg / floe)', Number((1 / ratio.ratioP50).toFixed(1)));
  bench.fact('target ≥ 10× met', 1 / ratio.ratioP50 >= 10);
  bench.fact('pyiceberg version', py.pyiceberg_version);
  bench.note(
    'Each upsert runs once: it changes its table. Scan after compaction is not measured here (compaction is issue 13).',
  );
  const { path } = bench.finish();
  console.log(`wrote ${path}`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  try {
    for (const name of ['floe_events', 'pyiceberg_events']) {
      await catalog.dropTable({ namespace: [...namespace], name }, { purge: true }).catch(() => undefined);
    }
    await catalog.dropNamespace(namespace);
  } catch (error) {
    console.error(`clean-up of ${namespace[0]} failed: ${String(error)}`);
    failed = true;
  }
  await catalog.close();
}
process.exit(failed ? 1 : 0);
