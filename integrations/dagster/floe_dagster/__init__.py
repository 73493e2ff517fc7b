"""floe-dagster: Dagster assets that land data in Iceberg through the floe write fleet.

The package reads the same CompiledArtifacts file as floe's TypeScript apps (``floe compile``),
so a Dagster deployment and the workers agree on the catalog, storage and queue by construction.
``FloeIcebergIOManager`` stages asset outputs in S3 (or a local staging folder) and has the
fleet's writer workers commit them; it reads inputs back with PyIceberg (REST or SQL catalog).
"""

from floe_dagster.artifacts import (
    ARTIFACTS_VERSION,
    ArtifactsError,
    ArtifactsIssue,
    CatalogCredential,
    CatalogSettings,
    CompiledArtifacts,
    QueueSettings,
    StagingSettings,
    StorageSettings,
    load_artifacts,
    parse_artifacts,
)
from floe_dagster.errors import FloeDagsterError
from floe_dagster.fleet_queue import WriteResult
from floe_dagster.floe_yaml import load_floe_yaml
from floe_dagster.io_manager import FloeIcebergIOManager
from floe_dagster.naming import TableName, idempotency_key, table_for_asset

__version__ = "0.1.0"

__all__ = [
    "ARTIFACTS_VERSION",
    "ArtifactsError",
    "ArtifactsIssue",
    "CatalogCredential",
    "CatalogSettings",
    "CompiledArtifacts",
    "FloeDagsterError",
    "FloeIcebergIOManager",
    "QueueSettings",
    "StagingSettings",
    "StorageSettings",
    "TableName",
    "WriteResult",
    "__version__",
    "idempotency_key",
    "load_artifacts",
    "load_floe_yaml",
    "parse_artifacts",
    "table_for_asset",
]
