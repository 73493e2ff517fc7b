"""Upstream → downstream through Dagster on floe's embedded catalog: a SQLite file, the warehouse
and the staging area in local folders, no object store.

A real writer process commits both assets (the downstream one loads the upstream rows through
PyIceberg's SqlCatalog); the staged parts went to the local staging folder under the job's
staging key; PyIceberg's own SqlCatalog on the same file, as an independent reader, finds both
tables in the warehouse folder with exactly the rows and snapshots Dagster reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from dagster import AssetIn, AssetKey, asset, materialize
from floe_dagster import FloeIcebergIOManager
from floe_dagster.fleet_queue import WriteQueue
from pyiceberg.catalog.sql import SqlCatalog
from tests.support.fleet import Embedded, Fleet, create_fleet
from tests.support.judge import materialization_metadata, sorted_rows

ORDERS = pa.table(
    {
        "id": pa.array([1, 2, 3, 4], pa.int64()),
        "customer": ["ada", "grace", "ada", "edsger"],
        "amount": pa.array([10.0, 2.5, 5.0, 7.25], pa.float64()),
    }
)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Embedded:
    return Embedded(Path(tmp_path_factory.mktemp("embedded")))


@pytest.fixture(scope="module")
def embedded_fleet(embedded: Embedded) -> Iterator[Fleet]:
    fleet = create_fleet(embedded.folder / "fleet", "emb", embedded)
    try:
        fleet.start_worker()
        yield fleet
    finally:
        fleet.stop_workers()


def test_a_chain_lands_in_the_sqlite_catalog_through_local_staging(embedded_fleet: Fleet, embedded: Embedded) -> None:
    namespace = f"dg_{embedded_fleet.run.replace('-', '_')}"

    @asset(key_prefix=[namespace], name="orders", io_manager_key="floe")
    def orders() -> pa.Table:
        return ORDERS

    @asset(
        key_prefix=[namespace],
        name="totals",
        io_manager_key="floe",
        ins={"orders": AssetIn(key=AssetKey([namespace, "orders"]))},
    )
    def totals(orders: pa.Table) -> pa.Table:
        return orders.group_by("customer").aggregate([("amount", "sum")]).rename_columns(["customer", "total"])

    manager = FloeIcebergIOManager(config_path=str(embedded_fleet.config), result_timeout_seconds=120)
    result = materialize([orders, totals], resources={"floe": manager})
    assert result.success

    judge = SqlCatalog("floe", uri=embedded.catalog_uri, warehouse=embedded.warehouse)
    queue = WriteQueue(embedded_fleet.stack["redisUrl"], "floe-dagster-test", f"dagster-write-{embedded_fleet.run}")
    expected = {
        "orders": sorted_rows(ORDERS, "id"),
        "totals": [
            {"customer": "ada", "total": 15.0},
            {"customer": "edsger", "total": 7.25},
            {"customer": "grace", "total": 2.5},
        ],
    }
    for name, rows in expected.items():
        [metadata] = materialization_metadata(result, namespace, name)
        table = judge.load_table((namespace, name))
        assert table.location().startswith(embedded.warehouse + "/")
        snapshot = table.current_snapshot()
        assert snapshot is not None and str(snapshot.snapshot_id) == str(metadata["snapshot_id"])
        assert snapshot.summary is not None and snapshot.summary.get("floe.job-ids") == metadata["job_id"]
        read = table.scan().to_arrow()
        assert sorted_rows(read, "id" if name == "orders" else "customer") == rows
        # The job the writer committed read its batches from the local staging folder, under the
        # staging key layout every producer uses.
        job = queue.find(str(metadata["job_id"]))
        assert job is not None and job.state == "completed"
        uris = [str(batch["uri"]) for batch in job.data["batches"]]
        assert uris and all(
            uri.startswith(f"{embedded.staging}/dagster-{embedded_fleet.run}/") and uri.endswith(".arrows")
            for uri in uris
        ), uris
    assert pc.sum(judge.load_table((namespace, "totals")).scan().to_arrow().column("total")).as_py() == 24.75
