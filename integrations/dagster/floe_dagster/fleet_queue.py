"""The write queue as the IOManager uses it: enqueue a write job, find an earlier one, await it.

Jobs go on the fleet's BullMQ write queue exactly as floe's TypeScript producer SDK puts them
there: job name ``write``, job id = idempotency key, 10 attempts with exponential backoff from
1 s, completed jobs kept 24 h and failed ones 7 days. The writer's result is the job's return
value (write-result JSON, Iceberg longs as decimal strings); a failure's message is the job's
``failedReason``, either plain text or a JSON FailureReason. Results are awaited by polling the
job's state, which needs no event-stream subscription and survives Redis reconnects. The Python
``bullmq`` client is asynchronous; every call here runs on its own short event loop, because
Dagster calls IOManagers synchronously.

Waiting is visible: every ``progress_seconds`` the wait logs the job id, queue, state and how
many writer workers are connected to the queue, and it warns at once when none is (the job
would wait for nothing). ``withdraw`` takes a job back that no worker has started: BullMQ's
removal refuses a job a worker holds, so it answers ``removed``, ``running`` (already taken,
possibly in the instant between the state check and the removal), ``finished`` or ``gone``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

import redis.asyncio as redis
from bullmq import Job, Queue
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from floe_dagster.errors import FloeDagsterError

WRITE_JOB_NAME = "write"
T = TypeVar("T")
WAITING_STATES = ("waiting", "delayed", "prioritized", "paused", "waiting-children")
Withdrawal = Literal["removed", "running", "finished", "gone"]
"""What ``withdraw`` found: removed before any worker took it; already taken by a worker (it
may still commit); completed or failed; no longer on the queue."""


class WaitLog(Protocol):
    """Where progress goes: Dagster's ``context.log`` or a ``logging.Logger``."""

    def info(self, msg: str) -> object: ...

    def warning(self, msg: str) -> object: ...


DEFAULT_LOG: WaitLog = logging.getLogger("floe_dagster")


@dataclass(frozen=True)
class JobOptions:
    attempts: int = 10
    backoff_ms: int = 1000
    keep_completed_seconds: int = 24 * 3600
    keep_failed_seconds: int = 7 * 24 * 3600


@dataclass(frozen=True)
class WriteResult:
    """What the writer committed for one job (libs/jobs ``WriteResult``)."""

    table: str
    snapshot_id: int
    sequence_number: int
    operation: str
    added_rows: int
    added_files: int
    added_bytes: int
    removed_files: int
    schema_id: int
    attempts: int
    coalesced_jobs: int
    committed_at: str
    already_committed: bool

    @staticmethod
    def from_json(value: object, job_id: str) -> WriteResult:
        try:
            assert isinstance(value, Mapping)
            return WriteResult(
                table=str(value["table"]),
                snapshot_id=int(str(value["snapshotId"])),
                sequence_number=int(str(value["sequenceNumber"])),
                operation=str(value["operation"]),
                added_rows=int(value["addedRows"]),
                added_files=int(value["addedFiles"]),
                added_bytes=int(value["addedBytes"]),
                removed_files=int(value["removedFiles"]),
                schema_id=int(value["schemaId"]),
                attempts=int(value["attempts"]),
                coalesced_jobs=int(value["coalescedJobs"]),
                committed_at=str(value["committedAt"]),
                already_committed=bool(value.get("alreadyCommitted", False)),
            )
        except (AssertionError, KeyError, TypeError, ValueError) as error:
            raise FloeDagsterError(
                "write-failed",
                f"job {job_id}: the worker returned an invalid write result ({type(error).__name__}: {error})",
                context={"jobId": job_id},
            ) from error


@dataclass(frozen=True)
class QueuedJob:
    """A job already on the queue under our idempotency key."""

    state: str  # completed | failed | waiting | active | delayed | prioritized | waiting-children
    data: Mapping[str, object]


def failure_message(reason: str) -> str:
    """A worker's failedReason as a user reads it (JSON FailureReason → its message)."""
    if reason.startswith("{"):
        try:
            parsed = json.loads(reason)
        except json.JSONDecodeError:
            return reason
        if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
            return str(parsed["message"])
    return reason


def _redacted(url: str) -> str:
    scheme, separator, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{separator}{user}:***@{host}"


class WriteQueue:
    """One write queue (Redis URL, key prefix, queue name) and the job options to enqueue with."""

    def __init__(
        self,
        redis_url: str,
        prefix: str,
        queue_name: str,
        options: JobOptions = JobOptions(),
        connect_timeout_seconds: float = 5.0,
    ) -> None:
        self.redis_url = redis_url
        self.connect_timeout_seconds = connect_timeout_seconds
        self.prefix = prefix
        self.queue_name = queue_name
        self.options = options

    def _run(self, operation: Callable[[Queue], Awaitable[T]]) -> T:
        async def main() -> T:
            # Our own client: bullmq's default retries a dead Redis for minutes before failing.
            client = redis.Redis.from_url(
                self.redis_url,
                decode_responses=True,
                socket_connect_timeout=self.connect_timeout_seconds,
                socket_timeout=30,
                retry=Retry(ExponentialBackoff(cap=1.0, base=0.1), 2),
                retry_on_error=[RedisConnectionError, RedisTimeoutError],
            )
            await client.ping()
            queue = Queue(self.queue_name, {"connection": client, "prefix": self.prefix})
            try:
                return await operation(queue)
            finally:
                await queue.close()
                await client.aclose()

        try:
            return asyncio.run(main())
        except (ConnectionError, OSError, TimeoutError, RedisConnectionError, RedisTimeoutError) as error:
            raise FloeDagsterError(
                "queue-unavailable",
                f"cannot reach Redis at {_redacted(self.redis_url)} ({type(error).__name__}: {error}): "
                "check queue.redis_url in the artifacts and that Redis is running",
                retryable=True,
                context={"queue": self.queue_name},
            ) from error
        except Exception as error:
            if type(error).__module__.startswith("redis"):
                raise FloeDagsterError(
                    "queue-unavailable",
                    f"Redis at {_redacted(self.redis_url)} failed ({type(error).__name__}: {error})",
                    retryable=True,
                    context={"queue": self.queue_name},
                ) from error
            raise

    def find(self, job_id: str) -> QueuedJob | None:
        async def lookup(queue: Queue) -> QueuedJob | None:
            state = await queue.getJobState(job_id)
            if state == "unknown":
                return None
            job = await Job.fromId(queue, job_id)
            data = job.data if job is not None and isinstance(job.data, Mapping) else {}
            return QueuedJob(str(state), data)

        return self._run(lookup)

    def remove(self, job_id: str) -> None:
        async def remove(queue: Queue) -> None:
            await queue.remove(job_id)

        self._run(remove)

    def withdraw(self, job_id: str) -> Withdrawal:
        """Removes the job if no worker has taken it; says what it found otherwise."""

        async def withdraw(queue: Queue) -> Withdrawal:
            state = await queue.getJobState(job_id)
            if state == "unknown":
                return "gone"
            if state in ("completed", "failed"):
                return "finished"
            if state == "active":
                return "running"
            # BullMQ's removeJob refuses (0) a job whose lock a worker holds: taken meanwhile.
            removed = await queue.remove(job_id)
            return "removed" if removed == 1 else "running"

        return self._run(withdraw)

    def workers(self) -> int | None:
        """Writer workers connected to the queue (None when Redis does not allow CLIENT LIST)."""
        return self._run(self._count_workers)

    async def _count_workers(self, queue: Queue) -> int | None:
        # Node BullMQ names a worker's connections "<prefix>:<base64(queue name)>" (optionally
        # followed by ":w:<worker name>"); the Python client's get_workers() looks for a
        # different spelling, so the match is done here.
        own = f"{self.prefix}:{base64.b64encode(self.queue_name.encode()).decode()}"
        try:
            listing = await queue.client.execute_command("CLIENT", "LIST")
        except Exception:
            return None
        text = listing.decode() if isinstance(listing, bytes) else str(listing)
        names = [
            item.split("=", 1)[1] for line in text.splitlines() for item in line.split(" ") if item.startswith("name=")
        ]
        return sum(1 for name in names if name == own or name.startswith(f"{own}:w:"))

    def enqueue(self, job: Mapping[str, object], job_id: str) -> None:
        options = self.options

        async def add(queue: Queue) -> None:
            await queue.add(
                WRITE_JOB_NAME,
                dict(job),
                {
                    "jobId": job_id,
                    "attempts": options.attempts,
                    "backoff": {"type": "exponential", "delay": options.backoff_ms},
                    "removeOnComplete": {"age": options.keep_completed_seconds},
                    "removeOnFail": {"age": options.keep_failed_seconds},
                },
            )

        self._run(add)

    def await_result(
        self, job_id: str, timeout_seconds: float, log: WaitLog = DEFAULT_LOG, progress_seconds: float = 15.0
    ) -> WriteResult:
        """Polls until the job completes (its result) or fails (its worker's message), logging
        progress every ``progress_seconds`` and warning when no worker serves the queue."""

        async def wait(queue: Queue) -> WriteResult:
            started = time.monotonic()
            deadline = started + timeout_seconds
            next_progress = started
            warned = False
            pause = 0.1
            while True:
                state = await queue.getJobState(job_id)
                now = time.monotonic()
                if state not in ("completed", "failed", "unknown") and now >= next_progress:
                    next_progress = now + progress_seconds
                    workers = await self._count_workers(queue)
                    served = "an unknown number of" if workers is None else str(workers)
                    log.info(
                        f"floe: waiting for job {job_id} on queue {self.queue_name}: {state} after "
                        f"{now - started:.0f} s of {timeout_seconds:g} s; {served} writer worker(s) on the queue"
                    )
                    if workers == 0 and state in WAITING_STATES and not warned:
                        warned = True
                        log.warning(
                            f"floe: no writer worker is connected to queue {self.queue_name} "
                            f"(Redis {_redacted(self.redis_url)}): job {job_id} waits until one starts. Start "
                            "writers on that queue (`node apps/writer-worker/src/main.ts --config floe.yaml`); "
                            f"if none starts within {timeout_seconds:g} s the job is removed and nothing is written"
                        )
                if state in ("completed", "failed"):
                    job = await Job.fromId(queue, job_id)
                    if job is not None and state == "completed":
                        return WriteResult.from_json(job.returnvalue, job_id)
                    if job is not None:
                        message = failure_message(str(job.failedReason or "the job failed without a reason"))
                        raise FloeDagsterError(
                            "write-failed",
                            f"the floe writer failed job {job_id} after {job.attemptsMade} attempt(s): {message}",
                            context={"jobId": job_id, "attempts": job.attemptsMade},
                        )
                if state == "unknown":
                    raise FloeDagsterError(
                        "write-failed",
                        f"job {job_id} is no longer on queue {self.queue_name}: finished jobs are kept "
                        f"{self.options.keep_completed_seconds} s; re-run the step to write again",
                        context={"jobId": job_id},
                    )
                if now >= deadline:
                    raise FloeDagsterError(
                        "result-timeout",
                        f"job {job_id} is still {state} on queue {self.queue_name} after {timeout_seconds:g} s",
                        retryable=True,
                        context={"jobId": job_id, "state": str(state), "queue": self.queue_name},
                    )
                await asyncio.sleep(pause)
                pause = min(pause * 1.5, 1.0)

        return self._run(wait)
