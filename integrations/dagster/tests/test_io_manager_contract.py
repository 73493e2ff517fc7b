"""The IOManager contract as Dagster states it for any IOManager, driven through Dagster's own
test-context builders (``build_output_context`` / ``build_input_context``), the way users unit
test their assets: what ``handle_output`` stores, ``load_input`` returns for the same asset, in
the annotated type; a ``None`` output stores nothing; a partition reads back only itself; the
same output handled twice in one run is written once. PyIceberg judges what landed.
"""

from __future__ import annotations

import uuid

import pandas as pd
import pyarrow as pa
from dagster import (
    AssetKey,
    DailyPartitionsDefinition,
    PythonObjectDagsterType,
    build_input_context,
    build_output_context,
)
from floe_dagster import FloeIcebergIOManager
from pyiceberg.catalog.rest import RestCatalog
from tests.support.judge import sorted_rows

ROWS = pa.table(
    {
        "id": pa.array([1, 2, 3], pa.int64()),
        "label": ["a", "b", "c"],
    }
)


# What an annotation `-> pa.Table` / `-> pd.DataFrame` becomes inside Dagster.
ARROW = PythonObjectDagsterType(pa.Table)
PANDAS = PythonObjectDagsterType(pd.DataFrame)


def _key(namespace: str, name: str) -> AssetKey:
    return AssetKey([namespace, f"{name}_{uuid.uuid4().hex[:8]}"])


def test_what_handle_output_stores_load_input_returns_in_the_annotated_type(
    io_manager: FloeIcebergIOManager, namespace: str, judge: RestCatalog
) -> None:
    key = _key(namespace, "contract")
    output = build_output_context(asset_key=key, run_id=str(uuid.uuid4()), step_key="contract")
    io_manager.handle_output(output, ROWS)

    table = judge.load_table(tuple(key.path))
    assert sorted_rows(table.scan().to_arrow(), "id") == ROWS.to_pylist()

    as_arrow = io_manager.load_input(build_input_context(asset_key=key, upstream_output=output, dagster_type=ARROW))
    assert isinstance(as_arrow, pa.Table)
    assert sorted_rows(as_arrow, "id") == ROWS.to_pylist()

    as_pandas = io_manager.load_input(build_input_context(asset_key=key, upstream_output=output, dagster_type=PANDAS))
    assert isinstance(as_pandas, pd.DataFrame)
    assert sorted(as_pandas["id"].tolist()) == [1, 2, 3]


def test_a_none_output_stores_nothing(io_manager: FloeIcebergIOManager, namespace: str, judge: RestCatalog) -> None:
    key = _key(namespace, "nothing")
    io_manager.handle_output(build_output_context(asset_key=key, run_id=str(uuid.uuid4()), step_key="nothing"), None)
    assert not judge.table_exists(tuple(key.path))


def test_the_same_output_handled_twice_in_one_run_is_written_once(
    io_manager: FloeIcebergIOManager, namespace: str, judge: RestCatalog
) -> None:
    key = _key(namespace, "twice")
    run_id = str(uuid.uuid4())
    for _ in range(2):
        io_manager.handle_output(build_output_context(asset_key=key, run_id=run_id, step_key="twice"), ROWS)
    table = judge.load_table(tuple(key.path))
    assert len(table.snapshots()) == 1
    assert table.scan().to_arrow().num_rows == ROWS.num_rows


def test_a_partition_reads_back_only_itself(
    io_manager: FloeIcebergIOManager, namespace: str, judge: RestCatalog
) -> None:
    key = _key(namespace, "daily")
    daily = DailyPartitionsDefinition(start_date="2026-01-01")
    metadata = {"partition_expr": "day"}
    run_id = str(uuid.uuid4())
    outputs = {}
    for day in ("2026-01-01", "2026-01-02"):
        rows = pa.table(
            {
                "id": pa.array([1, 2], pa.int64()),
                "day": pa.array([pd.Timestamp(day).date()] * 2, pa.date32()),
            }
        )
        outputs[day] = build_output_context(
            asset_key=key,
            run_id=run_id,
            step_key="daily",
            definition_metadata=metadata,
            partition_key=day,
            asset_partitions_def=daily,
        )
        io_manager.handle_output(outputs[day], rows)

    assert judge.load_table(tuple(key.path)).scan().to_arrow().num_rows == 4
    second = io_manager.load_input(
        build_input_context(
            asset_key=key,
            upstream_output=outputs["2026-01-02"],
            dagster_type=ARROW,
            partition_key="2026-01-02",
            asset_partitions_def=daily,
        )
    )
    assert second.num_rows == 2
    assert {d.isoformat() for d in second.column("day").to_pylist()} == {"2026-01-02"}
