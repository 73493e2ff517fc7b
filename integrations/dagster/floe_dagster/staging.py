"""Stages an output as Arrow IPC *stream* objects in S3 (or a local folder), in bounded parts.

The layout is the one every floe producer uses (libs/jobs ``stagingKey`` and ``stagingUri``),
which the maintenance worker's staging cleanup and the writers' staging confinement rely on::

    s3://<staging bucket>/<staging prefix>/<yyyy-mm-dd>/<idempotency key>/part-00000.arrows
    file:///<staging folder>/<staging prefix>/<yyyy-mm-dd>/<idempotency key>/part-00000.arrows

The second is ``storage.staging.location`` (local_staging.py), for floe on one machine.

Each part is a complete IPC stream (schema, whole record batches, end-of-stream marker) so the
writer decodes every part on its own. Batches are consumed one at a time from the source and a
part is uploaded and dropped as soon as it reaches ``part_bytes`` or ``part_rows`` (a part never
holds more than ``part_rows`` rows), so memory holds at most one part plus one batch however
large the output is; an oversized batch is sliced first (slices share the batch's buffers).
A failed upload deletes what was already staged.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

import pyarrow as pa

from floe_dagster.errors import FloeDagsterError

CONTENT_TYPE = "application/vnd.apache.arrow.stream"


class ObjectStore(Protocol):
    """The slice of a boto3 S3 client staging uses."""

    def put_object(self, **kwargs: object) -> object: ...

    def delete_objects(self, **kwargs: object) -> object: ...


class StagingTarget(Protocol):
    """Where parts go: a staged part's URI is ``root`` followed by its key."""

    @property
    def root(self) -> str: ...

    def put(self, key: str, payload: bytes, sha256: str) -> None:
        """Stores one part whole (never visible half-written); raises FloeDagsterError."""

    def delete(self, keys: list[str]) -> None:
        """Best effort."""


class S3Target:
    """Parts as objects of the staging bucket."""

    def __init__(self, store: ObjectStore, bucket: str, endpoint: str) -> None:
        self.store = store
        self.bucket = bucket
        self.endpoint = endpoint

    @property
    def root(self) -> str:
        return f"s3://{self.bucket}/"

    def put(self, key: str, payload: bytes, sha256: str) -> None:
        try:
            self.store.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=payload,
                ContentType=CONTENT_TYPE,
                Metadata={"floe-sha256": sha256},
            )
        except Exception as error:  # botocore raises many types; all end up as one message
            code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
            raise FloeDagsterError(
                "staging-failed",
                f"staging s3://{self.bucket}/{key} at {self.endpoint} failed ({code}): check storage.staging "
                "and the S3 credentials in the artifacts; nothing was enqueued",
                retryable=code not in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "NoSuchBucket"),
                context={"bucket": self.bucket, "key": key, "code": str(code)},
            ) from error

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            try:
                self.store.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": key} for key in keys[start : start + 1000]], "Quiet": True},
                )
            except Exception:
                pass


@dataclass(frozen=True)
class StagedPart:
    uri: str
    rows: int
    bytes: int
    sha256: str

    def as_job_batch(self) -> dict[str, object]:
        return {
            "uri": self.uri,
            "format": "arrow-ipc-stream",
            "rows": self.rows,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


def staging_key(prefix: str, idempotency_key: str, part: int, at: datetime) -> str:
    """``<prefix>/<yyyy-mm-dd>/<key>/part-NNNNN.arrows``, the same as libs/jobs ``stagingKey``."""
    day = at.astimezone(timezone.utc).strftime("%Y-%m-%d")
    base = prefix.rstrip("/")
    return f"{base + '/' if base else ''}{day}/{idempotency_key}/part-{part:05d}.arrows"


def bounded_batches(batches: Iterable[pa.RecordBatch], max_rows: int, max_bytes: int) -> Iterator[pa.RecordBatch]:
    """Slices batches larger than ``max_rows`` rows or ``max_bytes`` bytes; never copies data."""
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pieces = max(math.ceil(batch.num_rows / max_rows), math.ceil(batch.nbytes / max_bytes), 1)
        step = math.ceil(batch.num_rows / pieces)
        for offset in range(0, batch.num_rows, step):
            yield batch.slice(offset, step)


class ArrowStager:
    """Writes one output's batches as staged parts; see the module docstring."""

    def __init__(self, target: StagingTarget, prefix: str, *, part_bytes: int, part_rows: int) -> None:
        self.target = target
        self.prefix = prefix
        self.part_bytes = part_bytes
        self.part_rows = part_rows

    def stage(
        self, schema: pa.Schema, batches: Iterable[pa.RecordBatch], idempotency_key: str, at: datetime
    ) -> list[StagedPart]:
        staged: list[StagedPart] = []
        try:
            for index, (payload, rows) in enumerate(self._encode(schema, batches)):
                key = staging_key(self.prefix, idempotency_key, index, at)
                staged.append(self._upload(key, payload, rows))
                del payload
        except BaseException:
            self.delete(staged)
            raise
        if not staged:
            # An empty output still has a schema; one empty part keeps the job valid and lets an
            # overwrite of a partition remove its rows.
            key = staging_key(self.prefix, idempotency_key, 0, at)
            staged.append(self._upload(key, self._encode_empty(schema), 0))
        return staged

    def _encode(self, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[bytes, int]]:
        sink: pa.BufferOutputStream | None = None
        writer: pa.ipc.RecordBatchStreamWriter | None = None
        rows = 0
        for whole in bounded_batches(batches, self.part_rows, self.part_bytes):
            if not whole.schema.equals(schema):
                raise FloeDagsterError(
                    "invalid-output",
                    f"all record batches of one output must share its schema: expected ({schema}) "
                    f"but a batch has ({whole.schema})",
                )
            pending: pa.RecordBatch | None = whole
            while pending is not None and pending.num_rows > 0:
                if writer is None:
                    sink = pa.BufferOutputStream()
                    writer = pa.ipc.new_stream(sink, schema)
                    rows = 0
                # A part holds at most part_rows rows: split the batch at the part's remaining room.
                room = self.part_rows - rows
                if pending.num_rows <= room:
                    batch, pending = pending, None
                else:
                    batch, pending = pending.slice(0, room), pending.slice(room)
                writer.write_batch(batch)
                rows += batch.num_rows
                assert sink is not None
                if sink.tell() >= self.part_bytes or rows >= self.part_rows:
                    writer.close()
                    yield sink.getvalue().to_pybytes(), rows
                    sink, writer = None, None
        if writer is not None and sink is not None:
            writer.close()
            yield sink.getvalue().to_pybytes(), rows

    @staticmethod
    def _encode_empty(schema: pa.Schema) -> bytes:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, schema):
            pass
        return bytes(sink.getvalue().to_pybytes())

    def _upload(self, key: str, payload: bytes, rows: int) -> StagedPart:
        digest = hashlib.sha256(payload).hexdigest()
        self.target.put(key, payload, digest)
        return StagedPart(f"{self.target.root}{key}", rows, len(payload), digest)

    def delete(self, parts: Iterable[StagedPart]) -> None:
        """Best effort: a leftover staged object is garbage the staging cleanup removes later."""
        self.delete_uris(part.uri for part in parts)

    def delete_uris(self, uris: Iterable[str]) -> None:
        """Deletes the staged objects among ``uris`` (those under this stager's area and prefix)."""
        root = self.target.root
        own = f"{root}{self.prefix}"
        keys = [uri.removeprefix(root) for uri in uris if uri.startswith(own)]
        if keys:
            self.target.delete(keys)
