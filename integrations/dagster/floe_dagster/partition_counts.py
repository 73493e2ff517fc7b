"""Rows per Dagster partition key of an output, counted while the output is staged.

A run over a range of partitions writes them in one job and one snapshot, so the writer's
result only knows the total. Dagster shows a row count per partition, so each batch is counted
on its way to staging: a row belongs to a key when, in every dimension, its ``partition_expr``
column lies in the key's time window (``[start, end)``, compared in the column's own type as
the overwrite filter does) or equals the key (static keys, and time keys on string columns).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.compute as pc

from floe_dagster.partitions import PartitionDimension, StaticSlice


def _equal(column: pa.Array, key: str) -> pa.Array:
    try:
        return pc.equal(column, pa.scalar(key).cast(column.type))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pc.equal(pc.cast(column, pa.string()), key)


def _bound(moment: datetime, column_type: pa.DataType, rounding: str) -> object:
    if pa.types.is_date(column_type):
        day: date = moment.date()
        if rounding == "up" and moment.time() != datetime.min.time():
            day = day + timedelta(days=1)
        return day
    if getattr(column_type, "tz", None):
        return moment.astimezone(timezone.utc) if moment.tzinfo is not None else moment
    return moment.replace(tzinfo=None)  # wall time in the window's timezone, as the filter says


def _within(column: pa.Array, start: datetime, end: datetime) -> pa.Array:
    low = pa.scalar(_bound(start, column.type, "down"), type=column.type)
    high = pa.scalar(_bound(end, column.type, "up"), type=column.type)
    return pc.and_(pc.greater_equal(column, low), pc.less(column, high))


class PartitionRowCounter:
    """Counts each partition key's rows in the batches it passes through."""

    def __init__(self, dimensions: Sequence[PartitionDimension], cells: Mapping[str, Mapping[str, str]]) -> None:
        self.dimensions = list(dimensions)
        self.cells = {key: dict(values) for key, values in cells.items()}
        self.counts: dict[str, int] = dict.fromkeys(self.cells, 0)

    def _mask(self, dimension: PartitionDimension, key: str, column: pa.Array) -> pa.Array:
        chosen = dimension.slice
        if isinstance(chosen, StaticSlice) or pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            return _equal(column, key)
        window = next((w for w in chosen.key_windows if w[0] == key), None)
        if window is None:
            return pa.array([False] * len(column))
        return _within(column, window[1], window[2])

    def count(self, batch: pa.RecordBatch) -> None:
        masks: dict[tuple[str, str], pa.Array] = {}
        for dimension in self.dimensions:
            column = batch.column(dimension.column)
            for values in self.cells.values():
                key = values[dimension.name]
                if (dimension.name, key) not in masks:
                    masks[(dimension.name, key)] = self._mask(dimension, key, column)
        for partition, values in self.cells.items():
            combined: pa.Array | None = None
            for dimension in self.dimensions:
                mask = masks[(dimension.name, values[dimension.name])]
                combined = mask if combined is None else pc.and_(combined, mask)
            if combined is not None:
                self.counts[partition] += int(pc.sum(pc.fill_null(combined, False)).as_py() or 0)

    def through(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            self.count(batch)
            yield batch
