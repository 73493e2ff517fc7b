"""Dagster partitions as Iceberg row filters and partition specs: pure functions, no IO.

A materialization of a partitioned asset replaces exactly the rows its partition(s) own:
- a time window (hourly, daily, weekly, monthly or any cron cadence) owns the rows whose
  ``partition_expr`` column lies in ``[start, end)``; a run over a range of windows owns the
  whole range, replaced in one job;
- a static partition owns the rows whose column equals the key (``in`` for several keys);
- a multi-partition combines its dimensions with ``and``.

The filters are Iceberg REST expression JSON (the job's ``overwriteFilter``), with literals in
the single-value forms the writer binds (libs/iceberg bind-literal): ``2024-01-02`` for date
columns, ``2024-01-02T00:00:00`` (wall time in the window's timezone) for timestamp columns,
``2024-01-02T00:00:00+00:00`` (UTC) for timestamptz columns. A missing table is created with a
matching spec: ``hour``/``day``/``month``/``year`` by the window's length, ``identity`` for
static keys. The same filter drives ``load_input`` through :func:`to_pyiceberg`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pyiceberg import expressions as ice

from floe_dagster.errors import FloeDagsterError

ExpressionJson = dict[str, object] | bool
ColumnKind = str  # 'timestamptz' | 'timestamp' | 'date' | 'string' | other Iceberg primitive names


@dataclass(frozen=True)
class TimeSlice:
    """The union ``[start, end)`` of the run's windows; ``window`` is one window's length."""

    start: datetime
    end: datetime
    window: timedelta
    keys: tuple[str, ...]
    key_windows: tuple[tuple[str, datetime, datetime], ...] = ()
    """Each key with its own ``[start, end)`` (cron windows differ in length)."""


@dataclass(frozen=True)
class StaticSlice:
    keys: tuple[str, ...]


@dataclass(frozen=True)
class PartitionDimension:
    """One partition dimension of an output: the column it maps to and the slice it covers."""

    name: str
    column: str
    slice: TimeSlice | StaticSlice


def transform_for(dimension: PartitionDimension, column_kind: ColumnKind | None) -> str:
    """The Iceberg transform a created table partitions this dimension's column by."""
    if isinstance(dimension.slice, StaticSlice):
        return "identity"
    if column_kind not in (None, "timestamp", "timestamptz", "date"):
        return "identity"
    window = dimension.slice.window
    if window <= timedelta(hours=1) and column_kind != "date":
        return "hour"
    if window < timedelta(days=28):
        return "day"
    return "month" if window < timedelta(days=365) else "year"


def partition_spec(
    dimensions: Sequence[PartitionDimension], column_kinds: Mapping[str, ColumnKind]
) -> list[dict[str, str]]:
    return [{"source": d.column, "transform": transform_for(d, column_kinds.get(d.column))} for d in dimensions]


def overwrite_filter(
    dimensions: Sequence[PartitionDimension], column_kinds: Mapping[str, ColumnKind]
) -> ExpressionJson:
    """The rows the partitions own, as REST expression JSON (``and`` across dimensions)."""
    parts = [_dimension_filter(d, column_kinds.get(d.column)) for d in dimensions]
    if not parts:
        return True
    combined = parts[0]
    for part in parts[1:]:
        combined = {"type": "and", "left": combined, "right": part}
    return combined


def _dimension_filter(dimension: PartitionDimension, kind: ColumnKind | None) -> ExpressionJson:
    chosen = dimension.slice
    if isinstance(chosen, StaticSlice):
        if len(chosen.keys) == 1:
            return {"type": "eq", "term": dimension.column, "value": chosen.keys[0]}
        return {"type": "in", "term": dimension.column, "values": list(chosen.keys)}
    if kind == "string":
        return {"type": "in", "term": dimension.column, "values": list(chosen.keys)}
    if kind not in ("timestamp", "timestamptz", "date"):
        raise FloeDagsterError(
            "invalid-metadata",
            f"partition column '{dimension.column}' is of type {kind}; a time-window partition needs a "
            "timestamp, timestamptz, date or string column: point partition_expr at one",
            context={"column": dimension.column, "type": str(kind)},
        )
    low = {"type": "gt-eq", "term": dimension.column, "value": time_literal(chosen.start, kind, rounding="down")}
    high = {"type": "lt", "term": dimension.column, "value": time_literal(chosen.end, kind, rounding="up")}
    return {"type": "and", "left": low, "right": high}


def time_literal(moment: datetime, kind: ColumnKind, rounding: str = "down") -> str:
    """``moment`` as the writer's literal for a column of ``kind`` (see the module docstring)."""
    if kind == "timestamptz":
        utc = moment.astimezone(timezone.utc) if moment.tzinfo is not None else moment
        return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "+00:00"
    if kind == "timestamp":
        return moment.replace(tzinfo=None).isoformat(timespec="microseconds")
    day = moment.date()
    at_midnight = moment.time() == datetime.min.time()
    if rounding == "up" and not at_midnight:
        day = day + timedelta(days=1)
    return day.isoformat()


def to_pyiceberg(expression: ExpressionJson) -> ice.BooleanExpression:
    """The same filter as a PyIceberg expression, for scans (only the shapes built here)."""
    if isinstance(expression, bool):
        return ice.AlwaysTrue() if expression else ice.AlwaysFalse()
    kind = expression["type"]
    if kind in ("and", "or"):
        left = to_pyiceberg(expression["left"])  # type: ignore[arg-type]
        right = to_pyiceberg(expression["right"])  # type: ignore[arg-type]
        return ice.And(left, right) if kind == "and" else ice.Or(left, right)
    term = str(expression["term"])
    if kind == "in":
        return ice.In(term, tuple(expression["values"]))  # type: ignore[arg-type]
    value = expression["value"]
    builders = {"eq": ice.EqualTo, "gt-eq": ice.GreaterThanOrEqual, "lt": ice.LessThan}
    if kind not in builders:
        raise ValueError(f"unsupported expression type {kind!r}")
    return builders[kind](term, value)  # type: ignore[arg-type]
