"""Runs a snippet of floe's TypeScript (ES module) with Node 24 from the repository root.

Cross-language tests use it to ask libs/* what they produce (compiled artifacts, staging keys)
instead of restating it in Python.
"""

from __future__ import annotations

import os
import subprocess

from tests.support.fleet import REPO_ROOT, node_binary


def run_node_module(script: str) -> str:
    """stdout of ``node --input-type=module -e script``; fails the test with stderr otherwise."""
    completed = subprocess.run(
        [node_binary(), "--input-type=module", "-e", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    assert completed.returncode == 0, f"node failed: {completed.stderr[-2000:]}"
    return completed.stdout
