"""A step interrupted while it waits (Dagster run killed) takes its job back.

Dagster stops a step by raising an interrupt in it (``DagsterExecutionInterruptedError``; a
``KeyboardInterrupt`` outside runs). The IOManager removes its job if no writer has taken it,
deletes the staged parts, logs what it did and lets the interrupt through: a writer that starts
later never writes those rows.
"""

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pyarrow as pa
import pytest
from dagster import AssetKey, build_output_context
from floe_dagster import FloeIcebergIOManager, load_artifacts
from floe_dagster.fleet_queue import WriteQueue
from tests.support.fleet import Fleet, create_fleet
from tests.support.scoped_env import scoped_env


class InterruptingLog:
    """Records the step's log lines; the first progress line of the wait interrupts the step,
    the way Dagster's interrupt arrives in the middle of the wait."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, msg: str) -> None:
        self.lines.append(msg)
        if msg.startswith("floe: waiting for job ") and sum("waiting for job" in line for line in self.lines) == 1:
            raise KeyboardInterrupt

    def warning(self, msg: str) -> None:
        self.lines.append(msg)


@pytest.fixture
def idle_fleet(tmp_path: Path) -> Iterator[Fleet]:
    created = create_fleet(tmp_path / "idle", "int")
    with scoped_env(created.env):
        try:
            yield created
        finally:
            created.stop_workers()


def test_an_interrupted_wait_removes_the_waiting_job_and_its_staged_parts(idle_fleet: Fleet, namespace: str) -> None:
    artifacts = load_artifacts(idle_fleet.artifacts)
    queue = WriteQueue(artifacts.queue.redis_url, artifacts.queue.prefix, artifacts.queue.write_queue)
    manager = FloeIcebergIOManager(
        artifacts_path=str(idle_fleet.artifacts), result_timeout_seconds=120, progress_log_seconds=1
    )
    context = build_output_context(
        asset_key=AssetKey([namespace, "interrupted"]), run_id=str(uuid.uuid4()), step_key="interrupted"
    )
    recorded = InterruptingLog()
    context._log = recorded  # type: ignore[attr-defined]  # the step's context.log
    with pytest.raises(KeyboardInterrupt):
        manager.handle_output(context, pa.table({"id": pa.array([1, 2], pa.int64())}))

    [enqueued] = [line for line in recorded.lines if line.startswith("floe: enqueued job ")]
    job_id = enqueued.removeprefix("floe: enqueued job ").split(" ", 1)[0]
    assert any(f"waiting for job {job_id} on queue {queue.queue_name}: waiting" in line for line in recorded.lines)
    assert any("stopped waiting because the step was interrupted and removed it" in line for line in recorded.lines)
    assert queue.find(job_id) is None
    s3 = boto3.client(
        "s3",
        endpoint_url=artifacts.storage.endpoint,
        region_name=artifacts.storage.region,
        aws_access_key_id=artifacts.storage.access_key_id,
        aws_secret_access_key=artifacts.storage.secret_access_key,
    )
    staged = s3.list_objects_v2(Bucket=artifacts.storage.staging.bucket, Prefix=artifacts.storage.staging.prefix)
    assert [o["Key"] for o in staged.get("Contents", []) if job_id in o["Key"]] == []

    idle_fleet.start_worker()
    time.sleep(2)
    assert queue.find(job_id) is None
