"""PyIceberg as the independent judge of what landed, configured from the stack directly."""

from __future__ import annotations

import pyarrow as pa
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.table import Table


def judge_catalog(stack: dict[str, str]) -> RestCatalog:
    return RestCatalog(
        "judge",
        uri=stack["catalogUri"],
        **{
            "s3.endpoint": stack["s3Endpoint"],
            "s3.access-key-id": stack["s3AccessKeyId"],
            "s3.secret-access-key": stack["s3SecretAccessKey"],
            "s3.region": stack["s3Region"],
        },
    )


def table_rows(table: Table, snapshot_id: int | None = None) -> pa.Table:
    return table.scan(snapshot_id=snapshot_id).to_arrow()


def sorted_rows(data: pa.Table, *keys: str) -> list[dict[str, object]]:
    return sorted(data.to_pylist(), key=lambda row: tuple(str(row[k]) for k in keys))


def materialization_metadata(result: object, *asset_path: str) -> list[dict[str, object]]:
    """Metadata of each materialization of the asset in a Dagster execution result, in order."""
    events = result.get_asset_materialization_events()  # type: ignore[attr-defined]
    found: list[dict[str, object]] = []
    for event in events:
        materialization = event.event_specific_data.materialization
        if list(materialization.asset_key.path) == list(asset_path):
            found.append({key: value.value for key, value in materialization.metadata.items()})
    return found
