"""Rows per partition key, counted in the column's own type the way the overwrite filter reads it."""

from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
from floe_dagster.partition_counts import PartitionRowCounter
from floe_dagster.partitions import PartitionDimension, StaticSlice, TimeSlice

UTC = timezone.utc


def days(*keys: str) -> TimeSlice:
    windows = tuple(
        (
            k,
            datetime.fromisoformat(k).replace(tzinfo=UTC),
            datetime.fromisoformat(k).replace(tzinfo=UTC) + timedelta(days=1),
        )
        for k in keys
    )
    return TimeSlice(windows[0][1], windows[-1][2], timedelta(days=1), keys, windows)


def test_daily_keys_over_timestamptz_and_date_columns_count_their_own_rows_at_the_edges() -> None:
    stamps = [
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 1, 2, tzinfo=UTC),
        datetime(2024, 1, 4, tzinfo=UTC),
        None,
    ]
    batch = pa.record_batch(
        {
            "ts": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "day": pa.array([s.date() if s else None for s in stamps], pa.date32()),
        }
    )
    for column in ("ts", "day"):
        dimension = PartitionDimension("default", column, days("2024-01-01", "2024-01-02", "2024-01-03"))
        counter = PartitionRowCounter([dimension], {k: {"default": k} for k in dimension.slice.keys})  # type: ignore[union-attr]
        list(counter.through(iter([batch, batch])))
        assert counter.counts == {"2024-01-01": 4, "2024-01-02": 2, "2024-01-03": 0}


def test_static_keys_and_multi_partition_cells_count_each_combination() -> None:
    batch = pa.record_batch(
        {
            "day": pa.array([date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 2)], pa.date32()),
            "region": ["eu", "us", "eu"],
            "shard": pa.array([1, 2, 1], pa.int64()),
        }
    )
    time = PartitionDimension("date", "day", days("2024-01-01", "2024-01-02"))
    region = PartitionDimension("region", "region", StaticSlice(("eu", "us")))
    cells = {f"{d}|{r}": {"date": d, "region": r} for d in ("2024-01-01", "2024-01-02") for r in ("eu", "us")}
    counter = PartitionRowCounter([time, region], cells)
    counter.count(batch)
    assert counter.counts == {"2024-01-01|eu": 1, "2024-01-01|us": 1, "2024-01-02|eu": 1, "2024-01-02|us": 0}

    # a static key over an integer column compares as that column's type
    shard = PartitionDimension("default", "shard", StaticSlice(("1", "2")))
    counter = PartitionRowCounter([shard], {"1": {"default": "1"}, "2": {"default": "2"}})
    counter.count(batch)
    assert counter.counts == {"1": 2, "2": 1}
