// A table driven through @floe/iceberg directly (no fleet): created in the stack's REST catalog
// with (id long, region string) partitioned by identity(region), appended to with the library's
// Parquet writer and commit path. Tests of commit-level behaviour (manifest merging, compaction
// races) use it where the fleet's timing would only blur what is checked.
import { randomUUID } from 'node:crypto';
import { catalogCommitter, RestCatalog } from '@floe/catalog';
import {
  type CatalogCommitter,
  commitWithRebase,
  type FileIO,
  fastAppend,
  fileIOFor,
  schemaToJson,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { loadStackEnv, runPython, stackS3Properties } from '@floe/test-support';
import * as arrow from 'apache-arrow';

export interface LibraryTable {
  readonly catalog: RestCatalog;
  readonly committer: CatalogCommitter;
  readonly namespace: string;
  readonly identifier: { namespace: string[]; name: string };
  /** `namespace.events` */
  readonly name: string;
  readonly s3Properties: Readonly<Record<string, string>>;
  /** Creates the table (not needed when PyIceberg created it). */
  create(properties?: Record<string, string>): Promise<void>;
  io(): Promise<FileIO>;
  /** One append of `ids` (region by parity) in its own snapshot. */
  append(ids: readonly number[]): Promise<void>;
  /** Purges the table and drops the namespace (PyIceberg), closes the catalog. */
  close(): Promise<void>;
}

export function rowsOf(ids: readonly number[]): arrow.RecordBatch {
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids.map(BigInt))),
    region: arrow.vectorFromArray(
      ids.map((id) => (id % 2 === 0 ? 'eu' : 'us')),
      new arrow.Utf8(),
    ),
  }).batches[0] as arrow.RecordBatch;
}

export function libraryTable(prefix: string): LibraryTable {
  const stack = loadStackEnv();
  const catalog = new RestCatalog({ uri: stack.catalogUri });
  const committer = catalogCommitter(catalog);
  const namespace = `${prefix}_${randomUUID().slice(0, 8)}`;
  const identifier = { namespace: [namespace], name: 'events' };
  const s3Properties = stackS3Properties(stack);
  const io = async () => fileIOFor((await committer.loadTable(identifier)).metadata.location, s3Properties);
  return {
    catalog,
    committer,
    namespace,
    identifier,
    name: `${namespace}.events`,
    s3Properties,
    io,
    async create(properties = {}) {
      await catalog.createNamespace(namespace);
      await catalog.createTable(identifier, {
        schema: {
          ...schemaToJson({
            schemaId: 0,
            identifierFieldIds: [],
            fields: [
              { id: 1, name: 'id', required: true, type: { kind: 'long' } },
              { id: 2, name: 'region', required: false, type: { kind: 'string' } },
            ],
          }),
        },
        partitionSpec: {
          'spec-id': 0,
          fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }],
        },
        properties,
      });
    },
    async append(ids) {
      const base = await committer.loadTable(identifier);
      const metadata = base.metadata;
      const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
      const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
      if (!spec || !schema) throw new Error('table without spec or schema');
      const tableIO = fileIOFor(metadata.location, s3Properties);
      const batch = rowsOf(ids);
      const files = await writePartitionedDataFiles([batch], {
        io: tableIO,
        tableLocation: metadata.location,
        schema,
        spec,
        arrowSchema: batch.schema,
      });
      await commitWithRebase({
        committer,
        identifier,
        io: tableIO,
        base,
        change: fastAppend(files.map((file) => ({ file, specId: spec.specId }))),
      });
    },
    async close() {
      await runPython(`
from floe_peers import catalog, emit
cat = catalog()
cat.purge_table("${namespace}.events")
cat.drop_namespace("${namespace}")
emit(None)
`).catch(() => undefined);
      await catalog.close();
    },
  };
}
