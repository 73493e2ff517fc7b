"""Session fixtures: one real writer fleet on the local stack for every IOManager test.

The fleet (tests/support/fleet.py) gets its own queue and staging prefix; its two writer
processes are stopped when the session ends, also after failures. ``namespace`` is unique per
session so tables from earlier runs never interfere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from floe_dagster import FloeIcebergIOManager
from pyiceberg.catalog.rest import RestCatalog
from tests.support.fleet import Fleet, create_fleet
from tests.support.judge import judge_catalog
from tests.support.scoped_env import scoped_env


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    created = create_fleet(Path(tmp_path_factory.mktemp("fleet")), "dg")
    # The IOManager resolves the artifacts' ${env:…} references from this process's environment.
    with scoped_env(created.env):
        try:
            created.start_worker()
            created.start_worker()
            yield created
        finally:
            created.stop_workers()


@pytest.fixture(scope="session")
def namespace(fleet: Fleet) -> str:
    return f"dg_{fleet.run.replace('-', '_')}"


@pytest.fixture(scope="session")
def judge(fleet: Fleet) -> RestCatalog:
    return judge_catalog(fleet.stack)


@pytest.fixture
def io_manager(fleet: Fleet) -> FloeIcebergIOManager:
    return FloeIcebergIOManager(artifacts_path=str(fleet.artifacts), result_timeout_seconds=120)
