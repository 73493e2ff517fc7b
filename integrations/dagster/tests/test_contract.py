"""The write job against the job contract: the shipped schema, the validator and the key layout."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from floe_dagster import FloeDagsterError, TableName
from floe_dagster.fleet_queue import WriteQueue, WriteResult, failure_message
from floe_dagster.json_schema import validate, write_job_schema
from floe_dagster.staging import StagedPart, staging_key
from floe_dagster.write_job import build_write_job, check_write_job, iso_instant
from tests.support.node_script import run_node_module

REPO_ROOT = Path(__file__).resolve().parents[3]
EXPORTED = REPO_ROOT / "libs" / "jobs" / "schema" / "write-job.v1.schema.json"
AT = datetime(2024, 1, 2, 3, 4, 5, 678_901, tzinfo=timezone.utc)
PART = StagedPart("s3://staging/x/2024-01-02/key/part-00000.arrows", 3, 100, "a" * 64)


def a_job(**overrides: object) -> dict[str, object]:
    job = build_write_job(
        table=TableName(("bronze",), "events"),
        mode="overwrite",
        batches=[PART],
        idempotency_key="dagster~run~step~asset~0123456789abcdef",
        enqueued_at=AT,
        overwrite_filter={"type": "eq", "term": "region", "value": "us"},
        create={"partitionSpec": [{"source": "region", "transform": "identity"}]},
        snapshot_properties={"dagster.run-id": "run"},
    )
    job.update(overrides)
    return job


def test_the_shipped_schema_is_the_one_libs_jobs_exports() -> None:
    assert write_job_schema() == json.loads(EXPORTED.read_text(encoding="utf-8")), (
        "floe_dagster/schema/write-job.v1.schema.json is stale: copy libs/jobs/schema/write-job.v1.schema.json"
    )


def test_a_built_job_is_valid_and_has_the_contract_shape() -> None:
    job = a_job()
    check_write_job(job)
    assert validate(job, write_job_schema()) == []
    assert job["enqueuedAt"] == "2024-01-02T03:04:05.678Z"
    assert job["table"] == {"namespace": ["bronze"], "name": "events"}
    assert job["batches"] == [
        {"uri": PART.uri, "format": "arrow-ipc-stream", "rows": 3, "bytes": 100, "sha256": "a" * 64}
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"mode": "merge"}, 'mode: must be one of "append", "overwrite", "replace-partitions", "upsert", "delete"'),
        ({"batches": []}, 'batches: a write job needs at least one staged batch (and a "delete" job none)'),
        ({"keys": ["id"]}, 'keys: is only allowed with mode "upsert"'),
        ({"idempotencyKey": "has:colon"}, 'idempotencyKey: "has:colon" does not match'),
        ({"idempotencyKey": "12345"}, "idempotencyKey: must not be a plain integer (BullMQ reserves those)"),
        ({"enqueuedAt": "yesterday"}, 'enqueuedAt: "yesterday" does not match'),
        ({"table": {"namespace": [], "name": "t"}}, "table.namespace: needs at least 1 item(s)"),
        ({"extra": 1}, "extra: is not allowed here"),
        ({"overwriteFilter": {"type": "eq", "term": "a"}}, "overwriteFilter: matches none of the 7 allowed shapes"),
        ({"mode": "append"}, 'overwriteFilter: is only allowed with mode "overwrite" or "delete"'),
        ({"snapshotProperties": {"floe.job-ids": "x"}}, "snapshotProperties.floe.job-ids: keys starting with 'floe.'"),
        ({"create": {"partitionSpec": [{"source": "a", "transform": "week"}]}}, "create.partitionSpec[0].transform"),
    ],
)
def test_an_invalid_job_is_refused_naming_the_field(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(FloeDagsterError) as raised:
        check_write_job(a_job(**overrides))
    assert raised.value.kind == "invalid-job"
    assert str(raised.value).startswith("the write job would be invalid under the floe job contract: ")
    assert message in str(raised.value)


def test_every_draft_2020_12_keyword_is_checked_by_jsonschema() -> None:
    # 1 fits both branches, which oneOf forbids: the package checks what a subset would skip.
    assert validate(1, {"oneOf": [{"type": "integer"}, {"minimum": 0}]}) == [
        "(root): matches none (or several) of the 2 allowed shapes"
    ]
    assert validate({"a": [1, "x"]}, {"properties": {"a": {"items": {"type": "integer"}}}}) == [
        "a[1]: must be integer, got a string"
    ]


def test_an_upsert_job_carries_its_keys() -> None:
    job = build_write_job(
        table=TableName(("bronze",), "events"),
        mode="upsert",
        batches=[PART],
        idempotency_key="dagster~run~step~asset~0123456789abcdef",
        enqueued_at=AT,
        keys=["region", "id"],
    )
    check_write_job(job)
    assert (job["mode"], job["keys"]) == ("upsert", ["region", "id"])


def test_iso_instant_is_what_javascript_writes() -> None:
    assert iso_instant(datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)) == "2024-05-06T07:08:09.000Z"


def test_staging_keys_follow_the_layout_of_libs_jobs() -> None:
    script = (
        "import { stagingKey } from '@floe/jobs';"
        "const at = new Date('2024-01-02T23:59:59Z');"
        "process.stdout.write(JSON.stringify(["
        "stagingKey({ bucket: 'b', prefix: 'staging/' }, 'dagster~k', 7, at),"
        "stagingKey({ bucket: 'b', prefix: '' }, 'k', 12345, at)]));"
    )
    keys = json.loads(run_node_module(script))
    at = datetime(2024, 1, 2, 23, 59, 59, tzinfo=timezone.utc)
    assert keys == [
        staging_key("staging/", "dagster~k", 7, at),
        staging_key("", "k", 12345, at),
    ]
    assert staging_key("staging/", "dagster~k", 7, at) == "staging/2024-01-02/dagster~k/part-00007.arrows"


def test_worker_failure_reasons_read_as_their_message() -> None:
    assert failure_message("plain text") == "plain text"
    reason = {"kind": "schema-mismatch", "message": "column 'a' is long, data has string", "retryable": False}
    assert failure_message(json.dumps(reason)) == "column 'a' is long, data has string"
    assert failure_message("{not json") == "{not json"


def test_write_results_keep_snapshot_ids_beyond_2_to_the_53() -> None:
    result = WriteResult.from_json(
        {
            "table": "bronze.events",
            "snapshotId": "9007199254740993",
            "sequenceNumber": "4",
            "operation": "append",
            "addedRows": 3,
            "addedFiles": 1,
            "addedBytes": 100,
            "removedFiles": 0,
            "schemaId": 0,
            "attempts": 1,
            "coalescedJobs": 1,
            "committedAt": "2024-01-02T03:04:05.678Z",
        },
        "job",
    )
    assert result.snapshot_id == 9007199254740993 and result.already_committed is False
    with pytest.raises(FloeDagsterError, match=r"job job: the worker returned an invalid write result \(KeyError"):
        WriteResult.from_json({"table": "t"}, "job")


def test_an_unreachable_redis_fails_fast_naming_the_url_without_its_password() -> None:
    queue = WriteQueue("redis://:s3cret-pw@127.0.0.1:1", "floe", "floe-write", connect_timeout_seconds=2)
    with pytest.raises(FloeDagsterError) as raised:
        queue.find("job")
    assert raised.value.kind == "queue-unavailable" and raised.value.retryable
    message = str(raised.value)
    assert message.startswith("cannot reach Redis at redis://:***@127.0.0.1:1 (ConnectionError: ")
    assert message.endswith("check queue.redis_url in the artifacts and that Redis is running")
    assert "s3cret-pw" not in message
