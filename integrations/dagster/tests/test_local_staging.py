"""Staging in a local folder (``storage.staging.location``): the same URIs as libs/jobs, inside
the staging area the writers confine themselves to, each a complete IPC stream; failures named."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pytest
from floe_dagster import FloeDagsterError
from floe_dagster.local_staging import LocalFolderTarget, local_staging_path
from floe_dagster.staging import ArrowStager
from tests.support.node_script import run_node_module

AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SCHEMA = pa.schema([("id", pa.int64())])


def batches(count: int, rows: int) -> list[pa.RecordBatch]:
    return [
        pa.record_batch([pa.array(range(i * rows, (i + 1) * rows), pa.int64())], schema=SCHEMA) for i in range(count)
    ]


def test_local_parts_are_where_libs_jobs_puts_them_and_inside_the_staging_area(tmp_path: Path) -> None:
    # A folder with a space: its URI is percent-escaped, its path is not.
    location = (tmp_path / "my staging").as_uri() + "/"
    stager = ArrowStager(LocalFolderTarget(location), "floe/", part_bytes=1 << 20, part_rows=250)
    parts = stager.stage(SCHEMA, batches(3, 100), "dagster~run~k", AT)
    script = (
        "import { outsideStagingArea, stagingKey, stagingUri } from '@floe/jobs';"
        f"const area = {{ bucket: '', localRoot: {json.dumps(location)}, prefix: 'floe/' }};"
        "const at = new Date('2024-01-02T03:04:05Z');"
        "const uris = [0, 1].map((part) => stagingUri(area, stagingKey(area, 'dagster~run~k', part, at)));"
        f"const ours = {json.dumps([part.uri for part in parts])};"
        "const outside = ours.map((uri) => outsideStagingArea(uri, area) ?? null);"
        "process.stdout.write(JSON.stringify({ uris, outside }));"
    )
    libs_jobs = json.loads(run_node_module(script))
    assert [part.uri for part in parts] == libs_jobs["uris"]
    assert libs_jobs["outside"] == [None, None]
    assert [part.rows for part in parts] == [250, 50]
    ids: list[int] = []
    for part in parts:
        path = local_staging_path(part.uri)
        assert path.parent == tmp_path / "my staging" / "floe" / "2024-01-02" / "dagster~run~k"
        assert path.stat().st_size == part.bytes
        ids += pa.ipc.open_stream(path.read_bytes()).read_all().column("id").to_pylist()
    assert ids == list(range(300))
    assert sorted(p.name for p in path.parent.iterdir()) == ["part-00000.arrows", "part-00001.arrows"]  # no .tmp
    stager.delete(parts)
    assert list(path.parent.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_named_and_not_retried(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    stager = ArrowStager(LocalFolderTarget((tmp_path / "a-file").as_uri()), "floe/", part_bytes=1024, part_rows=10)
    with pytest.raises(FloeDagsterError) as raised:
        stager.stage(SCHEMA, batches(1, 5), "k", AT)
    assert raised.value.kind == "staging-failed" and not raised.value.retryable
    assert str(raised.value).startswith(
        f"staging {tmp_path}/a-file/floe/2024-01-02/k/part-00000.arrows failed (ENOTDIR"
    )
    assert str(raised.value).endswith(
        "check that storage.staging.location is a folder this process may write; nothing was enqueued"
    )
