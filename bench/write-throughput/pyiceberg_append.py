"""PyIceberg peer of the write-throughput bench. Two modes, chosen by FLOE_BENCH_MODE:

append: creates FLOE_BENCH_TABLE with the same schema and partition spec as floe's table,
reads the Arrow IPC file FLOE_BENCH_IPC with pyarrow, then times `table.append(...)` alone
(Parquet encoding, upload, manifests, commit) with time.perf_counter, and the CPU time of the
whole process (every thread) with time.process_time. Interpreter start-up,
the catalog connection, table creation and the IPC read all happen before the timer.

verify: for every table in FLOE_BENCH_TABLES (comma separated), counts the rows PyIceberg
sees (sum of the data files' record counts) and sums the `id` column it reads back.

Prints one JSON object on the last stdout line; run through runPython (tests/support/python.ts),
which exports the stack's FLOE_* endpoints.
"""
import gc
import os
import resource
import sys
import time

import pyarrow as pa
import pyarrow.compute as pc
import pyiceberg
from floe_peers import catalog, emit
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import BucketTransform, DayTransform
from pyiceberg.types import (
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "ts", TimestamptzType(), required=False),
    NestedField(3, "user", StringType(), required=False),
    NestedField(4, "country", StringType(), required=False),
    NestedField(5, "amount", DecimalType(12, 2), required=False),
    NestedField(6, "score", DoubleType(), required=False),
    NestedField(7, "qty", IntegerType(), required=False),
    NestedField(8, "flag", BooleanType(), required=False),
    NestedField(9, "day", DateType(), required=False),
    NestedField(10, "note", StringType(), required=False),
)
PARTITIONED = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"),
    PartitionField(source_id=1, field_id=1001, transform=BucketTransform(16), name="id_bucket"),
)
UNPARTITIONED = PartitionSpec()


def parameter(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this through bench/write-throughput/run.ts")
    return value


def peak_rss_bytes() -> int:
    # ru_maxrss is in kibibytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def append() -> dict:
    identifier = parameter("FLOE_BENCH_TABLE")
    partitioned = parameter("FLOE_BENCH_PARTITIONED") == "true"
    rest = catalog()
    table = rest.create_table(identifier, schema=SCHEMA, partition_spec=PARTITIONED if partitioned else UNPARTITIONED)
    with pa.ipc.open_file(parameter("FLOE_BENCH_IPC")) as reader:
        data = reader.read_all()
    gc.collect()
    rss_before = peak_rss_bytes()
    cpu_started = time.process_time()
    started = time.perf_counter()
    table.append(data)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    summary = table.current_snapshot().summary
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "rows": data.num_rows,
        "added_records": int(summary["added-records"]),
        "data_files": int(summary["added-data-files"]),
        "bytes": int(summary["added-files-size"]),
        "peak_rss_bytes_before_append": rss_before,
        "peak_rss_bytes": peak_rss_bytes(),
        "pyiceberg_version": pyiceberg.__version__,
        "pyarrow_version": pa.__version__,
        "python_version": sys.version.split()[0],
    }


def verify() -> dict:
    rest = catalog()
    seen = {}
    for identifier in parameter("FLOE_BENCH_TABLES").split(","):
        table = rest.load_table(identifier)
        scan = table.scan(selected_fields=("id",))
        counted = sum(task.file.record_count for task in scan.plan_files())
        ids = scan.to_arrow()["id"]
        seen[identifier] = {
            "count": counted,
            "rows_read": len(ids),
            "id_sum": str(pc.sum(ids).as_py() or 0),
            "distinct_ids": pc.count_distinct(ids).as_py(),
        }
    return seen


MODES = {"append": append, "verify": verify}
mode = parameter("FLOE_BENCH_MODE")
if mode not in MODES:
    raise RuntimeError(f"FLOE_BENCH_MODE must be one of {sorted(MODES)}, got {mode!r}")
emit(MODES[mode]())
