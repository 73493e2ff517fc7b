"""Where an asset lands and under which idempotency key: pure functions, no IO.

An asset key ``["bronze", "customers"]`` names the table ``bronze.customers``; a longer key
nests namespaces (``["lake", "bronze", "customers"]`` → namespace ``lake.bronze``). Metadata
``table`` (``"ns.sub.name"``) or ``namespace`` / ``table_name`` overrides that. A one-part
key needs a namespace from the IOManager's ``default_namespace``.

The idempotency key is the BullMQ job id and the writer's commit marker. It derives from the
run's ROOT run id (so re-executing a failed run reuses the jobs its first attempt enqueued),
the step, the asset and the partition key(s), so a retried or re-executed step finds the job
its earlier attempt enqueued instead of writing the rows a second time. Its readable part is
sanitised to the contract's alphabet and a hash of the exact inputs keeps it collision-free.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from floe_dagster.errors import FloeDagsterError

_KEY_ALPHABET = re.compile(r"[^A-Za-z0-9._@=+\-]+")
_MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class TableName:
    namespace: tuple[str, ...]
    name: str

    @property
    def dotted(self) -> str:
        return ".".join([*self.namespace, self.name])

    def as_job_table(self) -> dict[str, object]:
        return {"namespace": list(self.namespace), "name": self.name}


def _check_part(part: str, what: str) -> str:
    if part == "" or len(part) > 255:
        raise FloeDagsterError(
            "invalid-metadata",
            f"{what} {part!r} is not a valid Iceberg identifier part: use 1 to 255 characters",
            context={"part": part},
        )
    return part


def table_for_asset(
    asset_path: Sequence[str], metadata: Mapping[str, object], default_namespace: str | None
) -> TableName:
    """The table an asset's output is written to (see the module docstring for the rules)."""
    shown = "/".join(asset_path)
    table = metadata.get("table")
    if table is not None:
        if not isinstance(table, str) or "." not in table.strip("."):
            raise FloeDagsterError(
                "invalid-metadata",
                f"asset {shown}: metadata table={table!r} must be a string 'namespace.name' (e.g. 'bronze.customers')",
                context={"asset": shown},
            )
        *namespace, name = table.split(".")
        return TableName(tuple(_check_part(p, "namespace part") for p in namespace), _check_part(name, "table name"))
    namespace_value = metadata.get("namespace")
    name_value = metadata.get("table_name", asset_path[-1])
    if not isinstance(name_value, str):
        raise FloeDagsterError(
            "invalid-metadata", f"asset {shown}: metadata table_name must be a string", context={"asset": shown}
        )
    if namespace_value is not None:
        if isinstance(namespace_value, str):
            parts = tuple(namespace_value.split("."))
        elif isinstance(namespace_value, (list, tuple)) and all(isinstance(p, str) for p in namespace_value):
            parts = tuple(str(p) for p in namespace_value)
        else:
            raise FloeDagsterError(
                "invalid-metadata",
                f"asset {shown}: metadata namespace must be a string 'a.b' or a list of strings",
                context={"asset": shown},
            )
    elif len(asset_path) > 1:
        parts = tuple(asset_path[:-1])
    elif default_namespace:
        parts = tuple(default_namespace.split("."))
    else:
        raise FloeDagsterError(
            "invalid-metadata",
            f"asset {shown} has a one-part key, so its namespace is unknown: give the asset a key prefix "
            "(key_prefix=['bronze']), set metadata namespace/table, or set the IOManager's default_namespace",
            context={"asset": shown},
        )
    return TableName(tuple(_check_part(p, "namespace part") for p in parts), _check_part(name_value, "table name"))


def idempotency_key(root_run_id: str, step_key: str, asset_path: Sequence[str], partition_keys: Sequence[str]) -> str:
    """A job id valid under the contract (``^[A-Za-z0-9._~@=+-/]+$``, ≤ 200, not an integer)."""
    exact = "\x1f".join([root_run_id, step_key, "/".join(asset_path), *partition_keys])
    digest = hashlib.sha256(exact.encode("utf-8")).hexdigest()[:16]
    readable = [root_run_id[:36], step_key, "/".join(asset_path)]
    if partition_keys:
        first, last = partition_keys[0], partition_keys[-1]
        readable.append(first if first == last else f"{first}..{last}")
    cleaned = [_KEY_ALPHABET.sub("_", part).strip("_") or "_" for part in readable]
    # '~' separates the parts: a '/' would add levels to the staging layout under the key.
    prefix = "dagster~" + "~".join(cleaned)
    budget = _MAX_KEY_LENGTH - len(digest) - 1
    return f"{prefix[:budget]}~{digest}"
