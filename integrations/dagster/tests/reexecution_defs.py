"""Reconstructable jobs for the re-execution tests (Dagster re-executes jobs it can import).

Each asset writes rows that differ on every execution (a fresh uuid per call), so a test can
tell whether a re-executed step wrote its own rows again or reused its first attempt's job.
Where they write comes from the environment the test sets: FLOE_DAGSTER_REEXEC_ARTIFACTS (the
artifacts of a queue with no worker at first) and FLOE_DAGSTER_REEXEC_NAMESPACE. The IOManager
gives up waiting after 10 s and logs progress every 2 s.
"""

import os
import uuid

import pyarrow as pa
from dagster import Definitions, EnvVar, JobDefinition, asset, define_asset_job, in_process_executor
from floe_dagster import FloeIcebergIOManager

NAMESPACE = os.environ.get("FLOE_DAGSTER_REEXEC_NAMESPACE", "reexec")


def _rows() -> pa.Table:
    attempt = uuid.uuid4().hex
    return pa.table({"id": pa.array([1, 2, 3], pa.int64()), "attempt": [attempt] * 3})


@asset(key_prefix=[NAMESPACE], name="orders", io_manager_key="floe")
def orders() -> pa.Table:
    return _rows()


@asset(key_prefix=[NAMESPACE], name="refunds", io_manager_key="floe")
def refunds() -> pa.Table:
    return _rows()


defs = Definitions(
    assets=[orders, refunds],
    jobs=[
        define_asset_job("orders_job", selection=[orders], executor_def=in_process_executor),
        define_asset_job("refunds_job", selection=[refunds], executor_def=in_process_executor),
    ],
    resources={
        "floe": FloeIcebergIOManager(
            artifacts_path=EnvVar("FLOE_DAGSTER_REEXEC_ARTIFACTS"),
            result_timeout_seconds=10.0,
            progress_log_seconds=2.0,
        )
    },
)


def orders_job() -> JobDefinition:
    return defs.resolve_job_def("orders_job")


def refunds_job() -> JobDefinition:
    return defs.resolve_job_def("refunds_job")
