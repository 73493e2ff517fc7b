"""The README's quickstart, run as written against the local stack.

The ``floe.yaml``, ``definitions.py`` and ``dagster asset materialize`` commands are extracted
from README.md (the blocks after ``<!-- quickstart: … -->`` markers), never copied here. The
environment is what ``npm run stack:env`` prints (the README has the reader ``eval`` it); the
file is checked with the real compiler and a real writer process reads it, as steps 3 says.
The Dagster side is a fresh virtualenv into which the package is ``pip install``-ed from
``integrations/dagster``; its dependencies come from the stack's venv (a ``.pth`` layer) instead
of a download of a few hundred MB, so the test proves the package installs and runs, while the
pinned dependency set is the stack's. PyIceberg then judges the tables, and the CLI's Dagster
instance shows each partition's own row count.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, DagsterInstance
from pyiceberg.catalog.rest import RestCatalog
from tests.support.fleet import REPO_ROOT, Fleet, node_binary
from tests.support.readme import write_quickstart_project


def stack_exports() -> dict[str, str]:
    """What `npm run --silent stack:env` prints, as the README's `eval` would set it."""
    printed = subprocess.run(
        [node_binary(), "infra/local/stack.ts", "env"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    exports = {}
    for line in printed.splitlines():
        if line.startswith("export "):
            [(name, value)] = [shlex.split(line.removeprefix("export "))[0].split("=", 1)]
            exports[name] = value
    assert "FLOE_CATALOG_URI" in exports, printed
    return exports


def fresh_venv(where: Path) -> Path:
    """A new virtualenv with floe-dagster pip-installed; dependencies layered from the stack's venv."""
    # pip comes from the stack's venv (`pip --python`): seeding the new venv with its own pip
    # would only cost time.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, capture_output=True)
    python = where / "bin" / "python"
    stack_site = subprocess.run(
        [sys.executable, "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    own_site = subprocess.run(
        [str(python), "-c", "import site; print(site.getsitepackages()[0])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    Path(own_site, "stack-venv.pth").write_text(stack_site + "\n", encoding="utf-8")
    # A copy of the package: building in place would leave build/ and *.egg-info in the checkout.
    package = where.parent / "floe-dagster-src"
    shutil.copytree(
        REPO_ROOT / "integrations" / "dagster",
        package,
        ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__", "docs", "scripts"),
    )
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(package),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, f"pip install failed:\n{installed.stdout}\n{installed.stderr}"
    return python


def test_the_readme_quickstart_runs_as_written(tmp_path: Path, judge: RestCatalog) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(stack_exports())
    home = tmp_path / "dagster-home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env["DAGSTER_HOME"] = str(home)
    project = tmp_path / "project"
    blocks = write_quickstart_project(project)
    config = project / "floe.yaml"

    compiled = subprocess.run(
        [node_binary(), "apps/cli/src/main.ts", "compile", "--config", str(config), "--out", str(project / "c.json")],
        cwd=REPO_ROOT,
        env={**env, "NODE_NO_WARNINGS": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr

    python = fresh_venv(tmp_path / "venv")
    located = subprocess.run(
        [str(python), "-c", "import floe_dagster; print(floe_dagster.__file__)"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert located.stdout.startswith(str(tmp_path / "venv")), located.stdout

    writers = Fleet("quickstart", tmp_path, config, project / "c.json", env, {})
    try:
        writers.start_worker()
        for line in blocks["materialize"].strip().splitlines():
            command = shlex.split(line)
            assert command[0] == "dagster", line
            ran = subprocess.run(
                [str(python), "-m", "dagster", *command[1:]],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert ran.returncode == 0, f"{line}\n{ran.stdout[-3000:]}\n{ran.stderr[-3000:]}"
    finally:
        writers.stop_workers()

    orders = judge.load_table(("quickstart", "orders")).scan().to_arrow().to_pylist()
    days = {row["ordered_at"].date().isoformat() for row in orders}
    assert {"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"} <= days
    for day in ("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"):
        assert sorted(r["country"] for r in orders if r["ordered_at"].date().isoformat() == day) == ["NL", "US", "US"]
    expected: dict[str, tuple[int, float]] = {}
    for row in orders:
        count, revenue = expected.get(row["country"], (0, 0.0))
        expected[row["country"]] = (count + 1, revenue + row["amount"])
    by_country = judge.load_table(("quickstart", "orders_by_country")).scan().to_arrow().to_pylist()
    assert {row["country"]: (row["orders"], row["revenue"]) for row in by_country} == expected

    with DagsterInstance.from_config(str(home)) as instance:
        records = instance.fetch_materializations(AssetKey(["quickstart", "orders"]), limit=10).records
        per_partition = {
            r.asset_materialization.partition: r.asset_materialization.metadata["dagster/row_count"].value
            for r in records
            if r.asset_materialization is not None
        }
    assert per_partition == {"2024-01-01": 3, "2024-01-02": 3, "2024-01-03": 3, "2024-01-04": 3}
