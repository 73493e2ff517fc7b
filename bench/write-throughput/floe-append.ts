// floe's side of the write-throughput bench: one append of the prepared Arrow batches to a
// fresh table, the way a writer worker does it (writePartitionedDataFiles, then
// commitWithRebase + fastAppend through the REST catalog). Table creation, metadata lookup and
// the FileIO happen before the timer, as does starting the Parquet encode threads; the timed part is Parquet encoding, upload, manifests
// and the commit. RSS is sampled every 10 ms across the timed part; CPU time is the process's
// (every thread's) across it.

import { type CreateTableRequest, catalogCommitter, type RestCatalog, tableMetadataOf } from '@floe/catalog';
import {
  commitWithRebase,
  fastAppend,
  fileIOFor,
  prepareEncodeThreads,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { MemorySampler } from '../support/index.ts';
import type { BenchRows } from './bench-rows.ts';

export interface AppendMeasurement {
  readonly seconds: number;
  /** CPU time of the whole process (every thread) across the timed part. */
  readonly cpuSeconds: number;
  readonly rows: number;
  readonly dataFiles: number;
  readonly bytes: number;
  /** RSS when the timer started (the rows are already in memory). */
  readonly rssAtStartBytes: number;
  readonly peakRssBytes: number;
  readonly commitAttempts: number;
}

export interface FloeAppendOptions {
  readonly catalog: RestCatalog;
  readonly s3Properties: Readonly<Record<string, string>>;
  readonly namespace: readonly string[];
  readonly name: string;
  readonly table: CreateTableRequest;
  readonly rows: BenchRows;
}

export async function floeAppend(options: FloeAppendOptions): Promise<AppendMeasurement> {
  const identifier = { namespace: [...options.namespace], name: options.name };
  const created = await options.catalog.createTable(identifier, options.table);
  const base = { metadata: tableMetadataOf(created), metadataLocation: created.metadataLocation };
  const metadata = base.metadata;
  const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  if (!schema || !spec) throw new Error(`table ${options.name} has no current schema or default spec`);
  const io = fileIOFor(metadata.location, options.s3Properties);
  const committer = catalogCommitter(options.catalog);
  // The encode threads a big unpartitioned append spreads its row ranges over load once per
  // process (like PyIceberg's interpreter start-up, not timed).
  await prepareEncodeThreads();

  const sampler = new MemorySampler(10);
  sampler.start();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const files = await writePartitionedDataFiles(options.rows.batches, {
    io,
    tableLocation: metadata.location,
    schema,
    spec,
    arrowSchema: options.rows.schema,
    properties: metadata.properties,
  });
  const outcome = await commitWithRebase({
    committer,
    identifier,
    io,
    base,
    change: fastAppend(files.map((file) => ({ file, specId: spec.specId }))),
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const memory = sampler.stop();

  const summary = outcome.snapshot.summary;
  const addedRecords = Number(summary['added-records']);
  if (outcome.status !== 'committed' || addedRecords !== options.rows.rowCount) {
    throw new Error(
      `floe append to ${options.name} ended '${outcome.status}' with ${summary['added-records']} added records, ` +
        `expected ${options.rows.rowCount}`,
    );
  }
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rows: addedRecords,
    dataFiles: Number(summary['added-data-files']),
    bytes: Number(summary['added-files-size']),
    rssAtStartBytes: memory.startRssBytes,
    peakRssBytes: memory.peakRssBytes,
    commitAttempts: outcome.attempts,
  };
}
