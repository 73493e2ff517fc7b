"""Reads ``floe.yaml`` directly, so the IOManager and the writers share one configuration file.

Writers read floe.yaml (``--config``) and compile it in memory; this module does the same for
the three sections the IOManager uses (``catalog``, ``storage``, ``queue``), the way
libs/config's compiler does: YAML, ``${env:…}`` references resolved everywhere (the sensitive
fields, which compiled artifacts keep as references, are resolved when the result is loaded
— the same end result), strings given for numbers and booleans accepted (``${env:…}`` always
yields text), text trimmed, and the schema's defaults filled in. The result then goes through
the artifacts loader (artifacts.py) for its checks, so a floe.yaml and the floe.compiled.json
compiled from it load to equal settings: tests/test_floe_yaml.py proves it against the real
compiler. The other sections (writer, maintenance, observability) are the workers' concern.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from floe_dagster.artifacts import (
    ARTIFACTS_VERSION,
    ArtifactsError,
    ArtifactsIssue,
    CompiledArtifacts,
    keeps_reference,
    parse_artifacts,
    resolve_references,
    scrub_issues,
)

SECTIONS = ("catalog", "storage", "queue")
# The defaults of libs/config/src/schema/{catalog,storage,queue}.ts for the fields modelled here.
DEFAULTS: dict[tuple[str, ...], object] = {
    ("catalog", "scope"): "PRINCIPAL_ROLE:ALL",
    ("catalog", "access_delegation"): "none",
    ("catalog", "headers"): {},
    ("catalog", "name"): "floe",
    ("storage", "region"): "us-east-1",
    ("storage", "path_style"): False,
    ("storage", "max_staged_object_bytes"): 256 * 1024 * 1024,
    ("storage", "staging", "prefix"): "staging/",
    ("queue", "prefix"): "floe",
    ("queue", "write_queue"): "floe-write",
    ("queue", "maintenance_queue"): "floe-maintenance",
}
BOOLEANS = {("storage", "path_style")}
INTEGERS = {("storage", "max_staged_object_bytes")}
UNTRIMMED = {("storage", "staging", "prefix"), ("storage", "staging", "location")}


def load_floe_yaml(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> CompiledArtifacts:
    """The settings a floe.yaml compiles to; ``env`` defaults to ``os.environ``."""
    environment = os.environ if env is None else env
    source = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        issue = ArtifactsIssue(source, "does not exist", "give config_path the floe.yaml the writers read")
        raise ArtifactsError("unreadable-artifacts", f"cannot read {source}:", [issue]) from None
    except OSError as error:
        issue = ArtifactsIssue(source, f"cannot be read ({error.strerror or type(error).__name__})", "check the path")
        raise ArtifactsError("unreadable-artifacts", f"cannot read {source}:", [issue]) from error
    except yaml.YAMLError as error:
        issue = ArtifactsIssue(source, f"is not valid YAML ({error})", "fix the YAML syntax")
        raise ArtifactsError("invalid-config", f"cannot read {source}:", [issue]) from None
    if not isinstance(raw, dict):
        issue = ArtifactsIssue(source, "is not a mapping of sections", "start from the README's floe.yaml")
        raise ArtifactsError("invalid-config", f"cannot read {source}:", [issue])

    issues: list[ArtifactsIssue] = []
    resolved: list[str] = []

    def prepare(value: Any, where: tuple[str, ...]) -> Any:
        if isinstance(value, dict):
            return {str(key): prepare(item, (*where, str(key))) for key, item in value.items()}
        if isinstance(value, list):
            return [prepare(item, where) for item in value]
        if not isinstance(value, str):
            return value
        if keeps_reference(where):
            return value  # resolved when the result is loaded, as compiled artifacts keep it
        text, found, values = resolve_references(value, where, environment) if "${" in value else (value, [], [])
        issues.extend(found)
        resolved.extend(values)
        return text if where in UNTRIMMED else text.strip()

    document: dict[str, Any] = {"version": ARTIFACTS_VERSION}
    for section in SECTIONS:
        document[section] = prepare(raw.get(section), (section,))
    for where, default in DEFAULTS.items():
        _set_default(document, where, default)
    for where in BOOLEANS | INTEGERS:
        _coerce(document, where, where in BOOLEANS)
    if issues:
        only_env = all(issue.problem.startswith("environment variable ") for issue in issues)
        raise ArtifactsError(
            "missing-env" if only_env else "invalid-config",
            f"{source} has {len(issues)} problem{'' if len(issues) == 1 else 's'}:",
            scrub_issues(issues, resolved),
        )
    try:
        return parse_artifacts(document, environment, source)
    except ArtifactsError as error:
        # The checks are the artifacts loader's; the fix is in floe.yaml, not in a recompile.
        fixed = [
            ArtifactsIssue(issue.path, issue.problem, f"fix it in {source}" if "compile`" in issue.fix else issue.fix)
            for issue in error.issues
        ]
        raise ArtifactsError(error.kind, str(error).split("\n", 1)[0], fixed) from None


def _set_default(document: dict[str, Any], where: tuple[str, ...], default: object) -> None:
    node: Any = document
    for key in where[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict) and node.get(where[-1]) is None:
        node[where[-1]] = dict(default) if isinstance(default, dict) else default


def _coerce(document: dict[str, Any], where: tuple[str, ...], boolean: bool) -> None:
    node: Any = document
    for key in where[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or not isinstance(node.get(where[-1]), str):
        return
    text = node[where[-1]].strip()
    if boolean and text in ("true", "false"):
        node[where[-1]] = text == "true"
    elif not boolean and text.lstrip("-").isdigit():
        node[where[-1]] = int(text)
