"""The marker search window: from the earliest possible enqueue less the clock skew, never
further back than the exactly-once window (exactly_once.py, mirrored from @floe/jobs)."""

from floe_dagster.catalog import marker_search_start
from floe_dagster.exactly_once import EXACTLY_ONCE_WINDOW_MS, MARKER_CLOCK_SKEW_MS

NOW = 1_800_000_000_000


def test_starts_at_the_root_runs_start_less_the_skew() -> None:
    started = NOW - 3_600_000
    assert marker_search_start(started, NOW) == started - MARKER_CLOCK_SKEW_MS


def test_never_reaches_back_past_the_exactly_once_window() -> None:
    long_ago = NOW - 3 * EXACTLY_ONCE_WINDOW_MS
    expected = NOW - EXACTLY_ONCE_WINDOW_MS - MARKER_CLOCK_SKEW_MS
    assert marker_search_start(long_ago, NOW) == expected
    assert marker_search_start(None, NOW) == expected
