// What a fault test checks on a table after the dust settles, judged by other readers and by
// storage itself: every file any snapshot references (manifest lists, manifests, data and delete
// files of live entries) exists in MinIO; PyIceberg reads the table and counts each job's rows;
// DuckDB reads the current metadata file and counts rows and distinct keys.
import type { CommittedTable, FileIO } from '@floe/iceberg';
import { readManifest, readManifestList } from '@floe/iceberg';
import { runPython } from '@floe/test-support';

/** Every location a snapshot of `table` references that is missing from storage. */
export async function missingReferencedFiles(io: FileIO, table: CommittedTable): Promise<string[]> {
  const missing = new Set<string>();
  const exists = async (location: string) => {
    if (await io.exists(location)) return true;
    missing.add(location);
    return false;
  };
  for (const snapshot of table.metadata.snapshots) {
    if (!(await exists(snapshot.manifestList))) continue;
    const list = readManifestList(await io.read(snapshot.manifestList));
    for (const manifest of list.manifests) {
      if (!(await exists(manifest.manifestPath))) continue;
      const contents = readManifest(await io.read(manifest.manifestPath), manifest);
      for (const entry of contents.entries) {
        if (entry.status !== 'deleted') await exists(entry.file.filePath);
      }
    }
  }
  return [...missing].sort();
}

export interface ReadBack {
  /** PyIceberg: [job, rows] for every job present, sorted by job. */
  readonly pyiceberg: [number, number][];
  /** DuckDB over the current metadata file: rows and distinct `id`s. */
  readonly duckdb: { readonly rows: number; readonly distinctIds: number };
}

/**
 * PyIceberg (through the catalog) and DuckDB (from `metadataLocation`) read a table with columns
 * `id` (unique per row) and `job`.
 */
export function readBack(table: string, metadataLocation: string): Promise<ReadBack> {
  return runPython<ReadBack>(`
from floe_peers import catalog, duckdb_connection, emit
data = catalog().load_table("${table}").scan(selected_fields=("id", "job")).to_arrow()
counts = data.group_by("job").aggregate([("id", "count")]).to_pylist()
con = duckdb_connection()
rows, distinct = con.execute("SELECT count(*), count(DISTINCT id) FROM iceberg_scan(?)", ["${metadataLocation}"]).fetchone()
emit({"pyiceberg": sorted([[c["job"], c["id_count"]] for c in counts]),
      "duckdb": {"rows": rows, "distinctIds": distinct}})
`);
}
