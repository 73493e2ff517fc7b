"""Builds the v1 write job (libs/jobs ``writeJob``) and checks it against the exported schema.

The job holds references to the staged parts, never rows. It is checked against the JSON
Schema that libs/jobs exports, plus the one rule a JSON Schema cannot express (an idempotency
key must not be a plain integer, which BullMQ reserves), before anything is enqueued; a job
the writer would reject as malformed never reaches the queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from floe_dagster.errors import FloeDagsterError
from floe_dagster.json_schema import validate, write_job_schema
from floe_dagster.naming import TableName
from floe_dagster.partitions import ExpressionJson
from floe_dagster.staging import StagedPart

WRITE_JOB_VERSION = 1


def iso_instant(moment: datetime) -> str:
    """``2024-01-02T03:04:05.678Z``, the form ``Date.toISOString`` writes and the schema requires."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def build_write_job(
    *,
    table: TableName,
    mode: str,
    batches: Sequence[StagedPart],
    idempotency_key: str,
    enqueued_at: datetime,
    schema_evolution: str = "add-columns",
    overwrite_filter: ExpressionJson | None = None,
    create: Mapping[str, object] | None = None,
    snapshot_properties: Mapping[str, str] | None = None,
    keys: Sequence[str] | None = None,
) -> dict[str, object]:
    job: dict[str, object] = {
        "version": WRITE_JOB_VERSION,
        "table": table.as_job_table(),
        "mode": mode,
        "batches": [part.as_job_batch() for part in batches],
        "schemaEvolution": schema_evolution,
        "idempotencyKey": idempotency_key,
        "enqueuedAt": iso_instant(enqueued_at),
    }
    if overwrite_filter is not None:
        job["overwriteFilter"] = overwrite_filter
    if create is not None:
        job["create"] = dict(create)
    if snapshot_properties:
        job["snapshotProperties"] = dict(snapshot_properties)
    if keys:
        job["keys"] = list(keys)
    return job


def check_write_job(job: Mapping[str, object]) -> None:
    """Raises ``invalid-job`` naming every field that breaks the contract."""
    problems = validate(dict(job), write_job_schema())
    key = job.get("idempotencyKey")
    if isinstance(key, str) and key.isdigit():
        problems.append("idempotencyKey: must not be a plain integer (BullMQ reserves those)")
    # The contract's cross-field rules (libs/jobs write-job.ts refinements), which JSON Schema omits.
    mode = job.get("mode")
    if "overwriteFilter" in job and mode not in ("overwrite", "delete"):
        problems.append('overwriteFilter: is only allowed with mode "overwrite" or "delete"')
    if mode == "delete" and "overwriteFilter" not in job:
        problems.append('overwriteFilter: mode "delete" needs overwriteFilter: the rows to delete')
    batches = job.get("batches")
    if isinstance(batches, list) and (len(batches) == 0) != (mode == "delete"):
        problems.append('batches: a write job needs at least one staged batch (and a "delete" job none)')
    if "keys" in job and mode != "upsert":
        problems.append('keys: is only allowed with mode "upsert"')
    properties = job.get("snapshotProperties")
    if isinstance(properties, Mapping):
        problems.extend(
            f"snapshotProperties.{name}: keys starting with 'floe.' are reserved"
            for name in properties
            if str(name).startswith("floe.")
        )
    if problems:
        raise FloeDagsterError(
            "invalid-job",
            "the write job would be invalid under the floe job contract: " + "; ".join(problems),
            context={"problems": len(problems)},
        )
