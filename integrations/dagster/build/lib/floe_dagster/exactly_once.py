"""The exactly-once window, mirrored from ``@floe/jobs`` (``libs/jobs/src/exactly-once.ts``).

One definition for every part that keeps a write job from landing twice: producer enqueue
dedup, the writer's marker search, expiry's pending-job guard and this integration's search for
an earlier commit of the same key. A test checks that both files carry the same values.
"""

EXACTLY_ONCE_WINDOW_MS = 24 * 60 * 60 * 1000
"""How long after enqueue a job's idempotency key is guaranteed to commit at most once."""

MARKER_CLOCK_SKEW_MS = 10 * 60 * 1000
"""Marker searches start this much before enqueue: producers, workers and catalog clocks differ."""


def marker_search_start_ms(enqueued_at_ms: int) -> int:
    """The oldest snapshot timestamp (ms) that can hold the marker of a job enqueued then."""
    return enqueued_at_ms - MARKER_CLOCK_SKEW_MS
