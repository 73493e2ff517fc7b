"""Staging against the stack's real S3: part limits, readable IPC streams, failures cleaned up."""

from collections.abc import Iterator
from datetime import datetime, timezone

import boto3
import pyarrow as pa
import pytest
from floe_dagster import FloeDagsterError
from floe_dagster.staging import ArrowStager, S3Target
from tests.support.fleet import Fleet

AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SCHEMA = pa.schema([("id", pa.int64())])


def s3_client(fleet: Fleet):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3",
        endpoint_url=fleet.stack["s3Endpoint"],
        aws_access_key_id=fleet.stack["s3AccessKeyId"],
        aws_secret_access_key=fleet.stack["s3SecretAccessKey"],
        region_name=fleet.stack["s3Region"],
    )


def batches(count: int, rows: int) -> Iterator[pa.RecordBatch]:
    for index in range(count):
        yield pa.record_batch([pa.array(range(index * rows, (index + 1) * rows), pa.int64())], schema=SCHEMA)


def stager(store: object, fleet: Fleet, bucket: str | None = None, part_rows: int = 250) -> ArrowStager:
    return ArrowStager(
        S3Target(store, bucket or fleet.stack["stagingBucket"], fleet.stack["s3Endpoint"]),  # type: ignore[arg-type]
        f"dagster-staging-test-{fleet.run}/",
        part_bytes=1 << 20,
        part_rows=part_rows,
    )


def test_parts_hold_at_most_part_rows_and_each_is_a_complete_ipc_stream(fleet: Fleet) -> None:
    client = s3_client(fleet)
    parts = stager(client, fleet).stage(SCHEMA, batches(7, 100), "staging-test-ok", AT)
    try:
        assert [part.rows for part in parts] == [250, 250, 200]
        ids: list[int] = []
        for index, part in enumerate(parts):
            key = part.uri.removeprefix(f"s3://{fleet.stack['stagingBucket']}/")
            assert key == f"dagster-staging-test-{fleet.run}/2024-01-02/staging-test-ok/part-{index:05d}.arrows"
            body = client.get_object(Bucket=fleet.stack["stagingBucket"], Key=key)["Body"].read()
            assert len(body) == part.bytes
            ids += pa.ipc.open_stream(body).read_all().column("id").to_pylist()
        assert ids == list(range(700))
    finally:
        stager(client, fleet).delete(parts)


class FailsOnThirdUpload:
    """The real client, except that the third upload fails (the one failure branch mocked)."""

    def __init__(self, client: object) -> None:
        self.client = client
        self.uploads = 0
        self.keys: list[str] = []

    def put_object(self, **kwargs: object) -> object:
        self.uploads += 1
        if self.uploads == 3:
            raise ConnectionResetError("connection reset by peer")
        self.keys.append(str(kwargs["Key"]))
        return self.client.put_object(**kwargs)  # type: ignore[attr-defined]

    def delete_objects(self, **kwargs: object) -> object:
        return self.client.delete_objects(**kwargs)  # type: ignore[attr-defined]


def test_a_failed_upload_removes_the_parts_already_staged(fleet: Fleet) -> None:
    client = s3_client(fleet)
    flaky = FailsOnThirdUpload(client)
    with pytest.raises(FloeDagsterError) as raised:
        stager(flaky, fleet).stage(SCHEMA, batches(7, 100), "staging-test-fail", AT)
    assert raised.value.kind == "staging-failed" and raised.value.retryable
    assert "(ConnectionResetError): check storage.staging and the S3 credentials" in str(raised.value)
    assert len(flaky.keys) == 2
    for key in flaky.keys:
        listed = client.list_objects_v2(Bucket=fleet.stack["stagingBucket"], Prefix=key)
        assert listed.get("KeyCount", 0) == 0


def test_a_missing_bucket_is_named_and_not_retried(fleet: Fleet) -> None:
    with pytest.raises(FloeDagsterError) as raised:
        stager(s3_client(fleet), fleet, bucket="floe-no-such-bucket").stage(SCHEMA, batches(1, 10), "k", AT)
    assert not raised.value.retryable
    assert str(raised.value).startswith(
        f"staging s3://floe-no-such-bucket/dagster-staging-test-{fleet.run}/2024-01-02/k/part-00000.arrows at "
        f"{fleet.stack['s3Endpoint']} failed (NoSuchBucket)"
    )


def test_batches_of_another_schema_are_refused() -> None:
    other = pa.record_batch([pa.array(["x"])], names=["id"])
    with pytest.raises(FloeDagsterError, match=r"all record batches of one output must share its schema"):
        offline = ArrowStager(S3Target(None, "b", "e"), "p", part_bytes=1024, part_rows=10)  # type: ignore[arg-type]
        offline.stage(SCHEMA, iter([other]), "k", AT)
