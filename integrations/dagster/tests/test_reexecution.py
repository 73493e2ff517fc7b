"""Giving up on a write is safe, and re-executing the run records what really happened.

1. No writer serves the queue: the step logs its job, queue and state while it waits, warns
   that no worker is connected, and after its 10 s timeout fails naming the queue and the job,
   which it removed. A writer started afterwards never writes those rows; re-executing the run
   writes them once.
2. A writer has already taken the job when the step gives up (a stand-in consumer takes it and
   stalls, as a slow or stuck writer would): the failure says the job is running. A real writer
   then recovers the stalled job and commits it; re-executing the run reports that commit
   (queued job, then, once the job left the queue, the table's commit marker) and the table
   holds the rows once.
"""

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bullmq import Worker
from dagster import DagsterInstance, ReexecutionOptions, execute_job, reconstructable
from floe_dagster import load_artifacts
from floe_dagster.fleet_queue import WriteQueue
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import NoSuchTableError
from tests.support.fleet import Fleet, create_fleet
from tests.support.judge import materialization_metadata
from tests.support.scoped_env import scoped_env


@pytest.fixture
def idle_fleet(tmp_path: Path, namespace: str) -> Iterator[Fleet]:
    """A queue whose worker starts only when the test says so."""
    created = create_fleet(tmp_path / "idle", "rx")
    settings = {"FLOE_DAGSTER_REEXEC_ARTIFACTS": str(created.artifacts), "FLOE_DAGSTER_REEXEC_NAMESPACE": namespace}
    with scoped_env({**settings, **created.env}):
        try:
            yield created
        finally:
            created.stop_workers()


def queue_of(fleet: Fleet) -> WriteQueue:
    artifacts = load_artifacts(fleet.artifacts)
    return WriteQueue(artifacts.queue.redis_url, artifacts.queue.prefix, artifacts.queue.write_queue)


def wait_for_state(queue: WriteQueue, job_id: str, state: str, timeout_seconds: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_seconds
    found = None
    while time.monotonic() < deadline:
        found = queue.find(job_id)
        if found is not None and found.state == state:
            return
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not reach {state} within {timeout_seconds} s (now {found})")


def failure_message(result: object) -> str:
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]  # type: ignore[attr-defined]
    return str(failure.event_specific_data.error.cause.message)  # type: ignore[union-attr]


def user_logs(instance: DagsterInstance, run_id: str) -> list[str]:
    return [entry.user_message for entry in instance.all_logs(run_id)]


def test_a_job_no_writer_took_is_removed_on_timeout_and_never_written(
    idle_fleet: Fleet, namespace: str, judge: RestCatalog
) -> None:
    import tests.reexecution_defs as defs_module

    job = reconstructable(defs_module.orders_job)
    queue = queue_of(idle_fleet)
    with DagsterInstance.ephemeral() as instance:
        first = execute_job(job, instance=instance, raise_on_error=False)
        assert not first.success
        message = failure_message(first)
        job_id = message.split("job ", 1)[1].split(" ", 1)[0]
        assert f"was still waiting on queue {queue.queue_name}" in message
        assert "removed it, so nothing was written" in message
        assert f"no writer worker is connected to queue {queue.queue_name}" in message
        logs = user_logs(instance, first.run_id)
        assert any(f"waiting for job {job_id} on queue {queue.queue_name}: waiting" in line for line in logs)
        assert any(f"no writer worker is connected to queue {queue.queue_name}" in line for line in logs)
        assert queue.find(job_id) is None

        # A writer that starts afterwards finds nothing to do: the table never gets those rows.
        idle_fleet.start_worker()
        time.sleep(3)  # the worker is idle: it has polled the empty queue
        assert queue.find(job_id) is None
        with pytest.raises(NoSuchTableError):
            judge.load_table((namespace, "orders"))

        second = execute_job(
            job, instance=instance, reexecution_options=ReexecutionOptions.from_failure(first.run_id, instance)
        )
        assert second.success
        [metadata] = materialization_metadata(second, namespace, "orders")
        assert metadata["job_id"] == job_id and "reused" not in metadata
        table = judge.load_table((namespace, "orders"))
        assert len(table.metadata.snapshots) == 1
        assert sorted(table.scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]


class StalledConsumer:
    """Takes the next job off a queue and holds it without ever finishing (a stuck writer)."""

    def __init__(self, fleet: Fleet) -> None:
        artifacts = load_artifacts(fleet.artifacts)
        self.url = artifacts.queue.redis_url
        self.prefix = artifacts.queue.prefix
        self.queue_name = artifacts.queue.write_queue
        self.taken: list[str] = []
        self.thread = threading.Thread(target=lambda: asyncio.run(self._take()), daemon=True)
        self.thread.start()

    async def _take(self) -> None:
        async def never(*_: object) -> None:
            raise AssertionError("the stand-in never processes")

        # The lock outlives the step's 10 s wait, then expires: a real writer's stalled-job check
        # moves the job back to the queue.
        options = {"connection": self.url, "prefix": self.prefix, "autorun": False, "lockDuration": 20000}
        worker = Worker(self.queue_name, never, options)
        try:
            deadline = time.monotonic() + 120
            while not self.taken and time.monotonic() < deadline:
                job = await worker.moveToActive("stand-in")
                if job is not None:
                    self.taken.append(str(job.id))
                else:
                    await asyncio.sleep(0.2)
        finally:
            await worker.close(force=True)


def test_a_job_running_at_timeout_is_reported_and_reexecution_records_its_commit_once(
    idle_fleet: Fleet, namespace: str, judge: RestCatalog
) -> None:
    import tests.reexecution_defs as defs_module

    job = reconstructable(defs_module.refunds_job)
    queue = queue_of(idle_fleet)
    consumer = StalledConsumer(idle_fleet)
    with DagsterInstance.ephemeral() as instance:
        first = execute_job(job, instance=instance, raise_on_error=False)
        assert not first.success
        message = failure_message(first)
        consumer.thread.join(timeout=30)
        [job_id] = consumer.taken
        assert f"job {job_id} for {namespace}.refunds is already running on a writer of queue {queue.queue_name}" in (
            message
        )
        assert "re-execute this run to record its outcome" in message
        assert queue.find(job_id).state == "active"  # type: ignore[union-attr]

        # A real writer recovers the stalled job once its lock expires and commits it.
        idle_fleet.start_worker()
        wait_for_state(queue, job_id, "completed")

        second = execute_job(
            job, instance=instance, reexecution_options=ReexecutionOptions.from_failure(first.run_id, instance)
        )
        assert second.success
        assert instance.get_run_by_id(second.run_id).root_run_id == first.run_id  # type: ignore[union-attr]
        [metadata] = materialization_metadata(second, namespace, "refunds")
        assert metadata["reused"] == "queued-job" and metadata["job_id"] == job_id
        table = judge.load_table((namespace, "refunds"))
        assert len(table.metadata.snapshots) == 1
        assert metadata["snapshot_id"] == str(table.current_snapshot().snapshot_id)  # type: ignore[union-attr]
        rows = table.scan().to_arrow()
        assert sorted(rows.column("id").to_pylist()) == [1, 2, 3]
        assert len(set(rows.column("attempt").to_pylist())) == 1

        # Long after: the job left the queue; the commit marker in the table still answers.
        queue.remove(job_id)
        third = execute_job(
            job,
            instance=instance,
            reexecution_options=ReexecutionOptions(
                parent_run_id=second.run_id, step_selection=[f"{namespace}__refunds"]
            ),
        )
        assert third.success
        [metadata] = materialization_metadata(third, namespace, "refunds")
        assert metadata["reused"] == "table-marker"
        table = judge.load_table((namespace, "refunds"))
        assert len(table.metadata.snapshots) == 1 and table.scan().to_arrow().num_rows == 3
