"""PyIceberg's catalog built from the same CompiledArtifacts the writer fleet reads: its REST
catalog for ``catalog.type: rest``, its ``SqlCatalog`` on the same database (SQLite file or
PostgreSQL, JDBC-catalog layout) and catalog name for floe's embedded ``catalog.type: sql``.

The IOManager uses the catalog for what the fleet does not do: creating missing namespaces
(writers create missing *tables* from a job's ``create`` request, not namespaces), reading a
table's column types to phrase partition filters, finding a job's commit marker
(``floe.job-ids`` in a snapshot summary) when the queue no longer holds the job, and every read
of ``load_input``. Storage settings come from the artifacts' ``storage`` section; the catalog's
OAuth2 credential, token, scope and extra headers from ``catalog``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from urllib.parse import urlsplit
from urllib.request import url2pathname

from pyiceberg.catalog import Catalog
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, NoSuchTableError
from pyiceberg.table import Table
from pyiceberg.types import PrimitiveType

from floe_dagster.artifacts import CompiledArtifacts
from floe_dagster.errors import FloeDagsterError
from floe_dagster.exactly_once import EXACTLY_ONCE_WINDOW_MS, marker_search_start_ms
from floe_dagster.fleet_queue import WriteResult
from floe_dagster.naming import TableName

JOB_IDS_PROPERTY = "floe.job-ids"


def catalog_from_artifacts(artifacts: CompiledArtifacts, name: str = "floe") -> Catalog:
    if artifacts.catalog.type == "sql":
        return _sql_catalog(artifacts)
    return _rest_catalog(artifacts, name)


def sqlalchemy_uri(uri: str) -> str:
    """A floe SQL catalog URI as SQLAlchemy (so PyIceberg) takes it, the way libs/catalog reads it:
    ``postgresql://`` (or ``postgres://``) is psycopg2's (SQLAlchemy 2.1 would pick psycopg 3), a
    ``file:`` URI or a plain path is a SQLite file; ``sqlite://`` and ``+driver`` forms are kept."""
    scheme, separator, rest = uri.partition("://")
    lowered = scheme.lower()
    if separator and lowered in ("postgresql", "postgres"):
        return f"postgresql+psycopg2://{rest}"
    if uri.lower().startswith("file:"):
        return f"sqlite:///{url2pathname(urlsplit(uri).path)}"
    if not separator:
        return f"sqlite:///{uri}"
    return uri


def _storage_properties(artifacts: CompiledArtifacts) -> dict[str, str]:
    storage = artifacts.storage
    properties: dict[str, str] = {"s3.region": storage.region}
    if storage.endpoint:
        properties["s3.endpoint"] = storage.endpoint
    if storage.path_style:
        properties["s3.force-virtual-addressing"] = "false"
    if storage.access_key_id and storage.secret_access_key:
        properties["s3.access-key-id"] = storage.access_key_id
        properties["s3.secret-access-key"] = storage.secret_access_key
        if storage.session_token:
            properties["s3.session-token"] = storage.session_token
    return properties


def _sql_catalog(artifacts: CompiledArtifacts) -> SqlCatalog:
    settings = artifacts.catalog
    shown = _without_user(settings.uri)
    try:
        return SqlCatalog(
            settings.name,
            uri=sqlalchemy_uri(settings.uri),
            warehouse=settings.warehouse,
            **_storage_properties(artifacts),
        )
    except ModuleNotFoundError as error:
        raise FloeDagsterError(
            "catalog-error",
            f"the SQL catalog at {shown} needs the Python module {error.name}: "
            "pip install 'floe-dagster[postgres]' (psycopg2) for PostgreSQL",
            context={"uri": shown},
        ) from error
    except Exception as error:
        raise FloeDagsterError(
            "catalog-error",
            f"cannot open the SQL catalog at {shown} ({type(error).__name__}): check catalog.uri in the "
            "artifacts (a SQLite file in a folder this process may write, or a PostgreSQL server that "
            "answers; its password in PGPASSWORD)",
            retryable=True,
            context={"uri": shown},
        ) from error


def _without_user(uri: str) -> str:
    """The database for messages: scheme, host, port and path; never a user or password."""
    parts = urlsplit(uri)
    if not parts.netloc or "@" not in parts.netloc:
        return uri
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def _rest_catalog(artifacts: CompiledArtifacts, name: str) -> RestCatalog:
    settings = artifacts.catalog
    properties: dict[str, str] = {"uri": settings.uri, "warehouse": settings.warehouse}
    if settings.credential is not None:
        if settings.credential.token:
            properties["token"] = settings.credential.token
        elif settings.credential.client_id and settings.credential.client_secret:
            properties["credential"] = f"{settings.credential.client_id}:{settings.credential.client_secret}"
            properties["scope"] = settings.scope
    if settings.oauth2_server_uri:
        properties["oauth2-server-uri"] = settings.oauth2_server_uri
    for header, value in settings.headers.items():
        properties[f"header.{header}"] = value
    if settings.access_delegation == "vended-credentials":
        properties["header.X-Iceberg-Access-Delegation"] = "vended-credentials"
    properties.update(_storage_properties(artifacts))
    try:
        return RestCatalog(name, **properties)
    except Exception as error:
        raise FloeDagsterError(
            "catalog-error",
            f"cannot connect to the Iceberg REST catalog at {settings.uri} ({type(error).__name__}: {error}): "
            "check catalog.uri and catalog.credential in the artifacts",
            retryable=True,
            context={"uri": settings.uri},
        ) from error


def ensure_namespace(catalog: Catalog, namespace: Sequence[str]) -> None:
    """Creates the namespace and each missing parent (``a``, then ``a.b``)."""
    for depth in range(1, len(namespace) + 1):
        level = tuple(namespace[:depth])
        try:
            catalog.create_namespace_if_not_exists(level)
        except NamespaceAlreadyExistsError:
            pass  # created concurrently by another step


def load_table_or_none(catalog: Catalog, table: TableName) -> Table | None:
    try:
        return catalog.load_table((*table.namespace, table.name))
    except NoSuchTableError:
        return None


def column_kinds(table: Table) -> dict[str, str]:
    """Top-level column name → Iceberg primitive type name (``timestamptz``, ``date``…)."""
    kinds: dict[str, str] = {}
    for field in table.schema().fields:
        if isinstance(field.field_type, PrimitiveType):
            kinds[field.name] = str(field.field_type).split("(")[0]
    return kinds


def marker_search_start(earliest_enqueue_ms: int | None, now_ms: int) -> int:
    """Oldest snapshot timestamp (ms) that can carry the marker of a job enqueued no earlier than
    ``earliest_enqueue_ms`` (unknown: the exactly-once window back from now), less the clock skew."""
    window_start = now_ms - EXACTLY_ONCE_WINDOW_MS
    since = window_start if earliest_enqueue_ms is None else max(earliest_enqueue_ms, window_start)
    return marker_search_start_ms(since)


def find_committed_job(table: Table, job_id: str, table_name: str, since_ms: int) -> WriteResult | None:
    """The result of the snapshot whose ``floe.job-ids`` holds ``job_id``, among the snapshots
    committed at or after ``since_ms`` (``marker_search_start``), if the table keeps it."""
    for snapshot in reversed(table.metadata.snapshots):
        if snapshot.timestamp_ms < since_ms:
            continue
        summary = snapshot.summary
        if summary is None:
            continue
        ids = summary.get(JOB_IDS_PROPERTY) or ""
        if job_id in ids.split(","):
            committed_at = datetime.fromtimestamp(snapshot.timestamp_ms / 1000, timezone.utc)
            return WriteResult(
                table=table_name,
                snapshot_id=snapshot.snapshot_id,
                sequence_number=snapshot.sequence_number or 0,
                operation=summary.operation.value,
                added_rows=int(summary.get("added-records") or 0),
                added_files=int(summary.get("added-data-files") or 0),
                added_bytes=int(summary.get("added-files-size") or 0),
                removed_files=int(summary.get("deleted-data-files") or 0),
                schema_id=snapshot.schema_id or 0,
                attempts=1,
                coalesced_jobs=len(ids.split(",")),
                committed_at=committed_at.isoformat(),
                already_committed=True,
            )
    return None
