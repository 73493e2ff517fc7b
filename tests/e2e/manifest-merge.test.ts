// Manifest merging on append against the real stack, judged by PyIceberg and DuckDB: PyIceberg
// creates a partitioned table and appends three times (its own manifests, unmerged), then we
// make 250 single-row appends with the library's commit path and the default
// `commit.manifest.*` properties. Afterwards
//   - the current snapshot has at most `min-count-to-merge` (100) manifests;
//   - PyIceberg and DuckDB read every row once;
//   - the files PyIceberg wrote are still there with the snapshot id, data sequence number and
//     file sequence number they had before (PyIceberg's `inspect.entries()`), now EXISTING in a
//     manifest we merged.
import { runPython } from '@floe/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryTable } from './support/library-table.ts';

const table = libraryTable('merge');
const namespace = table.namespace;
const APPENDS = 250;
const PY_ROWS = 30;

interface EntryRow {
  readonly path: string;
  readonly status: number;
  readonly snapshot: string;
  readonly seq: string;
  readonly fileSeq: string;
}

const ENTRIES = `
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.events")
e = t.inspect.entries().to_pylist()
emit([{"path": r["data_file"]["file_path"], "status": r["status"], "snapshot": str(r["snapshot_id"]),
       "seq": str(r["sequence_number"]), "fileSeq": str(r["file_sequence_number"])} for r in e])
`;

beforeAll(async () => {
  await runPython(`
import pyarrow as pa
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import NestedField, LongType, StringType
from floe_peers import catalog, emit
cat = catalog()
cat.create_namespace("${namespace}")
schema = Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "region", StringType(), required=False))
spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="region"))
t = cat.create_table("${namespace}.events", schema=schema, partition_spec=spec)
arrow_schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("region", pa.string())])
for chunk in range(3):
    ids = list(range(-${PY_ROWS} + chunk * 10, -${PY_ROWS} + chunk * 10 + 10))
    t.append(pa.table({"id": ids, "region": ["eu" if i % 2 == 0 else "us" for i in ids]}, schema=arrow_schema))
emit(None)
`);
}, 120_000);

afterAll(() => table.close());

describe('manifest merging on append (real stack)', () => {
  it(`keeps ≤ 100 manifests over ${APPENDS} appends; PyIceberg's entries keep their sequence numbers; every row reads back`, async () => {
    const before = await runPython<EntryRow[]>(ENTRIES);
    expect(before).not.toHaveLength(0);
    for (let id = 0; id < APPENDS; id++) await table.append([id]);

    const manifests = await runPython<{ count: number; existing: number }>(`
from floe_peers import catalog, emit
t = catalog().load_table("${namespace}.events")
m = t.inspect.manifests().to_pylist()
emit({"count": len(m), "existing": sum(r["existing_data_files_count"] for r in m)})
`);
    expect(manifests.count).toBeLessThanOrEqual(100);
    expect(manifests.existing).toBeGreaterThan(0);

    const after = new Map((await runPython<EntryRow[]>(ENTRIES)).map((e) => [e.path, e]));
    for (const entry of before) {
      const merged = after.get(entry.path);
      expect(merged).toMatchObject({ snapshot: entry.snapshot, seq: entry.seq, fileSeq: entry.fileSeq });
      expect(merged?.status).toBe(0); // EXISTING: it now lives in a manifest we merged
    }

    const read = await runPython<{ py: number; pyDistinct: number; duck: number; duckDistinct: number }>(`
from floe_peers import catalog, duckdb_connection, emit
t = catalog().load_table("${namespace}.events")
ids = t.scan().to_arrow().column("id").to_pylist()
con = duckdb_connection()
duck = con.execute("SELECT count(*), count(DISTINCT id) FROM iceberg_scan(?)", [t.metadata_location]).fetchone()
emit({"py": len(ids), "pyDistinct": len(set(ids)), "duck": duck[0], "duckDistinct": duck[1]})
`);
    expect(read).toEqual({
      py: APPENDS + PY_ROWS,
      pyDistinct: APPENDS + PY_ROWS,
      duck: APPENDS + PY_ROWS,
      duckDistinct: APPENDS + PY_ROWS,
    });
  }, 600_000);
});
