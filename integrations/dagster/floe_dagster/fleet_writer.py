"""One output written through the fleet, exactly once per idempotency key.

Order of work for a key (the BullMQ job id and the writer's commit marker):
1. a job with that id is on the queue: *completed* → its result is reused (nothing is staged
   or written again); *failed* → it is removed and the write starts afresh; waiting, active or
   delayed → the IOManager waits for it;
2. no job, but a snapshot of the table carries the key in ``floe.job-ids`` (the job finished
   and was removed from the queue long ago) → that snapshot is the result;
3. otherwise: create missing namespaces, stage the output in bounded parts, build and check
   the job (overwrite filter and create-if-missing partition spec from the partitions), enqueue
   it and await the writer's result.
Step 1 is what makes a step that crashed between enqueue and result safe to re-execute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

import boto3
from botocore.config import Config

from floe_dagster.artifacts import CompiledArtifacts
from floe_dagster.catalog import (
    catalog_from_artifacts,
    column_kinds,
    ensure_namespace,
    find_committed_job,
    load_table_or_none,
)
from floe_dagster.errors import FloeDagsterError
from floe_dagster.fleet_queue import JobOptions, WriteQueue, WriteResult
from floe_dagster.naming import TableName
from floe_dagster.outputs import ArrowSource, arrow_column_kinds
from floe_dagster.partitions import PartitionDimension, overwrite_filter, partition_spec
from floe_dagster.staging import ArrowStager
from floe_dagster.write_job import build_write_job, check_write_job

Reuse = Literal["queued-job", "table-marker"]


@dataclass(frozen=True)
class OutputWrite:
    """Everything about one output that decides its write job."""

    table: TableName
    mode: Literal["append", "overwrite", "upsert"]
    schema_evolution: Literal["add-columns", "strict"]
    dimensions: list[PartitionDimension]
    idempotency_key: str
    snapshot_properties: Mapping[str, str] = field(default_factory=dict)
    # upsert: key columns; None = the table's identifier fields
    keys: list[str] | None = None


@dataclass(frozen=True)
class WriteOutcome:
    job_id: str
    result: WriteResult
    staged_rows: int | None  # None when an earlier attempt's job was reused
    staged_parts: int | None
    reused: Reuse | None


@dataclass(frozen=True)
class StagingLimits:
    part_bytes: int
    part_rows: int


class FleetWriter:
    def __init__(
        self,
        artifacts: CompiledArtifacts,
        limits: StagingLimits,
        result_timeout_seconds: float,
        job_options: JobOptions,
    ) -> None:
        self.artifacts = artifacts
        self.limits = limits
        self.result_timeout_seconds = result_timeout_seconds
        queue = artifacts.queue
        self.queue = WriteQueue(queue.redis_url, queue.prefix, queue.write_queue, job_options)

    def write(self, output: OutputWrite, source: ArrowSource) -> WriteOutcome:
        key = output.idempotency_key
        queued = self.queue.find(key)
        if queued is not None and queued.state == "failed":
            self.queue.remove(key)
        elif queued is not None:
            result = self.queue.await_result(key, self.result_timeout_seconds)
            return WriteOutcome(key, result, None, None, "queued-job")

        catalog = catalog_from_artifacts(self.artifacts)
        table = load_table_or_none(catalog, output.table)
        if table is not None:
            committed = find_committed_job(table, key, output.table.dotted)
            if committed is not None:
                # The job finished and left the queue long ago; its commit marker still answers.
                return WriteOutcome(key, committed, None, None, "table-marker")
        else:
            ensure_namespace(catalog, output.table.namespace)

        names = source.schema.names
        for dimension in output.dimensions:
            if dimension.column not in names:
                raise FloeDagsterError(
                    "invalid-metadata",
                    f"partition_expr names column '{dimension.column}', which the output of "
                    f"{output.table.dotted} does not have (columns: {', '.join(names)})",
                    context={"column": dimension.column, "table": output.table.dotted},
                )
        kinds = {**arrow_column_kinds(source.schema), **(column_kinds(table) if table is not None else {})}
        mode = output.mode
        replaces_partitions = mode == "overwrite" and bool(output.dimensions)
        filter_json = overwrite_filter(output.dimensions, kinds) if replaces_partitions else None

        at = datetime.now(timezone.utc)
        stager = self._stager()
        staged = stager.stage(source.schema, source.batches, key, at)
        job = build_write_job(
            table=output.table,
            mode=mode,
            batches=staged,
            idempotency_key=key,
            enqueued_at=at,
            schema_evolution=output.schema_evolution,
            overwrite_filter=filter_json,
            create={"partitionSpec": partition_spec(output.dimensions, kinds)},
            snapshot_properties=output.snapshot_properties,
            keys=output.keys,
        )
        try:
            check_write_job(job)
            self.queue.enqueue(job, key)
        except BaseException:
            stager.delete(staged)
            raise
        # BullMQ keeps the existing job when another attempt enqueued the same key first; then
        # that job's parts are the ones written and ours are garbage.
        stored = self.queue.find(key)
        if stored is not None and stored.data.get("enqueuedAt") != job["enqueuedAt"]:
            referenced = {str(b.get("uri")) for b in _batches_of(stored.data)}
            stager.delete([part for part in staged if part.uri not in referenced])
        result = self.queue.await_result(key, self.result_timeout_seconds)
        return WriteOutcome(key, result, sum(part.rows for part in staged), len(staged), None)

    def _stager(self) -> ArrowStager:
        storage = self.artifacts.storage
        options: dict[str, object] = {"region_name": storage.region}
        if storage.endpoint:
            options["endpoint_url"] = storage.endpoint
        if storage.access_key_id and storage.secret_access_key:
            options["aws_access_key_id"] = storage.access_key_id
            options["aws_secret_access_key"] = storage.secret_access_key
            if storage.session_token:
                options["aws_session_token"] = storage.session_token
        addressing = "path" if storage.path_style else "auto"
        client = boto3.client(
            "s3", config=Config(s3={"addressing_style": addressing}, retries={"max_attempts": 3}), **options
        )
        # Writers refuse objects over max_staged_object_bytes; parts are sized well under it.
        part_bytes = min(self.limits.part_bytes, max(1024, int(storage.max_staged_object_bytes * 0.8)))
        return ArrowStager(
            client,
            storage.staging.bucket,
            storage.staging.prefix,
            part_bytes=part_bytes,
            part_rows=self.limits.part_rows,
            endpoint=storage.endpoint or f"AWS S3 ({storage.region})",
        )


def _batches_of(job: Mapping[str, object]) -> list[Mapping[str, object]]:
    batches = job.get("batches")
    return [b for b in batches if isinstance(b, Mapping)] if isinstance(batches, list) else []
