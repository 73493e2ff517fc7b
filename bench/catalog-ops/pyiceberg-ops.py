"""PyIceberg peer of the catalog bench: times create / load / list / drop of the same event
table with PyIceberg's RestCatalog against the same server, so that floe's figures have a
reference measured in the same run. Each call is timed on its own with time.perf_counter;
warm-up iterations run first and are not reported. Prints one JSON object (samples in ms)
on the last stdout line; run through runPython (tests/support/python.ts), which exports the
stack's FLOE_* endpoints, plus the FLOE_BENCH_* parameters read below.
"""
import os
import resource
import sys
import time

import pyiceberg
from floe_peers import catalog, emit
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform
from pyiceberg.types import (
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)

SCHEMA = Schema(
    NestedField(1, "event_id", StringType(), required=True),
    NestedField(2, "ts", TimestamptzType(), required=True),
    NestedField(3, "tenant_id", LongType(), required=True),
    NestedField(4, "user_id", LongType(), required=False),
    NestedField(5, "event_type", StringType(), required=False),
    NestedField(6, "amount", DecimalType(18, 2), required=False),
    NestedField(7, "currency", StringType(), required=False),
    NestedField(8, "latency_ms", DoubleType(), required=False),
    NestedField(9, "is_test", BooleanType(), required=False),
    NestedField(10, "ingest_date", DateType(), required=False),
    identifier_field_ids=[1],
)
SPEC = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"))
PROPERTIES = {"format-version": "2", "write.format.default": "parquet"}


def parameter(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this through bench/catalog-ops/run.ts")
    return value


def timed(label: str, warmup: int, iterations: int, op) -> list:
    samples = []
    for index in range(warmup + iterations):
        started = time.perf_counter()
        try:
            op(index)
        except Exception as error:
            raise RuntimeError(f"pyiceberg {label} failed at iteration {index}: {error}") from error
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        if index >= warmup:
            samples.append(elapsed_ms)
    return samples


def main() -> None:
    iterations = int(parameter("FLOE_BENCH_ITERATIONS"))
    warmup = int(parameter("FLOE_BENCH_WARMUP"))
    create_ns = tuple(parameter("FLOE_BENCH_CREATE_NAMESPACE").split("."))
    listed_ns = tuple(parameter("FLOE_BENCH_LIST_NAMESPACE").split("."))
    listed_tables = parameter("FLOE_BENCH_LISTED_TABLES").split(",")
    expected_listed = len(listed_tables)

    rest = catalog("bench")
    created = [create_ns + (f"t_{index:05d}",) for index in range(warmup + iterations)]

    def create(index: int) -> None:
        rest.create_table(created[index], schema=SCHEMA, partition_spec=SPEC, properties=PROPERTIES)

    def load(index: int) -> None:
        rest.load_table(listed_ns + (listed_tables[index % expected_listed],))

    def list_tables(_: int) -> None:
        found = rest.list_tables(listed_ns)
        if len(found) != expected_listed:
            raise RuntimeError(f"expected {expected_listed} tables in {listed_ns}, listed {len(found)}")

    def purge(index: int) -> None:
        rest.purge_table(created[index])

    samples = {
        "create table": timed("create table", warmup, iterations, create),
        "list tables": timed("list tables", warmup, iterations, list_tables),
        "load table": timed("load table", warmup, iterations, load),
        "drop table (purge)": timed("drop table", warmup, iterations, purge),
    }
    emit(
        {
            "samples_ms": samples,
            "pyiceberg_version": pyiceberg.__version__,
            "python_version": sys.version.split()[0],
            # ru_maxrss is in kibibytes on Linux.
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        }
    )


main()
