"""Tests of floe_dagster.artifacts against artifacts written by floe's own compiler.

``fixtures/floe.compiled.json`` is what ``floe compile`` (libs/config ``compileConfig``) writes for
floe.example.yaml; ``test_fixture_is_what_floe_compile_writes`` regenerates it with Node to keep the
two languages from drifting apart.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import floe_dagster
import pytest
from floe_dagster import ArtifactsError, load_artifacts, parse_artifacts
from tests.support.node_script import run_node_module

FIXTURE = Path(__file__).parent / "fixtures" / "floe.compiled.json"
ENV = {
    "FLOE_CATALOG_CLIENT_SECRET": "catalog-secret-value",
    "AWS_ACCESS_KEY_ID": "minio-key-id",
    "AWS_SECRET_ACCESS_KEY": "minio-secret-value",
}


def fixture_document() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def messages(error: pytest.ExceptionInfo[ArtifactsError]) -> list[str]:
    return [str(issue) for issue in error.value.issues]


def test_package_exports_its_version() -> None:
    assert floe_dagster.__version__ == "0.1.0"


def test_loads_catalog_storage_and_queue_with_secrets_resolved() -> None:
    artifacts = load_artifacts(FIXTURE, ENV)

    assert artifacts.version == 1
    assert artifacts.source == str(FIXTURE)
    assert artifacts.catalog.type == "rest"
    assert artifacts.catalog.uri == "http://127.0.0.1:8181"
    assert artifacts.catalog.warehouse == "analytics"
    assert artifacts.catalog.scope == "PRINCIPAL_ROLE:ALL"
    assert artifacts.catalog.access_delegation == "none"
    assert artifacts.catalog.headers == {"X-Floe-Deployment": "example"}
    assert artifacts.catalog.credential is not None
    assert artifacts.catalog.credential.client_id == "floe"
    assert artifacts.catalog.credential.client_secret == "catalog-secret-value"
    assert artifacts.catalog.credential.token is None

    assert artifacts.storage.endpoint == "http://127.0.0.1:9000"
    assert artifacts.storage.region == "us-east-1"
    assert artifacts.storage.path_style is True
    assert artifacts.storage.access_key_id == "minio-key-id"
    assert artifacts.storage.secret_access_key == "minio-secret-value"
    assert artifacts.storage.session_token is None
    assert artifacts.storage.staging.bucket == "floe-staging"
    assert artifacts.storage.staging.prefix == "staging/"
    assert artifacts.storage.max_staged_object_bytes == 268435456

    # ${env:FLOE_REDIS_URL:-redis://127.0.0.1:6379} with the variable unset: the fallback.
    assert artifacts.queue.redis_url == "redis://127.0.0.1:6379"
    assert artifacts.queue.prefix == "floe"
    assert artifacts.queue.write_queue == "floe-write"
    assert artifacts.queue.maintenance_queue == "floe-maintenance"
    assert set(artifacts.other_sections) == {"writer", "maintenance", "observability"}


def test_fallback_applies_to_empty_variables_and_yields_to_set_ones() -> None:
    assert load_artifacts(FIXTURE, {**ENV, "FLOE_REDIS_URL": ""}).queue.redis_url == "redis://127.0.0.1:6379"
    chosen = load_artifacts(FIXTURE, {**ENV, "FLOE_REDIS_URL": "redis://:pw@cache:6380/2"})
    assert chosen.queue.redis_url == "redis://:pw@cache:6380/2"


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FLOE_REDIS_URL", "redis://queue:6379")
    assert load_artifacts(FIXTURE).queue.redis_url == "redis://queue:6379"


def test_repr_never_shows_secrets() -> None:
    shown = repr(load_artifacts(FIXTURE, {**ENV, "FLOE_REDIS_URL": "redis://:redis-password@cache:6379"}))
    for secret in ("catalog-secret-value", "minio-secret-value", "redis-password"):
        assert secret not in shown
    assert "minio-key-id" in shown  # an access key id is not a secret


def test_reports_every_unset_variable_with_its_field() -> None:
    with pytest.raises(ArtifactsError) as error:
        load_artifacts(FIXTURE, {})
    assert error.value.kind == "missing-env"
    assert messages(error) == [
        "catalog.credential.client_secret: environment variable FLOE_CATALOG_CLIENT_SECRET is not set"
        " — export FLOE_CATALOG_CLIENT_SECRET in the environment of the Dagster process",
        "storage.access_key_id: environment variable AWS_ACCESS_KEY_ID is not set"
        " — export AWS_ACCESS_KEY_ID in the environment of the Dagster process,"
        " or give a default with ${env:AWS_ACCESS_KEY_ID:-value}",
        "storage.secret_access_key: environment variable AWS_SECRET_ACCESS_KEY is not set"
        " — export AWS_SECRET_ACCESS_KEY in the environment of the Dagster process",
    ]
    assert str(error.value).startswith(f"{FIXTURE} has 3 problems:\n  catalog.credential.client_secret:")


def test_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    missing = tmp_path / "floe.compiled.json"
    with pytest.raises(ArtifactsError) as error:
        load_artifacts(missing, ENV)
    assert error.value.kind == "unreadable-artifacts"
    assert str(error.value) == (
        f"cannot read {missing}:\n"
        f"  {missing}: does not exist — run `npm run floe -- compile --config floe.yaml --out {missing}` "
        "to create it (or use config_path: floe.yaml)"
    )


def test_unreadable_file_names_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ArtifactsError) as error:
        load_artifacts(tmp_path, ENV)  # a directory
    assert error.value.kind == "unreadable-artifacts"
    assert messages(error)[0].startswith(f"{tmp_path}: cannot be read (")


def test_invalid_json_is_reported_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "floe.compiled.json"
    broken.write_text('{\n  "version": 1,\n  "catalog": \n}\n', encoding="utf-8")
    with pytest.raises(ArtifactsError) as error:
        load_artifacts(broken, ENV)
    assert messages(error) == [
        f"{broken}: is not JSON (Expecting value at line 4) — regenerate it with `npm run floe -- compile`"
    ]


@pytest.mark.parametrize("version", [2, None, "1", True])
def test_other_versions_are_refused(version: object) -> None:
    document = fixture_document()
    document["version"] = version
    with pytest.raises(ArtifactsError) as error:
        parse_artifacts(document, ENV, "artifacts.json")
    assert error.value.kind == "unsupported-version"
    assert messages(error) == [
        f"version: is {json.dumps(version)}, floe-dagster reads version 1"
        " — run `npm run floe -- compile` with the floe version this package belongs to, to regenerate it"
    ]


def test_not_an_object_is_refused_as_an_unknown_version() -> None:
    with pytest.raises(ArtifactsError) as error:
        parse_artifacts([1, 2], ENV)
    assert error.value.kind == "unsupported-version"


def test_missing_sections_and_bad_fields_are_reported_together() -> None:
    document = fixture_document()
    del document["queue"]
    document["catalog"]["uri"] = "polaris:8181"
    del document["catalog"]["warehouse"]
    document["storage"]["path_style"] = "yes"
    document["storage"]["max_staged_object_bytes"] = 1.5
    document["storage"]["staging"] = None
    with pytest.raises(ArtifactsError) as error:
        parse_artifacts(document, ENV, "artifacts.json")
    assert error.value.kind == "invalid-artifacts"
    assert messages(error) == [
        'catalog.uri: is "polaris:8181", not a http:///https:// URL — give a full URL',
        "catalog.warehouse: is missing — regenerate the artifacts with `npm run floe -- compile`",
        "storage.staging: is missing — add staging: {bucket: …, prefix: staging/}",
        'storage.path_style: is "yes", expected true or false — regenerate it with `npm run floe -- compile`',
        "storage.max_staged_object_bytes: is 1.5, expected an integer — regenerate it with `npm run floe -- compile`",
        "queue: is missing — regenerate the artifacts with `npm run floe -- compile`",
    ]
    assert str(error.value).startswith("artifacts.json has 6 problems:")


def test_wrong_types_name_the_expected_one() -> None:
    document = fixture_document()
    document["catalog"]["credential"]["client_id"] = 42
    document["catalog"]["headers"] = ["X-A: b"]
    document["catalog"]["access_delegation"] = "sts"
    with pytest.raises(ArtifactsError) as error:
        parse_artifacts(document, ENV)
    assert messages(error) == [
        "catalog.headers: is not a mapping — write headers as name: value pairs",
        "catalog.credential.client_id: is a number, expected a string — regenerate it with `npm run floe -- compile`",
        'catalog.access_delegation: is "sts" — use none or vended-credentials',
    ]


def test_a_resolved_secret_never_appears_in_a_message() -> None:
    with pytest.raises(ArtifactsError) as error:
        load_artifacts(FIXTURE, {**ENV, "FLOE_REDIS_URL": "http://:topsecretpw@cache:6379"})
    assert messages(error) == ["queue.redis_url: is [REDACTED], not a redis:///rediss:// URL — give a full URL"]
    assert "topsecretpw" not in str(error.value)


def test_escapes_and_placeholders_outside_reference_fields_stay_literal() -> None:
    document = fixture_document()
    document["catalog"]["headers"]["X-Template"] = "$${env:NOT_RESOLVED}"
    document["catalog"]["warehouse"] = "${kept-as-data}"
    artifacts = parse_artifacts(document, ENV)
    assert artifacts.catalog.headers["X-Template"] == "${env:NOT_RESOLVED}"
    assert artifacts.catalog.warehouse == "${kept-as-data}"


def test_unsupported_placeholders_in_reference_fields_are_refused() -> None:
    document = fixture_document()
    document["storage"]["secret_access_key"] = "${AWS_SECRET_ACCESS_KEY}"
    with pytest.raises(ArtifactsError) as error:
        parse_artifacts(document, ENV)
    assert messages(error) == [
        "storage.secret_access_key: has the unsupported placeholder `${AWS_SECRET_ACCESS_KEY}`"
        " — write ${env:NAME} or ${env:NAME:-default}, or $${…} for a literal"
    ]


def test_input_document_is_not_modified() -> None:
    document = fixture_document()
    before = copy.deepcopy(document)
    parse_artifacts(document, ENV)
    assert document == before


def test_fixture_is_what_floe_compile_writes() -> None:
    """Regenerates the fixture with libs/config: the Python reader follows the TypeScript writer."""
    script = (
        "import { readFileSync } from 'node:fs';"
        "import { compileConfig, serializeCompiledArtifacts } from '@floe/config';"
        "const env = { FLOE_CATALOG_CLIENT_SECRET: 'x', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };"
        "process.stdout.write(serializeCompiledArtifacts("
        "compileConfig(readFileSync('floe.example.yaml', 'utf8'), env)));"
    )
    compiled = run_node_module(script)
    assert json.loads(compiled) == fixture_document(), (
        "tests/fixtures/floe.compiled.json is stale: regenerate it from floe.example.yaml with compileConfig"
    )
