"""Asset keys → tables, metadata overrides, and idempotency keys (pure functions)."""

from __future__ import annotations

import re

import pytest
from floe_dagster import FloeDagsterError, TableName, idempotency_key, table_for_asset

CONTRACT_KEY = re.compile(r"^[A-Za-z0-9._~@=+\-/]+$")


def test_asset_keys_map_to_tables_and_longer_keys_nest_namespaces() -> None:
    assert table_for_asset(["bronze", "customers"], {}, None) == TableName(("bronze",), "customers")
    assert table_for_asset(["lake", "bronze", "customers"], {}, None) == TableName(("lake", "bronze"), "customers")
    assert table_for_asset(["customers"], {}, "raw.crm") == TableName(("raw", "crm"), "customers")


def test_metadata_overrides_the_table() -> None:
    assert table_for_asset(["a", "b"], {"table": "silver.people"}, None) == TableName(("silver",), "people")
    assert table_for_asset(["a", "b"], {"namespace": "x.y"}, None) == TableName(("x", "y"), "b")
    assert table_for_asset(["a", "b"], {"namespace": ["x"], "table_name": "c"}, None) == TableName(("x",), "c")


@pytest.mark.parametrize(
    ("path", "metadata", "message"),
    [
        (["solo"], {}, "asset solo has a one-part key, so its namespace is unknown: give the asset a key prefix"),
        (["a", "b"], {"table": "nodots"}, "asset a/b: metadata table='nodots' must be a string 'namespace.name'"),
        (["a", "b"], {"namespace": 3}, "asset a/b: metadata namespace must be a string 'a.b' or a list of strings"),
        (["a", "b"], {"table_name": 3}, "asset a/b: metadata table_name must be a string"),
        (["a", "b"], {"table": "x..y"}, "namespace part '' is not a valid Iceberg identifier part"),
    ],
)
def test_bad_table_metadata_says_what_to_do(path: list[str], metadata: dict[str, object], message: str) -> None:
    with pytest.raises(FloeDagsterError) as raised:
        table_for_asset(path, metadata, None)
    assert message in str(raised.value) and raised.value.kind == "invalid-metadata"


def test_idempotency_keys_are_stable_valid_and_distinct_per_partition() -> None:
    run = "0f7a9c1e-1111-2222-3333-444455556666"
    key = idempotency_key(run, "bronze__events", ["bronze", "events"], ["2024-01-01"])
    assert key == idempotency_key(run, "bronze__events", ["bronze", "events"], ["2024-01-01"])
    assert key.startswith(f"dagster~{run}~bronze__events~bronze_events~2024-01-01~")
    assert CONTRACT_KEY.match(key) and "/" not in key and len(key) <= 200
    others = {
        idempotency_key(run, "bronze__events", ["bronze", "events"], ["2024-01-02"]),
        idempotency_key("another-run", "bronze__events", ["bronze", "events"], ["2024-01-01"]),
        idempotency_key(run, "other_step", ["bronze", "events"], ["2024-01-01"]),
        idempotency_key(run, "bronze__events", ["bronze", "events2"], ["2024-01-01"]),
        idempotency_key(run, "bronze__events", ["bronze", "events"], ["2024-01-01|us"]),
        idempotency_key(run, "bronze__events", ["bronze", "events"], ["2024-01-01_us"]),
    }
    assert key not in others and len(others) == 6


def test_long_and_unusual_inputs_still_give_contract_keys() -> None:
    key = idempotency_key("r" * 80, "s:t e p" * 30, ["ns", "näme"], ["a|b", "c:d"])
    assert CONTRACT_KEY.match(key) and len(key) <= 200 and not key.isdigit()
    assert "a_b..c_d" in idempotency_key("r", "s", ["n", "t"], ["a|b", "c:d"])
