"""Checks a write job against the job contract's JSON Schema before it is enqueued.

The schema file (``schema/write-job.v1.schema.json``) is a copy of what libs/jobs exports
(``npm run jobs:schema``); a test keeps the two identical. Validation is the ``jsonschema``
package's (draft 2020-12, every keyword); this module only words its findings the way the rest
of floe does: one ``path: problem`` line per problem, the path written as users write fields
(``create.partitionSpec[0].transform``), the problem said in plain terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

JsonValue = Any  # JSON documents are dynamically typed; jsonschema checks their shape.


def write_job_schema() -> dict[str, JsonValue]:
    """The write job v1 schema shipped with this package."""
    text = resources.files("floe_dagster").joinpath("schema/write-job.v1.schema.json").read_text("utf-8")
    schema: dict[str, JsonValue] = json.loads(text)
    return schema


@cache
def _validator(schema_text: str) -> Draft202012Validator:
    schema = json.loads(schema_text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate(document: JsonValue, schema: dict[str, JsonValue]) -> list[str]:
    """Every way ``document`` breaks ``schema``, as ``path: problem`` strings (empty = valid)."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = sorted(validator.iter_errors(document), key=lambda error: _path(error.absolute_path))
    return [line for error in errors for line in _describe(error)]


def _path(parts: Iterable[str | int]) -> str:
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = part if path == "" else f"{path}.{part}"
    return path or "(root)"


def _child(path: str, key: str) -> str:
    return key if path == "(root)" else f"{path}.{key}"


def _kind(value: JsonValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _either(expected: JsonValue) -> str:
    return expected if isinstance(expected, str) else " or ".join(expected)


def _describe(error: ValidationError) -> list[str]:
    path = _path(error.absolute_path)
    keyword = error.validator
    expected = error.validator_value
    value = error.instance
    if keyword == "additionalProperties" and isinstance(value, dict):
        known = set(error.schema.get("properties", {}))
        return [f"{_child(path, str(key))}: is not allowed here" for key in value if key not in known]
    if keyword == "required" and isinstance(value, dict):
        return [f"{_child(path, str(key))}: is required" for key in expected if key not in value]
    problems = {
        "enum": lambda: "must be one of " + ", ".join(json.dumps(option) for option in expected),
        "const": lambda: f"must be {json.dumps(expected)}",
        "type": lambda: f"must be {_either(expected)}, got {_kind(value)}",
        "pattern": lambda: f"{json.dumps(value)} does not match {expected}",
        "minItems": lambda: f"needs at least {expected} item(s)",
        "maxItems": lambda: f"takes at most {expected} item(s)",
        "minLength": lambda: f"needs at least {expected} character(s)",
        "maxLength": lambda: f"takes at most {expected} character(s)",
        "minimum": lambda: f"must be at least {expected}, got {value}",
        "maximum": lambda: f"must be at most {expected}, got {value}",
        "anyOf": lambda: f"matches none of the {len(expected)} allowed shapes",
        "oneOf": lambda: f"matches none (or several) of the {len(expected)} allowed shapes",
    }
    describe = problems.get(str(keyword))
    return [f"{path}: {describe() if describe is not None else error.message}"]
