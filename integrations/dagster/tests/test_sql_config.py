"""``catalog.type: sql`` and ``storage.staging.location`` as floe-dagster reads them.

A floe.yaml for the embedded catalog (SQLite, local staging) and one for PostgreSQL load to what
libs/config's compiler makes of them; the SQL catalog URI becomes the SQLAlchemy URL PyIceberg's
SqlCatalog takes; bad settings are reported naming the field and the fix (never a password); and
the catalog built from the artifacts opens the stack's real PostgreSQL through psycopg2.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest
from floe_dagster import ArtifactsError, CompiledArtifacts, FloeDagsterError, load_floe_yaml
from floe_dagster.catalog import catalog_from_artifacts, sqlalchemy_uri
from pyiceberg.catalog.sql import SqlCatalog
from tests.support.fleet import stack_env
from tests.support.node_script import compiled_by_floe

EMBEDDED = """catalog:
  type: sql
  uri: sqlite:////var/lib/floe/catalog.db
  warehouse: file:///var/lib/floe/warehouse
storage:
  staging:
    location: file:///var/lib/floe/staging
    prefix: ${env:STAGING_PREFIX:-demo}
queue:
  redis_url: redis://127.0.0.1:6379
"""


def comparable(artifacts: CompiledArtifacts) -> CompiledArtifacts:
    return dataclasses.replace(artifacts, other_sections={})


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "floe.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ArtifactsError) as error:
        load_floe_yaml(written(tmp_path, text), {})
    return [str(issue) for issue in error.value.issues]


def test_an_embedded_floe_yaml_reads_as_the_compiler_compiles_it(tmp_path: Path) -> None:
    path = written(tmp_path, EMBEDDED)
    ours = load_floe_yaml(path, {})
    assert comparable(ours) == comparable(compiled_by_floe(path, {}))
    assert (ours.catalog.type, ours.catalog.name) == ("sql", "floe")
    assert ours.catalog.uri == "sqlite:////var/lib/floe/catalog.db"
    assert ours.catalog.warehouse == "file:///var/lib/floe/warehouse"
    assert ours.storage.staging.location == "file:///var/lib/floe/staging"
    assert (ours.storage.staging.bucket, ours.storage.staging.prefix) == ("", "demo")


def test_a_postgresql_floe_yaml_reads_as_the_compiler_compiles_it(tmp_path: Path) -> None:
    text = EMBEDDED.replace("sqlite:////var/lib/floe/catalog.db", "postgresql://floe@db:5432/catalog")
    text = text.replace("warehouse: file:///var/lib/floe/warehouse", "warehouse: s3://lake/warehouse\n  name: team")
    text = text.replace("location: file:///var/lib/floe/staging", "bucket: floe-staging")
    path = written(tmp_path, text)
    ours = load_floe_yaml(path, {})
    assert comparable(ours) == comparable(compiled_by_floe(path, {}))
    assert (ours.catalog.uri, ours.catalog.name) == ("postgresql://floe@db:5432/catalog", "team")
    assert (ours.storage.staging.bucket, ours.storage.staging.location) == ("floe-staging", None)


@pytest.mark.parametrize(
    ("floe_uri", "sqlalchemy"),
    [
        ("sqlite:////var/lib/floe/catalog.db", "sqlite:////var/lib/floe/catalog.db"),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("/var/lib/floe/catalog.db", "sqlite:////var/lib/floe/catalog.db"),
        ("file:///var/lib/floe/my%20catalog.db", "sqlite:////var/lib/floe/my catalog.db"),
        ("postgresql://floe@db:5432/catalog", "postgresql+psycopg2://floe@db:5432/catalog"),
        ("postgres://floe@db/catalog", "postgresql+psycopg2://floe@db/catalog"),
        ("postgresql+psycopg://floe@db/catalog", "postgresql+psycopg://floe@db/catalog"),
    ],
)
def test_the_catalog_uri_becomes_the_url_sqlalchemy_takes(floe_uri: str, sqlalchemy: str) -> None:
    assert sqlalchemy_uri(floe_uri) == sqlalchemy


def test_bad_sql_catalog_settings_name_the_field_and_the_fix(tmp_path: Path) -> None:
    assert problems(tmp_path, EMBEDDED.replace("type: sql", "type: hive")) == [
        "catalog.type: is \"hive\", floe-dagster reads 'rest' and 'sql' catalogs — set type: rest (an Iceberg "
        "REST catalog) or type: sql (the embedded SQL catalog)"
    ]
    assert problems(tmp_path, EMBEDDED.replace("sqlite:////var/lib/floe/catalog.db", "http://127.0.0.1:8181")) == [
        "catalog.uri: is not a SQL catalog database for type sql — write sqlite:////absolute/path/catalog.db "
        "(embedded) or postgresql://user@host:5432/database"
    ]
    with_password = problems(
        tmp_path, EMBEDDED.replace("sqlite:////var/lib/floe/catalog.db", "postgresql://floe:hunter2@db/catalog")
    )
    assert with_password == [
        "catalog.uri: holds a database password — drop the password from the URL and set PGPASSWORD in the environment"
    ]
    rest_only = EMBEDDED.replace(
        "  warehouse:", "  headers: {X-Team: data}\n  access_delegation: vended-credentials\n  warehouse:"
    )
    assert problems(tmp_path, rest_only) == [
        "catalog.access_delegation: is a REST catalog setting, but catalog.type is sql — remove "
        "catalog.access_delegation, or set catalog.type: rest",
        "catalog.headers: is a REST catalog setting, but catalog.type is sql — remove catalog.headers, "
        "or set catalog.type: rest",
    ]


def test_bad_staging_locations_name_the_field_and_the_fix(tmp_path: Path) -> None:
    both = EMBEDDED.replace("    location:", "    bucket: floe-staging\n    location:")
    assert problems(tmp_path, both) == [
        "storage.staging.location: is set together with bucket — give the S3 bucket producers stage in "
        "(bucket: floe-staging), or a local folder (location: file:///var/lib/floe/staging), not both"
    ]
    relative = EMBEDDED.replace("location: file:///var/lib/floe/staging", "location: ./staging")
    assert problems(tmp_path, relative) == [
        'storage.staging.location: is "./staging", not a file:/// URI of a local folder — write an absolute '
        "folder as a URI, e.g. location: file:///var/lib/floe/staging"
    ]
    neither = EMBEDDED.replace("    location: file:///var/lib/floe/staging\n", "")
    assert problems(tmp_path, neither)[0].startswith("storage.staging.bucket: is missing — give the S3 bucket")


def test_a_catalog_that_cannot_be_opened_is_named_without_its_user(tmp_path: Path) -> None:
    text = EMBEDDED.replace("sqlite:////var/lib/floe/catalog.db", f"sqlite:///{tmp_path}/no/such/folder/c.db")
    with pytest.raises(FloeDagsterError) as error:
        catalog_from_artifacts(load_floe_yaml(written(tmp_path, text), {}))
    assert error.value.kind == "catalog-error"
    assert str(error.value).startswith(
        f"cannot open the SQL catalog at sqlite:///{tmp_path}/no/such/folder/c.db (OperationalError): "
        "check catalog.uri in the artifacts"
    )


def test_a_postgresql_catalog_opens_through_psycopg2(tmp_path: Path) -> None:
    stack = stack_env()
    name = f"dg_pg_{uuid.uuid4().hex[:8]}"
    text = EMBEDDED.replace("sqlite:////var/lib/floe/catalog.db", stack["postgresUri"])
    text = text.replace("warehouse: file:///var/lib/floe/warehouse", f"warehouse: {(tmp_path / 'wh').as_uri()}")
    catalog = catalog_from_artifacts(
        load_floe_yaml(written(tmp_path, text.replace("  warehouse:", f"  name: {name}\n  warehouse:")), {})
    )
    assert isinstance(catalog, SqlCatalog) and catalog.name == name
    catalog.create_namespace("probe")
    try:
        assert catalog.list_namespaces() == [("probe",)]
    finally:
        catalog.drop_namespace("probe")
