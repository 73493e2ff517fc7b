// What we write must be read by other implementations: pyarrow (PyIceberg's reader) reads our
// Parquet from MinIO, sees the Iceberg field ids on every column and the same values, and its
// footer agrees with our column sizes and split offsets. Files encoded on the encode threads
// (row ranges of one big write, some columns plain, some dictionary-encoded) are read back by
// pyarrow and DuckDB row for row, with footer statistics matching our bounds.
import { randomUUID } from 'node:crypto';
import { loadStackEnv, runPython } from '@floe/test-support';
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { S3FileIO } from '../io/s3-file-io.ts';
import { deserializeSingleValue } from '../spec/single-value.ts';
import type { Schema } from '../spec/types.ts';
import { writeDataFiles } from './data-file-writer.ts';
import { EncodeThreads } from './encode-threads.ts';
import { writeDataFilesInParallel } from './parallel-data-file-writer.ts';
import { arrowByteSize } from './parquet-file-writer.ts';

const stack = loadStackEnv();
const io = new S3FileIO({
  properties: {
    's3.endpoint': stack.s3Endpoint,
    's3.path-style-access': 'true',
    's3.access-key-id': stack.s3AccessKeyId,
    's3.secret-access-key': stack.s3SecretAccessKey,
  },
});

const schema: Schema = {
  schemaId: 0,
  identifierFieldIds: [],
  fields: [
    { id: 1, name: 'id', required: true, type: { kind: 'long' } },
    { id: 2, name: 'name', required: false, type: { kind: 'string' } },
    { id: 3, name: 'score', required: false, type: { kind: 'double' } },
    {
      id: 4,
      name: 'point',
      required: false,
      type: { kind: 'struct', fields: [{ id: 5, name: 'x', required: false, type: { kind: 'int' } }] },
    },
    {
      id: 6,
      name: 'tags',
      required: false,
      type: { kind: 'list', elementId: 7, elementRequired: false, element: { kind: 'string' } },
    },
  ],
};

interface PyResult {
  rows: number;
  ids: Record<string, string | null>;
  names: (string | null)[];
  scores: (number | string | null)[];
  compressed: Record<string, number>;
  offsets: number[];
  codec: string;
}

describe('Parquet interop with pyarrow', () => {
  it('pyarrow reads our file with Iceberg field ids, values and matching footer facts', async () => {
    const n = 5000;
    const table = new arrow.Table({
      id: arrow.makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(i))),
      name: arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (i % 10 === 0 ? null : `名前-${i}-ü`)),
        new arrow.Utf8(),
      ),
      score: arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (i % 7 === 0 ? Number.NaN : i % 11 === 0 ? null : i / 2)),
        new arrow.Float64(),
      ),
      point: arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : { x: i })),
        new arrow.Struct([new arrow.Field('x', new arrow.Int32(), true)]),
      ),
      tags: arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : [`t${i % 5}`])),
        new arrow.List(new arrow.Field('element', new arrow.Utf8(), true)),
      ),
    });
    const [file, ...rest] = await writeDataFiles(table.batches, {
      io,
      tableLocation: `s3://${stack.warehouseBucket}/floe-it/parquet/${randomUUID()}`,
      schema,
      arrowSchema: table.schema,
      properties: { 'write.parquet.row-group-limit': '2000' },
    });
    expect(rest).toEqual([]);
    if (!file) throw new Error('no file written');

    const py = await runPython<PyResult>(
      `
import json, math, os, pyarrow.parquet as pq
from pyarrow import fs
s3 = fs.S3FileSystem(endpoint_override=os.environ['EP'], scheme='http', access_key=os.environ['AK'],
                     secret_key=os.environ['SK'], region='us-east-1')
path = os.environ['LOC'].removeprefix('s3://')
t = pq.read_table(path, filesystem=s3)
schema = pq.read_schema(s3.open_input_file(path))
ids = {}
def walk(field, prefix):
    md = field.metadata or {}
    ids[prefix + field.name] = md.get(b'PARQUET:field_id', b'').decode() or None
    t = field.type
    if hasattr(t, 'value_field'):
        walk(t.value_field, prefix + field.name + '.')
    elif t.num_fields:
        for i in range(t.num_fields):
            walk(t.field(i), prefix + field.name + '.')
for f in schema:
    walk(f, '')
meta = pq.ParquetFile(s3.open_input_file(path)).metadata
compressed = {}
offsets = []
for g in range(meta.num_row_groups):
    rg = meta.row_group(g)
    first = rg.column(0)
    offsets.append(first.dictionary_page_offset if first.has_dictionary_page else first.data_page_offset)
    for c in range(rg.num_columns):
        col = rg.column(c)
        compressed[col.path_in_schema] = compressed.get(col.path_in_schema, 0) + col.total_compressed_size
scores = [None if v is None else ('NaN' if math.isnan(v) else v) for v in t.column('score').to_pylist()[:14]]
print(json.dumps({'rows': t.num_rows, 'ids': ids, 'names': t.column('name').to_pylist()[:3], 'scores': scores,
                  'compressed': compressed, 'offsets': offsets, 'codec': meta.row_group(0).column(0).compression}))
`,
      { EP: stack.s3Endpoint, AK: stack.s3AccessKeyId, SK: stack.s3SecretAccessKey, LOC: file.filePath },
    );

    expect(py.rows).toBe(n);
    expect(py.ids).toMatchObject({ id: '1', name: '2', score: '3', point: '4', 'point.x': '5', tags: '6' });
    expect(Object.entries(py.ids).find(([key]) => key.startsWith('tags.') && key !== 'tags')?.[1]).toBe('7');
    expect(py.names).toEqual([null, '名前-1-ü', '名前-2-ü']);
    expect(py.scores[0]).toBe('NaN');
    expect(py.scores[1]).toBe(0.5);
    expect(py.scores[11]).toBeNull();
    expect(py.codec).toBe('ZSTD');
    expect(file.splitOffsets?.map(Number)).toEqual(py.offsets);
    expect(file.columnSizes?.get(1)).toBe(BigInt(py.compressed.id ?? -1));
    expect(file.columnSizes?.get(5)).toBe(BigInt(py.compressed['point.x'] ?? -1));
    expect(file.columnSizes?.get(7)).toBe(BigInt(py.compressed['tags.list.element'] ?? -1));
    // metrics against the known data
    expect(file.recordCount).toBe(BigInt(n));
    expect(file.nullValueCounts?.get(2)).toBe(500n);
    expect(file.nanValueCounts?.get(3)).toBe(BigInt(Math.ceil(n / 7)));
    expect(file.nullValueCounts?.get(5)).toBe(BigInt(Math.ceil(n / 3)));
    await io.delete(file.filePath);
  });

  it('pyarrow and DuckDB read back every row of files encoded on the encode threads', async () => {
    const n = 12_000;
    const flat: Schema = {
      schemaId: 0,
      identifierFieldIds: [],
      fields: [
        { id: 1, name: 'id', required: true, type: { kind: 'long' } },
        { id: 2, name: 'country', required: false, type: { kind: 'string' } },
        { id: 3, name: 'note', required: false, type: { kind: 'string' } },
      ],
    };
    const countries = ['US', 'DE', 'FR'];
    const batches = [0, 1, 2, 3].map((part) => {
      const from = part * (n / 4);
      return new arrow.Table({
        id: arrow.makeVector(BigInt64Array.from({ length: n / 4 }, (_, i) => BigInt(from + i))),
        country: arrow.vectorFromArray(
          Array.from({ length: n / 4 }, (_, i) => ((from + i) % 9 === 0 ? null : countries[(from + i) % 3])),
          new arrow.Utf8(),
        ),
        note: arrow.vectorFromArray(
          Array.from({ length: n / 4 }, (_, i) => `note ${from + i} ü`),
          new arrow.Utf8(),
        ),
      }).batches[0] as arrow.RecordBatch;
    });
    const threads = new EncodeThreads(2);
    try {
      const files = await writeDataFilesInParallel(batches, {
        io,
        tableLocation: `s3://${stack.warehouseBucket}/floe-it/parquet-threads/${randomUUID()}`,
        schema: flat,
        arrowSchema: (batches[0] as arrow.RecordBatch).schema,
        encodeThreads: threads,
        chunkBytes: arrowByteSize(batches[0] as arrow.RecordBatch) * 2,
      });
      expect(files.map((f) => f.recordCount)).toEqual([6_000n, 6_000n]);
      const py = await runPython<{
        files: { rows: number; ids: string[]; idMin: string; idMax: string; encodings: string[][] }[];
        duck: [string, number, number, number];
      }>(
        `
import json, os, pyarrow.parquet as pq
from pyarrow import fs
from floe_peers import duckdb_connection
s3 = fs.S3FileSystem(endpoint_override=os.environ['EP'], scheme='http', access_key=os.environ['AK'],
                     secret_key=os.environ['SK'], region='us-east-1')
out = []
for loc in os.environ['LOCS'].split(','):
    path = loc.removeprefix('s3://')
    t = pq.read_table(path, filesystem=s3)
    meta = pq.ParquetFile(s3.open_input_file(path)).metadata
    rg = meta.row_group(0)
    out.append({'rows': t.num_rows, 'ids': [str(v) for v in t.column('id').to_pylist()[:2]],
                'idMin': str(rg.column(0).statistics.min), 'idMax': str(rg.column(0).statistics.max),
                'encodings': [list(rg.column(c).encodings) for c in range(rg.num_columns)]})
con = duckdb_connection()
duck = con.execute("SELECT CAST(sum(id) AS VARCHAR), count(*), count(country), count(DISTINCT note) FROM read_parquet(?)",
                   [os.environ['LOCS'].split(',')]).fetchone()
print(json.dumps({'files': out, 'duck': list(duck)}))
`,
        {
          EP: stack.s3Endpoint,
          AK: stack.s3AccessKeyId,
          SK: stack.s3SecretAccessKey,
          LOCS: files.map((f) => f.filePath).join(','),
        },
      );
      expect(py.files.map((f) => [f.rows, f.ids])).toEqual([
        [6_000, ['0', '1']],
        [6_000, ['6000', '6001']],
      ]);
      for (const [i, file] of files.entries()) {
        const read = py.files[i];
        const lower = deserializeSingleValue({ kind: 'long' }, file.lowerBounds?.get(1) ?? new Uint8Array());
        const upper = deserializeSingleValue({ kind: 'long' }, file.upperBounds?.get(1) ?? new Uint8Array());
        expect([String(lower), String(upper)]).toEqual([read?.idMin, read?.idMax]);
        // id and note are distinct per row (written plain); country repeats (dictionary).
        expect(read?.encodings[0]).not.toContain('RLE_DICTIONARY');
        expect(read?.encodings[1]).toContain('RLE_DICTIONARY');
      }
      const nonNullCountries = Array.from({ length: n }, (_, i) => i).filter((i) => i % 9 !== 0).length;
      expect(py.duck).toEqual([String((n * (n - 1)) / 2), n, nonNullCountries, n]);
      await io.deleteMany(files.map((f) => f.filePath));
    } finally {
      await threads.close();
    }
  });
});
