"""Independent peers for interop tests: PyIceberg and DuckDB configured for the local stack.

Tests run Python through `runPython` (tests/support/python.ts), which puts this folder on
PYTHONPATH and exports the stack's endpoints as FLOE_* variables.
"""

import json
import os
import sys


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this through runPython() with the stack up")
    return value


def s3_properties() -> dict:
    return {
        "s3.endpoint": env("FLOE_S3_ENDPOINT"),
        "s3.access-key-id": env("FLOE_S3_ACCESS_KEY_ID"),
        "s3.secret-access-key": env("FLOE_S3_SECRET_ACCESS_KEY"),
        "s3.region": env("FLOE_S3_REGION"),
        "s3.path-style-access": "true",
    }


def catalog(name: str = "floe"):
    """PyIceberg's REST catalog client pointed at the stack's Iceberg REST server."""
    from pyiceberg.catalog.rest import RestCatalog

    return RestCatalog(name, uri=env("FLOE_CATALOG_URI"), **s3_properties())


def sql_catalog(uri: str, warehouse: str, name: str = "floe"):
    """PyIceberg's SqlCatalog on the database floe's embedded SQL catalog uses (SQLite or PostgreSQL)."""
    from pyiceberg.catalog.sql import SqlCatalog

    # SQLAlchemy 2.1 defaults postgresql:// to psycopg 3; the venv has psycopg2 (floe takes both forms).
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg2://" + uri.removeprefix("postgresql://")
    # Tables on the local filesystem need no S3 settings (the embedded demo has no object store).
    storage = s3_properties() if os.environ.get("FLOE_S3_ENDPOINT") else {}
    return SqlCatalog(name, uri=uri, warehouse=warehouse, **storage)


def duckdb_connection(s3: bool = True):
    """DuckDB with the iceberg, httpfs and avro extensions loaded from the venv (no downloads);
    `s3=False` for tables on the local filesystem (no S3 secret)."""
    import duckdb
    import duckdb_ext

    ext_dir = os.path.join(next(iter(duckdb_ext.__path__)), "extensions")
    con = duckdb.connect(config={"extension_directory": ext_dir, "autoinstall_known_extensions": False})
    for extension in ("httpfs", "avro", "iceberg"):
        con.execute(f"LOAD {extension}")
    if not s3:
        return con
    endpoint = env("FLOE_S3_ENDPOINT").removeprefix("http://")
    con.execute(
        "CREATE OR REPLACE SECRET floe_s3 (TYPE s3, KEY_ID ?, SECRET ?, ENDPOINT ?, REGION ?, "
        "URL_STYLE 'path', USE_SSL false)",
        [env("FLOE_S3_ACCESS_KEY_ID"), env("FLOE_S3_SECRET_ACCESS_KEY"), endpoint, env("FLOE_S3_REGION")],
    )
    return con


def emit(value) -> None:
    """Prints the JSON result on the last stdout line (what runPython parses)."""
    sys.stdout.write("\n" + json.dumps(value, default=str) + "\n")
