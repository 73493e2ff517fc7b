"""Independent judges of a table after maintenance: PyIceberg, DuckDB and the bucket itself.

The maintenance acceptance tests (tests/e2e/maintenance-*.test.ts) call `table_state` after
every run. Nothing here uses floe's code: PyIceberg loads the table through the REST catalog and
computes, on its own, every file the retained metadata references (current metadata file and
metadata log, manifest lists, manifests, live data and delete files, statistics files); boto3
lists the objects under the table location; DuckDB reads the current metadata file. The test
compares the two sets: a referenced file that is missing means maintenance broke a reader, an
unreferenced file means cleanup missed something (allowed only while younger than the orphan
threshold, since a writer may be about to commit it).
"""

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import boto3
import pyarrow.compute as pc
import pyarrow.parquet as pq
from floe_peers import catalog, duckdb_connection, env
from pyiceberg.manifest import DataFileContent


def _bucket_and_prefix(location: str) -> tuple:
    parsed = urlparse(location)
    # The trailing "/" keeps table t1 from matching the objects of table t10.
    return parsed.netloc, parsed.path.lstrip("/").rstrip("/") + "/"


def list_objects(location: str) -> dict:
    """s3:// URI -> LastModified (ms since epoch) of every object under the location."""
    s3 = boto3.client(
        "s3",
        endpoint_url=env("FLOE_S3_ENDPOINT"),
        aws_access_key_id=env("FLOE_S3_ACCESS_KEY_ID"),
        aws_secret_access_key=env("FLOE_S3_SECRET_ACCESS_KEY"),
        region_name=env("FLOE_S3_REGION"),
    )
    bucket, prefix = _bucket_and_prefix(location)
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[f"s3://{bucket}/{item['Key']}"] = int(item["LastModified"].timestamp() * 1000)
    return found


def _live_entries(table, manifest_path_cache: dict, manifest) -> list:
    """Live (added/existing) entries of a manifest, read once per manifest path."""
    if manifest.manifest_path not in manifest_path_cache:
        # A DELETED entry records that a file left the table; it does not keep the file alive.
        manifest_path_cache[manifest.manifest_path] = [
            entry.data_file for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True)
        ]
    return manifest_path_cache[manifest.manifest_path]


def referenced_files(table) -> tuple:
    """Every file the retained metadata references, computed by PyIceberg alone; the live data
    files with their record counts; and each retained snapshot's row count as its manifests
    state it (None when it has delete files, so only a real scan can count it)."""
    metadata = table.metadata
    files = {table.metadata_location}
    files.update(entry.metadata_file for entry in metadata.metadata_log)
    files.update(stats.statistics_path for stats in metadata.statistics)
    files.update(stats.statistics_path for stats in metadata.partition_statistics)
    entries_by_manifest = {}
    data_files = {}
    records_by_snapshot = {}
    for snapshot in metadata.snapshots:
        files.add(snapshot.manifest_list)
        records = 0
        for manifest in snapshot.manifests(table.io):
            files.add(manifest.manifest_path)
            for data_file in _live_entries(table, entries_by_manifest, manifest):
                files.add(data_file.file_path)
                if data_file.content != DataFileContent.DATA:
                    records = None
                elif records is not None:
                    data_files[data_file.file_path] = data_file.record_count
                    records += data_file.record_count
        records_by_snapshot[snapshot.snapshot_id] = records
    return files, data_files, records_by_snapshot


def unreadable_data_files(table, data_files: dict) -> list:
    """Opens every live data file once with pyarrow (its Parquet footer); returns the ones that
    are unreadable or hold another row count than their manifest entry says."""

    def check(item):
        path, expected = item
        try:
            with table.io.new_input(path).open() as stream:
                rows = pq.ParquetFile(stream).read(columns=[]).num_rows
            return None if rows == expected else f"data file {path}: {rows} rows, manifest says {expected}"
        except Exception as error:  # a data file a reader cannot open is the finding
            return f"data file {path}: {error}"

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [problem for problem in pool.map(check, data_files.items()) if problem]


def _job_ids(snapshot) -> list:
    marker = snapshot.summary.additional_properties.get("floe.job-ids", "") if snapshot.summary else ""
    return [job for job in marker.split(",") if job]


def table_state(name: str, rows_per_job: int = 0) -> dict:
    """What PyIceberg, DuckDB and the bucket say about table `name` right now.

    Every retained snapshot is checked as a reader needs it: its manifest list and manifests are
    read, every live data file it names is opened and holds the row count the manifest claims,
    and those counts add up to the snapshot's `total-records`; and PyIceberg reads it by a real
    time-travel scan. The current snapshot is also read by PyIceberg and DuckDB.
    """
    table = catalog().load_table(name)
    listed_at = int(time.time() * 1000)
    listed = list_objects(table.metadata.location)
    referenced, data_files, records_by_snapshot = referenced_files(table)
    problems = unreadable_data_files(table, data_files)

    snapshots = []
    for snapshot in table.metadata.snapshots:
        expected = int(snapshot.summary["total-records"]) if snapshot.summary else -1
        entry = {
            "id": str(snapshot.snapshot_id),
            "timestampMs": snapshot.timestamp_ms,
            "totalRecords": expected,
            "jobIds": _job_ids(snapshot),
            "manifestRows": records_by_snapshot.get(snapshot.snapshot_id),
        }
        try:
            read = table.scan(snapshot_id=snapshot.snapshot_id, selected_fields=("id",)).to_arrow()
            entry["readRows"] = read.num_rows
        except Exception as error:  # a reader failing on a retained snapshot is the finding
            problems.append(f"snapshot {snapshot.snapshot_id}: {error}")
        snapshots.append(entry)

    current = table.scan(selected_fields=("id", "job")).to_arrow()
    counts = current.group_by("job").aggregate([("id", "count")]).to_pylist() if rows_per_job else []
    con = duckdb_connection()
    duck_rows, duck_distinct = con.execute(
        "SELECT count(*), count(DISTINCT id) FROM iceberg_scan(?)", [table.metadata_location]
    ).fetchone()
    current_id = table.metadata.current_snapshot_id
    return {
        "metadataLocation": table.metadata_location,
        "location": table.metadata.location,
        "currentSnapshotId": None if current_id is None else str(current_id),
        "snapshots": snapshots,
        "unreadable": problems,
        "rows": current.num_rows,
        "distinctIds": len(pc.unique(current.column("id"))),
        "wrongJobs": [[c["job"], c["id_count"]] for c in counts if c["id_count"] != rows_per_job],
        "jobsPresent": len(counts),
        "duckdbRows": duck_rows,
        "duckdbDistinctIds": duck_distinct,
        "listedAtMs": listed_at,
        "missing": sorted(referenced - set(listed)),
        "unreferenced": sorted(
            [{"path": path, "lastModifiedMs": listed[path]} for path in set(listed) - referenced],
            key=lambda item: item["path"],
        ),
        "referencedCount": len(referenced),
        "listedCount": len(listed),
        "dataFiles": len(data_files),
    }
