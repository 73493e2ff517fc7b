"""The metadata a floe write attaches to its Dagster materialization(s).

Output-level: the commit (snapshot id, sequence number, operation, files, bytes, attempts, job
id), the table's identity the UI shows (``dagster/table_name``, ``dagster/uri`` = the table
location, ``dagster/storage_kind``) and its columns after the commit (``dagster/column_schema``,
read back from the catalog: schema evolution may have added or widened columns). Per
partition, in a run over several partition keys: that partition's own ``dagster/row_count`` and
``dagster/partition_row_count`` (one job, one snapshot, so the writer's result only knows the
total, kept as ``job_rows``).
"""

from __future__ import annotations

from collections.abc import Mapping

from dagster import TableColumn, TableColumnConstraints, TableSchema
from pyiceberg.table import Table

from floe_dagster.fleet_writer import WriteOutcome
from floe_dagster.naming import TableName


def column_schema(table: Table) -> TableSchema:
    """The table's current columns as Dagster shows them (type, nullability, doc)."""
    return TableSchema(
        columns=[
            TableColumn(
                name=field.name,
                type=str(field.field_type),
                description=field.doc,
                constraints=TableColumnConstraints(nullable=not field.required),
            )
            for field in table.schema().fields
        ]
    )


def output_metadata(
    table: TableName, outcome: WriteOutcome, committed: Table | None, partition_keys: list[str]
) -> dict[str, object]:
    result = outcome.result
    metadata: dict[str, object] = {
        "dagster/table_name": table.dotted,
        "dagster/storage_kind": "iceberg",
        "table": table.dotted,
        "snapshot_id": str(result.snapshot_id),
        "sequence_number": str(result.sequence_number),
        "operation": result.operation,
        "job_rows": result.added_rows,
        "files": result.added_files,
        "bytes": result.added_bytes,
        "removed_files": result.removed_files,
        "attempts": result.attempts,
        "coalesced_jobs": result.coalesced_jobs,
        "job_id": outcome.job_id,
        "committed_at": result.committed_at,
    }
    # Several partitions share one job: its total is no partition's count (per_partition has them).
    if len(partition_keys) <= 1:
        metadata["dagster/row_count"] = result.added_rows
        if partition_keys:
            metadata["dagster/partition_row_count"] = result.added_rows
    if committed is not None:
        metadata["dagster/column_schema"] = column_schema(committed)
        metadata["dagster/uri"] = committed.location()
    if outcome.staged_parts is not None:
        metadata["staged_parts"] = outcome.staged_parts
    if outcome.reused is not None:
        metadata["reused"] = outcome.reused
    return metadata


def partition_metadata(outcome: WriteOutcome, partition_keys: list[str]) -> Mapping[str, dict[str, object]]:
    """Each partition key's own row counts, in a run over several keys whose rows were counted."""
    if len(partition_keys) <= 1 or outcome.partition_rows is None:
        return {}
    return {
        key: {"dagster/row_count": rows, "dagster/partition_row_count": rows}
        for key, rows in outcome.partition_rows.items()
    }
