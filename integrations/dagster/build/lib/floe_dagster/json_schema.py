"""Checks a write job against the job contract's JSON Schema before it is enqueued.

The schema file (``schema/write-job.v1.schema.json``) is a copy of what libs/jobs exports
(``npm run jobs:schema``); a test keeps the two identical. The project venv has no
``jsonschema`` package, so this module validates the subset of draft 2020-12 that the exported
schemas use: ``type``, ``const``, ``enum``, ``pattern``, string and array bounds, numeric
bounds, ``properties``/``required``/``additionalProperties``/``propertyNames``, ``items``,
``anyOf`` and local ``$ref``. An unknown keyword is refused loudly rather than ignored, so a
future schema feature cannot pass unchecked. Problems come back as ``path: problem`` lines.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

JsonValue = Any  # JSON documents are dynamically typed; every access below checks the shape.

_ANNOTATIONS = {"$id", "$schema", "$defs", "default", "description", "format", "title"}
_HANDLED = {
    "type",
    "const",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "anyOf",
    "$ref",
}


@cache
def write_job_schema() -> dict[str, JsonValue]:
    """The write job v1 schema shipped with this package."""
    text = resources.files("floe_dagster").joinpath("schema/write-job.v1.schema.json").read_text("utf-8")
    schema: dict[str, JsonValue] = json.loads(text)
    return schema


def validate(document: JsonValue, schema: dict[str, JsonValue]) -> list[str]:
    """Every way ``document`` breaks ``schema``, as ``path: problem`` strings (empty = valid)."""
    problems: list[str] = []
    _check(document, schema, schema, "(root)", problems)
    return problems


def _type_matches(value: JsonValue, expected: str) -> bool:
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if expected == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if expected == "number":
        return isinstance(value, (int, float))
    raise ValueError(f"unsupported JSON Schema type {expected!r}")


def _resolve(ref: str, root: dict[str, JsonValue]) -> dict[str, JsonValue]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref values are supported, got {ref!r}")
    node: JsonValue = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]


def _child(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (key if path == "(root)" else f"{path}.{key}")


def _check(
    value: JsonValue, schema: dict[str, JsonValue], root: dict[str, JsonValue], path: str, out: list[str]
) -> None:
    unknown = set(schema) - _HANDLED - _ANNOTATIONS
    if unknown:
        raise ValueError(f"JSON Schema keyword(s) {sorted(unknown)} at {path} are not supported by this validator")
    if "$ref" in schema:
        _check(value, _resolve(schema["$ref"], root), root, path, out)
    if "anyOf" in schema:
        branches = schema["anyOf"]
        if not any(not validate_against(value, branch, root, path) for branch in branches):
            out.append(f"{path}: matches none of the {len(branches)} allowed shapes")
    expected = schema.get("type")
    allowed = [expected] if isinstance(expected, str) else (expected or [])
    if allowed and not any(_type_matches(value, option) for option in allowed):
        out.append(f"{path}: expected {' or '.join(allowed)}, got {_json_kind(value)}")
        return
    if "const" in schema and not _same(value, schema["const"]):
        out.append(f"{path}: must be {json.dumps(schema['const'])}")
    if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
        out.append(f"{path}: must be one of {', '.join(json.dumps(o) for o in schema['enum'])}")
    if isinstance(value, str):
        _check_string(value, schema, path, out)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: must be >= {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: must be <= {schema['maximum']}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(f"{path}: needs at least {schema['minItems']} item(s)")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(f"{path}: allows at most {schema['maxItems']} item(s)")
        if "items" in schema:
            for index, item in enumerate(value):
                _check(item, schema["items"], root, _child(path, index), out)
    if isinstance(value, dict):
        _check_object(value, schema, root, path, out)


def validate_against(
    value: JsonValue, schema: dict[str, JsonValue], root: dict[str, JsonValue], path: str
) -> list[str]:
    problems: list[str] = []
    _check(value, schema, root, path, problems)
    return problems


def _check_string(value: str, schema: dict[str, JsonValue], path: str, out: list[str]) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        out.append(f"{path}: must have at least {schema['minLength']} character(s)")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append(f"{path}: must have at most {schema['maxLength']} characters")
    if "pattern" in schema and _pattern(schema["pattern"]).search(value) is None:
        out.append(f"{path}: {json.dumps(value)} does not match {schema['pattern']}")


def _check_object(
    value: dict[str, JsonValue], schema: dict[str, JsonValue], root: dict[str, JsonValue], path: str, out: list[str]
) -> None:
    properties: dict[str, JsonValue] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            out.append(f"{_child(path, name)}: is required")
    for name, item in value.items():
        if "propertyNames" in schema:
            _check(name, schema["propertyNames"], root, _child(path, name), out)
        if name in properties:
            _check(item, properties[name], root, _child(path, name), out)
            continue
        extra = schema.get("additionalProperties", True)
        if extra is False:
            out.append(f"{_child(path, name)}: is not allowed here")
        elif isinstance(extra, dict):
            _check(item, extra, root, _child(path, name), out)


@cache
def _pattern(source: str) -> re.Pattern[str]:
    # The exported patterns are ECMAScript regexes within the subset Python's `re` reads alike.
    return re.compile(source)


def _same(value: JsonValue, expected: JsonValue) -> bool:
    if isinstance(value, bool) != isinstance(expected, bool):
        return False
    return bool(value == expected)


def _json_kind(value: JsonValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
