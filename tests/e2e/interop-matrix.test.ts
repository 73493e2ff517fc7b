// The type × transform interop matrix (issue 4, acceptance bullet 2). One schema holds every
// Iceberg primitive plus struct/list/map payload columns; each table partitions it by one
// transform family (identity, bucket, truncate, year, month, day, hour, void) with one partition
// field per source type the transform applies to. @floe/iceberg encodes and commits 50 rows of
// edge values; PyIceberg and DuckDB must read back exactly those rows, and PyIceberg's view of
// every data file must hold the partition tuple that both our applyTransform and PyIceberg's own
// transforms compute from the file's rows, with the record and value/null/NaN counts of its rows.
import { randomUUID } from 'node:crypto';
import { catalogCommitter, RestCatalog, tableMetadataOf } from '@floe/catalog';
import {
  applyTransform,
  commitWithRebase,
  fastAppend,
  fileIOFor,
  type IcebergValue,
  parseTransform,
  type Schema,
  schemaToJson,
  transformResultType,
  writePartitionedDataFiles,
} from '@floe/iceberg';
import { loadStackEnv, runPython, stackS3Properties } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchOf, type Json, normalise } from './support/arrow-columns.ts';
import { duckDbRowsScript, pyIcebergFilesScript, pyIcebergRowsScript } from './support/matrix-python.ts';
import { matrixColumns, matrixSchema } from './support/matrix-rows.ts';

const stack = loadStackEnv();
const catalog = new RestCatalog({ uri: stack.catalogUri });
const committer = catalogCommitter(catalog);
const namespace = `matrix_${randomUUID().slice(0, 8)}`;
const s3Properties = stackS3Properties(stack);

type Partitioning = readonly (readonly [column: string, transform: string])[];

/**
 * One table per transform family. Truncate widths are chosen so no edge value leaves its type's
 * range (int/long minimums with width 4, the all-nines decimals with width 3).
 */
const TABLES: Readonly<Record<string, Partitioning>> = {
  identity: [
    ['b', 'identity'],
    ['i', 'identity'],
    ['l', 'identity'],
    ['dec9', 'identity'],
    ['dec38', 'identity'],
    ['dt', 'identity'],
    ['tm', 'identity'],
    ['ts', 'identity'],
    ['tstz', 'identity'],
    ['s', 'identity'],
    ['u', 'identity'],
    ['fx', 'identity'],
    ['bin', 'identity'],
  ],
  identity_float: [
    ['f', 'identity'],
    ['d', 'identity'],
  ],
  bucket: [
    ['i', 'bucket[3]'],
    ['l', 'bucket[5]'],
    ['dec9', 'bucket[4]'],
    ['dec38', 'bucket[4]'],
    ['dt', 'bucket[3]'],
    ['tm', 'bucket[3]'],
    ['ts', 'bucket[4]'],
    ['tstz', 'bucket[4]'],
    ['s', 'bucket[8]'],
    ['u', 'bucket[4]'],
    ['fx', 'bucket[4]'],
    ['bin', 'bucket[4]'],
  ],
  truncate: [
    ['i', 'truncate[4]'],
    ['l', 'truncate[4]'],
    ['dec9', 'truncate[3]'],
    ['dec38', 'truncate[3]'],
    ['s', 'truncate[2]'],
    ['bin', 'truncate[3]'],
  ],
  year: [
    ['dt', 'year'],
    ['ts', 'year'],
    ['tstz', 'year'],
  ],
  month: [
    ['dt', 'month'],
    ['ts', 'month'],
    ['tstz', 'month'],
  ],
  day: [
    ['dt', 'day'],
    ['ts', 'day'],
    ['tstz', 'day'],
  ],
  hour: [
    ['ts', 'hour'],
    ['tstz', 'hour'],
  ],
  void: [
    ['b', 'void'],
    ['i', 'void'],
    ['f', 'void'],
    ['d', 'void'],
    ['dec38', 'void'],
    ['ts', 'void'],
    ['s', 'void'],
    ['u', 'void'],
    ['bin', 'void'],
  ],
};

/**
 * Columns DuckDB's iceberg extension (duckdb 1.4.4) cannot read, with the start of its error.
 * Asserted, not skipped: when a DuckDB upgrade lifts a limitation this list must shrink.
 */
const DUCKDB_UNREADABLE: Readonly<Record<string, string>> = {};

const schema: Schema = matrixSchema;
const columns = matrixColumns();
const rowCount = columns['rid']?.length ?? 0;
const fieldsJson = JSON.stringify(schemaToJson(schema).fields);
const expectedRows: Json[][] = Array.from({ length: rowCount }, (_, r) =>
  schema.fields.map((f) => normalise(f.type, columns[f.name]?.[r] ?? null)),
);

function fieldOf(name: string) {
  const field = schema.fields.find((f) => f.name === name);
  if (!field) throw new Error(`no column ${name}`);
  return field;
}

async function writeTable(name: string, partitioning: Partitioning) {
  const created = await catalog.createTable(
    { namespace: [namespace], name },
    {
      schema: { ...schemaToJson(schema) },
      partitionSpec: {
        'spec-id': 0,
        fields: partitioning.map(([column, transform], k) => ({
          'source-id': fieldOf(column).id,
          'field-id': 1000 + k,
          name: `${column}_${transform.replace(/\[(\d+)\]/, '_$1')}`,
          transform,
        })),
      },
    },
  );
  const base = { metadata: tableMetadataOf(created), metadataLocation: created.metadataLocation };
  const metadata = base.metadata;
  const tableSchema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId);
  const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId);
  if (!tableSchema || !spec) throw new Error('table without schema or spec');
  const io = fileIOFor(metadata.location, s3Properties);
  const batch = batchOf(tableSchema, columns);
  const files = await writePartitionedDataFiles([batch], {
    io,
    tableLocation: metadata.location,
    schema: tableSchema,
    spec,
    arrowSchema: batch.schema,
  });
  const outcome = await commitWithRebase({
    committer,
    identifier: { namespace: [namespace], name },
    io,
    base,
    change: fastAppend(files.map((file) => ({ file, specId: spec.specId }))),
  });
  expect(outcome.status).toBe('committed');
  return { files, metadataLocation: outcome.table.metadataLocation as string };
}

interface PyFile {
  path: string;
  partition: Json[];
  fastavroPartition: Json[];
  pyTransform: Json[];
  rids: number[];
  recordCount: number;
  valueCounts: Record<string, number>;
  nullCounts: Record<string, number>;
  nanCounts: Record<string, number>;
}

/**
 * PyIceberg 0.12's Cython Avro decoder declares `read_double` as returning a C float, so every
 * double it reads from a manifest (an identity partition value on a double column) is rounded
 * to 32 bits: DBL_MAX becomes inf, 5e-324 becomes 0 (fixed upstream by apache/iceberg-python
 * PR #3808). fastavro decodes the same manifests exactly; PyIceberg is held to the rounded view.
 */
function throughFloat32(value: Json): Json {
  return typeof value === 'number' ? normalise({ kind: 'double' }, Math.fround(value)) : value;
}

/** Value/null/NaN counts of the top-level primitive columns over the given rows. */
function countsOf(rids: readonly number[]) {
  const valueCounts: Record<string, number> = {};
  const nullCounts: Record<string, number> = {};
  const nanCounts: Record<string, number> = {};
  for (const field of schema.fields) {
    if (['struct', 'list', 'map'].includes(field.type.kind)) continue;
    const values = rids.map((r) => columns[field.name]?.[r] ?? null);
    valueCounts[field.id] = values.length;
    nullCounts[field.id] = values.filter((v) => v === null).length;
    if (field.type.kind === 'float' || field.type.kind === 'double') {
      nanCounts[field.id] = values.filter((v) => typeof v === 'number' && Number.isNaN(v)).length;
    }
  }
  return { valueCounts, nullCounts, nanCounts };
}

function pick(map: Record<string, number>, keys: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(keys).map((k) => [k, map[k] as number]));
}

beforeAll(async () => {
  await catalog.createNamespace(namespace);
});

afterAll(async () => {
  await catalog.close();
});

describe.each(Object.entries(TABLES))(
  'a table partitioned by %s, written by @floe/iceberg',
  (table, partitioning) => {
    const identifier = `${namespace}.${table}`;
    let written: Awaited<ReturnType<typeof writeTable>>;

    beforeAll(async () => {
      written = await writeTable(table, partitioning);
    });

    it('is read back row by row by PyIceberg', async () => {
      expect(await runPython<Json[][]>(pyIcebergRowsScript(fieldsJson, identifier))).toEqual(expectedRows);
    });

    it('is read back row by row by DuckDB iceberg_scan', async () => {
      const duck = await runPython<{ rows: Json[][]; errors: Record<string, string> }>(
        duckDbRowsScript(fieldsJson, written.metadataLocation),
      );
      expect(Object.keys(duck.errors).sort()).toEqual(Object.keys(DUCKDB_UNREADABLE).sort());
      for (const [column, message] of Object.entries(DUCKDB_UNREADABLE)) {
        expect(duck.errors[column]).toContain(message);
      }
      const unreadable = new Set(Object.keys(DUCKDB_UNREADABLE));
      const mask = (rows: Json[][]) =>
        rows.map((row) => row.map((v, c) => (unreadable.has(schema.fields[c]?.name ?? '') ? '<error>' : v)));
      expect(mask(duck.rows)).toEqual(mask(expectedRows));
    });

    it('shows PyIceberg per file the partition tuple of its rows and the metrics we wrote', async () => {
      const files = await runPython<PyFile[]>(pyIcebergFilesScript(identifier));
      expect(files).toHaveLength(written.files.length);
      expect(files.flatMap((f) => f.rids).sort((a, b) => a - b)).toEqual(
        Array.from({ length: rowCount }, (_, i) => i),
      );
      let roundedByPyIceberg = 0;
      for (const file of files) {
        const ours = partitioning.map(([column, text]) => {
          const source = fieldOf(column).type;
          const transform = parseTransform(text);
          const result = transformResultType(transform, source);
          const distinct = new Set(
            file.rids.map((r) =>
              JSON.stringify(
                normalise(
                  result,
                  applyTransform(transform, source, columns[column]?.[r] ?? null) as IcebergValue,
                ),
              ),
            ),
          );
          expect(distinct.size, `${table}: rows of one file must share ${column} ${text}`).toBe(1);
          return JSON.parse([...distinct][0] as string) as Json;
        });
        expect(file.fastavroPartition, `${table} ${file.path}: manifest partition vs our transform`).toEqual(
          ours,
        );
        expect(file.pyTransform, `${table} ${file.path}: PyIceberg's transform vs ours`).toEqual(ours);
        const pyIcebergView = ours.map((value, k) =>
          fieldOf(partitioning[k]?.[0] ?? '').type.kind === 'double' ? throughFloat32(value) : value,
        );
        expect(file.partition, `${table} ${file.path}: PyIceberg's partition vs ours`).toEqual(pyIcebergView);
        if (JSON.stringify(pyIcebergView) !== JSON.stringify(ours)) roundedByPyIceberg++;
        expect(file.recordCount).toBe(file.rids.length);
        const want = countsOf(file.rids);
        expect(pick(file.valueCounts, want.valueCounts)).toEqual(want.valueCounts);
        expect(pick(file.nullCounts, want.nullCounts)).toEqual(want.nullCounts);
        expect(pick(file.nanCounts, want.nanCounts)).toEqual(want.nanCounts);
      }
      // The known PyIceberg limitation still holds where a double partition value needs 64 bits.
      expect(roundedByPyIceberg).toBe(table === 'identity_float' ? 2 : 0);
    });
  },
);
