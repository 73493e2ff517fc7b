"""The one error type of floe-dagster's IO path (the artifacts loader keeps its own).

Like every floe library, errors carry a ``kind`` (what went wrong, for code), a ``retryable``
flag (whether trying again later can succeed) and a structured ``context`` (table, job id,
bucket… never a secret). The IOManager raises them from ``handle_output``/``load_input`` so a
Dagster step fails with a message that says what failed, on what, and what to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

FloeErrorKind = Literal[
    "invalid-output",  # the asset returned something that cannot be written
    "invalid-metadata",  # asset/input metadata (table, write_mode, partition_expr…) is wrong
    "invalid-job",  # the write job would not satisfy the contract's JSON Schema
    "staging-failed",  # S3 refused or lost a staged object
    "queue-unavailable",  # Redis did not answer
    "write-failed",  # the writer fleet failed the job (message is the worker's)
    "result-timeout",  # no result within the configured wait
    "catalog-error",  # PyIceberg / the REST catalog failed
    "table-missing",  # load_input of a table that does not exist
]

ContextValue = str | int | float | bool


class FloeDagsterError(Exception):
    """A failure of the floe IOManager, with ``kind``, ``retryable`` and ``context``."""

    def __init__(
        self,
        kind: FloeErrorKind,
        message: str,
        *,
        retryable: bool = False,
        context: Mapping[str, ContextValue] | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: FloeErrorKind = kind
        self.message = message
        self.retryable = retryable
        self.context: dict[str, ContextValue] = dict(context or {})
