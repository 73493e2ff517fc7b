"""PyIceberg peer of the upsert bench: `Table.upsert` of the same batch floe upserts.

Loads FLOE_BENCH_TABLE, builds the batch from the same rule as bench/upsert/upsert-rows.ts
(ids FLOE_BENCH_UPDATE_FROM.. for FLOE_BENCH_UPDATES rows, then FLOE_BENCH_INSERT_FROM.. for
FLOE_BENCH_INSERTS rows; day = id // FLOE_BENCH_ROWS_PER_DAY; amount = id * 2 + 0.5; note
'upserted'), times `table.upsert(batch, join_cols=["id"])` with time.perf_counter, then the
full scan of the result. Prints one JSON object on the last stdout line (runPython).
"""

import datetime
import os
import resource
import time

import pyarrow as pa
import pyiceberg
from floe_peers import catalog, emit


def parameter(name: str) -> int:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this through bench/upsert/run.ts")
    return int(value)


table = catalog().load_table(os.environ["FLOE_BENCH_TABLE"])
per_day = parameter("FLOE_BENCH_ROWS_PER_DAY")
ids = list(
    range(parameter("FLOE_BENCH_UPDATE_FROM"), parameter("FLOE_BENCH_UPDATE_FROM") + parameter("FLOE_BENCH_UPDATES"))
)
ids += list(
    range(parameter("FLOE_BENCH_INSERT_FROM"), parameter("FLOE_BENCH_INSERT_FROM") + parameter("FLOE_BENCH_INSERTS"))
)
epoch = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
batch = pa.table(
    {
        "id": pa.array(ids, pa.int64()),
        "ts": pa.array(
            [epoch + datetime.timedelta(days=i // per_day, seconds=i % 86400) for i in ids],
            pa.timestamp("us", tz="UTC"),
        ),
        "amount": pa.array([i * 2 + 0.5 for i in ids], pa.float64()),
        "note": pa.array(["upserted"] * len(ids), pa.string()),
    },
    schema=table.schema().as_arrow(),
)

started = time.perf_counter()
result = table.upsert(batch, join_cols=["id"])
upsert_ms = (time.perf_counter() - started) * 1000

started = time.perf_counter()
scanned = table.refresh().scan().to_arrow()
scan_ms = (time.perf_counter() - started) * 1000

emit(
    {
        "upsert_ms": upsert_ms,
        "scan_ms": scan_ms,
        "rows_updated": result.rows_updated,
        "rows_inserted": result.rows_inserted,
        "rows_after": scanned.num_rows,
        "amount_sum": float(pa.compute.sum(scanned["amount"]).as_py()),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "pyiceberg_version": pyiceberg.__version__,
    }
)
