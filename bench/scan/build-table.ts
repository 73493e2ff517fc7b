// The table the scan bench reads: 20 snapshots, each one append of 50,000 rows of the
// write-throughput bench's 10-column event table, written the way a writer worker writes
// (writePartitionedDataFiles, then commitWithRebase + fastAppend through the REST catalog).
// Rows are generated once as 1,000,000 rows in 50,000-row batches, so ids are unique and rising
// across snapshots: snapshot k holds ids 50,000·(k-1)+1 … 50,000·k, which lets a narrow id range
// be pruned by column metrics to a single data file at any snapshot.

import { catalogCommitter, type Namespace, type RestCatalog, tableMetadataOf } from '@floe/catalog';
import { commitWithRebase, fastAppend, fileIOFor, writePartitionedDataFiles } from '@floe/iceberg';
import { BENCH_SCHEMA, generateBenchRows, UNPARTITIONED_SPEC } from '../write-throughput/bench-rows.ts';

export interface BuiltTable {
  /** Snapshot ids in commit order (index 0 is snapshot #1), as decimal strings. */
  readonly snapshotIds: readonly string[];
  readonly rowsPerSnapshot: number;
  readonly seconds: number;
}

export async function buildScanTable(options: {
  readonly catalog: RestCatalog;
  readonly s3Properties: Readonly<Record<string, string>>;
  readonly namespace: Namespace;
  readonly name: string;
  readonly snapshots: number;
  readonly rowsPerSnapshot: number;
}): Promise<BuiltTable> {
  const rows = generateBenchRows(options.snapshots * options.rowsPerSnapshot, options.rowsPerSnapshot);
  const identifier = { namespace: [...options.namespace], name: options.name };
  const created = await options.catalog.createTable(identifier, {
    schema: BENCH_SCHEMA,
    partitionSpec: UNPARTITIONED_SPEC,
    properties: { 'format-version': '2' },
  });
  let base = { metadata: tableMetadataOf(created), metadataLocation: created.metadataLocation };
  const metadata = base.metadata;
  const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  if (!schema || !spec) throw new Error(`table ${options.name} has no current schema or default spec`);
  const io = fileIOFor(metadata.location, options.s3Properties);
  const committer = catalogCommitter(options.catalog);
  const snapshotIds: string[] = [];
  const started = performance.now();
  for (const batch of rows.batches) {
    const files = await writePartitionedDataFiles([batch], {
      io,
      tableLocation: metadata.location,
      schema,
      spec,
      arrowSchema: rows.schema,
      properties: metadata.properties,
    });
    const outcome = await commitWithRebase({
      committer,
      identifier,
      io,
      base,
      change: fastAppend(files.map((file) => ({ file, specId: spec.specId }))),
    });
    if (outcome.status !== 'committed')
      throw new Error(`append ${snapshotIds.length + 1} ended '${outcome.status}'`);
    snapshotIds.push(outcome.snapshot.snapshotId.toString());
    base = outcome.table;
    // Distinct commit timestamps (ms) keep an as-of-time lookup unambiguous.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    snapshotIds,
    rowsPerSnapshot: options.rowsPerSnapshot,
    seconds: (performance.now() - started) / 1000,
  };
}
