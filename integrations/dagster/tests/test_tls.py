"""S3 and Redis over TLS with a private CA, trusted through the documented standard variables.

The stack's MinIO and Redis are reached through TLS endpoints whose certificate a self-signed
CA issued (tests/support/tls_proxy.py): ``storage.endpoint: https://…`` and
``queue.redis_url: rediss://…``. A real writer process trusts the CA through
``NODE_EXTRA_CA_CERTS``; the IOManager through ``SSL_CERT_FILE`` (Redis) and ``AWS_CA_BUNDLE``
(S3, boto3, and PyArrow's S3 client when load_input reads data files), set in the environment
its process starts with. An asset materializes through both and a downstream asset reads it
back; PyIceberg judges the rows. Without the CA the IOManager fails before staging anything,
saying the certificate could not be verified.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from dagster import asset, materialize
from floe_dagster import FloeDagsterError, FloeIcebergIOManager
from pyiceberg.catalog.rest import RestCatalog
from tests.support.fleet import ACCESS_KEY_ENV, SECRET_KEY_ENV, Fleet, floe_yaml, stack_env
from tests.support.scoped_env import scoped_env
from tests.support.tls_proxy import PrivateCa, TlsProxy, make_ca

PACKAGE = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tls_fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Fleet, PrivateCa]]:
    stack = stack_env()
    directory = tmp_path_factory.mktemp("tls")
    ca = make_ca(directory / "ca")
    s3_port = int(stack["s3Endpoint"].rsplit(":", 1)[1])
    redis_port = int(stack["redisUrl"].rsplit(":", 1)[1])
    s3, redis = TlsProxy(ca, s3_port), TlsProxy(ca, redis_port)
    over_tls = {**stack, "s3Endpoint": f"https://127.0.0.1:{s3.port}", "redisUrl": f"rediss://127.0.0.1:{redis.port}"}
    run = f"tls-{uuid.uuid4().hex[:8]}"
    config = directory / "floe.yaml"
    config.write_text(floe_yaml(over_tls, run), encoding="utf-8")
    env = {
        ACCESS_KEY_ENV: stack["s3AccessKeyId"],
        SECRET_KEY_ENV: stack["s3SecretAccessKey"],
        "NODE_EXTRA_CA_CERTS": str(ca.ca_cert),
    }
    fleet = Fleet(run, directory, config, directory / "unused.json", env, over_tls)
    try:
        with scoped_env({ACCESS_KEY_ENV: stack["s3AccessKeyId"], SECRET_KEY_ENV: stack["s3SecretAccessKey"]}):
            fleet.start_worker()
            yield fleet, ca
    finally:
        fleet.stop_workers()
        s3.close()
        redis.close()


MATERIALIZE_AND_READ = """
import sys
import pyarrow as pa
from dagster import AssetIn, AssetKey, asset, materialize
from floe_dagster import FloeIcebergIOManager

namespace, config = sys.argv[1], sys.argv[2]
read = []

@asset(key_prefix=[namespace], name="over_tls", io_manager_key="floe")
def over_tls() -> pa.Table:
    return pa.table({"id": pa.array([1, 2, 3], pa.int64())})

@asset(key_prefix=[namespace], ins={"over_tls": AssetIn(key=AssetKey([namespace, "over_tls"]))})
def read_over_tls(over_tls: pa.Table) -> None:
    read.append(sorted(over_tls.column("id").to_pylist()))

manager = FloeIcebergIOManager(config_path=config, result_timeout_seconds=120)
assert materialize([over_tls, read_over_tls], resources={"floe": manager, "io_manager": manager}).success
print("read back", read[0])
"""


def test_an_asset_materializes_over_tls_to_s3_and_redis_with_a_private_ca(
    tls_fleet: tuple[Fleet, PrivateCa], namespace: str, judge: RestCatalog
) -> None:
    fleet, ca = tls_fleet
    # A Dagster process of its own, started with the CA in its environment as a deployment would
    # (PyArrow's S3 client, used by load_input, reads its trust settings once per process).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(fleet.env)
    env.update({"SSL_CERT_FILE": str(ca.ca_cert), "AWS_CA_BUNDLE": str(ca.ca_cert), "PYTHONPATH": str(PACKAGE)})
    ran = subprocess.run(
        [sys.executable, "-c", MATERIALIZE_AND_READ, namespace, str(fleet.config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    # load_input read the data files through the TLS endpoint too
    assert "read back [1, 2, 3]" in ran.stdout
    table = judge.load_table((namespace, "over_tls"))
    assert sorted(table.scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]


def test_without_the_ca_the_step_says_the_certificate_is_not_trusted(
    tls_fleet: tuple[Fleet, PrivateCa], namespace: str, tmp_path: Path
) -> None:
    fleet, _ = tls_fleet

    @asset(key_prefix=[namespace], name="untrusted", io_manager_key="floe")
    def untrusted() -> pa.Table:
        return pa.table({"id": pa.array([1], pa.int64())})

    manager = FloeIcebergIOManager(config_path=str(fleet.config), result_timeout_seconds=30)
    with pytest.raises(
        FloeDagsterError, match=r"cannot reach Redis at rediss://127\.0\.0\.1:\d+ .*certificate verify failed"
    ):
        materialize([untrusted], resources={"floe": manager})
