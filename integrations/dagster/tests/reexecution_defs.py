"""A reconstructable job for the re-execution test (Dagster re-executes jobs it can import).

The asset writes rows that differ on every execution (a fresh uuid per call), so the test can
tell whether a re-executed step wrote its own rows again or reused its first attempt's job.
Where it writes comes from the environment the test sets: FLOE_DAGSTER_REEXEC_ARTIFACTS (the
artifacts of a queue with no worker at first) and FLOE_DAGSTER_REEXEC_NAMESPACE.
"""

import os
import uuid

import pyarrow as pa
from dagster import Definitions, EnvVar, JobDefinition, asset, define_asset_job, in_process_executor
from floe_dagster import FloeIcebergIOManager

NAMESPACE = os.environ.get("FLOE_DAGSTER_REEXEC_NAMESPACE", "reexec")


@asset(key_prefix=[NAMESPACE], name="orders", io_manager_key="floe")
def orders() -> pa.Table:
    attempt = uuid.uuid4().hex
    return pa.table({"id": pa.array([1, 2, 3], pa.int64()), "attempt": [attempt] * 3})


defs = Definitions(
    assets=[orders],
    jobs=[define_asset_job("orders_job", selection=[orders], executor_def=in_process_executor)],
    resources={
        "floe": FloeIcebergIOManager(artifacts_path=EnvVar("FLOE_DAGSTER_REEXEC_ARTIFACTS"), result_timeout_seconds=3.0)
    },
)


def orders_job() -> JobDefinition:
    return defs.resolve_job_def("orders_job")
