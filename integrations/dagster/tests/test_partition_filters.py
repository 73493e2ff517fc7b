"""Partition → overwrite filter and partition spec (pure functions, no Dagster run)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dagster import DailyPartitionsDefinition, MultiPartitionsDefinition, StaticPartitionsDefinition
from floe_dagster import FloeDagsterError
from floe_dagster.dagster_partitions import dimensions_for
from floe_dagster.partitions import (
    PartitionDimension,
    StaticSlice,
    TimeSlice,
    overwrite_filter,
    partition_spec,
    time_literal,
    to_pyiceberg,
    transform_for,
)
from pyiceberg import expressions as ice

BERLIN = ZoneInfo("Europe/Berlin")


def window(hours: float) -> PartitionDimension:
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    length = timedelta(hours=hours)
    return PartitionDimension("d", "ts", TimeSlice(start, start + length, length, ("k",)))


def test_literals_use_the_forms_the_writer_binds() -> None:
    midnight_berlin = datetime(2024, 3, 5, 0, 0, tzinfo=BERLIN)
    assert time_literal(midnight_berlin, "timestamptz") == "2024-03-04T23:00:00.000000+00:00"
    assert time_literal(midnight_berlin, "timestamp") == "2024-03-05T00:00:00.000000"
    assert time_literal(midnight_berlin, "date") == "2024-03-05"
    assert time_literal(datetime(2024, 3, 5, 6, tzinfo=timezone.utc), "date", rounding="up") == "2024-03-06"


def test_a_time_window_replaces_start_inclusive_to_end_exclusive() -> None:
    assert overwrite_filter([window(24)], {"ts": "timestamptz"}) == {
        "type": "and",
        "left": {"type": "gt-eq", "term": "ts", "value": "2024-01-01T00:00:00.000000+00:00"},
        "right": {"type": "lt", "term": "ts", "value": "2024-01-02T00:00:00.000000+00:00"},
    }


def test_static_keys_are_equality_or_in_and_dimensions_combine_with_and() -> None:
    region = PartitionDimension("region", "region", StaticSlice(("us",)))
    regions = PartitionDimension("region", "region", StaticSlice(("us", "eu")))
    assert overwrite_filter([region], {}) == {"type": "eq", "term": "region", "value": "us"}
    assert overwrite_filter([regions], {}) == {"type": "in", "term": "region", "values": ["us", "eu"]}
    combined = overwrite_filter([window(24), region], {"ts": "timestamp"})
    assert isinstance(combined, dict) and combined["type"] == "and"
    assert combined["right"] == {"type": "eq", "term": "region", "value": "us"}


def test_created_specs_follow_the_window_cadence() -> None:
    assert [transform_for(window(h), "timestamptz") for h in (0.25, 1, 6, 24, 24 * 7, 24 * 31, 24 * 366)] == [
        "hour",
        "hour",
        "day",
        "day",
        "day",
        "month",
        "year",
    ]
    assert transform_for(window(1), "date") == "day"
    assert transform_for(window(24), "string") == "identity"
    static = PartitionDimension("r", "region", StaticSlice(("us",)))
    assert partition_spec([window(24), static], {"ts": "timestamptz"}) == [
        {"source": "ts", "transform": "day"},
        {"source": "region", "transform": "identity"},
    ]


def test_a_range_of_daily_keys_becomes_one_window() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    [dimension] = dimensions_for(daily, ["2024-01-02", "2024-01-03", "2024-01-04"], "ts", "asset a")
    assert isinstance(dimension.slice, TimeSlice)
    assert dimension.slice.start == datetime(2024, 1, 2, tzinfo=timezone.utc)
    assert dimension.slice.end == datetime(2024, 1, 5, tzinfo=timezone.utc)


def test_gaps_and_partial_grids_are_refused_with_what_to_do() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    with pytest.raises(FloeDagsterError) as gap:
        dimensions_for(daily, ["2024-01-02", "2024-01-04"], "ts", "asset a")
    assert str(gap.value) == "asset a: the run's time partitions are not contiguous; one job replaces one range"
    multi = MultiPartitionsDefinition({"day": daily, "region": StaticPartitionsDefinition(["us", "eu"])})
    with pytest.raises(FloeDagsterError) as partial:
        dimensions_for(multi, ["2024-01-01|us", "2024-01-02|eu"], {"day": "ts", "region": "region"}, "asset m")
    assert "do not form a full grid of the dimensions' keys; materialize them in separate runs" in str(partial.value)


def test_the_same_filter_drives_pyiceberg_scans() -> None:
    expression = to_pyiceberg(overwrite_filter([window(24)], {"ts": "timestamptz"}))
    assert expression == ice.And(
        ice.GreaterThanOrEqual("ts", "2024-01-01T00:00:00.000000+00:00"),
        ice.LessThan("ts", "2024-01-02T00:00:00.000000+00:00"),
    )
    assert to_pyiceberg(True) == ice.AlwaysTrue()
    assert to_pyiceberg({"type": "in", "term": "r", "values": ["a", "b"]}) == ice.In("r", ("a", "b"))
