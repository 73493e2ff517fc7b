"""Staging memory does not grow with the output: peak RSS for 24 MiB and 192 MiB outputs.

Each size runs in a fresh process (peak RSS is per process) that stages a lazily generated
RecordBatchReader into the stack's real S3 in 4 MiB parts. Eight times the data may cost a
few MiB of allocator noise, never anything near the 168 MiB difference in output size.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.fleet import Fleet

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def staging_peak(fleet: Fleet, total_mib: int) -> dict[str, int]:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.support.stage_memory", str(fleet.artifacts), str(total_mib), "4"],
        cwd=PACKAGE_ROOT,
        env={**os.environ, **fleet.env, "PYTHONPATH": str(PACKAGE_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result: dict[str, int] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_peak_memory_of_staging_does_not_grow_with_the_output(fleet: Fleet) -> None:
    small = staging_peak(fleet, 24)
    large = staging_peak(fleet, 192)
    assert small["rows"] == 24 * 65_536 and large["rows"] == 192 * 65_536
    assert large["parts"] >= 40  # ~4 MiB parts: the output really was split
    growth_mib = (large["peak_rss_kib"] - small["peak_rss_kib"]) / 1024
    assert growth_mib < 48, f"peak RSS grew by {growth_mib:.0f} MiB for 168 MiB more output"
