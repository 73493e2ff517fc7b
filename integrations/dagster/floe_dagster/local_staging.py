"""Staging in a local folder (``storage.staging.location: file:///…``), for floe on one machine.

The same as the TypeScript producer's local staging (apps/producer-sdk ``local-staging.ts``): a
part's URI is the folder's URI, ``/`` and its key (libs/jobs ``stagingUri``), so the writers'
staging confinement accepts it, and its path is that URI as a file path. Each part is written
to a temporary sibling and renamed into place, so a writer never reads a half-written part,
exactly as an S3 upload becomes visible only when complete. Producers and writers must share
the filesystem.
"""

from __future__ import annotations

import errno
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from floe_dagster.errors import FloeDagsterError

# Failures a retry cannot fix (the TypeScript producer's list).
_PERMANENT = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR}


def local_staging_path(uri: str) -> Path:
    """The file a ``file:///…`` staging URI names (percent-escapes decoded, like ``fileURLToPath``)."""
    return Path(url2pathname(urlsplit(uri).path))


class LocalFolderTarget:
    """Parts as files under the staging folder (a ``file:///`` URI)."""

    def __init__(self, location: str) -> None:
        self._root = location.rstrip("/") + "/"

    @property
    def root(self) -> str:
        return self._root

    def put(self, key: str, payload: bytes, sha256: str) -> None:
        path = local_staging_path(self._root + key)
        temporary = path.with_name(f"{path.name}.{uuid.uuid4()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(payload)
            os.replace(temporary, path)
        except OSError as error:
            _remove(temporary)
            code = errno.errorcode.get(error.errno or 0, type(error).__name__)
            raise FloeDagsterError(
                "staging-failed",
                f"staging {path} failed ({code}: {error.strerror or error}): check that "
                "storage.staging.location is a folder this process may write; nothing was enqueued",
                retryable=error.errno not in _PERMANENT,
                context={"path": str(path), "code": code},
            ) from error

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            _remove(local_staging_path(self._root + key))


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # best effort: a leftover part is garbage the staging cleanup removes
