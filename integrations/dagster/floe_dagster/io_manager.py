"""``FloeIcebergIOManager``: Dagster outputs written by the floe fleet, inputs read with PyIceberg.

``handle_output`` never writes table files from the Dagster process: it stages the output in
S3 (or the local staging folder) and hands a write job to the fleet's writer workers (fleet_writer.py), then records the
commit on the materialization. ``load_input`` reads the upstream table with PyIceberg
(reading.py). Metadata it understands:

- asset definition metadata: ``table`` (``"ns.name"``) or ``namespace`` / ``table_name``;
  ``write_mode`` (``append`` for unpartitioned assets by default, ``overwrite``; partitioned
  assets replace their partitions unless ``append`` is set; ``upsert`` replaces the table's rows
  with the same key, with ``upsert_keys`` (a list of columns) or the table's identifier fields
  as the key, and refuses an output that repeats a key); ``schema_evolution``
  (``add-columns`` default, ``strict``); ``partition_expr`` (the column, or per-dimension
  mapping, a partition key maps to).
- input metadata: ``columns``, ``filter``, ``snapshot_id``, ``as_of`` (and ``partition_expr``
  when the upstream asset's definition does not carry it, e.g. an ``AssetSpec``).
"""

from __future__ import annotations

from typing import Literal, cast

import pyarrow as pa
from dagster import ConfigurableIOManager, DagsterInvariantViolationError, InputContext, OutputContext
from pydantic import Field
from pyiceberg.table import Table

from floe_dagster.artifacts import CompiledArtifacts, load_artifacts
from floe_dagster.catalog import catalog_from_artifacts, load_table_or_none
from floe_dagster.dagster_partitions import covered_dimensions, partition_cells
from floe_dagster.errors import FloeDagsterError
from floe_dagster.fleet_queue import JobOptions
from floe_dagster.fleet_writer import FleetWriter, OutputWrite, StagingLimits
from floe_dagster.floe_yaml import load_floe_yaml
from floe_dagster.materialization import output_metadata, partition_metadata
from floe_dagster.naming import TableName, idempotency_key, table_for_asset
from floe_dagster.outputs import arrow_source
from floe_dagster.reading import ReadRequest, parse_as_of, parse_snapshot_id, scan_table

MiB = 1024 * 1024


def _choice(metadata: dict[str, object], name: str, allowed: tuple[str, ...], default: str, where: str) -> str:
    value = metadata.get(name, default)
    if value not in allowed:
        raise FloeDagsterError(
            "invalid-metadata",
            f"{where}: metadata {name}={value!r} is not one of {', '.join(allowed)}",
            context={"field": name},
        )
    return cast(str, value)


def _root_run_id(context: OutputContext) -> str:
    """The root run's id: re-executions of a run share it, so they share idempotency keys."""
    try:
        run = context.step_context.dagster_run
    except Exception:  # contexts built outside a run (build_output_context) have no step context
        return context.run_id
    return run.root_run_id or run.run_id


def _root_run_start_ms(context: OutputContext, root_run_id: str) -> int | None:
    """When the root run was created (epoch ms): no job of its keys can be older."""
    try:
        record = context.step_context.instance.get_run_record_by_id(root_run_id)
    except Exception:  # no step context, or an instance that cannot say
        return None
    if record is None:
        return None
    return int(record.create_timestamp.timestamp() * 1000)


def _add_partition_metadata(context: OutputContext, partition_key: str, values: dict[str, object]) -> None:
    """Metadata of one partition's materialization in a run over several (Dagster merges it over
    the output's metadata for that partition's event)."""
    try:
        step = context.step_context
    except Exception:  # contexts built outside a run have no step context and no per-partition events
        return
    step.add_asset_metadata(values, asset_key=context.asset_key, partition_key=partition_key)


def _input_name(context: InputContext) -> str:
    """The input's name and a space, or nothing: contexts from build_input_context may have none."""
    try:
        return f"{context.name} " if context.name else ""
    except DagsterInvariantViolationError:
        return ""


class FloeIcebergIOManager(ConfigurableIOManager):  # type: ignore[misc]
    """Writes asset outputs to Iceberg through the floe writer fleet; reads them with PyIceberg."""

    config_path: str | None = Field(
        default=None,
        description="The floe.yaml the writers read (`--config`): when set, the IOManager reads it directly "
        "(catalog, storage and queue sections) and artifacts_path is not used, so both sides share one file.",
    )
    artifacts_path: str = Field(
        default="floe.compiled.json",
        description="CompiledArtifacts file written by `npm run floe -- compile` (used when config_path is "
        "not set; start the writers with `--artifacts` on the same file).",
    )
    default_namespace: str | None = Field(default=None, description="Namespace for assets whose key has a single part.")
    part_bytes: int = Field(default=64 * MiB, description="Target size of one staged Arrow IPC object.")
    part_rows: int = Field(default=1_000_000, description="Most rows in one staged object.")
    result_timeout_seconds: float = Field(
        default=600.0,
        description="How long handle_output waits for the writer's result. On timeout a job no writer has "
        "taken is removed (nothing is written); one already running is reported as such.",
    )
    progress_log_seconds: float = Field(
        default=15.0, description="While waiting, log the job's id, queue and state this often."
    )
    job_attempts: int = Field(default=10, description="Delivery attempts of a write job (retryable failures).")

    # -- output ---------------------------------------------------------------------------------

    def handle_output(self, context: OutputContext, obj: object) -> None:
        if obj is None:
            return  # a Nothing/None output stores nothing
        asset_path = tuple(context.asset_key.path)
        where = f"asset {'/'.join(asset_path)}"
        metadata = dict(context.definition_metadata or {})
        table = table_for_asset(asset_path, metadata, self.default_namespace)
        source = arrow_source(obj, where)
        dimensions = covered_dimensions(context, metadata.get("partition_expr"), where)
        default_mode = "overwrite" if dimensions else "append"
        mode = _choice(metadata, "write_mode", ("append", "overwrite", "upsert"), default_mode, where)
        keys = metadata.get("upsert_keys")
        if keys is not None and (
            mode != "upsert"
            or not isinstance(keys, (list, tuple))
            or not keys
            or not all(isinstance(k, str) and k for k in keys)
        ):
            raise FloeDagsterError(
                "invalid-metadata",
                f"{where}: upsert_keys must be a non-empty list of column names, with write_mode upsert",
                context={"field": "upsert_keys"},
            )
        evolution = _choice(metadata, "schema_evolution", ("add-columns", "strict"), "add-columns", where)
        partition_keys = [str(k) for k in context.asset_partition_keys] if context.has_asset_partitions else []
        root_run_id = _root_run_id(context)
        output = OutputWrite(
            table=table,
            mode=cast(Literal["append", "overwrite", "upsert"], mode),
            schema_evolution=cast(Literal["add-columns", "strict"], evolution),
            dimensions=dimensions,
            idempotency_key=idempotency_key(root_run_id, context.step_key, asset_path, partition_keys),
            snapshot_properties={
                "dagster.run-id": context.run_id,
                "dagster.root-run-id": root_run_id,
                "dagster.asset-key": "/".join(asset_path),
                **({"dagster.partition-keys": _keys_summary(partition_keys)} if partition_keys else {}),
            },
            partition_cells=partition_cells(context),
            earliest_enqueue_ms=_root_run_start_ms(context, root_run_id),
            keys=list(keys) if keys is not None else None,
        )
        outcome = self._writer().write(output, source, context.log)
        committed = self._committed_table(table, context)
        context.add_output_metadata(output_metadata(table, outcome, committed, partition_keys))
        for partition_key, values in partition_metadata(outcome, partition_keys).items():
            _add_partition_metadata(context, partition_key, values)

    # -- input ----------------------------------------------------------------------------------

    def load_input(self, context: InputContext) -> object:
        asset_path = tuple(context.asset_key.path)
        where = f"input {_input_name(context)}(asset {'/'.join(asset_path)})"
        upstream = dict(context.upstream_output.definition_metadata or {}) if context.upstream_output else {}
        table: TableName = table_for_asset(asset_path, upstream, self.default_namespace)
        own = dict(context.definition_metadata or {})
        columns = own.get("columns")
        if columns is not None and (
            not isinstance(columns, (list, tuple)) or not all(isinstance(c, str) for c in columns)
        ):
            raise FloeDagsterError("invalid-metadata", f"{where}: columns must be a list of column names")
        row_filter = own.get("filter")
        if row_filter is not None and not isinstance(row_filter, str):
            raise FloeDagsterError("invalid-metadata", f'{where}: filter must be a string such as "amount > 10"')
        snapshot_id = parse_snapshot_id(own.get("snapshot_id"), where)
        as_of = parse_as_of(own.get("as_of"), where)
        if snapshot_id is not None and as_of is not None:
            raise FloeDagsterError("invalid-metadata", f"{where}: give snapshot_id or as_of, not both")
        partition_expr = own.get("partition_expr", upstream.get("partition_expr"))
        partitions = covered_dimensions(context, partition_expr, where)
        request = ReadRequest(
            table=table,
            columns=list(columns) if columns is not None else None,
            partitions=partitions,
            row_filter=row_filter,
            snapshot_id=snapshot_id,
            as_of=as_of,
        )
        catalog = catalog_from_artifacts(self._artifacts())
        reader = scan_table(catalog, request, where)
        wanted = context.dagster_type.typing_type if context.dagster_type is not None else None
        if wanted is pa.RecordBatchReader:
            return reader
        data = reader.read_all()
        if getattr(wanted, "__module__", "").startswith("pandas") and getattr(wanted, "__name__", "") == "DataFrame":
            return data.to_pandas()
        return data

    # -- helpers --------------------------------------------------------------------------------

    def _artifacts(self) -> CompiledArtifacts:
        """Read on every use: an edited floe.yaml (or a recompiled file) takes effect at once."""
        if self.config_path is not None:
            return load_floe_yaml(self.config_path)
        return load_artifacts(self.artifacts_path)

    def _committed_table(self, table: TableName, context: OutputContext) -> Table | None:
        """The table after the commit, for its columns and location (metadata only: best effort)."""
        try:
            return load_table_or_none(catalog_from_artifacts(self._artifacts()), table)
        except Exception as error:  # the write is committed; missing metadata must not fail the step
            context.log.warning(f"floe: could not read {table.dotted} back for its column metadata ({error})")
            return None

    def _writer(self) -> FleetWriter:
        return FleetWriter(
            self._artifacts(),
            StagingLimits(part_bytes=self.part_bytes, part_rows=self.part_rows),
            self.result_timeout_seconds,
            JobOptions(attempts=self.job_attempts),
            self.progress_log_seconds,
        )


def _keys_summary(keys: list[str]) -> str:
    return keys[0] if len(keys) == 1 else f"{keys[0]}..{keys[-1]} ({len(keys)} keys)"
