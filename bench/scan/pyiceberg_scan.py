"""PyIceberg peer of the scan bench: the same four reads floe makes, timed in this process.

Loads FLOE_BENCH_TABLE once, then for every iteration runs each variant (time travel to
FLOE_BENCH_SNAPSHOT_ID or the current snapshot; with FLOE_BENCH_FILTER + FLOE_BENCH_COLUMNS or
everything), alternating the order each iteration. Per variant it times planning alone
(`scan.plan_files()`) and planning + read (`scan.to_arrow()`, which plans again inside), with
time.perf_counter. The first FLOE_BENCH_WARMUP iterations are discarded. Prints one JSON object
on the last stdout line; run through runPython (tests/support/python.ts).
"""
import os
import resource
import sys
import time

import pyarrow as pa
import pyiceberg
from floe_peers import catalog, emit


def parameter(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this through bench/scan/run.ts")
    return value


table = catalog().load_table(parameter("FLOE_BENCH_TABLE"))
snapshot_id = int(parameter("FLOE_BENCH_SNAPSHOT_ID"))
row_filter = parameter("FLOE_BENCH_FILTER")
columns = tuple(parameter("FLOE_BENCH_COLUMNS").split(","))
iterations = int(parameter("FLOE_BENCH_ITERATIONS"))
warmup = int(os.environ.get("FLOE_BENCH_WARMUP", "0"))

VARIANTS = {
    "time-travel filtered": dict(snapshot_id=snapshot_id, row_filter=row_filter, selected_fields=columns),
    "time-travel full": dict(snapshot_id=snapshot_id),
    "current filtered": dict(row_filter=row_filter, selected_fields=columns),
    "current full": dict(),
}

plan_ms = {name: [] for name in VARIANTS}
total_ms = {name: [] for name in VARIANTS}
shape = {}
for index in range(warmup + iterations):
    names = list(VARIANTS)
    if index % 2 == 1:
        names.reverse()
    for name in names:
        started = time.perf_counter()
        tasks = list(table.scan(**VARIANTS[name]).plan_files())
        planned = time.perf_counter()
        result: pa.Table = table.scan(**VARIANTS[name]).to_arrow()
        finished = time.perf_counter()
        if index >= warmup:
            plan_ms[name].append((planned - started) * 1000)
            total_ms[name].append((finished - planned) * 1000)
        shape[name] = {"rows": result.num_rows, "columns": result.num_columns, "files": len(tasks)}

emit(
    {
        "plan_ms": plan_ms,
        "total_ms": total_ms,
        "shape": shape,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "pyiceberg_version": pyiceberg.__version__,
        "pyarrow_version": pa.__version__,
        "python_version": sys.version.split()[0],
    }
)
