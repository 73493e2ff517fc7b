"""Runs a snippet of floe's TypeScript (ES module) with Node 24 from the repository root.

Cross-language tests use it to ask libs/* what they produce (compiled artifacts, staging keys)
instead of restating it in Python.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from floe_dagster import CompiledArtifacts, parse_artifacts
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


def compiled_by_floe(path: Path, env: dict[str, str]) -> CompiledArtifacts:
    """What libs/config's compiler makes of the floe.yaml at ``path``, loaded by floe_dagster."""
    script = (
        "import { readFileSync } from 'node:fs';"
        "import { compileConfig, serializeCompiledArtifacts } from '@floe/config';"
        f"const env = {json.dumps(env)};"
        f"const text = readFileSync({json.dumps(str(path))}, 'utf8');"
        "process.stdout.write(serializeCompiledArtifacts(compileConfig(text, env)));"
    )
    return parse_artifacts(json.loads(run_node_module(script)), env, str(path))
