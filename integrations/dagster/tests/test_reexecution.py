"""A step that crashed between enqueue and result, re-executed with the same root run id.

The first execution enqueues its job on a queue with no worker yet and gives up waiting (the
"crash"); a worker then commits the job. Re-executing the failed run (same root run id, so the
same idempotency key) reuses that job's result: the table holds the first attempt's rows once.
Re-executing again after the job left the queue finds the commit marker in the table instead.
"""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance, ReexecutionOptions, execute_job, reconstructable
from floe_dagster import load_artifacts
from floe_dagster.fleet_queue import WriteQueue
from pyiceberg.catalog.rest import RestCatalog
from tests.support.fleet import Fleet, create_fleet
from tests.support.judge import materialization_metadata
from tests.support.scoped_env import scoped_env


@pytest.fixture
def idle_fleet(tmp_path: Path, namespace: str) -> Iterator[Fleet]:
    """A queue whose worker starts only when the test says so."""
    created = create_fleet(tmp_path / "idle", "rx")
    settings = {"FLOE_DAGSTER_REEXEC_ARTIFACTS": str(created.artifacts), "FLOE_DAGSTER_REEXEC_NAMESPACE": namespace}
    with scoped_env(settings):
        try:
            yield created
        finally:
            created.stop_workers()


def wait_for_state(queue: WriteQueue, job_id: str, state: str, timeout_seconds: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        found = queue.find(job_id)
        if found is not None and found.state == state:
            return
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not reach {state} within {timeout_seconds} s (now {found})")


def test_a_reexecuted_step_after_a_crash_between_enqueue_and_result_does_not_duplicate(
    idle_fleet: Fleet, namespace: str, judge: RestCatalog
) -> None:
    import tests.reexecution_defs as defs_module

    job = reconstructable(defs_module.orders_job)
    with DagsterInstance.ephemeral() as instance:
        first = execute_job(job, instance=instance, raise_on_error=False)
        assert not first.success
        [failure] = [e for e in first.all_events if e.event_type_value == "STEP_FAILURE"]
        message = failure.event_specific_data.error.cause.message  # type: ignore[union-attr]
        assert "is still waiting on queue" in message and "re-executing this run waits" in message

        artifacts = load_artifacts(idle_fleet.artifacts)
        queue = WriteQueue(artifacts.queue.redis_url, artifacts.queue.prefix, artifacts.queue.write_queue)
        job_id = message.split("job ", 1)[1].split(" ", 1)[0]
        idle_fleet.start_worker()
        wait_for_state(queue, job_id, "completed")

        second = execute_job(
            job, instance=instance, reexecution_options=ReexecutionOptions.from_failure(first.run_id, instance)
        )
        assert second.success
        assert instance.get_run_by_id(second.run_id).root_run_id == first.run_id  # type: ignore[union-attr]
        [metadata] = materialization_metadata(second, namespace, "orders")
        assert metadata["reused"] == "queued-job" and metadata["job_id"] == job_id
        table = judge.load_table((namespace, "orders"))
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
                parent_run_id=second.run_id, step_selection=[f"{namespace}__orders"]
            ),
        )
        assert third.success
        assert instance.get_run_by_id(third.run_id).root_run_id == first.run_id  # type: ignore[union-attr]
        [metadata] = materialization_metadata(third, namespace, "orders")
        assert metadata["reused"] == "table-marker"
        table = judge.load_table((namespace, "orders"))
        assert len(table.metadata.snapshots) == 1 and table.scan().to_arrow().num_rows == 3
