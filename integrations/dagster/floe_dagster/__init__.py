"""floe-dagster: Dagster assets that land data in Iceberg through the floe write fleet.

The package reads the same CompiledArtifacts file as floe's TypeScript apps (``floe compile``),
so a Dagster deployment and the workers agree on the catalog, storage and queue by construction.
Today it provides the artifacts loader; the IOManager arrives with the write fleet.
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

__version__ = "0.1.0"

__all__ = [
    "ARTIFACTS_VERSION",
    "ArtifactsError",
    "ArtifactsIssue",
    "CatalogCredential",
    "CatalogSettings",
    "CompiledArtifacts",
    "QueueSettings",
    "StagingSettings",
    "StorageSettings",
    "__version__",
    "load_artifacts",
    "parse_artifacts",
]
