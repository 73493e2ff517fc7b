"""Reads the partition(s) an output or input covers from Dagster's context.

Turns ``context.asset_partitions_def`` and the covered partition keys into
:class:`~floe_dagster.partitions.PartitionDimension` values, pairing each dimension with the
column named by the ``partition_expr`` metadata: a string for single-dimension assets, a
mapping ``{dimension name: column}`` for multi-partitioned ones. Kept apart from
``partitions.py`` so the filter logic stays testable without Dagster contexts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise, product

from dagster import (
    InputContext,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    OutputContext,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from floe_dagster.errors import FloeDagsterError
from floe_dagster.partitions import PartitionDimension, StaticSlice, TimeSlice


def covered_dimensions(
    context: OutputContext | InputContext, partition_expr: object, where: str
) -> list[PartitionDimension]:
    """The dimensions the context's partition keys cover; ``[]`` for unpartitioned assets."""
    if not context.has_asset_partitions:
        return []
    definition = context.asset_partitions_def
    keys = list(context.asset_partition_keys)
    return dimensions_for(definition, keys, partition_expr, where)


def dimensions_for(
    definition: PartitionsDefinition, keys: Sequence[str], partition_expr: object, where: str
) -> list[PartitionDimension]:
    if not keys:
        return []
    if isinstance(definition, MultiPartitionsDefinition):
        columns = _multi_columns(definition, partition_expr, where)
        per_dimension: dict[str, list[str]] = {d.name: [] for d in definition.partitions_defs}
        for key in keys:
            by_dimension = (
                key.keys_by_dimension
                if isinstance(key, MultiPartitionKey)
                else definition.get_partition_key_from_str(key).keys_by_dimension
            )
            for name, value in by_dimension.items():
                if value not in per_dimension[name]:
                    per_dimension[name].append(value)
        # One overwrite filter is a conjunction per dimension: it covers the cartesian product.
        if len(list(product(*per_dimension.values()))) != len(set(keys)):
            raise FloeDagsterError(
                "invalid-output",
                f"{where}: the run covers {len(set(keys))} multi-partition keys that do not form a full "
                "grid of the dimensions' keys; materialize them in separate runs",
                context={"keys": len(set(keys))},
            )
        return [
            _dimension(d.name, d.partitions_def, per_dimension[d.name], columns[d.name], where)
            for d in definition.partitions_defs
        ]
    if not isinstance(partition_expr, str) or partition_expr == "":
        raise FloeDagsterError(
            "invalid-metadata",
            f"{where} is partitioned but has no partition_expr: add metadata partition_expr='<column>' "
            "naming the column the partition key maps to",
            context={"where": where},
        )
    return [_dimension("default", definition, keys, partition_expr, where)]


def partition_cells(context: OutputContext) -> dict[str, dict[str, str]]:
    """Each partition key the output covers → its key in each dimension (``default`` when the
    asset has one dimension); ``{}`` for unpartitioned assets."""
    if not context.has_asset_partitions:
        return {}
    definition = context.asset_partitions_def
    cells: dict[str, dict[str, str]] = {}
    for key in context.asset_partition_keys:
        if isinstance(definition, MultiPartitionsDefinition):
            multi = key if isinstance(key, MultiPartitionKey) else definition.get_partition_key_from_str(key)
            cells[str(key)] = {str(name): str(value) for name, value in multi.keys_by_dimension.items()}
        else:
            cells[str(key)] = {"default": str(key)}
    return cells


def _multi_columns(definition: MultiPartitionsDefinition, partition_expr: object, where: str) -> dict[str, str]:
    names = [d.name for d in definition.partitions_defs]
    if not isinstance(partition_expr, Mapping) or sorted(partition_expr) != sorted(names):
        raise FloeDagsterError(
            "invalid-metadata",
            f"{where} has multi-partitions {names}: partition_expr must map each dimension to its column, "
            f"e.g. {{{', '.join(repr(n) + ': ' + repr('<column>') for n in names)}}}",
            context={"where": where},
        )
    return {str(name): str(column) for name, column in partition_expr.items()}


def _dimension(
    name: str, definition: PartitionsDefinition, keys: Sequence[str], column: str, where: str
) -> PartitionDimension:
    if isinstance(definition, TimeWindowPartitionsDefinition):
        windows = [definition.time_window_for_partition_key(key) for key in keys]
        starts: list[datetime] = [w.start for w in windows]
        ends: list[datetime] = [w.end for w in windows]
        ordered = sorted(keys, key=lambda k: definition.time_window_for_partition_key(k).start)
        # Several windows replace [first start, last end): they must be contiguous.
        covered = sorted(zip(starts, ends, strict=True))
        for (_, previous_end), (next_start, _) in pairwise(covered):
            if next_start != previous_end:
                raise FloeDagsterError(
                    "invalid-output",
                    f"{where}: the run's time partitions are not contiguous; one job replaces one range",
                    context={"where": where},
                )
        window = windows[0].end - windows[0].start
        own = {key: definition.time_window_for_partition_key(key) for key in ordered}
        key_windows = tuple((key, own[key].start, own[key].end) for key in ordered)
        return PartitionDimension(name, column, TimeSlice(min(starts), max(ends), window, tuple(ordered), key_windows))
    return PartitionDimension(name, column, StaticSlice(tuple(dict.fromkeys(keys))))
