"""The IOManager reads floe.yaml directly and gets what floe's own compiler makes of it.

For floe.example.yaml and for a minimal floe.yaml that leans on defaults and gives numbers and
booleans through ``${env:…}``, ``load_floe_yaml`` equals loading the artifacts libs/config
compiles from the same file. Then an IOManager pointed at the writers' own floe.yaml
(``config_path``) writes through them: one file configures both sides.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow as pa
import pytest
from dagster import asset, materialize
from floe_dagster import ArtifactsError, CompiledArtifacts, FloeIcebergIOManager, load_floe_yaml
from pyiceberg.catalog.rest import RestCatalog
from tests.support.fleet import REPO_ROOT, Fleet
from tests.support.judge import materialization_metadata
from tests.support.node_script import compiled_by_floe

ENV = {
    "FLOE_CATALOG_CLIENT_SECRET": "catalog-secret-value",
    "AWS_ACCESS_KEY_ID": "minio-key-id",
    "AWS_SECRET_ACCESS_KEY": "minio-secret-value",
}


def comparable(artifacts: CompiledArtifacts) -> CompiledArtifacts:
    return dataclasses.replace(artifacts, other_sections={})


def test_floe_example_yaml_reads_as_the_compiler_compiles_it() -> None:
    path = REPO_ROOT / "floe.example.yaml"
    assert comparable(load_floe_yaml(path, ENV)) == comparable(compiled_by_floe(path, ENV))


def test_defaults_env_numbers_booleans_and_trimmed_text_read_as_compiled(tmp_path: Path) -> None:
    path = tmp_path / "floe.yaml"
    path.write_text(
        """catalog:
  type: rest
  uri: ${env:CATALOG_URI}
  warehouse: "  analytics  "
storage:
  endpoint: http://127.0.0.1:9000
  path_style: ${env:PATH_STYLE:-true}
  max_staged_object_bytes: ${env:MAX_STAGED}
  access_key_id: ${env:AWS_ACCESS_KEY_ID}
  secret_access_key: ${env:AWS_SECRET_ACCESS_KEY}
  staging:
    bucket: floe-staging
queue:
  redis_url: redis://127.0.0.1:6379
  write_queue: ${env:WRITE_QUEUE:-writes}
""",
        encoding="utf-8",
    )
    env = {**ENV, "CATALOG_URI": "http://127.0.0.1:8181", "MAX_STAGED": "4096"}
    ours = load_floe_yaml(path, env)
    assert comparable(ours) == comparable(compiled_by_floe(path, env))
    assert ours.storage.path_style is True and ours.storage.max_staged_object_bytes == 4096
    assert ours.queue.write_queue == "writes" and ours.queue.maintenance_queue == "floe-maintenance"
    assert ours.catalog.warehouse == "analytics" and ours.storage.staging.prefix == "staging/"


def test_bad_floe_yaml_is_reported_naming_the_field_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ArtifactsError, match=r"nope\.yaml: does not exist — give config_path the floe.yaml"):
        load_floe_yaml(tmp_path / "nope.yaml", ENV)
    broken = tmp_path / "broken.yaml"
    broken.write_text("catalog: [unclosed\n", encoding="utf-8")
    with pytest.raises(ArtifactsError, match=r"broken\.yaml: is not valid YAML"):
        load_floe_yaml(broken, ENV)
    missing = tmp_path / "missing-env.yaml"
    missing.write_text(
        "catalog: {type: rest, uri: '${env:NO_SUCH_URI}', warehouse: w}\n"
        "storage: {staging: {bucket: floe-staging}}\nqueue: {redis_url: 'redis://127.0.0.1:6379'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ArtifactsError) as error:
        load_floe_yaml(missing, ENV)
    assert [str(issue) for issue in error.value.issues] == [
        "catalog.uri: environment variable NO_SUCH_URI is not set — export NO_SUCH_URI in the environment of "
        "the Dagster process, or give a default with ${env:NO_SUCH_URI:-value}"
    ]


def test_a_wrong_field_in_floe_yaml_says_to_fix_floe_yaml(tmp_path: Path) -> None:
    path = tmp_path / "floe.yaml"
    path.write_text(
        "catalog: {type: rest, uri: 'http://127.0.0.1:8181'}\n"
        "storage: {path_style: maybe, staging: {bucket: floe-staging}}\nqueue: {redis_url: 'redis://127.0.0.1:6379'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ArtifactsError) as error:
        load_floe_yaml(path, ENV)
    assert str(error.value).startswith(f"{path} has 2 problems:")
    assert [str(issue) for issue in error.value.issues] == [
        f"catalog.warehouse: is missing — fix it in {path}",
        f'storage.path_style: is "maybe", expected true or false — fix it in {path}',
    ]


def test_an_io_manager_on_the_writers_floe_yaml_writes_through_them(
    fleet: Fleet, namespace: str, judge: RestCatalog
) -> None:
    @asset(key_prefix=[namespace], name="from_floe_yaml", io_manager_key="floe")
    def from_floe_yaml() -> pa.Table:
        return pa.table({"id": pa.array([1, 2], pa.int64())})

    manager = FloeIcebergIOManager(config_path=str(fleet.config), result_timeout_seconds=120)
    result = materialize([from_floe_yaml], resources={"floe": manager})
    assert result.success
    [metadata] = materialization_metadata(result, namespace, "from_floe_yaml")
    table = judge.load_table((namespace, "from_floe_yaml"))
    assert str(table.current_snapshot().snapshot_id) == metadata["snapshot_id"]  # type: ignore[union-attr]
    assert sorted(table.scan().to_arrow().column("id").to_pylist()) == [1, 2]
