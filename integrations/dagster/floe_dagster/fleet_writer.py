"""One output written through the fleet, exactly once per idempotency key.

Order of work for a key (the BullMQ job id and the writer's commit marker):
1. a job with that id is on the queue: *completed* → its result is reused (nothing is staged
   or written again); *failed* → it is removed and the write starts afresh; waiting, active or
   delayed → the IOManager waits for it;
2. no job, but a snapshot of the table carries the key in ``floe.job-ids`` (the job finished
   and was removed from the queue long ago) → that snapshot is the result;
3. otherwise: create missing namespaces, stage the output in bounded parts (S3, or the local
   staging folder), build and check
   the job (overwrite filter and create-if-missing partition spec from the partitions), enqueue
   it and await the writer's result.
Step 1 is what makes a step that crashed between enqueue and result safe to re-execute.

Giving up is safe too. When the wait times out or the step is interrupted (Dagster run
killed), the job is withdrawn: removed if no worker has taken it (its staged parts deleted;
nothing is written, ever), otherwise the failure says plainly that a writer is already running
it and that re-executing the run records its outcome (step 1 or 2 finds it; it is never written
twice). The marker search of step 2 is bounded to snapshots committed since the earliest moment
the key can have been enqueued (the root run's start), less the clock-skew margin, within the
exactly-once window (exactly_once.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

import boto3
from botocore.config import Config
from pyiceberg.table import Table

from floe_dagster.artifacts import CompiledArtifacts
from floe_dagster.catalog import (
    catalog_from_artifacts,
    column_kinds,
    ensure_namespace,
    find_committed_job,
    load_table_or_none,
    marker_search_start,
)
from floe_dagster.errors import FloeDagsterError
from floe_dagster.fleet_queue import DEFAULT_LOG, JobOptions, WaitLog, WriteQueue, WriteResult
from floe_dagster.local_staging import LocalFolderTarget
from floe_dagster.naming import TableName
from floe_dagster.outputs import ArrowSource, arrow_column_kinds
from floe_dagster.partition_counts import PartitionRowCounter
from floe_dagster.partitions import PartitionDimension, overwrite_filter, partition_spec
from floe_dagster.staging import ArrowStager, S3Target, StagingTarget
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
    partition_cells: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Each partition key the output covers → its key per dimension (dagster_partitions.py)."""
    earliest_enqueue_ms: int | None = None
    """The earliest time (epoch ms) a job with this key can have been enqueued (the root run's
    start); bounds the marker search. None: the whole exactly-once window."""
    # upsert: key columns; None = the table's identifier fields
    keys: list[str] | None = None


@dataclass(frozen=True)
class WriteOutcome:
    job_id: str
    result: WriteResult
    staged_rows: int | None  # None when an earlier attempt's job was reused
    staged_parts: int | None
    reused: Reuse | None
    partition_rows: Mapping[str, int] | None = None
    """Rows of each partition key (counted while staging; None when an earlier job was reused)."""


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
        progress_seconds: float = 15.0,
    ) -> None:
        self.artifacts = artifacts
        self.limits = limits
        self.result_timeout_seconds = result_timeout_seconds
        self.progress_seconds = progress_seconds
        queue = artifacts.queue
        self.queue = WriteQueue(queue.redis_url, queue.prefix, queue.write_queue, job_options)

    def write(self, output: OutputWrite, source: ArrowSource, log: WaitLog = DEFAULT_LOG) -> WriteOutcome:
        key = output.idempotency_key
        queued = self.queue.find(key)
        if queued is not None and queued.state == "failed":
            self.queue.remove(key)
        elif queued is not None:
            log.info(f"floe: job {key} of an earlier attempt is {queued.state} on queue {self.queue.queue_name}")
            result = self._await(output, key, _staged_uris(queued.data), log)
            return WriteOutcome(key, result, None, None, "queued-job")

        catalog = catalog_from_artifacts(self.artifacts)
        table = load_table_or_none(catalog, output.table)
        if table is not None:
            committed = self._committed(output, table)
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
        counter = PartitionRowCounter(output.dimensions, output.partition_cells)
        staged = stager.stage(source.schema, counter.through(source.batches), key, at)
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
        log.info(f"floe: enqueued job {key} for {output.table.dotted} on queue {self.queue.queue_name}")
        result = self._await(output, key, [part.uri for part in staged], log)
        rows = sum(part.rows for part in staged)
        return WriteOutcome(key, result, rows, len(staged), None, counter.counts if output.partition_cells else None)

    def _committed(self, output: OutputWrite, table: Table) -> WriteResult | None:
        now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
        since = marker_search_start(output.earliest_enqueue_ms, now_ms)
        return find_committed_job(table, output.idempotency_key, output.table.dotted, since)

    def _await(self, output: OutputWrite, key: str, staged_uris: list[str], log: WaitLog) -> WriteResult:
        """The job's result; on timeout or interruption the job is withdrawn (see the module doc)."""
        try:
            return self.queue.await_result(key, self.result_timeout_seconds, log, self.progress_seconds)
        except FloeDagsterError as error:
            if error.kind != "result-timeout":
                raise
            reason = f"after waiting {self.result_timeout_seconds:g} s"
            outcome = self._withdraw(output, key, staged_uris, reason, log)
            if isinstance(outcome, WriteResult):
                return outcome
            raise outcome from None
        except BaseException:  # KeyboardInterrupt, DagsterExecutionInterruptedError: the run was stopped
            try:
                outcome = self._withdraw(output, key, staged_uris, "because the step was interrupted", log)
            except Exception as error:  # the interrupt, not this, is what the step must end with
                log.warning(
                    f"floe: the step was interrupted and job {key} on queue {self.queue.queue_name} could not be "
                    f"checked ({error}): it may still be written; re-execute the run to record its outcome"
                )
            else:
                if isinstance(outcome, FloeDagsterError):
                    log.warning(outcome.message)
                else:
                    log.info(f"floe: job {key} had committed snapshot {outcome.snapshot_id} before the interrupt")
            raise

    def _withdraw(
        self, output: OutputWrite, key: str, staged_uris: list[str], reason: str, log: WaitLog
    ) -> WriteResult | FloeDagsterError:
        queue = self.queue.queue_name
        found = self.queue.withdraw(key)
        if found == "finished":
            return self.queue.await_result(key, 5.0, log)  # its result, or the worker's failure
        if found == "running":
            return FloeDagsterError(
                "result-timeout",
                f"job {key} for {output.table.dotted} is already running on a writer of queue {queue}; "
                f"floe-dagster stopped waiting {reason}. The writer may still commit it and cannot be stopped "
                "from here: re-execute this run to record its outcome (the re-execution finds this job's "
                "result or its commit in the table and reports it; it never writes the rows twice)",
                retryable=True,
                context={"jobId": key, "queue": queue, "state": "active"},
            )
        # Removed while waiting, or gone: a commit can only have happened if the marker says so.
        table = load_table_or_none(catalog_from_artifacts(self.artifacts), output.table)
        committed = self._committed(output, table) if table is not None else None
        if committed is not None:
            log.info(f"floe: job {key} left queue {queue} after committing snapshot {committed.snapshot_id}")
            return committed
        if found == "removed":
            self._stager().delete_uris(staged_uris)
        workers = self.queue.workers()
        hint = (
            f"no writer worker is connected to queue {queue}: start writers on it"
            if workers == 0
            else "the writers on that queue are busy or stopped: check them"
        )
        return FloeDagsterError(
            "result-timeout",
            f"job {key} for {output.table.dotted} was still waiting on queue {queue}; floe-dagster stopped "
            f"waiting {reason} and removed it, so nothing was written. {hint}, then re-execute the run"
            if found == "removed"
            else f"job {key} for {output.table.dotted} is no longer on queue {queue} and the table has no "
            f"commit of it; floe-dagster stopped waiting {reason}. Re-execute the run to write it",
            retryable=True,
            context={"jobId": key, "queue": queue, "state": found},
        )

    def _stager(self) -> ArrowStager:
        storage = self.artifacts.storage
        # Writers refuse objects over max_staged_object_bytes; parts are sized well under it.
        part_bytes = min(self.limits.part_bytes, max(1024, int(storage.max_staged_object_bytes * 0.8)))
        return ArrowStager(
            self._staging_target(), storage.staging.prefix, part_bytes=part_bytes, part_rows=self.limits.part_rows
        )

    def _staging_target(self) -> StagingTarget:
        storage = self.artifacts.storage
        if storage.staging.location is not None:
            return LocalFolderTarget(storage.staging.location)
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
        return S3Target(client, storage.staging.bucket, storage.endpoint or f"AWS S3 ({storage.region})")


def _staged_uris(job: Mapping[str, object]) -> list[str]:
    return [str(b.get("uri")) for b in _batches_of(job)]


def _batches_of(job: Mapping[str, object]) -> list[Mapping[str, object]]:
    batches = job.get("batches")
    return [b for b in batches if isinstance(b, Mapping)] if isinstance(batches, list) else []
