"""``load_input``'s read: one PyIceberg scan with projection, filters and time travel.

The scan selects the ``columns`` input metadata (all columns when absent), keeps the rows of
the upstream partition(s) the input depends on (the same filter a write of those partitions
replaces) and an optional row ``filter`` in PyIceberg's filter syntax (``"amount > 10"``), and
reads the table as of ``snapshot_id`` or ``as_of`` (a datetime, an ISO-8601 string or epoch
milliseconds: the snapshot current at that moment). The result is the annotated type:
``pyarrow.Table`` (default), ``pyarrow.RecordBatchReader`` or a pandas ``DataFrame``.

The data comes back as plain Arrow: the ``PARQUET:field_id`` metadata PyIceberg leaves on every
field (nested ones too) is removed, so that a transformed result (new, renamed or aggregated
columns next to loaded ones) is ordinary Arrow when it is written again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa
from pyiceberg import expressions as ice
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.expressions.parser import parse as parse_filter

from floe_dagster.catalog import column_kinds
from floe_dagster.errors import FloeDagsterError
from floe_dagster.naming import TableName
from floe_dagster.partitions import PartitionDimension, overwrite_filter, to_pyiceberg


@dataclass(frozen=True)
class ReadRequest:
    table: TableName
    columns: Sequence[str] | None = None
    partitions: Sequence[PartitionDimension] = ()
    row_filter: str | None = None
    snapshot_id: int | None = None
    as_of: datetime | None = None


FIELD_ID_KEYS = (b"PARQUET:field_id", b"field_id")


def plain_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` without field-id metadata at any level (other metadata kept)."""
    return pa.schema([_plain_field(f) for f in schema], metadata=schema.metadata)


def _plain_field(field: pa.Field) -> pa.Field:
    metadata = {k: v for k, v in (field.metadata or {}).items() if k not in FIELD_ID_KEYS}
    return pa.field(field.name, _plain_type(field.type), field.nullable, metadata or None)


def _plain_type(type_: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(type_):
        return pa.struct([_plain_field(type_.field(i)) for i in range(type_.num_fields)])
    if pa.types.is_map(type_):
        return pa.map_(_plain_field(type_.key_field), _plain_field(type_.item_field), type_.keys_sorted)
    if pa.types.is_large_list(type_):
        return pa.large_list(_plain_field(type_.value_field))
    if pa.types.is_fixed_size_list(type_):
        return pa.list_(_plain_field(type_.value_field), type_.list_size)
    if pa.types.is_list(type_):
        return pa.list_(_plain_field(type_.value_field))
    return type_


def without_field_ids(reader: pa.RecordBatchReader) -> pa.RecordBatchReader:
    """The same batches under the plain schema (the column buffers are shared, not copied)."""
    schema = plain_schema(reader.schema)
    return pa.RecordBatchReader.from_batches(
        schema, (pa.RecordBatch.from_arrays(batch.columns, schema=schema) for batch in reader)
    )


def parse_as_of(value: object, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, timezone.utc)
    if isinstance(value, str):
        try:
            # Python 3.10's fromisoformat does not read a trailing 'Z'.
            text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
            return parse_as_of(datetime.fromisoformat(text), where)
        except ValueError:
            pass
    raise FloeDagsterError(
        "invalid-metadata",
        f"{where}: as_of={value!r} is not a time: give a datetime, an ISO-8601 string or epoch milliseconds",
    )


def parse_snapshot_id(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise FloeDagsterError(
        "invalid-metadata", f"{where}: snapshot_id={value!r} is not a snapshot id (an integer or decimal string)"
    )


def scan_table(catalog: Catalog, request: ReadRequest, where: str) -> pa.RecordBatchReader:
    """The scan as a plain-Arrow record batch reader (callers collect it as the annotated type)."""
    try:
        table = catalog.load_table((*request.table.namespace, request.table.name))
    except NoSuchTableError:
        raise FloeDagsterError(
            "table-missing",
            f"{where}: table {request.table.dotted} does not exist: materialize the upstream asset first",
            context={"table": request.table.dotted},
        ) from None
    snapshot_id = request.snapshot_id
    if request.as_of is not None:
        millis = int(request.as_of.timestamp() * 1000)
        snapshot = table.snapshot_as_of_timestamp(millis)
        if snapshot is None:
            raise FloeDagsterError(
                "invalid-metadata",
                f"{where}: table {request.table.dotted} has no snapshot at or before {request.as_of.isoformat()}",
                context={"table": request.table.dotted},
            )
        snapshot_id = snapshot.snapshot_id
    elif snapshot_id is not None and table.snapshot_by_id(snapshot_id) is None:
        raise FloeDagsterError(
            "invalid-metadata",
            f"{where}: table {request.table.dotted} has no snapshot {snapshot_id} (it may have been expired)",
            context={"table": request.table.dotted},
        )
    condition: ice.BooleanExpression = ice.AlwaysTrue()
    if request.partitions:
        condition = to_pyiceberg(overwrite_filter(request.partitions, column_kinds(table)))
    if request.row_filter:
        try:
            condition = ice.And(condition, parse_filter(request.row_filter))
        except Exception as error:
            raise FloeDagsterError(
                "invalid-metadata",
                f"{where}: filter {request.row_filter!r} is not a PyIceberg row filter ({error})",
            ) from error
    selected = tuple(request.columns) if request.columns else ("*",)
    if request.columns:
        known = set(table.schema().column_names)
        missing = [c for c in request.columns if c not in known]
        if missing:
            raise FloeDagsterError(
                "invalid-metadata",
                f"{where}: columns {missing} are not in table {request.table.dotted} "
                f"(columns: {', '.join(table.schema().column_names)})",
            )
    scan = table.scan(row_filter=condition, selected_fields=selected, snapshot_id=snapshot_id)
    return without_field_ids(scan.to_arrow_batch_reader())
